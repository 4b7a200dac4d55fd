"""The ashby-query command, driven as a subprocess."""

import contextlib
import io
import json
import os
import subprocess
import sys
from importlib.metadata import version
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ashby_query
import ashby_query as aq
from ashby_query._tools.cli import main
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
    """No connector id or credentials: a usage error (exit 2) naming the flag and variables."""
    names = ("AIRBYTE_CONNECTOR_ID", "AIRBYTE_TOKEN", "AIRBYTE_CLIENT_ID", "AIRBYTE_CLIENT_SECRET")
    env = dict.fromkeys(names, "")
    r = run("search", "jobs", 'status = "Open"', env=env)
    assert 2 == r.returncode
    assert "--connector-id" in r.stderr
    assert "AIRBYTE_CONNECTOR_ID" in r.stderr
    r = run("search", "jobs", 'status = "Open"', "--connector-id", "c1", env=env)
    assert 2 == r.returncode
    assert "AIRBYTE_TOKEN" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("entity", ["departments", "nosuch"])
def test_entity_errors(entity):
    """Entities that cannot be searched, or do not exist, are usage errors: exit 2."""
    r = run("compile", entity, 'id = "x"')
    assert 2 == r.returncode
    assert "Searchable entities" in r.stderr or "Entities:" in r.stderr


def test_deeply_nested_json_is_a_usage_error():
    """JSON nested past what the reader takes is a clear error, not a RecursionError."""
    r = run("decompile", "applications", stdin="[" * 100_000 + "]" * 100_000)
    assert 2 == r.returncode
    assert "nested too deeply" in r.stderr
    assert "Traceback" not in r.stderr


# --------------------------------------------------------------------------- in process


class _Stream(io.TextIOWrapper):
    """A UTF-8 stream like a real stdout, that can say it is a terminal."""

    def __init__(self, tty=False, errors="strict"):
        super().__init__(io.BytesIO(), encoding="utf-8", errors=errors, write_through=True)
        self.tty = tty

    def isatty(self):
        return self.tty

    def text(self):
        return self.buffer.getvalue().decode("utf-8")


def call(*args, stdin="", tty_out=False, tty_err=False):
    """Run main() in this process; return (status, stdout, stderr)."""
    out, err = _Stream(tty_out), _Stream(tty_err, errors="backslashreplace")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args), stdin=io.StringIO(stdin))
    return code, out.text(), err.text()


def test_version():
    """--version prints the installed version."""
    r = run("--version")
    assert 0 == r.returncode
    assert f"ashby-query {version('ashby-query')}\n" == r.stdout
    assert ashby_query.__version__ == version("ashby-query")


def test_json_for_fields_explain_and_compile():
    """--json prints compact JSON where the output is text (fields, explain) and for compile."""
    code, out, _ = call("fields", "--json")
    assert 0 == code
    assert 1 == out.count("\n")
    listing = json.loads(out)
    assert {"entity": "candidates"}.items() <= listing[0].items()
    code, out, _ = call("fields", "job_postings", "--json")
    is_listed = next(f for f in json.loads(out)["searchable"] if f["name"] == "isListed")
    assert ["=", "!=", "in", "is null"] == is_listed["operators"]
    code, out, _ = call("explain", "applications", 'status = "a" limit 3', "--json")
    report = json.loads(out)
    assert (True, 'status = "a" limit 3') == (report["valid"], report["canonical"])
    assert ['status = "a"', "limit 3"] == report["tree"]
    code, out, err = call("explain", "applications", 'stauts = "a"', "--json")
    assert 1 == code
    assert "unknown_field" == json.loads(out)["errors"][0]["type"]
    assert "Did you mean 'status'?" in err
    code, out, _ = call("compile", "applications", 'id = "x"', "--json")
    assert '{"query":{"filter":{"eq":{"id":"x"}}}}\n' == out


def test_search_prints_a_table_on_a_terminal():
    """On a terminal search prints a table of the searchable fields; piped, JSON lines."""
    query = 'name like "A%" order by name limit 3'
    code, out, _ = call("search", "candidates", query, "--data", "sample", tty_out=True)
    assert 0 == code
    lines = out.splitlines()
    assert ["id", "name", "company", "position", "school"] == lines[0].split()
    assert set(lines[1]) == {"-", " "}
    assert 5 == len(lines)
    assert lines[2].split()[1].startswith("A")
    _, forced, _ = call("search", "candidates", query, "--data", "sample", "--json", tty_out=True)
    _, piped, _ = call("search", "candidates", query, "--data", "sample")
    assert forced == piped
    assert [3, "{"] == [len(piped.splitlines()), piped[0]]


def test_table_cells_are_cut_and_never_hold_control_characters(tmp_path, monkeypatch):
    """Long values are cut with an ellipsis; newlines and escapes are shown, not sent."""
    monkeypatch.setenv("COLUMNS", "200")
    path = tmp_path / "c.json"
    rows = [{"id": "1", "name": "A\x1b[31mred\nline", "company": "x" * 300}]
    path.write_text(json.dumps(rows))
    _, out, _ = call("search", "candidates", 'id = "1"', "--data", str(path), tty_out=True)
    assert "\x1b" not in out
    assert 3 == len(out.splitlines())
    assert "A\\x1b[31mred\\nline" in out
    assert "x" * 39 + "…" in out


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_table_fits_the_terminal(monkeypatch, columns):
    """Columns narrow (never below their header) until the table fits the terminal."""
    monkeypatch.setenv("COLUMNS", str(columns))
    _, out, _ = call("search", "jobs", "limit 20", "--data", "sample", tty_out=True)
    lines = out.splitlines()
    assert ["id", "title", "status", "departmentId", "locationId"] == lines[0].split()
    assert columns >= max(len(line) for line in lines)


def test_zero_records_note_with_case_hint():
    """No match on a terminal: a note on stderr, and the spelling that would match."""
    code, out, err = call("search", "jobs", 'status = "open"', "--data", "sample", tty_err=True)
    assert (0, "") == (code, out)
    assert err.startswith("0 records (matching is case-sensitive")
    expected = sum(r["status"] == "Open" for r in aq.sample_records()["jobs"])
    assert f'ignoring case, {expected} match: status = "Open"' in err
    _, _, err = call("search", "jobs", 'status = "nope"', "--data", "sample", tty_err=True)
    assert "0 records (matching is case-sensitive" in err
    assert "ignoring case" not in err
    _, _, quiet = call("search", "jobs", 'status = "open"', "--data", "sample")
    assert "" == quiet


@pytest.mark.parametrize(
    ("count", "summary"), [(3, "3 records, 1 page"), (30, "30 records, 8 pages")]
)
def test_all_progress_ends_cleanly(monkeypatch, count, summary):
    """--all counts records and pages on stderr, ending its line; singular for one page."""
    records = {"jobs": [{"id": f"j{i}", "status": "Open"} for i in range(count)]}
    with FakeAshby(records) as fake:
        monkeypatch.setenv("AIRBYTE_TOKEN", fake.token)
        monkeypatch.delenv("AIRBYTE_CONNECTOR_ID", raising=False)
        argv = ["search", "jobs", 'status = "Open" limit 4', "--all", "--base-url", fake.url]
        code, out, err = call(*argv, "--connector-id", fake.connector_id, tty_err=True)
    assert 0 == code, err
    assert count == len(out.splitlines())
    assert err.endswith(f"\r{summary}\n")
    assert 1 == err.count("\n")


def test_one_page_notes_on_a_terminal(monkeypatch):
    """One page from the API: a note when more pages follow, and when nothing matched."""
    with FakeAshby({"jobs": [{"id": f"j{i}", "status": "Open"} for i in range(9)]}) as fake:
        monkeypatch.setenv("AIRBYTE_TOKEN", fake.token)
        monkeypatch.setenv("AIRBYTE_CONNECTOR_ID", fake.connector_id)
        base = ("--base-url", fake.url)
        _, out, more = call("search", "jobs", 'status = "Open" limit 4', *base, tty_err=True)
        _, none, zero = call("search", "jobs", 'status = "open"', *base, tty_err=True)
    assert 4 == len(out.splitlines())
    assert "4 records; more pages follow: add --all for every page\n" == more
    assert "" == none
    assert zero.startswith("0 records (matching is case-sensitive")


def test_json_lines_error_names_the_right_line(tmp_path):
    """A broken line 3 of a JSON-lines file is reported as line 3."""
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": "1"}\n\n{"id": "2"}\n{"id": \n')
    code, _, err = call("search", "candidates", 'id = "1"', "--data", str(path))
    assert 2 == code
    assert "is not valid JSON at line 4, column 8" in err


HOSTILE_FILES = {
    "latin1.json": '[{"name": "Ren\u00e9e"}]'.encode("latin-1"),
    "deep.json": b"[" * 100_000 + b"]" * 100_000,
    "deep-record.json": b'{"candidates": [{"a": ' + b"[" * 500 + b"]" * 500 + b"}]}",
    "deep-lines.jsonl": b'{"id": "1"}\n' + b"[" * 100_000 + b"\n",
    "not-records.json": b"[1, 2]",
    "keys.json": b'{"jobs": []}',
    "nul.json": b"\x00\x00",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_hostile_data_files_are_one_line_usage_errors(tmp_path, name):
    """Bad --data files exit 2 with one line naming the file, never a traceback."""
    path = tmp_path / name
    path.write_bytes(HOSTILE_FILES[name])
    r = run("search", "candidates", 'id = "1"', "--data", str(path))
    assert 2 == r.returncode
    assert "Traceback" not in r.stderr
    *usage, error = r.stderr.splitlines()
    assert usage[0].startswith("usage: ashby-query search")
    assert error.startswith(f"ashby-query search: error: {path}")


@pytest.mark.parametrize("url", ["::::", "ftp://x", "http://", "not a url", "http://[::1", "\x00"])
def test_bad_base_url_is_a_usage_error(url):
    """A --base-url that is not an http(s) URL exits 2 before any request."""
    code, _, err = call("search", "jobs", "", "--base-url", url, "--connector-id", "c")
    assert 2 == code
    assert "is not an http(s) URL" in err


@pytest.mark.parametrize("cmd", [("compile", "candidates"), ("fmt",)])
def test_lone_surrogate_output_is_a_one_line_error(cmd):
    """A lone surrogate cannot be written as UTF-8: one line, exit 1, no traceback."""
    r = run(*cmd, 'name = "\\ud800"')
    assert 1 == r.returncode
    assert "lone surrogate" in r.stderr
    assert 1 == len(r.stderr.splitlines())
    r = run("decompile", "candidates", '{"query": {"filter": {"eq": {"name": "\\ud800"}}}}')
    assert (1, 1) == (r.returncode, len(r.stderr.splitlines()))


def test_invalid_utf8_on_stdin_is_a_usage_error():
    """Bytes that are not UTF-8 on stdin exit 2."""
    r = subprocess.run(
        [sys.executable, "-m", "ashby_query", "compile", "candidates"],
        input=b'name = "\xff"',
        capture_output=True,
        timeout=60,
    )
    assert 2 == r.returncode
    assert b"not UTF-8" in r.stderr
    assert b"Traceback" not in r.stderr


HOSTILE_QUERIES = [
    'name = "\\ud800"',
    "createdAt > 9999-12-32",
    "createdAt > 0000-01-01",
    "createdAt > 0001-01-01T00:00:00+14:00",
    "createdAt = 9999-12-31",
    "createdAt > today - 99999999d",
    "id = " + "1" * 5000,
    "limit " + "1" * 5000,
    "(" * 10_000 + 'id = "x"' + ")" * 10_000,
    "not " * 10_000 + 'id = "x"',
    'status in ("Spam",)',
    "status = \u201cactive\u201d",
    "createdAt in (now, 2024-03-10T12:00:00Z)",
    'name like "' + "%a" * 200 + '%b"',
    "x" * 70_000,
    "\x00",
    "",
    "-",
]
HOSTILE_JSON = [
    '{"limit": ' + "1" * 5000 + "}",
    '{"query": {"filter": ' + '{"not": ' * 5000 + '{"eq": {"id": "x"}}' + "}" * 5002,
    "[" * 100_000,
    '{"query": {"filter": {"eq": {"name": NaN}}}}',
    '{"entity": "x", "params": 1}',
    "null",
]
ENTITY_NAMES = [*aq.ENTITIES, "nosuch", "", "Candidates", "\ud800", "-", "x" * 5000]
BAD_URLS = ["::::", "http://", "ftp://a", "\x00", "http://[::1"]


@pytest.fixture(scope="module")
def data_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    paths = ["sample", str(root / "missing.json"), str(root)]
    for name, raw in HOSTILE_FILES.items():
        (root / name).write_bytes(raw)
        paths.append(str(root / name))
    return paths


@st.composite
def argvs(draw, files):
    """A command line for any command, its words hostile or plausible."""
    command = draw(st.sampled_from(["compile", "fmt", "explain", "fields", "decompile", "search"]))
    words = st.one_of(st.sampled_from(HOSTILE_QUERIES), st.text(max_size=40))
    argv = [command]
    if command != "fmt" and (command != "fields" or draw(st.booleans())):
        argv.append(draw(st.one_of(st.sampled_from(ENTITY_NAMES), st.text(max_size=12))))
    if command == "decompile":
        argv.append(draw(st.one_of(st.sampled_from(HOSTILE_JSON), words)))
    elif command != "fields":
        argv.append(draw(words))
    options = {
        "compile": [["--request"], ["--dialect", "2026"], ["--json"], ["--dialect", "x"]],
        "fmt": [["--entity", draw(st.sampled_from(ENTITY_NAMES))]],
        "explain": [["--json"]],
        "fields": [["--json"]],
        "decompile": [],
        "search": [
            ["--data", draw(st.sampled_from(files))],
            ["--base-url", draw(st.sampled_from(BAD_URLS))],
            ["--json"],
            ["--all"],
            ["--dialect", "2026"],
        ],
    }[command]
    for option in (
        draw(st.lists(st.sampled_from(options), unique_by=tuple, max_size=3)) if options else []
    ):
        argv += option
    stdin = draw(st.one_of(st.sampled_from(HOSTILE_QUERIES + HOSTILE_JSON), st.text(max_size=40)))
    return argv, stdin


@given(data=st.data())
def test_every_command_on_hostile_input_exits_1_or_2_without_traceback(data_files, data):
    """Generated hostile command lines: exit 1 or 2 (or 0), a message, never a traceback."""
    argv, stdin = data.draw(argvs(data_files))
    # No connector id: a search that gets past its query and flags stops before the network.
    with mock.patch.dict(os.environ, {"AIRBYTE_CONNECTOR_ID": "", "AIRBYTE_BASE_URL": ""}):
        code, _, err = call(*argv, stdin=stdin)
    assert code in (0, 1, 2), (argv, err)
    assert "Traceback" not in err
    if code:
        assert err.strip(), argv
    assert "internal error" not in err, (argv, err)
