"""Documentation build helpers.

- An mkdocs hook: pages say <!-- entity-tables --> or <!-- error-catalogue --> and get the
  tables generated from the schema registry and the error catalogue, never by hand.
- A griffe extension for the API reference (``docs_hooks.py:DoctestFences`` in
  mkdocs.yml): the ``>>>`` examples of docstrings are shown as code, not as prose.
"""

from __future__ import annotations

import re
from typing import Any

from ashby_query import ENTITIES, Op
from ashby_query._core.validate import op_word
from ashby_query._tools.agent import ERROR_CATALOGUE


def _cell(text: str) -> str:
    """Text for a markdown table cell: a pipe would end the cell, so it is escaped."""
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    """An inline code span holding ``text`` verbatim (no table escaping applies)."""
    text = text.replace("\n", " ")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def entity_tables() -> str:
    """Markdown tables for every entity, from the schema registry."""
    out = ["| entity | actions | get parameter |", "| --- | --- | --- |"]
    for e in ENTITIES.values():
        get = f"`{e.get_param_python}` (`{e.get_param}` on the wire)" if e.get_param else "-"
        out.append(f"| `{e.name}` | {', '.join(e.actions)} | {get} |")
    for e in ENTITIES.values():
        out += ["", f"## {e.name}", "", e.description, ""]
        if e.searchable:
            out += [
                "Searchable fields:",
                "",
                "| field | type | operators | description |",
                "| --- | --- | --- | --- |",
            ]
            for f in e.searchable.values():
                ops = ", ".join(f"`{op_word(o)}`" for o in Op if o in f.type.operators)
                out.append(f"| `{f.name}` | {f.type.value} | {ops} | {_cell(f.description)} |")
            out.append("")
        out += [
            "Record fields: " + ", ".join(f"`{n}` ({t.value})" for n, t in e.record_fields.items()),
            "",
        ]
    return "\n".join(out)


def error_catalogue() -> str:
    """One entry per error slug: what it means, a bad query and its fix."""
    out = []
    for entry in ERROR_CATALOGUE:
        bad = entry.bad if len(entry.bad) < 80 else entry.bad[:40] + " … " + entry.bad[-20:]
        out += [
            f"### `{entry.slug}`",
            "",
            entry.meaning,
            "",
            f"- bad ({entry.entity}): {_code(bad)}",
            f"- fix: {_code(entry.fix)}" + (" (the error suggests it)" if entry.suggested else ""),
            "",
        ]
    return "\n".join(out)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Fill the generated sections of a page."""
    return markdown.replace("<!-- entity-tables -->", entity_tables()).replace(
        "<!-- error-catalogue -->", error_catalogue()
    )


def fence_doctests(text: str) -> str:
    """Wrap each run of ``>>>`` lines (and the output after them) in a ``pycon`` fence."""
    out: list[str] = []
    in_example = in_fence = False
    indent = ""
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("```"):
            in_fence = not in_fence
        if in_example and not stripped:
            out.append(indent + "```")
            in_example = False
        elif not in_example and not in_fence and stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            out.append(indent + "```pycon")
            in_example = True
        out.append(line)
    if in_example:
        out.append(indent + "```")
    return "\n".join(out)


_ROLE = re.compile(r":(?:class|func|meth|attr|exc|mod|data|obj):`~?([^`]+)`")


try:  # griffe comes with the docs extra; the tables above work without it
    import griffe
except ImportError:  # pragma: no cover
    pass
else:

    class DoctestFences(griffe.Extension):
        """Show docstring examples as code in the API reference, and Sphinx roles as code."""

        def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
            """Fence the examples of one object's docstring; Sphinx roles become code."""
            if obj.docstring is not None:
                text = _ROLE.sub(r"`\1`", obj.docstring.value)
                obj.docstring.value = fence_doctests(text) if ">>>" in text else text
