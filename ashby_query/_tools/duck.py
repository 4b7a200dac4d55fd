"""DuckDB as the embedded engine: run a query over files or frames too big for Python dicts.

Install with ``pip install 'ashby-query[duckdb]'`` (it brings sqlglot). Files are read by
DuckDB itself: JSON lines (``.jsonl``, ``.ndjson``), JSON arrays (``.json``), Parquet and
CSV; in Python, Arrow tables and pandas or polars frames work too, as do lists of dicts.
Rows stream back as dicts keyed by field name.

>>> rows = [{"id": "1", "status": "active"}, {"id": "2", "status": "hired"}]
>>> [r["id"] for r in search('status = "hired"', rows, entity="applications")]
['2']
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import functools
import json
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from .._back.engine import compile_predicate, project
from .._back.sql import SqlError, SqlQuery, SqlTable, to_sql
from .._core.ast import Predicate
from .._core.errors import AshbyQueryError
from .._core.schema import ENTITIES, Entity
from .._core.semantics import Semantics
from .._core.types import FieldType, Op
from .._core.values import Clock, format_wire
from .._front.builder import EntityRef, Query, as_query

__all__ = [
    "FILE_SUFFIXES",
    "DuckDBError",
    "connect",
    "count",
    "load",
    "register_duckdb_functions",
    "register_sqlite_functions",
    "search",
    "sql_text",
    "wants_duckdb",
]

#: File suffixes DuckDB reads for ``--data``, and how.
FILE_SUFFIXES = {
    ".parquet": "read_parquet({path})",
    ".csv": "read_csv({path}, all_varchar = true)",
    ".jsonl": "read_json({path}, format = 'newline_delimited', columns = {columns})",
    ".ndjson": "read_json({path}, format = 'newline_delimited', columns = {columns})",
    ".json": "read_json({path}, format = 'array', columns = {columns})",
}
_DUCK_TYPES = {
    FieldType.STRING: "VARCHAR",
    FieldType.BOOLEAN: "BOOLEAN",
    FieldType.TIMESTAMP: "VARCHAR",
    FieldType.ARRAY: "JSON",
    FieldType.OBJECT: "JSON",
}
_BATCH = 10_000


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise SqlError(
            "Running queries on files and frames needs DuckDB, which is not installed; run "
            "pip install 'ashby-query[duckdb]'."
        ) from None
    return duckdb


def connect(path: str = ":memory:") -> Any:
    """A DuckDB connection set up for ashby-query: UTC session, ``ashby_*`` functions.

    Naive timestamps read as UTC, as the in-memory engine reads them.
    """
    duckdb = _duckdb()
    con = duckdb.connect(path)
    con.execute("SET TimeZone = 'UTC'")
    if sys.stderr.isatty():
        con.execute("SET enable_progress_bar = true")
    return con


def matcher(semantics: Semantics | None = None) -> Callable[[str, str, Any], bool]:
    """The ``ashby_match(op, value, column)`` function: the in-memory engine's own test.

    SQL calls it where it has no exact form (``fuzzy``, ``keyword``, case-insensitive
    ``like``); ``value`` is the query's value as JSON. Tests are built once per value.

    >>> matcher()("fuzzy", '"ann jon"', "Ann Smith-Jones")
    True
    """

    @functools.lru_cache(maxsize=256)
    def test(op: str, value: str) -> Callable[[Mapping[str, Any]], bool]:
        decoded = json.loads(value)
        v = tuple(decoded) if isinstance(decoded, list) else decoded
        return compile_predicate(Predicate(Op(op), "v", v), semantics=semantics)

    def ashby_match(op: str, value: str, column: Any) -> bool:
        return test(op, value)({"v": column})

    return ashby_match


def register_duckdb_functions(con: Any, semantics: Semantics | None = None) -> None:
    """Give a DuckDB connection ``ashby_match`` (a Python function, for ``functions=True``)."""
    from duckdb.sqltypes import BOOLEAN, VARCHAR

    with contextlib.suppress(Exception):  # not registered yet
        con.remove_function("ashby_match")
    try:
        con.create_function(
            "ashby_match",
            matcher(semantics),
            [VARCHAR, VARCHAR, VARCHAR],
            BOOLEAN,
            null_handling="special",
        )
    except Exception as exc:  # DuckDB needs numpy for Python functions
        raise SqlError(
            f"ashby_match runs in DuckDB as a Python function, which failed: {exc} "
            "Run pip install 'ashby-query[duckdb]' (it brings numpy)."
        ) from None


def register_sqlite_functions(con: sqlite3.Connection, semantics: Semantics | None = None) -> None:
    """Give a SQLite connection ``ashby_match`` (for ``functions=True``)."""
    con.create_function("ashby_match", 3, matcher(semantics), deterministic=True)


def _fields(entity: Entity) -> dict[str, FieldType]:
    return {**entity.record_fields, **{n: f.type for n, f in entity.searchable.items()}}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load(
    con: Any, data: Any, entity: str, *, table: str | None = None, materialize: bool = False
) -> str:
    """Make ``data`` queryable as a view (or, with ``materialize``, a table); return its name.

    Searchable fields missing from the data become null columns; string fields are read as
    text and booleans as booleans, so DuckDB's type sniffing cannot change a value's meaning.
    """
    e = ENTITIES[entity]
    name = table or entity
    fields = _fields(e)
    if isinstance(data, str | Path):
        path = Path(data)
        suffix = path.suffix.lower()
        if suffix not in FILE_SUFFIXES:
            raise SqlError(
                f"{str(path)!r} has no suffix DuckDB reads here; use one of "
                f"{', '.join(FILE_SUFFIXES)}."
            )
        if not path.is_file():
            raise SqlError(f"{str(path)!r} is not a file; check the path.")
        source = FILE_SUFFIXES[suffix].format(path=_string(str(path)), columns=_columns(fields))
    elif isinstance(data, list | tuple):
        source = _from_records(con, data, fields, name)
    else:
        con.register(f"{name}__source", data)
        source = _quote(f"{name}__source")
    present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    replace: list[str] = []
    for field, spec in e.searchable.items():
        ftype = spec.type
        if field in present and ftype is FieldType.BOOLEAN:
            replace.append(f"TRY_CAST({_quote(field)} AS BOOLEAN) AS {_quote(field)}")
        elif field in present and ftype is FieldType.STRING:
            replace.append(f"CAST({_quote(field)} AS VARCHAR) AS {_quote(field)}")
    extra = [
        f"CAST(NULL AS {_DUCK_TYPES[t]}) AS {_quote(f)}"
        for f, t in ((f, s.type) for f, s in e.searchable.items())
        if f not in present
    ]
    select = "SELECT *" + (f" REPLACE ({', '.join(replace)})" if replace else "")
    select += "".join(f", {x}" for x in extra) + f" FROM {source}"
    kind = "TABLE" if materialize else "VIEW"
    con.execute(f"CREATE OR REPLACE {kind} {_quote(name)} AS {select}")
    return name


def _columns(fields: Mapping[str, FieldType]) -> str:
    """A DuckDB struct literal naming each field's column type, for ``read_json``."""
    return (
        "{" + ", ".join(f"{_string(f)}: {_string(_DUCK_TYPES[t])}" for f, t in fields.items()) + "}"
    )


def _from_records(
    con: Any, rows: Iterable[Mapping[str, Any]], fields: Mapping[str, FieldType], name: str
) -> str:
    """Load Python dicts through a temporary JSON-lines file (no pyarrow needed)."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_quote(name + '__rows')} AS SELECT * FROM read_json("
        f"{_string(fh.name)}, format = 'newline_delimited', columns = {_columns(fields)})"
    )
    Path(fh.name).unlink()
    return _quote(name + "__rows")


def _prepare(
    query: Any,
    data: Any,
    entity: str | EntityRef | Entity | None,
    con: Any,
    now: Clock,
    count: bool,
    semantics: Semantics | None = None,
) -> tuple[Any, Query, SqlQuery]:
    q = as_query(query, entity)
    con = con if con is not None else connect()
    # A frame or a database table gets a view of its own name, beside the table itself.
    plain = isinstance(data, str | Path | list | tuple)
    name = load(con, data, q.entity, table=None if plain else f"{q.entity}__aq")
    ast = q.ast
    if q.ast.fields is not None:
        ast = ast.__class__(ast.entity, ast.filter, ast.sort, ast.limit, None, ast.cursor)
    sq = to_sql(
        ast,
        "duckdb",
        SqlTable(name=name),
        now=now,
        functions=True,
        count=count,
        semantics=semantics,
    )
    if "ashby_match" in sq.sql.lower():
        register_duckdb_functions(con, semantics)
    return con, q, sq


class DuckDBError(SqlError):
    """DuckDB could not read the data or run the query; ``detail`` is its first line."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(
            f"DuckDB could not read the data or run the query: {detail}. Check that the file "
            "is the kind its suffix says and holds one record per row."
        )


@contextlib.contextmanager
def _duck_errors() -> Iterator[None]:
    """Turn DuckDB's own exceptions into :class:`DuckDBError`, keeping the original."""
    try:
        yield
    except AshbyQueryError:
        raise
    except Exception as exc:
        if "duckdb" not in type(exc).__module__:
            raise
        detail = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        raise DuckDBError(detail) from exc


def search(
    query: Any,
    data: Any,
    entity: str | EntityRef | Entity | None = None,
    *,
    con: Any = None,
    now: Clock = None,
    semantics: Semantics | None = None,
) -> Iterator[dict[str, Any]]:
    """Run ``query`` over ``data`` in DuckDB and stream the matching records.

    ``data`` is a file path, a list of dicts, or an Arrow table or pandas/polars frame.
    Records come back filtered, sorted, limited and projected as :func:`evaluate` gives
    them, except that null fields are left out (files do not tell null from missing);
    timestamps read from typed columns are written in the wire form.
    """
    with _duck_errors():
        con, q, sq = _prepare(query, data, entity, con, now, False, semantics)
        cursor = con.execute(sq.sql, list(sq.params))
        names = [d[0] for d in cursor.description]
        json_columns = {d[0] for d in cursor.description if str(d[1]).upper() == "JSON"}
        while True:
            batch = cursor.fetchmany(_BATCH)
            if not batch:
                return
            for row in batch:
                # Missing and null read alike from files: leave both out, as a missing key.
                record = {
                    n: _plain(v, n in json_columns)
                    for n, v in zip(names, row, strict=True)
                    if v is not None
                }
                yield project(record, q.ast.fields) if q.ast.fields is not None else record


def _plain(value: Any, is_json: bool) -> Any:
    """A value DuckDB returned, as JSON would hold it (typed columns and nested structs too)."""
    if is_json and isinstance(value, str):
        return json.loads(value)
    if isinstance(value, str | bool | int | float) or value is None:
        return value
    if isinstance(value, dt.datetime):
        return format_wire(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v, False) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v, False) for v in value]
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)  # UUID, intervals and the like: their text form


def count(
    query: Any,
    data: Any,
    entity: str | EntityRef | Entity | None = None,
    *,
    con: Any = None,
    now: Clock = None,
    semantics: Semantics | None = None,
) -> int:
    """How many records of ``data`` the query returns, counted in DuckDB."""
    with _duck_errors():
        con, _q, sq = _prepare(query, data, entity, con, now, True, semantics)
        return int(con.execute(sq.sql, list(sq.params)).fetchone()[0])


# --------------------------------------------------------------------------- command line


def wants_duckdb(path: str) -> bool:
    """Whether the CLI's ``--data FILE`` should go through DuckDB.

    Parquet and CSV always do (and need the extra); JSON lines and JSON arrays do when
    DuckDB is installed. ``sample`` and a JSON object of entity to records stay in memory.
    """
    suffix = Path(path).suffix.lower()
    if path == "sample" or suffix not in FILE_SUFFIXES:
        return False
    if suffix in (".parquet", ".csv"):
        return True
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    if suffix == ".json":
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(4096).lstrip().startswith("[")
    return True


def sql_text(
    query: Query,
    dialect: str,
    *,
    table: str | None = None,
    schema: str | None = None,
    airbyte: bool = False,
    count: bool = False,
    like_case: str = "insensitive",
) -> str:
    """The ``sql`` command's output: the SQL, then its parameters as a comment line."""
    if airbyte:
        case = {"postgres": "lower", "postgresql": "lower", "snowflake": "upper"}.get(
            dialect.lower(), "preserve"
        )
        mapping = attrs.evolve(SqlTable.airbyte(schema, case=case), name=table)
    else:
        mapping = SqlTable(name=table, schema=schema)
    semantics = Semantics(like_case=like_case)  # type: ignore[arg-type]
    sq = query.to_sql(dialect, mapping, count=count, semantics=semantics)
    out = sq.sql + ";\n"
    if sq.params:
        shown = json.dumps(list(sq.params), ensure_ascii=False)
        out += f"-- params: {shown}\n"
    return out
