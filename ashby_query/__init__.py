"""ashby-query: query Ashby through Airbyte's Ashby agent connector.

>>> import ashby_query as aq
>>> params = aq.compile('status = "active" and createdAt > 2024-01-01', entity="applications")
>>> params["query"]["filter"]["and"][1]
{'gt': {'createdAt': '2024-01-01T00:00:00Z'}}
"""

from __future__ import annotations

from ._ast import And, Condition, Not, Or, Predicate, QueryAST, RelativeTime, SortKey
from ._compiler import DIALECT_2026, REFERENCE, Dialect
from ._errors import (
    AshbyQueryError,
    Problem,
    QueryError,
    QuerySyntaxError,
    Span,
    UnknownFieldError,
)
from ._parser import Limits
from ._query import (
    Applications,
    Candidates,
    EntityRef,
    F,
    Field,
    JobPostings,
    Jobs,
    Query,
    Users,
    and_,
    compile,
    evaluate,
    from_params,
    not_,
    or_,
    parse,
)
from ._schema import ENTITIES, Entity, SearchField
from ._types import FieldType, Op

__all__ = [
    "And",
    "Applications",
    "AshbyQueryError",
    "Candidates",
    "Condition",
    "DIALECT_2026",
    "Dialect",
    "ENTITIES",
    "Entity",
    "EntityRef",
    "F",
    "Field",
    "FieldType",
    "JobPostings",
    "Jobs",
    "Limits",
    "Not",
    "Op",
    "Or",
    "Predicate",
    "Problem",
    "Query",
    "QueryAST",
    "QueryError",
    "QuerySyntaxError",
    "REFERENCE",
    "RelativeTime",
    "SearchField",
    "SortKey",
    "Span",
    "UnknownFieldError",
    "Users",
    "and_",
    "compile",
    "evaluate",
    "from_params",
    "not_",
    "or_",
    "parse",
]

__version__ = "0.1.0"
