"""Helpers for LLM agents: a compact description, a tool schema, the error catalogue.

>>> print(describe("job_postings").splitlines()[0])
Query language for job_postings (Ashby, through Airbyte's context_store_search).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from .._core.schema import get_entity
from .._core.types import FieldType, Op
from .._core.validate import MAX_LIMIT, op_word

__all__ = ["ERROR_CATALOGUE", "CatalogueEntry", "describe", "tool_schema"]

_EXAMPLES: dict[str, tuple[str, str, str]] = {
    "candidates": (
        'name like "Ann%" and company = "Acme"',
        'name fuzzy "ann smith" or school keyword "stanford" order by name limit 20',
        'company in ("Acme", "Initech") and position is not null',
    ),
    "applications": (
        'status = "active" and createdAt > 2024-01-01',
        'status in ("archived") and archiveReason = "Spam" order by updatedAt desc',
        "createdAt >= today - 30d and archiveReason is null limit 50",
    ),
    "jobs": (
        'status = "Open" and title like "%Engineer%"',
        'departmentId = "dep-1" or locationId = "loc-2"',
        'title fuzzy "staff engineer" order by title',
    ),
    "users": (
        'email like "%@example.com"',
        'firstName = "Ann" and lastName like "S%"',
        'lastName fuzzy "smith" order by lastName, firstName limit 10',
    ),
    "job_postings": (
        'isListed = true and locationName = "Berlin"',
        'title like "Senior%" and isListed = true order by title',
        'jobId in ("job-1", "job-2") and locationName is not null',
    ),
}


def describe(entity: str) -> str:
    """A short text that teaches an LLM to write queries for ``entity``.

    Fields with types and operators, the syntax, three examples and the error contract,
    in a few hundred tokens.
    """
    e = get_entity(entity)
    lines = [
        f"Query language for {e.name} (Ashby, through Airbyte's context_store_search).",
        "Fields (type: operators):",
    ]
    for f in e.searchable.values():
        ops = ", ".join(op_word(o) for o in Op if o in f.type.operators)
        lines.append(f"- {f.name} ({f.type.value}: {ops}): {f.description}")
    lines += [
        "Syntax: field op value, joined with and / or / not and parentheses (not binds "
        "tightest, then and). Text in double quotes; true/false; dates 2024-01-31 or "
        "2024-01-31T09:30:00Z; relative times now, today, yesterday, today - 30d (units "
        "m h d w). like: % is any run of characters. Also: in (...), not in (...), "
        "not like, is null, is not null, between a and b.",
        f"Then optionally: order by field [asc|desc], limit N (1-{MAX_LIMIT}), select field, a.b.",
        "Examples:",
        *(f"  {x}" for x in _EXAMPLES[e.name]),
        "Errors: an invalid query is rejected with a message that says what to change "
        "and where; fix that part and send the query again.",
    ]
    if any(f.type is FieldType.TIMESTAMP for f in e.searchable.values()):
        lines.insert(-5, "A bare date on = means that whole day (UTC).")
    return "\n".join(lines)


def tool_schema(entity: str) -> dict[str, Any]:
    """A JSON Schema for a function-calling tool whose argument is a query string.

    >>> tool_schema("candidates")["parameters"]["required"]
    ['query']
    """
    e = get_entity(entity)
    return {
        "name": f"search_{e.name}",
        "description": f"Search Ashby {e.name}. {e.description} "
        + "Write the query in the ashby-query language described in the parameter.",
        "parameters": {
            "type": "object",
            "properties": {
                "query": {
                    "type": "string",
                    "description": describe(e.name),
                    "examples": list(_EXAMPLES[e.name]),
                    "maxLength": 65536,
                }
            },
            "required": ["query"],
            "additionalProperties": False,
        },
    }


@attrs.frozen
class CatalogueEntry:
    """One error slug with a query that triggers it and its fix.

    ``suggested`` says the error carries ``fix`` as its machine-applicable
    ``QueryError.suggestion``, so a program can apply it without rewriting the query.
    """

    slug: str
    entity: str
    bad: str
    fix: str
    meaning: str
    suggested: bool = False


# Slugs raised past the syntax hints: by validation, or by the parser's bounds and clauses.
# The syntax hints' own examples live with their rules in ashby_query/_front/hints.py.
_OTHER_ROWS: list[tuple[Any, ...]] = [
    ("limit_range", "applications", "limit 5000", "limit 1000", "A limit outside 1 to 1000."),
    (
        "duplicate_clause",
        "applications",
        "limit 5 limit 6",
        "limit 5",
        "The same clause twice.",
    ),
    (
        "invalid_date",
        "applications",
        "createdAt > 2024-13-01",
        "createdAt > 2024-12-01",
        "A date or time that does not exist.",
    ),
    (
        "unknown_field",
        "applications",
        'stauts = "a"',
        'status = "a"',
        "A name that is not a searchable field of the entity.",
        True,
    ),
    (
        "field_not_searchable",
        "applications",
        "archivedAt > 2024-01-01",
        "updatedAt > 2024-01-01",
        "A record field that context_store_search cannot filter on.",
    ),
    (
        "sort_not_searchable",
        "applications",
        "order by archivedAt",
        "order by updatedAt",
        "Sorting on a field that is not searchable.",
    ),
    (
        "operator_not_allowed",
        "job_postings",
        'isListed like "t%"',
        "isListed = true",
        "An operator the field's type does not take.",
    ),
    (
        "value_type",
        "job_postings",
        'isListed = "yes"',
        "isListed = true",
        "A value of the wrong type for the field.",
        True,
    ),
    (
        "too_deep",
        "candidates",
        "(" * 65 + 'name = "a"' + ")" * 65,
        'name = "a"',
        "Nesting deeper than the bound (64 by default).",
    ),
]
_OTHER_ENTRIES = [CatalogueEntry(*row) for row in _OTHER_ROWS]


def _catalogue() -> tuple[CatalogueEntry, ...]:
    from .._front.hints import LEX_HINTS, PARSE_HINTS

    return (
        *(
            CatalogueEntry(h.slug, e.entity, e.bad, e.fix, e.meaning, e.suggested)
            for h in (*LEX_HINTS, *PARSE_HINTS)
            if (e := h.example) is not None
        ),
        *_OTHER_ENTRIES,
    )


if TYPE_CHECKING:
    ERROR_CATALOGUE: tuple[CatalogueEntry, ...]


def __getattr__(name: str) -> Any:
    # The catalogue is read off the syntax hints, which only error paths need: they load
    # on first use, not on `import ashby_query`.
    if name == "ERROR_CATALOGUE":
        globals()[name] = catalogue = _catalogue()
        return catalogue
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
