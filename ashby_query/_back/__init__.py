"""Back ends: each turns a validated core AST into one output and knows only the core.

``compiler`` makes context_store_search JSON, ``formatter`` canonical text, ``engine``
evaluates records in memory. No back end imports another.
"""
