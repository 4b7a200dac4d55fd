"""The MCP server: `ashby-query mcp` driven by the mcp package's own client over stdio."""

import asyncio
import contextlib
import importlib
import json
import os
import socket
import subprocess
import sys
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ashby_query as aq
from ashby_query import strategies as aqs
from ashby_query._core.schema import ENTITIES, SEARCHABLE
from ashby_query._tools import mcp as server
from ashby_query._tools.cli import main
from ashby_query._tools.sample import sample_records
from ashby_query.testing import FakeAshby

SAMPLE = sample_records()


def _need(module: str):
    """Import ``module``, or skip (fail when CI=true) if the test extra is missing."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"{module} is not installed: pip install -e '.[test]'")


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "ashby_query", "mcp", *args]


class Session:
    """A client session on a server subprocess, driven from sync tests through a portal."""

    def __init__(self, portal, client):
        self.portal = portal
        self.client = client
        self.tools = {t.name: t for t in self.portal.call(client.list_tools).tools}
        self.sent: list[tuple[str, dict]] = []

    def call(self, name: str, arguments: dict, *, check: bool = True):
        """Call a tool; with ``check``, the arguments must satisfy its input schema."""
        if check:
            jsonschema = _need("jsonschema")
            jsonschema.Draft202012Validator(self.tools[name].input_schema).validate(arguments)
        self.sent.append((name, arguments))
        return self.portal.call(self.client.call_tool, name, arguments)


@contextlib.contextmanager
def _session(target, env=None, **client_options):
    mcp = _need("mcp")
    from anyio.from_thread import start_blocking_portal

    if isinstance(target, list):
        target = mcp.StdioServerParameters(command=target[0], args=target[1:], env=env)
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(mcp.Client(target, **client_options)) as client,
    ):
        yield Session(portal, client)


@pytest.fixture(scope="module")
def sample():
    """One `ashby-query mcp --data sample` subprocess for the module's tests."""
    with _session(_command("--data", "sample")) as s:
        yield s


def _walk(s: Session, tool: str, arguments: dict) -> tuple[list[dict], int]:
    """Every record a paged tool returns, following next_cursor; and the page count."""
    records, pages, cursor = [], 0, None
    while True:
        args = dict(arguments, **({"cursor": cursor} if cursor else {}))
        out = s.call(tool, args)
        assert not out.is_error, out.content[0].text
        records += out.structured_content["records"]
        pages += 1
        cursor = out.structured_content["next_cursor"]
        if cursor is None:
            return records, pages
        assert pages < 1000


def test_lists_a_tool_for_each_action(sample):
    """search for each searchable entity, list for all, get where the entity has it."""
    expected = {"check_query", "describe_entity"}
    for e in ENTITIES.values():
        expected.add(f"list_{e.name}")
        if e.is_searchable:
            expected.add(f"search_{e.name}")
        if "get" in e.actions:
            expected.add(f"get_{e.name[:-1]}")
    assert expected == set(sample.tools)
    jsonschema = _need("jsonschema")
    for tool in sample.tools.values():
        jsonschema.Draft202012Validator.check_schema(tool.input_schema)
        assert tool.description


def test_search_tool_is_tool_schema_in_mcp_format(sample):
    """The server's search tools are exactly tool_schema(format="mcp", paging=True)."""
    for entity in SEARCHABLE:
        spec = aq.tool_schema(entity, format="mcp", paging=True)
        tool = sample.tools[f"search_{entity}"]
        assert spec["inputSchema"] == tool.input_schema
        assert spec["description"] == tool.description


def test_resources_are_entity_schemas(sample):
    """Each entity's schema is a JSON resource naming its fields and operators."""
    listed = sample.portal.call(sample.client.list_resources).resources
    assert {f"ashby://schema/{name}" for name in ENTITIES} == {str(r.uri) for r in listed}
    read = sample.portal.call(sample.client.read_resource, "ashby://schema/applications")
    doc = json.loads(read.contents[0].text)
    assert "applications" == doc["name"]
    assert [f.name for f in aq.ENTITIES["applications"].searchable.values()] == [
        f["name"] for f in doc["searchable_fields"]
    ]
    assert "like" in doc["searchable_fields"][0]["operators"]


def test_search_matches_the_engine(sample):
    """One page of a search is the in-memory engine's first records for the query."""
    query = 'name like "A%" order by name'
    out = sample.call("search_candidates", {"query": query, "limit": 5})
    assert not out.is_error
    expected = aq.evaluate(query, SAMPLE["candidates"], entity="candidates")
    assert expected[:5] == out.structured_content["records"]
    assert out.structured_content["next_cursor"]
    assert json.loads(out.content[0].text) == out.structured_content


@pytest.mark.parametrize(
    ("entity", "query", "limit"),
    [
        ("candidates", 'name like "A%" order by name', 7),
        ("applications", 'status = "active" order by createdAt desc', 40),
        ("jobs", "", 1000),
        ("users", 'lastName fuzzy "smith" or email like "%@example.com"', 13),
    ],
)
def test_cursor_walk_reaches_the_end(sample, entity, query, limit):
    """Following next_cursor gives every match once, in order, then a null cursor."""
    got, pages = _walk(sample, f"search_{entity}", {"query": query, "limit": limit})
    expected = aq.evaluate(query, SAMPLE[entity], entity=entity)
    assert expected == got
    assert max(1, -(-len(expected) // limit)) == pages


def test_query_limit_is_the_page_size(sample):
    """Without a limit argument, the query's own limit sets the page size."""
    got, pages = _walk(sample, "search_job_postings", {"query": "isListed = true limit 50"})
    expected = aq.evaluate("isListed = true", SAMPLE["job_postings"], entity="job_postings")
    assert expected == got
    assert -(-len(expected) // 50) == pages


def test_list_walks_every_record(sample):
    """list_<entity> pages through the data in order, for a non-searchable entity too."""
    for entity in ("candidates", "sources"):
        got, _ = _walk(sample, f"list_{entity}", {"limit": 64})
        assert SAMPLE[entity] == got


def test_get_returns_the_record(sample):
    """get_<entity> finds a record by id; an unknown id is a not-found tool error."""
    record = SAMPLE["applications"][17]
    out = sample.call("get_application", {"id": record["id"]})
    assert {"record": record} == out.structured_content
    missing = sample.call("get_application", {"id": "no-such-id"})
    assert missing.is_error
    assert "NotFoundError" == missing.structured_content["error"]["type"]
    assert "list_applications" in missing.content[0].text


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("status = active", "unquoted_value"),
        ('stauts = "active"', "unknown_field"),
        ('status = "a" && id = "b"', "use_and"),
        ("createdAt > 2024-13-01", "invalid_date"),
        ("(" * 200 + 'status = "a"' + ")" * 200, "too_deep"),
    ],
)
def test_bad_query_is_a_tool_error(sample, query, slug):
    """A bad query comes back as an isError result whose text is for_agent(), no traceback."""
    out = sample.call("search_applications", {"query": query})
    assert out.is_error
    with pytest.raises(aq.QueryError) as info:
        aq.parse(query, "applications")
    text = out.content[0].text
    assert text.startswith(info.value.for_agent())
    assert slug in text
    assert "Traceback" not in text
    error = out.structured_content["error"]
    assert slug == error["type"]
    assert json.loads(json.dumps(info.value.errors())) == error["problems"]
    # the server is still there
    assert not sample.call("search_applications", {"query": 'status = "active"'}).is_error


def test_bad_arguments_are_tool_errors(sample):
    """Arguments the schema refuses, an unknown tool and a foreign cursor are tool errors."""
    cases = [
        ("search_jobs", {"query": "", "limit": 0}),
        ("search_jobs", {"query": "", "page": 2}),
        ("list_sources", {"limit": "ten"}),
        ("check_query", {"entity": "sources", "query": ""}),
        ("no_such_tool", {}),
    ]
    for name, arguments in cases:
        out = sample.call(name, arguments, check=False)
        assert out.is_error, name
        assert "Traceback" not in out.content[0].text
    first = sample.call("search_jobs", {"query": 'status = "Open"', "limit": 2})
    cursor = first.structured_content["next_cursor"]
    other = sample.call("search_jobs", {"query": 'status = "Closed"', "cursor": cursor})
    assert other.is_error
    assert "another query" in other.content[0].text
    garbage = sample.call("list_jobs", {"cursor": "not-a-cursor"})
    assert garbage.is_error


def test_check_query_compiles_without_running(sample):
    """check_query returns the canonical text and the params JSON."""
    text = "STATUS == 'active' AND created_at > 2024-01-01"
    out = sample.call("check_query", {"entity": "applications", "query": text})
    q = aq.parse(text, "applications")
    assert {"canonical": str(q), "params": q.to_params()} == out.structured_content
    bad = sample.call("check_query", {"entity": "applications", "query": "status ="})
    assert bad.is_error


def test_describe_entity(sample):
    """describe_entity returns describe()'s text, for list-only entities too."""
    out = sample.call("describe_entity", {"entity": "job_postings"})
    assert {"text": aq.describe("job_postings")} == out.structured_content
    tags = sample.call("describe_entity", {"entity": "candidate_tags"})
    assert "title" in tags.structured_content["text"]


def test_every_call_fits_its_schema(sample):
    """Every tool the tests called with check=True had its arguments validated."""
    called = {name for name, _ in sample.sent}
    assert {"search_candidates", "list_sources", "get_application", "check_query"} <= called


def test_legacy_handshake():
    """A client that speaks the older initialize handshake (as desktop clients do) works."""
    with _session(_command("--data", "sample", "--entities", "jobs"), mode="legacy") as s:
        assert {"search_jobs", "list_jobs", "get_job"} <= set(s.tools)
        out = s.call("search_jobs", {"query": 'status = "Open"', "limit": 3})
        expected = aq.evaluate('status = "Open"', SAMPLE["jobs"], entity="jobs")
        assert expected[:3] == out.structured_content["records"]


def test_entities_option_narrows_the_tools():
    """--entities serves only the named entities (any spelling), to save context."""
    with _session(_command("--data", "sample", "--entities", "Candidates,job_postings")) as s:
        expected = {"search_candidates", "list_candidates", "get_candidate", "check_query"}
        expected |= {"search_job_postings", "list_job_postings", "get_job_posting"}
        assert expected | {"describe_entity"} == set(s.tools)
        resources = s.portal.call(s.client.list_resources).resources
        assert 2 == len(resources)
        assert ["candidates", "job_postings"] == s.tools["check_query"].input_schema["properties"][
            "entity"
        ]["enum"]


def test_hosted_through_the_fake_connector():
    """Without --data the server calls the connector the AIRBYTE_* variables name."""
    rows = SAMPLE["candidates"][:30]
    with FakeAshby({"candidates": rows}) as fake:
        env = {
            "AIRBYTE_CONNECTOR_ID": fake.connector_id,
            "AIRBYTE_TOKEN": fake.token,
            "AIRBYTE_BASE_URL": fake.url,
        }
        with _session(_command(), env=env) as s:
            got, pages = _walk(s, "search_candidates", {"query": 'name like "%a%"', "limit": 4})
            assert aq.evaluate('name like "%a%"', rows, entity="candidates") == got
            assert pages > 1
            one = s.call("get_candidate", {"id": rows[3]["id"]})
            assert {"record": rows[3]} == one.structured_content
            fake.unauthorized(times=1)
            denied = s.call("list_candidates", {})
            assert denied.is_error
            assert "AuthenticationError" == denied.structured_content["error"]["type"]
            assert fake.token not in denied.content[0].text
            assert not s.call("list_candidates", {"limit": 2}).is_error


def _run(backend, name, arguments):
    return asyncio.run(server.call_tool(backend, name, arguments))


def test_client_errors_carry_no_secret():
    """Rate limits and refused credentials come back as errors without the secret."""
    with FakeAshby({"jobs": SAMPLE["jobs"][:3]}, token="sekrit-token-123") as fake:
        fake.fail(429, times=20, retry_after=0)
        result, is_error = _run(server.Hosted(client=fake.async_client()), "list_jobs", {})
        assert is_error
        assert "RateLimitError" == result["error"]["type"]
        assert 429 == result["error"]["status_code"]
        bad = server.Hosted(client=fake.async_client(token="wrong-sekrit"))
        result, is_error = _run(bad, "search_jobs", {"query": ""})
        assert is_error
        assert "wrong-sekrit" not in json.dumps(result)
        assert "sekrit-token-123" not in json.dumps(result)


def test_missing_credentials_are_a_tool_error(monkeypatch):
    """With no AIRBYTE_* variables a call fails with a configuration error, not a crash."""
    for name in list(os.environ):
        if name.startswith("AIRBYTE_"):
            monkeypatch.delenv(name)
    result, is_error = _run(server.Hosted(), "search_candidates", {"query": ""})
    assert is_error
    assert "ConfigurationError" == result["error"]["type"]
    assert "AIRBYTE_CONNECTOR_ID" in result["error"]["message"]


async def _local_walk(backend, tool: str, query: str, page: int) -> list[dict]:
    got, cursor = [], None
    while True:
        args = {"query": query, "limit": page} | ({"cursor": cursor} if cursor else {})
        result, is_error = await server.call_tool(backend, tool, args)
        assert not is_error, result
        assert len(result["records"]) <= page
        got += result["records"]
        cursor = result["next_cursor"]
        if cursor is None:
            return got


@given(data=st.data(), entity=st.sampled_from(SEARCHABLE), page=st.integers(3, 150))
def test_local_paging_is_the_engine(data, entity, page):
    """For any query and page size, the pages of a local search join into the engine's
    answer for the query without its limit."""
    q = data.draw(aqs.queries(entity)).cursor(None)
    backend = server.LocalData({entity: SAMPLE[entity]})
    got = asyncio.run(_local_walk(backend, f"search_{entity}", str(q), page))
    assert [dict(r) for r in q.limit(None).evaluate(SAMPLE[entity])] == got


def test_data_file(tmp_path):
    """--data FILE serves a JSON object of entity name to records, and only those."""
    path = tmp_path / "data.json"
    path.write_text(json.dumps({"jobs": SAMPLE["jobs"][:5]}))
    backend = server.load_data(str(path))
    assert ["jobs"] == [e.name for e in backend.entities()]
    result, is_error = _run(backend, "list_jobs", {})
    assert not is_error
    assert SAMPLE["jobs"][:5] == result["records"]
    for text in ("[1, 2]", "not json"):
        path.write_text(text)
        with pytest.raises(server.DataError):
            server.load_data(str(path))


def test_missing_extra_is_one_line(monkeypatch, capsys):
    """Without the mcp package the command says which pip install to run, in one line."""
    monkeypatch.setitem(sys.modules, "mcp", None)
    monkeypatch.setitem(sys.modules, "mcp.server.lowlevel", None)
    assert 1 == main(["mcp", "--data", "sample"])
    err = capsys.readouterr().err
    assert 1 == len(err.strip().splitlines())
    assert "pip install 'ashby-query[mcp]'" in err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_streamable_http():
    """--http serves the same tools over streamable HTTP on 127.0.0.1."""
    _need("mcp")
    port = _free_port()
    proc = subprocess.Popen(
        _command("--data", "sample", "--http", "--port", str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600):  # wait for the port to open (or the process to die)
            assert proc.poll() is None, proc.stderr.read().decode()
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        with _session(f"http://127.0.0.1:{port}/mcp") as s:
            assert "search_candidates" in s.tools
            out = s.call("search_candidates", {"query": 'name like "Ann%"', "limit": 3})
            expected = aq.evaluate('name like "Ann%"', SAMPLE["candidates"], entity="candidates")
            assert expected[:3] == out.structured_content["records"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_tool_list_fits_its_context_budget():
    """The whole tools/list for the sample data stays under 6,000 tokens (docs/agents.md)."""
    from ashby_query._tools.agent import token_count

    tools = server.tool_specs(server.load_data("sample"))
    assert 26 == len(tools)
    assert token_count(json.dumps(tools)) <= 6000


# --------------------------------------------------------------------------- files in DuckDB


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Sample data as files named after entities: Parquet, JSON lines and CSV."""
    duckdb = _need("duckdb")
    root = tmp_path_factory.mktemp("exports")
    data = sample_records()
    for entity, suffix in (("candidates", ".jsonl"), ("jobs", ".parquet"), ("sources", ".jsonl")):
        lines = root / f"{entity}.jsonl"
        lines.write_text("".join(json.dumps(r) + "\n" for r in data[entity]), "utf-8")
        if suffix == ".parquet":
            duckdb.sql(
                f"COPY (SELECT * FROM read_json('{lines}')) TO '{root / 'jobs.parquet'}' "
                "(FORMAT PARQUET)"
            )
            lines.unlink()
    (root / "notes.txt").write_text("not an entity", "utf-8")
    return root


@pytest.mark.parametrize(
    ("entity", "query"),
    [("candidates", 'name like "A%" order by name, id'), ("jobs", 'status = "Open" order by id')],
)
def test_a_folder_of_files_pages_like_the_engine(folder, entity, query):
    """--data FOLDER searches files in DuckDB; every page joins up to the engine's answer."""
    data = server.load_data(str(folder))
    assert {"candidates", "jobs", "sources"} == {e.name for e in data.entities()}
    e, q = ENTITIES[entity], aq.parse(query, entity)
    got, cursor = [], None
    while True:
        page, cursor = asyncio.run(data.search(e, q, 7, cursor))
        got += [r["id"] for r in page]
        if cursor is None:
            break
    assert [r["id"] for r in q.evaluate(sample_records()[entity])] == got


def test_a_folder_lists_and_gets(folder):
    """list and get work for searchable and list-only entities alike."""
    data = server.load_data(str(folder))
    for name in ("candidates", "sources"):
        e = ENTITIES[name]
        first, cursor = asyncio.run(data.list(e, 2, None))
        assert 2 == len(first)
        assert cursor is not None
        assert sample_records()[name][:2] == first
        if "get" in e.actions:
            assert first[0]["id"] == asyncio.run(data.get(e, first[0]["id"]))["id"]
    with pytest.raises(aq.NotFoundError):
        asyncio.run(data.get(ENTITIES["candidates"], "no-such-id"))


def test_a_folder_without_entity_files_is_a_data_error(tmp_path):
    """A folder with nothing to serve says how to name the files."""
    with pytest.raises(server.DataError, match=r"candidates\.parquet"):
        server.load_data(str(tmp_path))


def test_server_searches_a_folder_through_the_mcp_client(folder):
    """The real client drives a server over a folder of files to the end of an answer."""
    with _session(_command("--data", str(folder))) as s:
        assert "search_jobs" in s.tools
        assert "search_applications" not in s.tools
        records, _ = _walk(s, "search_jobs", {"query": 'status = "Open"', "limit": 20})
    expected = aq.evaluate('status = "Open"', sample_records()["jobs"], "jobs")
    assert sorted(r["id"] for r in expected) == sorted(r["id"] for r in records)


def test_deeply_nested_data_file_is_a_data_error(tmp_path):
    """A --data file nested past Python's recursion limit is a DataError, not a crash."""
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    with pytest.raises(server.DataError, match="nested too deeply"):
        server.load_data(str(path))


def test_a_duckdb_database_pages_like_the_engine(tmp_path):
    """--data FILE.duckdb searches the tables named after entities, as the engine would."""
    duckdb = _need("duckdb")
    data = sample_records()
    lines = tmp_path / "jobs.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in data["jobs"]), "utf-8")
    path = tmp_path / "ashby.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(f"CREATE TABLE jobs AS SELECT * FROM read_json('{lines}')")
        con.execute("CREATE TABLE unrelated AS SELECT 1 AS x")
    source = server.load_data(str(path))
    assert ["jobs"] == [e.name for e in source.entities()]
    q = aq.parse('status = "Open" order by title, id', "jobs")
    got, cursor = [], None
    while True:
        page, cursor = asyncio.run(source.search(ENTITIES["jobs"], q, 9, cursor))
        got += [r["id"] for r in page]
        if cursor is None:
            break
    assert [r["id"] for r in q.evaluate(data["jobs"])] == got
    one = data["jobs"][3]
    assert one["title"] == asyncio.run(source.get(ENTITIES["jobs"], one["id"]))["title"]


def test_a_file_that_is_not_a_database_is_a_data_error(tmp_path):
    """A .duckdb path that is not a DuckDB database says so in one line."""
    _need("duckdb")
    path = tmp_path / "broken.duckdb"
    path.write_text("not a database", "utf-8")
    with pytest.raises(server.DataError, match="DuckDB database"):
        server.load_data(str(path))


def test_hosted_server_takes_a_connector_id(capsys, monkeypatch):
    """`mcp --connector-id` exists, as the missing-connector message says, and is used."""
    assert 0 == main(["mcp", "--help"])
    assert "--connector-id" in capsys.readouterr().out
    monkeypatch.setenv("AIRBYTE_TOKEN", "t-123456789")
    monkeypatch.delenv("AIRBYTE_CONNECTOR_ID", raising=False)
    backend = server.Hosted(connector_id="c-1")
    backend._resource(ENTITIES["jobs"])
    assert "c-1" == backend._client._core.connector_id
