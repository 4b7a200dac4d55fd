"""The core every stage shares: errors, field types, values, the AST, the schema, validation.

Also the one walk over a tree (``walk``), the lowering pass that fixes a query's meaning
before any back end sees it (``lower``) and the options for what operators mean when
records are matched (``semantics``). Nothing here knows a front end or a back end. Front
ends (``_front``) build these trees, back ends (``_back``) turn them into output; the
public API is what ``ashby_query`` re-exports.
"""
