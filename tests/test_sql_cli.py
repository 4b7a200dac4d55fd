"""The command line's SQL hooks: ``sql``, ``search --count``, and ``--data`` through DuckDB."""

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

from ashby_query._core.values import parse_iso
from ashby_query._tools.sample import sample_records


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "ashby_query", *args],
        capture_output=True,
        text=True,
        env=os.environ,
        cwd=cwd,
        timeout=120,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The sample applications as JSON lines, a JSON array, CSV and Parquet."""
    import duckdb

    root = tmp_path_factory.mktemp("data")
    records = sample_records()["applications"]
    (root / "apps.jsonl").write_text("\n".join(json.dumps(r) for r in records), "utf-8")
    (root / "apps.json").write_text(json.dumps(records), "utf-8")
    con = duckdb.connect()
    for suffix in ("parquet", "csv"):
        con.execute(
            f"COPY (SELECT * FROM read_json('{root / 'apps.jsonl'}')) TO '{root}/apps.{suffix}'"
        )
    return root


def test_sql_prints_sql_and_params():
    """sql prints the statement, then its bound parameters as a comment."""
    r = run("sql", "applications", 'status = "active"', "--dialect", "postgres")
    assert 0 == r.returncode, r.stderr
    assert 'SELECT * FROM "applications" WHERE "status" = %s;\n-- params: ["active"]\n' == r.stdout


def test_sql_airbyte_preset_and_count():
    """--airbyte folds names per destination; --count selects COUNT(*)."""
    r = run("sql", "jobs", 'title = "x"', "--dialect", "snowflake", "--airbyte", "--count")
    assert 0 == r.returncode, r.stderr
    assert 'SELECT COUNT(*) FROM "JOBS" WHERE "TITLE" = \'x\';\n' == r.stdout


def test_sql_like_case_choice():
    """like ignoring case has no exact SQL; --like-case sensitive writes SQL's LIKE."""
    refused = run("sql", "jobs", 'title like "%Eng%"', "--dialect", "trino")
    assert 1 == refused.returncode
    assert "--like-case sensitive" in refused.stderr
    r = run("sql", "jobs", 'title like "%Eng%"', "--dialect", "trino", "--like-case", "sensitive")
    assert 0 == r.returncode, r.stderr
    assert "\"title\" LIKE '%Eng%' ESCAPE" in r.stdout


def test_sql_refuses_what_a_dialect_cannot_say():
    """fuzzy on Trino fails with exit status 1 and a sentence naming both."""
    r = run("sql", "jobs", 'title fuzzy "eng"', "--dialect", "trino")
    assert 1 == r.returncode
    assert "fuzzy" in r.stderr
    assert "trino" in r.stderr


@pytest.mark.parametrize("name", ["apps.parquet", "apps.csv", "apps.jsonl", "apps.json"])
def test_search_count_on_files_agrees_with_the_sample(files, name):
    """search --data FILE --count gives the in-memory count for every file kind."""
    query = 'status = "active" and createdAt > 2024-06-01'
    want = run("search", "applications", query, "--data", "sample", "--count")
    got = run("search", "applications", query, "--data", str(files / name), "--count")
    assert 0 == want.returncode, want.stderr
    assert 0 == got.returncode, got.stderr
    assert int(want.stdout) > 0
    assert want.stdout == got.stdout


def test_search_on_parquet_streams_sorted_projected_records(files):
    """Records from Parquet come back sorted, limited and projected, timestamps as text."""
    query = 'status = "active" order by createdAt desc limit 3 select id, createdAt'
    want = run("search", "applications", query, "--data", "sample")
    got = run("search", "applications", query, "--data", str(files / "apps.parquet"))
    assert 0 == got.returncode, got.stderr
    want_rows = [json.loads(x) for x in want.stdout.splitlines()]
    got_rows = [json.loads(x) for x in got.stdout.splitlines()]
    assert [sorted(r) for r in want_rows] == [sorted(r) for r in got_rows]
    # Parquet stored typed timestamps: the same instants, in the wire form.
    assert [parse_iso(r["createdAt"]) for r in want_rows] == [
        parse_iso(r["createdAt"]) for r in got_rows
    ]
    assert [r["id"] for r in want_rows] == [r["id"] for r in got_rows]


def test_search_count_against_the_connector():
    """--count without --data counts one page, or every page with --all."""
    from ashby_query.testing import FakeAshby

    records = {
        "jobs": [{"id": f"j{i}", "status": "Open" if i % 2 else "Closed"} for i in range(30)]
    }
    with FakeAshby(records) as fake:
        env = {**os.environ, "AIRBYTE_CONNECTOR_ID": fake.connector_id, "AIRBYTE_TOKEN": fake.token}
        args = ["search", "jobs", 'status = "Open" limit 4', "--count", "--base-url", fake.url]
        base = [sys.executable, "-m", "ashby_query"]
        one = subprocess.run([*base, *args], capture_output=True, text=True, env=env, timeout=60)
        every = subprocess.run(
            [*base, *args, "--all"], capture_output=True, text=True, env=env, timeout=60
        )
    assert "4\n" == one.stdout, one.stderr
    assert "15\n" == every.stdout, every.stderr
