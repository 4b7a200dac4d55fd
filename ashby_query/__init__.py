"""ashby-query: query Ashby through Airbyte's Ashby agent connector.

>>> import ashby_query as aq
>>> params = aq.compile('status = "active" and createdAt > 2024-01-01', entity="applications")
>>> params["query"]["filter"]["and"][1]
{'gt': {'createdAt': '2024-01-01T00:00:00Z'}}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._back.compiler import DIALECT_2026, REFERENCE, Dialect
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
    from ._core.semantics import Semantics
    from ._tools.agent import describe, tool_schema
    from ._tools.data import count, evaluate, iter_evaluate
    from ._tools.sample import sample_records

# Cold start: `import ashby_query` loads only what parsing and compiling need (issue 15
# asks for under 30 ms). Everything else loads on first use through `__getattr__` below:
# the client (httpx costs more to import than the rest of the package), the SQL back end,
# the client's exceptions, the engine's Semantics, and the tools (the agent catalogue,
# the in-memory data helpers, and the sample data with its uuid and random imports).
# Names listed here are in `__all__` and `dir()`, type-check through the TYPE_CHECKING
# imports above, and pickle by reference as before. tests/test_cold_start.py checks that
# none of these modules loads on import and that every name resolves.
_LAZY = {
    "APIError": "_client.errors",
    "AshbyClient": "_client.client",
    "AsyncAshbyClient": "_client.client",
    "AsyncRecordWalk": "_client.client",
    "AuthenticationError": "_client.errors",
    "BadRequestError": "_client.errors",
    "ClientError": "_client.errors",
    "ConfigurationError": "_client.errors",
    "NotFoundError": "_client.errors",
    "PaginationError": "_client.errors",
    "RateLimitError": "_client.errors",
    "RecordWalk": "_client.client",
    "RequestTimeout": "_client.errors",
    "ResponseError": "_client.errors",
    "Resume": "_client.core",
    "RetryPolicy": "_client.core",
    "SearchPage": "_client.core",
    "Semantics": "_core.semantics",
    "ServerError": "_client.errors",
    "SqlError": "_back.sql",
    "SqlQuery": "_back.sql",
    "SqlTable": "_back.sql",
    "TransportError": "_client.errors",
    "count": "_tools.data",
    "describe": "_tools.agent",
    "evaluate": "_tools.data",
    "iter_evaluate": "_tools.data",
    "sample_records": "_tools.sample",
    "tool_schema": "_tools.agent",
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
