"""Front ends: text (``parser``), context_store_search JSON (``decompiler``), Python (``builder``).

``parser`` and ``decompiler`` know only the core. ``builder`` holds the fluent builder and
``Query``, whose methods run the back ends, so it sits above them in the import order.
"""
