"""The ashby-query command, driven as a subprocess."""

import json
import os
import subprocess
import sys

import pytest

from ashby_query.testing import FakeAshby


def run(*args, stdin=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "ashby_query", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_compile_prints_params():
    """compile prints the params JSON and exits 0."""
    r = run("compile", "applications", 'status = "active" and createdAt > 2024-01-01')
    assert 0 == r.returncode
    assert {
        "query": {
            "filter": {
                "and": [
                    {"eq": {"status": "active"}},
                    {"gt": {"createdAt": "2024-01-01T00:00:00Z"}},
                ]
            }
        }
    } == json.loads(r.stdout)


def test_compile_request_dialect_and_stdin():
    """--request prints the execute body; --dialect 2026 maps like; text comes on stdin."""
    r = run("compile", "candidates", "--request", "--dialect", "2026", stdin='name like "Ann%"\n')
    assert 0 == r.returncode
    body = json.loads(r.stdout)
    assert "context_store_search" == body["action"]
    assert {"startswith": {"name": "Ann"}} == body["params"]["query"]["filter"]


def test_error_display_and_exit_1():
    """A bad query prints the caret display on stderr and exits 1."""
    r = run("compile", "applications", "status = active")
    assert 1 == r.returncode
    assert "" == r.stdout
    assert 'Did you mean "active"?' in r.stderr
    assert "  status = active\n           ^^^^^^" in r.stderr
    assert "Traceback" not in r.stderr


def test_usage_error_exit_2():
    """Unknown commands and missing arguments exit 2."""
    assert 2 == run("frobnicate").returncode
    assert 2 == run("compile").returncode
    r = run("search", "candidates", 'name = "a"', "--data", "/no/such/file")
    assert 2 == r.returncode
    assert "cannot read" in r.stderr


def test_help_has_examples():
    """--help on every command shows an example."""
    for cmd in ("compile", "fmt", "explain", "fields", "decompile", "search"):
        r = run(cmd, "--help")
        assert 0 == r.returncode
        assert "example:" in r.stdout
        assert "ashby-query " + cmd in r.stdout


def test_fmt_with_and_without_entity():
    """fmt prints canonical text, finding the entity when none is given."""
    r = run("fmt", "STATUS == 'active' AND created_at > 2024-01-01")
    assert 'status = "active" and createdAt > 2024-01-01\n' == r.stdout
    r = run("fmt", "--entity", "candidates", "NAME like 'A%'")
    assert 'name like "A%"\n' == r.stdout
    r = run("fmt", 'nosuchfield = "x"')
    assert 1 == r.returncode
    assert "nosuchfield" in r.stderr


def test_explain_shows_tree_validity_and_json():
    """explain shows the tree, the validation result and the JSON."""
    r = run("explain", "applications", '(status = "a" or status = "b") and not id = "x"')
    assert 0 == r.returncode
    assert "valid:     yes" in r.stdout
    assert '  and\n    or\n      status = "a"' in r.stdout
    assert '"not"' in r.stdout
    bad = run("explain", "applications", 'stauts = "a"')
    assert 1 == bad.returncode
    assert "valid:     no" in bad.stdout
    assert "Did you mean 'status'?" in bad.stderr


def test_fields_lists_entities_and_fields():
    """fields lists entities; fields ENTITY lists searchable fields, types and operators."""
    r = run("fields")
    assert "feedback_form_definitions" in r.stdout
    r = run("fields", "job_postings")
    assert "isListed" in r.stdout
    assert "boolean" in r.stdout
    assert "=, !=, in, is null" in r.stdout
    assert "cannot be searched" not in run("fields", "sources").stderr


def test_decompile_roundtrip():
    """decompile turns params (or a whole execute body) back into text."""
    params = run("compile", "applications", 'status in ("a", "b") order by id').stdout
    r = run("decompile", "applications", stdin=params)
    assert 'status in ("a", "b") order by id\n' == r.stdout
    body = run("compile", "applications", "--request", 'id = "x"').stdout
    assert 'id = "x"\n' == run("decompile", "applications", body).stdout
    assert 2 == run("decompile", "applications", "{not json").returncode


def test_search_sample_data():
    """search --data sample runs the engine over the bundled records, as JSON lines."""
    r = run("search", "candidates", 'name like "A%" order by name limit 5', "--data", "sample")
    assert 0 == r.returncode
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert 5 == len(rows)
    assert all(row["name"].startswith("A") for row in rows)
    assert [row["name"] for row in rows] == sorted(row["name"] for row in rows)


def test_search_data_file_forms(tmp_path):
    """--data reads a JSON array, an entity-keyed object, or JSON lines."""
    records = [{"id": "1", "status": "active"}, {"id": "2", "status": "hired"}]
    forms = {
        "a.json": json.dumps(records),
        "b.json": json.dumps({"applications": records}),
        "c.jsonl": "\n".join(json.dumps(r) for r in records) + "\n",
    }
    for name, text in forms.items():
        path = tmp_path / name
        path.write_text(text)
        r = run("search", "applications", 'status = "hired"', "--data", str(path))
        assert '{"id": "2", "status": "hired"}\n' == r.stdout, name


def test_search_against_the_loopback_server():
    """search without --data calls the API; --base-url points it at the test server."""
    records = {
        "jobs": [{"id": f"j{i}", "status": "Open" if i % 2 else "Closed"} for i in range(30)]
    }
    with FakeAshby(records) as fake:
        env = {"AIRBYTE_CONNECTOR_ID": fake.connector_id, "AIRBYTE_TOKEN": fake.token}
        one = run("search", "jobs", 'status = "Open" limit 4', "--base-url", fake.url, env=env)
        every = run(
            "search", "jobs", 'status = "Open" limit 4', "--all", "--base-url", fake.url, env=env
        )
    assert 0 == one.returncode, one.stderr
    assert 4 == len(one.stdout.splitlines())
    assert 15 == len(every.stdout.splitlines())


def test_search_without_credentials_is_a_clear_error():
    """No credentials: exit 1 with what to set."""
    names = ("AIRBYTE_CONNECTOR_ID", "AIRBYTE_TOKEN", "AIRBYTE_CLIENT_ID", "AIRBYTE_CLIENT_SECRET")
    env = dict.fromkeys(names, "")
    r = run("search", "jobs", 'status = "Open"', env=env)
    assert 1 == r.returncode
    assert "AIRBYTE_CONNECTOR_ID" in r.stderr


@pytest.mark.parametrize("entity", ["departments", "nosuch"])
def test_entity_errors(entity):
    """Entities that cannot be searched, or do not exist, are clear errors."""
    r = run("compile", entity, 'id = "x"')
    assert 1 == r.returncode
    assert "Searchable entities" in r.stderr or "Entities:" in r.stderr


def test_deeply_nested_json_is_a_usage_error():
    """JSON nested past what the reader takes is a clear error, not a RecursionError."""
    r = run("decompile", "applications", stdin="[" * 100_000 + "]" * 100_000)
    assert 2 == r.returncode
    assert "nested too deeply" in r.stderr
    assert "Traceback" not in r.stderr
