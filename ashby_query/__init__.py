"""ashby-query: query Ashby through Airbyte's Ashby agent connector.

>>> import ashby_query as aq
>>> params = aq.compile('status = "active" and createdAt > 2024-01-01', entity="applications")
>>> params["query"]["filter"]["and"][1]
{'gt': {'createdAt': '2024-01-01T00:00:00Z'}}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._back.compiler import DIALECT_2026, REFERENCE, Dialect
from ._client.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientError,
    ConfigurationError,
    NotFoundError,
    PaginationError,
    RateLimitError,
    RequestTimeout,
    ResponseError,
    ServerError,
    TransportError,
)
from ._core.ast import (
    And,
    Condition,
    Not,
    Or,
    Predicate,
    QueryAST,
    RelativeTime,
    SortKey,
    iter_nodes,
)
from ._core.errors import (
    AshbyQueryError,
    Edit,
    Problem,
    QueryError,
    QuerySyntaxError,
    Span,
    UnknownFieldError,
)
from ._core.schema import ENTITIES, Entity, SearchField
from ._core.semantics import Semantics
from ._core.types import MAX_LIMIT, FieldType, Op
from ._core.walk import Transformer, fold
from ._front.builder import (
    Applications,
    Candidates,
    EntityRef,
    F,
    Field,
    JobPostings,
    Jobs,
    Query,
    Unchecked,
    Users,
    and_,
    compile,
    from_params,
    not_,
    or_,
    parse,
)
from ._front.parser import Limits
from ._tools.agent import describe, tool_schema
from ._tools.data import count, evaluate, iter_evaluate
from ._tools.sample import sample_records

__all__ = [
    "APIError",
    "And",
    "Applications",
    "AshbyClient",
    "AshbyQueryError",
    "AsyncAshbyClient",
    "AsyncRecordWalk",
    "AuthenticationError",
    "BadRequestError",
    "Candidates",
    "ClientError",
    "Condition",
    "ConfigurationError",
    "DIALECT_2026",
    "Dialect",
    "ENTITIES",
    "Edit",
    "Entity",
    "EntityRef",
    "F",
    "Field",
    "FieldType",
    "JobPostings",
    "Jobs",
    "Limits",
    "MAX_LIMIT",
    "Not",
    "NotFoundError",
    "Op",
    "Or",
    "PaginationError",
    "Predicate",
    "Problem",
    "Query",
    "QueryAST",
    "QueryError",
    "QuerySyntaxError",
    "REFERENCE",
    "RateLimitError",
    "RecordWalk",
    "RelativeTime",
    "RequestTimeout",
    "ResponseError",
    "Resume",
    "RetryPolicy",
    "SearchField",
    "SearchPage",
    "Semantics",
    "ServerError",
    "SortKey",
    "Span",
    "SqlError",
    "SqlQuery",
    "SqlTable",
    "Transformer",
    "TransportError",
    "Unchecked",
    "UnknownFieldError",
    "Users",
    "and_",
    "compile",
    "count",
    "describe",
    "evaluate",
    "fold",
    "from_params",
    "iter_evaluate",
    "iter_nodes",
    "not_",
    "or_",
    "parse",
    "sample_records",
    "tool_schema",
]

__version__ = "0.1.0"

if TYPE_CHECKING:
    from ._back.sql import SqlError, SqlQuery, SqlTable
    from ._client.client import AshbyClient, AsyncAshbyClient, AsyncRecordWalk, RecordWalk
    from ._client.core import Resume, RetryPolicy, SearchPage

# The client pulls in httpx, which costs more to import than the rest of the package, and
# the SQL back end is only for some users: both load on first use, so `import ashby_query`
# stays quick for parsing and compiling.
_LAZY = {
    "AshbyClient": "_client.client",
    "AsyncAshbyClient": "_client.client",
    "AsyncRecordWalk": "_client.client",
    "RecordWalk": "_client.client",
    "Resume": "_client.core",
    "RetryPolicy": "_client.core",
    "SearchPage": "_client.core",
    "SqlError": "_back.sql",
    "SqlQuery": "_back.sql",
    "SqlTable": "_back.sql",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ashby_query' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"ashby_query.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
