"""Helpers for LLM agents: a compact description, a tool schema, the error catalogue.

>>> print(describe("job_postings").splitlines()[0])
Query language for job_postings (Ashby, through Airbyte's context_store_search).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import attrs

from .._core.schema import get_entity
from .._core.types import FieldType, Op
from .._core.validate import MAX_LIMIT, op_word

__all__ = [
    "ERROR_CATALOGUE",
    "TOKEN_BUDGET",
    "TOOL_FORMATS",
    "CatalogueEntry",
    "describe",
    "token_count",
    "tool_schema",
]

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

    Fields with types, the operators each type takes, the syntax, three examples and the
    error contract, in about 300 tokens. For an entity that cannot be searched, its
    actions and record fields.

    >>> print(describe("sources").splitlines()[1])
    Record fields: id (string), title (string), isArchived (boolean), sourceType (object).
    """
    e = get_entity(entity, searchable=False)
    if not e.is_searchable:
        fields = ", ".join(f"{name} ({t.value})" for name, t in e.record_fields.items())
        return (
            f"{e.name} (Ashby): {e.description} It cannot be searched: the connector offers "
            f"{' and '.join(e.actions)} for it.\nRecord fields: {fields}."
        )
    lines = [
        f"Query language for {e.name} (Ashby, through Airbyte's context_store_search).",
        "Fields (type):",
    ]
    types: list[FieldType] = []
    for f in e.searchable.values():
        lines.append(f"- {f.name} ({f.type.value}): {f.description}")
        if f.type not in types:
            types.append(f.type)
    ops = "; ".join(
        f"{t.value}: " + ", ".join(op_word(o) for o in Op if o in t.operators) for t in types
    )
    lines += [
        f"Operators by type: {ops}.",
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
    if FieldType.TIMESTAMP in types:
        lines.insert(-5, "A bare date on = means that whole day (UTC).")
    return "\n".join(lines)


TOOL_FORMATS = ("function", "openai", "openai-responses", "anthropic", "mcp")
"""The shapes :func:`tool_schema` can produce."""

TOKEN_BUDGET = 800
"""Most tokens one search tool's schema (as JSON) may use, as :func:`token_count` counts."""


def token_count(text: str) -> int:
    """A rough, tokenizer-free token count: words plus punctuation marks.

    Byte-pair tokenizers split English text into about as many pieces or fewer, so a
    schema within :data:`TOKEN_BUDGET` by this count is within it for an LLM too.

    >>> token_count('status = "active" and createdAt > 2024-01-01')
    13
    """
    return len(_TOKEN.findall(text))


_TOKEN = re.compile(r"\w+|[^\w\s]")


def tool_schema(entity: str, format: str = "function", *, paging: bool = False) -> dict[str, Any]:
    """A function-calling tool that searches ``entity`` with a query string.

    ``format`` picks the shape each API wants; the JSON Schema of the arguments is the
    same in all of them:

    - ``"function"`` (the default): ``{"name", "description", "parameters"}``
    - ``"openai"``: Chat Completions, ``{"type": "function", "function": {...}}``
    - ``"openai-responses"``: Responses API, ``{"type": "function", "name", ...,
      "parameters"}``
    - ``"anthropic"``: Messages API, ``{"name", "description", "input_schema"}``
    - ``"mcp"``: an MCP tool, ``{"name", "description", "inputSchema"}``

    With ``paging`` the arguments also take ``limit`` and ``cursor`` (the shape of
    ``ashby-query mcp``'s search tools). Every schema, serialised as JSON, fits in
    :data:`TOKEN_BUDGET` (800) tokens by :func:`token_count`, which overcounts JSON's
    quotes; most of it is the query parameter's description, :func:`describe` (at most
    400).

    >>> tool_schema("candidates")["parameters"]["required"]
    ['query']
    >>> sorted(tool_schema("candidates", "anthropic"))
    ['description', 'input_schema', 'name']
    >>> tool_schema("jobs", "openai")["function"]["name"]
    'search_jobs'
    >>> sorted(tool_schema("jobs", "mcp", paging=True)["inputSchema"]["properties"])
    ['cursor', 'limit', 'query']
    """
    if format not in TOOL_FORMATS:
        raise ValueError(
            f"format must be one of {', '.join(map(repr, TOOL_FORMATS))}, got {format!r}."
        )
    e = get_entity(entity)
    name = f"search_{e.name}"
    description = (
        f"Search Ashby {e.name}. {e.description} "
        + "Write the query in the ashby-query language described in the parameter."
    )
    properties: dict[str, Any] = {
        "query": {
            "type": "string",
            "description": describe(e.name),
            "examples": list(_EXAMPLES[e.name]),
            "maxLength": 65536,
        }
    }
    if paging:
        description += " Returns records and next_cursor (null on the last page)."
        properties["limit"] = {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_LIMIT,
            "description": "Records per page; overrides the query's limit.",
        }
        properties["cursor"] = {
            "type": "string",
            "maxLength": 4096,
            "description": "next_cursor from the previous page, with the same query.",
        }
    parameters = {
        "type": "object",
        "properties": properties,
        "required": ["query"],
        "additionalProperties": False,
    }
    if format == "openai":
        function = {"name": name, "description": description, "parameters": parameters}
        return {"type": "function", "function": function}
    if format == "openai-responses":
        return {
            "type": "function",
            "name": name,
            "description": description,
            "parameters": parameters,
        }
    key = {"function": "parameters", "anthropic": "input_schema", "mcp": "inputSchema"}[format]
    return {"name": name, "description": description, key: parameters}


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
