"""Hatch build hook: regenerate the parsers from the grammar before a wheel is built.

The same as running ``python grammar/build_tables.py`` by hand; an installed package then
reads ``ashby_query/_front/tables.py`` and ``fastparse.py`` and never needs Lark.
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class TablesHook(BuildHookInterface):  # type: ignore[type-arg]
    """Write the generated parser modules from ``grammar/query.lark`` if they are stale."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return  # a source checkout keeps the committed tables; the tests check them
        script = Path(self.root) / "grammar" / "build_tables.py"
        runpy.run_path(str(script))["main"]([])
