"""Run a query over records wherever they are: in Python, in a file, or in a data frame.

Lists of dicts go through the in-memory engine, which needs nothing installed. A file
path (JSON lines, JSON, Parquet, CSV) or an Arrow table, pandas or polars frame goes
through an embedded DuckDB (``pip install 'ashby-query[duckdb]'``), which holds millions
of records in a fraction of the memory and streams the matches back. Both give the same
records for the same query; the differential tests hold DuckDB to the engine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

from .._core.errors import AshbyQueryError
from .._core.schema import Entity
from .._core.semantics import Semantics
from .._core.values import Clock
from .._front.builder import EntityRef, as_query

__all__ = ["DataFileError", "count", "evaluate", "iter_evaluate"]

_FRAME_MODULES = frozenset({"pyarrow", "pandas", "polars"})


def _bulk(data: object) -> bool:
    """Whether ``data`` is a file or a frame, for DuckDB, rather than records in Python."""
    if isinstance(data, str | os.PathLike):
        return True
    return type(data).__module__.partition(".")[0] in _FRAME_MODULES


def _in_memory(data: Any, entity: str) -> Any:
    """The records to run in memory, or ``None`` when ``data`` is for DuckDB.

    Records in Python stay as they are. A JSON object of entity name to records, and any
    JSON file when DuckDB is not installed, are read here, as the command line's
    ``--data`` reads them; other files and frames go to DuckDB.
    """
    if not _bulk(data):
        return data
    if not isinstance(data, str | os.PathLike):
        return None
    from .duck import wants_duckdb

    path = os.fspath(data)
    if wants_duckdb(path):
        return None
    from .cli import UsageError, _load_data

    try:
        return _load_data(path, entity)
    except UsageError as exc:
        raise DataFileError(f"{exc}".rstrip(".") + ".") from None


class DataFileError(AshbyQueryError, ValueError):
    """A data file that cannot be read as records."""


def iter_evaluate(
    query: Any,
    data: Any,
    entity: str | EntityRef | Entity | None = None,
    *,
    now: Clock = None,
    semantics: Semantics | None = None,
) -> Iterator[Mapping[str, Any]]:
    """Stream the records of ``data`` that ``query`` selects: filtered, sorted, limited.

    ``data`` is an iterable of dicts (in memory), or a file path or frame (in DuckDB; see
    :func:`evaluate`).

    >>> rows = [{"id": "1", "status": "active"}, {"id": "2", "status": "hired"}]
    >>> [r["id"] for r in iter_evaluate('status = "hired"', rows, "applications")]
    ['2']
    """
    q = as_query(query, entity)
    rows = _in_memory(data, q.entity)
    if rows is None:
        from . import duck

        yield from duck.search(q, data, q.entity, now=now, semantics=semantics)
        return
    yield from q.evaluate(rows, now, semantics)


def evaluate(
    query: Any,
    data: Any,
    entity: str | EntityRef | Entity | None = None,
    *,
    now: Clock = None,
    semantics: Semantics | None = None,
) -> list[Mapping[str, Any]]:
    """Run ``query`` over ``data``: filter, then sort, then limit.

    ``query`` takes every form :func:`ashby_query.compile` does; ``semantics`` picks the
    meanings the service leaves undocumented (see :class:`ashby_query.Semantics`).
    ``data`` is a list (or any iterable) of dicts, run by the in-memory engine; or a path
    to a ``.jsonl``, ``.json``, ``.parquet`` or ``.csv`` file, or an Arrow table, pandas or
    polars frame, run in DuckDB (``pip install 'ashby-query[duckdb]'``). From DuckDB, null
    fields are left out of the records, since files do not tell null from missing, and
    records whose sort keys tie come back in ``id`` order (in memory, in input order):
    sort on ``id`` last when the order of ties matters.

    >>> rows = [{"id": "1", "status": "active"}, {"id": "2", "status": "hired"}]
    >>> evaluate('status = "hired"', rows, entity="applications")
    [{'id': '2', 'status': 'hired'}]
    """
    return list(iter_evaluate(query, data, entity, now=now, semantics=semantics))


def count(
    query: Any,
    data: Any,
    entity: str | EntityRef | Entity | None = None,
    *,
    now: Clock = None,
    semantics: Semantics | None = None,
) -> int:
    """How many records of ``data`` :func:`evaluate` would return, counted where they are.

    >>> count('status = "hired"', [{"status": "hired"}, {"status": "new"}], "applications")
    1
    """
    q = as_query(query, entity)
    rows = _in_memory(data, q.entity)
    if rows is None:
        from . import duck

        return duck.count(q, data, q.entity, now=now, semantics=semantics)
    return len(q.evaluate(rows, now, semantics))
