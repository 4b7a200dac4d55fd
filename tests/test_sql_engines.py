"""The SQL back end on real engines: DuckDB, SQLite and a throwaway PostgreSQL server.

A differential test runs Hypothesis-generated queries over generated records in the
in-memory engine and in each SQL engine, and expects the same ids (in the same order when
the query sorts or limits). Hostile values go through every engine, bound and inlined.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

import attrs
import pg_server
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ashby_query as aq
from ashby_query import strategies as aqs
from ashby_query._back.sql import SqlError, SqlTable, to_sql
from ashby_query._core.ast import Predicate, iter_nodes
from ashby_query._core.schema import ENTITIES, SEARCHABLE
from ashby_query._core.semantics import Semantics
from ashby_query._core.types import FieldType
from ashby_query._core.values import escape_like
from ashby_query._front.builder import Query

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

from ashby_query._tools import duck  # noqa: E402 - needs duckdb

NOW = dt.datetime(2024, 3, 10, 15, 30, tzinfo=dt.UTC)
#: SQL's own LIKE: case-sensitive (the engine's default ignores case, which SQL cannot copy).
SQL_LIKE = Semantics(like_case="sensitive")
SEMANTICS = aqs.semantics()

S, B, T = FieldType.STRING, FieldType.BOOLEAN, FieldType.TIMESTAMP
_SQL_TYPES = {
    "duckdb": {S: "VARCHAR", B: "BOOLEAN", T: "VARCHAR"},
    "sqlite": {S: "TEXT", B: "INTEGER", T: "TEXT"},
    # PostgreSQL stores timestamps natively, so both storage kinds are covered.
    "postgres": {S: "TEXT", B: "BOOLEAN", T: "TIMESTAMPTZ"},
}


class Engine:
    """One SQL engine holding one table per searchable entity."""

    def __init__(self, dialect: str, con: Any) -> None:
        self.dialect = dialect
        self.con = con
        self.mark = "%s" if dialect == "postgres" else "?"
        self.table = SqlTable(timestamps="native" if dialect == "postgres" else "text")
        for name in SEARCHABLE:
            cols = ", ".join(
                f'"{f}" {_SQL_TYPES[dialect][s.type]}' for f, s in ENTITIES[name].searchable.items()
            )
            con.execute(f'CREATE TABLE "{name}" ({cols})')

    def load(self, entity: str, records: list[dict[str, Any]]) -> None:
        fields = list(ENTITIES[entity].searchable)
        types = ENTITIES[entity].searchable
        self.con.execute(f'DELETE FROM "{entity}"')
        if not records:
            return
        rows = [[self._cell(r.get(f), types[f].type) for f in fields] for r in records]
        marks = ", ".join([self.mark] * len(fields))
        cur = self.con.cursor()
        cur.executemany(f'INSERT INTO "{entity}" VALUES ({marks})', rows)

    def _cell(self, value: Any, ftype: FieldType) -> Any:
        if ftype is FieldType.TIMESTAMP and self.dialect == "postgres" and value is not None:
            return dt.datetime.fromisoformat(value)
        return value

    def rows(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        cur = self.con.cursor()
        cur.execute(sql, params if params else None) if self.dialect == "postgres" else cur.execute(
            sql, params
        )
        return list(cur.fetchall())

    def ids(self, query: Query, **options: Any) -> list[str]:
        sq = to_sql(query.ast, self.dialect, self.table, now=NOW, **options)
        names = None
        cur = self.con.cursor()
        if self.dialect == "postgres":
            cur.execute(sq.sql, sq.params or None)
        else:
            cur.execute(sq.sql, sq.params)
        names = [d[0] for d in cur.description]
        return [row[names.index("id")] for row in cur.fetchall()]


@pytest.fixture(scope="module")
def postgres():
    """A psycopg connection to a throwaway server, for the whole module."""
    yield from pg_server.start()


@pytest.fixture(scope="module")
def engines(postgres):
    """DuckDB, SQLite and PostgreSQL, each with one empty table per searchable entity."""
    dcon = duck.connect()
    scon = sqlite3.connect(":memory:", isolation_level=None)
    return [Engine("duckdb", dcon), Engine("sqlite", scon), Engine("postgres", postgres)]


def _clean(value: Any) -> Any:
    # PostgreSQL text cannot hold NUL; keep the records storable everywhere.
    return value.replace("\x00", "") if isinstance(value, str) else value


def _records(entity: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    record = aqs.records(entity).map(lambda r: {k: _clean(v) for k, v in r.items()})
    return st.lists(record, max_size=8, unique_by=lambda r: r["id"]).map(
        lambda rs: sorted(rs, key=lambda r: r["id"])
    )


def _has_nul(query: Query) -> bool:
    if query.ast.filter is None:
        return False
    for n, _ in iter_nodes(query.ast.filter):
        if isinstance(n, Predicate):
            values = n.value if isinstance(n.value, tuple) else (n.value,)
            if any(isinstance(v, str) and "\x00" in v for v in values):
                return True
    return False


@pytest.mark.parametrize("entity", SEARCHABLE)
def test_every_engine_selects_what_the_in_memory_engine_selects(engines, entity):
    """Same ids as the in-memory engine on DuckDB, SQLite and PostgreSQL; same order if sorted."""

    @given(aqs.queries(entity, relative=True), _records(entity), SEMANTICS)
    def check(generated, records, semantics):
        query = Query(attrs.evolve(generated.ast, cursor=None, fields=None))
        expected = [r["id"] for r in query.evaluate(records, now=NOW, semantics=semantics)]
        duck.register_duckdb_functions(engines[0].con, semantics)
        duck.register_sqlite_functions(engines[1].con, semantics)
        ordered = bool(query.ast.sort) or query.ast.limit is not None
        for engine in engines:
            functions = engine.dialect != "postgres"
            try:
                to_sql(query.ast, engine.dialect, now=NOW, functions=functions, semantics=semantics)
            except SqlError as err:
                # Refused, never a near miss: without ashby_match (PostgreSQL) what SQL
                # cannot say exactly is refused; SQLite's GLOB stops at a NUL.
                assert engine.dialect in str(err)  # noqa: PT017 - refusal is data here
                assert _has_nul(query) or not functions
                continue
            engine.load(entity, records)
            got = engine.ids(query, functions=functions, semantics=semantics)
            if ordered:
                assert expected == got, (engine.dialect, str(query))
            else:
                assert sorted(expected) == sorted(got), (engine.dialect, str(query))

    check()


HOSTILE = [
    '\'; DROP TABLE "applications"; --',
    '" OR 1=1 --',
    "' OR '1'='1",
    "/* comment */ x",
    "back\\slash\\",
    "\\'",
    "semi;colon",
    "line\u2028separator\u2029",
    "percent % and _ underscore",
    "question ? mark and %s and $1 and :name",
    "tab\tnew\nline\r",
    "emoji \U0001f600 and \u00e9",
]


@pytest.mark.parametrize("bind", [True, False])
def test_hostile_values_match_exactly_on_every_engine(engines, bind):
    """Quotes, comments, semicolons, backslashes, separators: bound or inlined, matched as text."""
    records = [{"id": f"{i:03d}", "status": v, "archiveReason": v} for i, v in enumerate(HOSTILE)]
    records.append({"id": "999", "status": "plain"})
    for engine in engines:
        engine.load("applications", records)
        for i, value in enumerate(HOSTILE):
            want = [f"{i:03d}"]
            for query in (
                aq.Applications.where(aq.F.status == value),
                aq.Applications.where(aq.F.status.in_(value, "nope")),
                aq.Applications.where(aq.F.archiveReason.like(escape_like(value))),
                aq.Applications.where(aq.F.status.like("%" + escape_like(value[-3:]))),
            ):
                got = engine.ids(query, bind=bind, semantics=SQL_LIKE)
                assert set(want) <= set(got), (engine.dialect, value, str(query))
                assert all(records[int(g) if g != "999" else -1]["status"] != "plain" for g in got)
        # The table is still there and whole.
        assert len(HOSTILE) + 1 == engine.rows('SELECT COUNT(*) FROM "applications"', ())[0][0]


def test_nul_in_a_value_is_bound_on_duckdb_and_sqlite_and_refused_for_postgres(engines):
    """NUL reaches DuckDB and SQLite as a bound value; PostgreSQL text cannot hold it."""
    query = aq.Applications.where(aq.F.status == "a\x00b")
    for engine in engines[:2]:
        engine.load("applications", [{"id": "1", "status": "a\x00b"}, {"id": "2", "status": "a"}])
        assert ["1"] == engine.ids(query)
    with pytest.raises(SqlError, match="NUL"):
        to_sql(query.ast, "postgres")
    with pytest.raises(SqlError, match="NUL"):
        to_sql(query.ast, "duckdb", bind=False)


def test_fuzzy_and_keyword_need_functions_and_say_so_for_postgres():
    """Without registered functions, fuzzy names the dialect, the operator and the way out."""
    with pytest.raises(SqlError) as info:
        to_sql(aq.parse('name fuzzy "ann"', "candidates").ast, "postgres")
    assert "fuzzy" in str(info.value)
    assert "postgres" in str(info.value)


@pytest.mark.parametrize("dialect", ["duckdb", "sqlite", "postgres"])
def test_keyset_pages_walk_the_sorted_result_once(engines, dialect):
    """Pages of 3 joined by cursor_for() equal the whole sorted result, on every engine."""
    engine = next(e for e in engines if e.dialect == dialect)
    records = [
        {"id": f"{i:02d}", "status": ["b", "a", None][i % 3],
         "createdAt": None if i % 4 == 0 else f"2024-01-{1 + i % 5:02d}T10:00:00Z"}
        for i in range(14)
    ]  # fmt: skip
    engine.load("applications", records)
    base = aq.parse("order by status desc, createdAt", "applications")
    whole = engine.ids(base)
    assert [r["id"] for r in base.evaluate(records)] == whole
    seen: list[str] = []
    page_query = base.limit(3)
    for _ in range(10):
        sq = to_sql(page_query.ast, dialect, engine.table)
        cur = engine.con.cursor()
        cur.execute(sq.sql, sq.params or None) if dialect == "postgres" else cur.execute(
            sq.sql, sq.params
        )
        names = [d[0] for d in cur.description]
        page = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        if not page:
            break
        seen.extend(r["id"] for r in page)
        page_query = page_query.cursor(sq.cursor_for(page[-1]))
    assert whole == seen


def test_a_cursor_from_elsewhere_is_refused():
    """A connector cursor is not a keyset cursor: the error says how to page in SQL."""
    with pytest.raises(SqlError, match="cursor_for"):
        to_sql(aq.parse('status = "a"', "applications").cursor("abc").ast, "duckdb")


def test_duckdb_runner_reads_files_like_the_engine(tmp_path):
    """JSON lines, JSON, CSV and Parquet files give the in-memory engine's answer."""
    import json

    records = [
        {"id": "1", "status": "active", "createdAt": "2024-01-01T10:00:00+02:00"},
        {"id": "2", "status": "hired", "createdAt": "2024-01-02T00:00:00.5Z"},
        {"id": "3", "status": "active", "createdAt": None, "archiveReason": None},
        {"id": "4", "status": "x", "createdAt": "2024-01-03", "archiveReason": "2024-01-01"},
    ]
    text = 'status = "active" or archiveReason = "2024-01-01" order by createdAt desc'
    want = [r["id"] for r in aq.evaluate(text, records, entity="applications")]
    jsonl = tmp_path / "apps.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in records), "utf-8")
    (tmp_path / "apps.json").write_text(json.dumps(records), "utf-8")
    con = duck.connect()
    con.execute(f"COPY (SELECT * FROM read_json('{jsonl}')) TO '{tmp_path / 'apps.parquet'}'")
    con.execute(f"COPY (SELECT * FROM read_json('{jsonl}')) TO '{tmp_path / 'apps.csv'}'")
    for name in ("apps.jsonl", "apps.json", "apps.csv", "apps.parquet"):
        got = [r["id"] for r in duck.search(text, tmp_path / name, entity="applications")]
        assert want == got, name
        assert len(want) == duck.count(text, tmp_path / name, entity="applications")


def test_duckdb_runner_refuses_unknown_files(tmp_path):
    """A file DuckDB cannot read here is named in the error, with the suffixes it can."""
    bad = tmp_path / "apps.xml"
    bad.write_text("<a/>", "utf-8")
    with pytest.raises(SqlError, match=r"\.parquet"):
        duck.count('status = "a"', bad, entity="applications")


AIRBYTE_ROWS = [
    {"id": "a1", "status": "active", "createdAt": "2024-01-01T10:00:00+02:00"},
    {"id": "a2", "status": "hired", "createdAt": "2024-01-02T00:00:00.000001Z"},
    {"id": "a3", "status": None, "createdAt": None},
]
AIRBYTE_QUERIES = [
    'createdAt = 2024-01-01 or status = "hired"',
    "createdAt > 2024-01-02T00:00:00Z order by createdAt desc",
    'not status = "active" order by status',
]


def test_airbyte_tables_on_postgres(postgres):
    """An Airbyte table (folded names, timestamptz, _airbyte_* columns) answers alike."""
    postgres.execute('CREATE SCHEMA "ashby"')
    postgres.execute(
        'CREATE TABLE "ashby"."applications" (_airbyte_raw_id TEXT, _airbyte_extracted_at '
        "TIMESTAMPTZ, _airbyte_meta JSONB, _airbyte_generation_id BIGINT, id TEXT, status TEXT, "
        "createdat TIMESTAMPTZ)"
    )
    cur = postgres.cursor()
    cur.executemany(
        "INSERT INTO ashby.applications VALUES (gen_random_uuid(), now(), '{}', 1, %s, %s, %s)",
        [
            (r["id"], r["status"], r["createdAt"] and dt.datetime.fromisoformat(r["createdAt"]))
            for r in AIRBYTE_ROWS
        ],
    )
    table = SqlTable.airbyte("ashby", case="lower")
    for text in AIRBYTE_QUERIES:
        query = aq.parse(text, "applications")
        sq = query.to_sql("postgres", table)
        got = [row[4] for row in postgres.execute(sq.sql, sq.params).fetchall()]
        want = [r["id"] for r in query.evaluate(AIRBYTE_ROWS)]
        assert (want if query.ast.sort else sorted(want)) == (
            got if query.ast.sort else sorted(got)
        )


def test_sqlite_native_timestamps_are_fixed_width_utc_text():
    """SQLite's "native" storage is fixed-width UTC text, compared exactly to the microsecond."""
    from ashby_query._back.sql import _canonical

    con = sqlite3.connect(":memory:")
    con.execute('CREATE TABLE "applications" (id TEXT, status TEXT, "createdAt" TEXT)')
    rows = [
        (
            r["id"],
            r["status"],
            r["createdAt"] and _canonical(dt.datetime.fromisoformat(r["createdAt"])),
        )
        for r in AIRBYTE_ROWS
    ]
    con.executemany('INSERT INTO "applications" VALUES (?, ?, ?)', rows)
    for text in AIRBYTE_QUERIES:
        query = aq.parse(text, "applications")
        sq = query.to_sql("sqlite", SqlTable(timestamps="native"))
        got = [row[0] for row in con.execute(sq.sql, sq.params).fetchall()]
        want = [r["id"] for r in query.evaluate(AIRBYTE_ROWS)]
        assert (want if query.ast.sort else sorted(want)) == (
            got if query.ast.sort else sorted(got)
        )


def test_a_nul_in_a_like_pattern_is_refused_for_sqlite(engines):
    """SQLite's GLOB ends the pattern at NUL, so the pattern is refused; DuckDB matches it."""
    query = aq.Applications.where(aq.F.archiveReason.like("%\x00"))
    with pytest.raises(SqlError, match="NUL"):
        to_sql(query.ast, "sqlite", semantics=SQL_LIKE)
    engines[0].load("applications", [{"id": "1", "archiveReason": "a\x00"}, {"id": "2"}])
    assert ["1"] == engines[0].ids(query, semantics=SQL_LIKE)
