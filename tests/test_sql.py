"""The SQL back end's text: golden SQL for the warehouses, re-parsing, mapping and errors.

Engines that run here are checked for meaning in ``test_sql_engines.py``.
"""

from __future__ import annotations

import datetime as dt

import pytest

import ashby_query as aq
from ashby_query import Semantics, SqlError, SqlTable
from ashby_query._back.sql import DIALECTS, to_sql

sqlglot = pytest.importorskip("sqlglot")

NOW = dt.datetime(2024, 3, 10, 15, 30, tzinfo=dt.UTC)
WAREHOUSES = ["snowflake", "bigquery", "databricks", "trino"]
#: SQL's own LIKE: case-sensitive (the engine's default ignores case, which SQL cannot copy).
SQL_LIKE = Semantics(like_case="sensitive")
QUERY = aq.parse(
    r'status in ("active", "hired") and not archiveReason like "50\% o_f%" '
    "and createdAt = 2024-01-31 order by createdAt desc limit 20",
    "applications",
)

GOLDEN = {
    "snowflake": (
        "SELECT * FROM \"applications\" WHERE \"status\" IN ('active', 'hired') AND NOT "
        "COALESCE(\"archiveReason\" LIKE '50\\\\% o\\\\_f%' ESCAPE '\\\\', FALSE) AND "
        "(TRY_CAST(\"createdAt\" AS TIMESTAMPTZ) >= CAST('2024-01-31T00:00:00.000000+00:00'"
        ' AS TIMESTAMPTZ) AND TRY_CAST("createdAt" AS TIMESTAMPTZ) < '
        "CAST('2024-02-01T00:00:00.000000+00:00' AS TIMESTAMPTZ)) ORDER BY "
        'TRY_CAST("createdAt" AS TIMESTAMPTZ) IS NULL, TRY_CAST("createdAt" AS '
        'TIMESTAMPTZ) DESC NULLS LAST, "id" IS NULL, "id" ASC LIMIT 20'
    ),
    "bigquery": (
        "SELECT * FROM `applications` WHERE `status` IN ('active', 'hired') AND NOT "
        "COALESCE(`archiveReason` LIKE '50\\\\% o\\\\_f%', FALSE) AND (SAFE_CAST(`createdAt` "
        "AS TIMESTAMP) >= CAST('2024-01-31T00:00:00.000000+00:00' AS TIMESTAMP) AND "
        "SAFE_CAST(`createdAt` AS TIMESTAMP) < CAST('2024-02-01T00:00:00.000000+00:00' AS"
        " TIMESTAMP)) ORDER BY SAFE_CAST(`createdAt` AS TIMESTAMP) IS NULL NULLS LAST, "
        "SAFE_CAST(`createdAt` AS TIMESTAMP) DESC, `id` IS NULL NULLS LAST, `id` ASC "
        "NULLS LAST LIMIT 20"
    ),
    "databricks": (
        "SELECT * FROM `applications` WHERE `status` IN ('active', 'hired') AND NOT "
        "COALESCE(`archiveReason` LIKE '50\\\\% o\\\\_f%' ESCAPE '\\\\', FALSE) AND "
        "(TRY_CAST(`createdAt` AS TIMESTAMP) >= CAST('2024-01-31T00:00:00.000000+00:00' "
        "AS TIMESTAMP) AND TRY_CAST(`createdAt` AS TIMESTAMP) < "
        "CAST('2024-02-01T00:00:00.000000+00:00' AS TIMESTAMP)) ORDER BY "
        "TRY_CAST(`createdAt` AS TIMESTAMP) IS NULL NULLS LAST, TRY_CAST(`createdAt` AS "
        "TIMESTAMP) DESC, `id` IS NULL NULLS LAST, `id` ASC NULLS LAST LIMIT 20"
    ),
    "trino": (
        "SELECT * FROM \"applications\" WHERE \"status\" IN ('active', 'hired') AND NOT "
        "COALESCE(\"archiveReason\" LIKE '50\\% o\\_f%' ESCAPE '\\', FALSE) AND "
        '(TRY(FROM_ISO8601_TIMESTAMP_NANOS("createdAt")) >= '
        "FROM_ISO8601_TIMESTAMP_NANOS('2024-01-31T00:00:00.000000+00:00') AND "
        'TRY(FROM_ISO8601_TIMESTAMP_NANOS("createdAt")) < '
        "FROM_ISO8601_TIMESTAMP_NANOS('2024-02-01T00:00:00.000000+00:00')) ORDER BY "
        'TRY(FROM_ISO8601_TIMESTAMP_NANOS("createdAt")) IS NULL, '
        'TRY(FROM_ISO8601_TIMESTAMP_NANOS("createdAt")) DESC, "id" IS NULL, "id" ASC '
        "LIMIT 20"
    ),
}
AIRBYTE = {
    "snowflake": (
        'SELECT * FROM "ashby"."APPLICATIONS" WHERE "STATUS" = \'active\' AND "UPDATEDAT" >'
        " CAST('2024-03-03T00:00:00.000000+00:00' AS TIMESTAMPTZ)"
    ),
    "bigquery": (
        "SELECT * FROM `ashby`.`applications` WHERE `status` = 'active' AND `updatedAt` >"
        " CAST('2024-03-03T00:00:00.000000+00:00' AS TIMESTAMP)"
    ),
    "postgres": (
        'SELECT * FROM "ashby"."applications" WHERE "status" = %s AND "updatedat" > '
        "CAST(%s AS TIMESTAMPTZ)"
    ),
}


@pytest.mark.parametrize("dialect", WAREHOUSES)
def test_warehouse_sql_is_golden(dialect):
    """Each warehouse gets exactly the SQL on record, with values inlined as literals."""
    out = QUERY.to_sql(dialect, now=NOW, semantics=SQL_LIKE)
    assert GOLDEN[dialect] == out.sql
    assert () == out.params


@pytest.mark.parametrize("dialect", WAREHOUSES)
def test_warehouse_sql_parses_back_to_itself(dialect):
    """sqlglot reads each output back, in its dialect, to the same SQL."""
    for text in (GOLDEN[dialect], AIRBYTE.get(dialect)):
        if text is not None:
            assert text == sqlglot.parse_one(text, read=dialect).sql(dialect=dialect)


@pytest.mark.parametrize("dialect", sorted(set(DIALECTS.values())))
def test_every_dialect_writes_every_operator(dialect):
    """Every operator but fuzzy and keyword has a form in every dialect, which re-parses."""
    text = (
        'status = "a" and status != "b" and status > "c" and status >= "d" and status < "e" '
        'and status <= "f" and status in ("g", "h") and status like "i%" and archiveReason '
        "is null and createdAt > 2024-01-01T10:00:00Z and updatedAt != 2024-02-01 and "
        "createdAt in (2024-01-01T00:00:00Z) and not updatedAt < now - 2h order by status"
    )
    out = aq.parse(text, "applications").to_sql(dialect, now=NOW, semantics=SQL_LIKE)
    assert out.sql == sqlglot.parse_one(out.sql, read=dialect).sql(dialect=dialect)


def test_airbyte_preset_folds_names_per_destination():
    """The Airbyte preset names the stream's table in the namespace and folds column case."""
    query = aq.parse('status = "active" and updatedAt > today - 7d', "applications")
    for dialect, case in (("snowflake", "upper"), ("bigquery", "preserve"), ("postgres", "lower")):
        assert (
            AIRBYTE[dialect]
            == query.to_sql(dialect, SqlTable.airbyte("ashby", case=case), now=NOW).sql
        )


def test_bound_parameters_follow_the_text_order():
    """Parameters come in the order their placeholders appear, one per placeholder."""
    query = aq.parse(
        '(status = "a" or archiveReason = "b") and status in ("c", "d")', "applications"
    )
    out = query.to_sql("postgres")
    assert ("a", "b", "c", "d") == out.params
    assert 4 == out.sql.count("%s")
    assert "'a'" not in out.sql


def test_values_never_reach_the_text_when_bound():
    """A hostile value is a parameter, never part of the SQL text."""
    evil = "x'; DROP TABLE applications; --"
    for dialect in ("duckdb", "sqlite", "postgres"):
        out = aq.Applications.where(aq.F.status == evil).to_sql(dialect)
        assert evil not in out.sql
        assert (evil,) == out.params


def test_relative_times_resolve_against_the_clock_given():
    """today - 7d is resolved once, against now=, to midnight of that day."""
    out = aq.parse("createdAt > today - 7d", "applications").to_sql("sqlite", now=NOW)
    assert ("2024-03-03T00:00:00.000000",) == out.params


def test_count_and_select():
    """count=True counts (inside the limit); select names the chosen columns."""
    query = aq.parse('status = "a" limit 5', "applications")
    assert query.to_sql("duckdb", count=True).sql.startswith("SELECT COUNT(*) FROM (SELECT 1")
    assert (
        'SELECT COUNT(*) FROM "applications" WHERE'
        in aq.parse('status = "a"', "applications").to_sql("duckdb", count=True).sql
    )
    picked = aq.Applications.all().select("id", "candidate.name").to_sql("duckdb")
    assert 'SELECT "id" AS "id", "candidate" AS "candidate" FROM "applications"' == picked.sql


def test_column_mapping_and_schema():
    """columns= renames fields; schema= qualifies the table."""
    table = SqlTable("apps", schema="raw", columns={"createdAt": "created_at"})
    out = aq.parse("createdAt > 2024-01-01", "applications").to_sql("duckdb", table)
    assert 'FROM "raw"."apps"' in out.sql
    assert 'TRY_CAST("created_at" AS TIMESTAMPTZ)' in out.sql


def test_postgres_compares_and_sorts_strings_by_code_point():
    """PostgreSQL's locale collation is replaced by "C" wherever order matters."""
    out = aq.parse('status > "a" order by status', "applications").to_sql("postgres")
    assert '"status" COLLATE "C" > %s' in out.sql
    assert 'ORDER BY "status" COLLATE "C" IS NULL' in out.sql


def test_sqlite_like_is_a_case_sensitive_glob():
    """SQLite's LIKE ignores case, so like becomes GLOB with its own escapes."""
    out = aq.parse(r'status like "a*?[_%"', "applications").to_sql("sqlite", semantics=SQL_LIKE)
    assert '"status" GLOB ?' in out.sql
    assert ("a[*][?][[]_*",) == out.params


def test_bad_options_are_named():
    """An unknown dialect, storage kind or case rule is named, with the choices."""
    with pytest.raises(SqlError, match="not a SQL dialect"):
        to_sql(QUERY.ast, "mysql")
    with pytest.raises(SqlError, match="storage kind"):
        SqlTable(timestamps="epoch")


def test_bad_case_rule_is_named():
    """A case rule that does not exist lists those that do."""
    with pytest.raises(SqlError, match="preserve, lower, upper"):
        SqlTable(case="title")


@pytest.mark.parametrize("dialect", ["trino", "postgres", "bigquery"])
def test_fuzzy_and_keyword_without_functions_name_dialect_and_operator(dialect):
    """fuzzy has no exact SQL form: the error names the dialect and the operator."""
    for text, op in (('name fuzzy "ann"', "fuzzy"), ('name keyword "ann"', "keyword")):
        with pytest.raises(SqlError) as info:
            aq.parse(text, "candidates").to_sql(dialect)
        assert dialect in str(info.value)
        assert op in str(info.value)


def test_like_ignoring_case_has_no_exact_sql_and_says_how_to_choose():
    """The engine's default like ignores case as Python does: SQL refuses, naming the choice."""
    query = aq.parse('status like "act%"', "applications")
    with pytest.raises(SqlError) as info:
        query.to_sql("postgres")
    assert "postgres" in str(info.value)
    assert "like_case='sensitive'" in str(info.value)
    assert "ASHBY_MATCH(" in query.to_sql("duckdb", functions=True).sql
    assert "LIKE" in query.to_sql("postgres", semantics=SQL_LIKE).sql


def test_semantics_choices_change_the_sql():
    """Substring like, wildcard underscore and null-matching != follow the Semantics given."""
    like = aq.parse('status like "a_b"', "applications")
    loose = Semantics(like_case="sensitive", like_mode="substring", like_underscore="wildcard")
    assert ("%a_b%",) == like.to_sql("duckdb", semantics=loose).params
    assert ("*a?b*",) == like.to_sql("sqlite", semantics=loose).params
    assert ("a_b",) == like.to_sql("duckdb", semantics=SQL_LIKE).params  # no wildcard: =
    neq = aq.parse('status != "a"', "applications").to_sql(
        "duckdb", semantics=Semantics(nulls="neq_matches")
    )
    assert '("status" IS NULL OR ("status" <> ?))' in neq.sql


def test_deep_trees_are_refused_not_recursed():
    """A filter deeper than SQL output allows raises a clear error, not RecursionError."""
    cond = aq.F.status == "a"
    for _ in range(300):
        cond = ~cond
    from ashby_query._core.ast import QueryAST

    with pytest.raises(SqlError, match="nested"):
        to_sql(QueryAST("applications", cond), "duckdb")


def test_sql_query_exposes_the_sqlglot_expression():
    """The expression composes further, e.g. into a count."""
    out = aq.parse('status = "a"', "applications").to_sql("duckdb")
    counted = sqlglot.exp.select("COUNT(*)").from_(out.expression.subquery("q"))
    assert counted.sql("duckdb").startswith('SELECT COUNT(*) FROM (SELECT * FROM "applications"')


def test_docs_sql_blocks_are_what_to_sql_writes():
    """docs/sql.md shows the SQL that to_sql writes today, for each dialect it shows."""
    import re
    from pathlib import Path

    page = (Path(__file__).parent.parent / "docs" / "sql.md").read_text("utf-8")
    blocks = dict(re.findall(r"<!-- sql:(\w+) -->\n```sql\n(.*?)\n```", page, re.DOTALL))
    query = aq.parse(
        'status in ("active", "hired") and not archiveReason like "Spam%" '
        "and createdAt >= 2024-01-01 order by createdAt desc limit 20",
        "applications",
    )
    tables = {
        "duckdb": None,
        "postgres": SqlTable.airbyte("ashby", case="lower"),
        "snowflake": SqlTable.airbyte("ASHBY", case="upper"),
    }
    assert set(tables) == set(blocks)
    for dialect, table in tables.items():
        assert blocks[dialect] == query.to_sql(dialect, table, pretty=True, semantics=SQL_LIKE).sql


@pytest.mark.parametrize("dialect", WAREHOUSES)
def test_hostile_literals_read_back_as_the_same_value(dialect):
    """Inlined values survive the dialect's own parser unchanged: no quote or comment escapes."""
    hostile = [
        "'; DROP TABLE applications; --",
        '" OR 1=1 --',
        "/* c */ x",
        "back\\slash\\",
        "\\'",
        "semi;colon",
        "line\u2028separator\u2029",
        "tab\tnew\nline\r",
    ]
    for value in hostile:
        out = aq.Applications.where(aq.F.status == value).to_sql(dialect)
        tree = sqlglot.parse_one(out.sql, read=dialect)
        literals = [lit.this for lit in tree.find_all(sqlglot.exp.Literal) if lit.is_string]
        assert [value] == literals, out.sql
        assert 1 == len(sqlglot.parse(out.sql, read=dialect))


def _run_python(code):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_core_never_imports_sqlglot_or_duckdb():
    """Importing the library and compiling loads neither optional extra."""
    done = _run_python(
        "import sys, ashby_query as aq;"
        "aq.compile('status = \"a\"', entity='applications');"
        "print([m for m in ('sqlglot', 'duckdb') if m in sys.modules])"
    )
    assert "[]\n" == done.stdout, done.stderr


@pytest.mark.parametrize(
    ("blocked", "code", "install"),
    [
        ("sqlglot", "aq.parse('status = \"a\"', 'applications').to_sql('duckdb')", "[sql]"),
        ("duckdb", "duck.count('status = \"a\"', [], entity='applications')", "[duckdb]"),
    ],
)
def test_a_missing_extra_names_the_pip_install(blocked, code, install):
    """Without sqlglot or duckdb, the error says which pip install to run."""
    done = _run_python(
        f"import sys; sys.modules[{blocked!r}] = None\n"
        "import ashby_query as aq\nfrom ashby_query._tools import duck\n"
        f"try:\n    {code}\nexcept aq.SqlError as e:\n    print(e)\n"
    )
    assert f"pip install 'ashby-query{install}'" in done.stdout, done.stderr


def test_functions_only_where_ashby_match_is_registered():
    """functions=True is refused for a dialect where nothing registers ashby_match."""
    q = aq.parse('name like "Ann%"', "candidates")
    with pytest.raises(aq.SqlError, match="postgres has no such function"):
        q.to_sql("postgres", functions=True)
    assert "ashby_match" in q.to_sql("sqlite", functions=True).sql.lower()


def test_case_insensitive_like_error_says_what_to_pass():
    """The default like has no exact postgres form; the error names the public fixes."""
    q = aq.parse('name like "Ann%"', "candidates")
    with pytest.raises(aq.SqlError) as info:
        q.to_sql("postgres")
    message = str(info.value)
    assert "aq.evaluate" in message
    assert "semantics=aq.Semantics(like_case='sensitive')" in message
    assert "_tools" not in message
