"""The core every stage shares: errors, field types, values, the AST, the schema, validation.

Nothing here knows a front end or a back end. Front ends (``_front``) build these trees,
back ends (``_back``) turn them into output; the public API is what ``ashby_query``
re-exports.
"""
