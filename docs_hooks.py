"""mkdocs hook: pages say <!-- entity-tables --> or <!-- error-catalogue --> and get the
tables generated from the schema registry and the error catalogue, never by hand."""

from __future__ import annotations

from typing import Any

from ashby_query._core.schema import ENTITIES
from ashby_query._core.types import Op
from ashby_query._core.validate import op_word
from ashby_query._tools.agent import ERROR_CATALOGUE


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


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
            f"- bad ({entry.entity}): `{_cell(bad)}`",
            f"- fix: `{_cell(entry.fix)}`"
            + (" (the error suggests it)" if entry.suggested else ""),
            "",
        ]
    return "\n".join(out)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Fill the generated sections of a page."""
    return markdown.replace("<!-- entity-tables -->", entity_tables()).replace(
        "<!-- error-catalogue -->", error_catalogue()
    )
