"""Airbyte's own SDK (airbyte-agent-sdk 0.1.380), in hosted mode, against FakeAshby.

The SDK is the one real client of the hosted service that runs here: if it cannot parse
what FakeAshby answers, FakeAshby is wrong; if ashby-query sends something the SDK would
not, ashby-query is (unless docs/wire-format.md names the difference and its reason).
The SDK reads its base URL from ``SDK_DEV_ADP_API_HOST``; its telemetry is switched off.
"""

import asyncio
import os

import pytest

import ashby_query as aq
from ashby_query._client.core import ASHBY_DEFINITION_ID, USER_AGENT
from ashby_query._core.schema import ENTITIES, SEARCHABLE
from ashby_query._core.types import FieldType
from ashby_query._tools.sample import sample_records
from ashby_query.testing import FakeAshby

SDK_VERSION = "0.1.380"
try:
    import airbyte_agent_sdk
    from airbyte_agent_sdk.connectors.ashby import AirbyteAuthConfig, AshbyConnector
    from airbyte_agent_sdk.http.exceptions import (
        AuthenticationError,
        ConnectorValidationError,
        HTTPStatusError,
        RateLimitError,
    )
    from pydantic import ValidationError
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI") == "true":
        raise
    pytest.skip(
        f"airbyte-agent-sdk is not installed: pip install -e '.[test]' (pins {SDK_VERSION}).",
        allow_module_level=True,
    )

if airbyte_agent_sdk.__version__ != SDK_VERSION:  # pragma: no cover
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"airbyte-agent-sdk {SDK_VERSION} is pinned for these tests.")
    pytest.skip(f"These tests pin airbyte-agent-sdk {SDK_VERSION}.", allow_module_level=True)

RECORDS = sample_records()
#: One query per searchable entity: a filter, a sort (with a tie-breaker) and a field list.
SEARCHES = {
    "candidates": ('name like "A%" or company = "Acme" order by name, id', ["id", "name"]),
    "applications": (
        'status in ("active", "hired") order by createdAt desc, id',
        ["id", "status", "createdAt"],
    ),
    "jobs": ('status = "Open" or title fuzzy "engineer" order by title, id', ["id", "title"]),
    "users": ('email like "%example.com" order by lastName, id', ["id", "email"]),
    "job_postings": ("isListed = true order by title, id", ["id", "title", "isListed"]),
}
#: What the SDK sends that ashby-query does not, and the other way round (see
#: docs/wire-format.md): the SDK names itself, and so do we.
IGNORED_HEADERS = {"user-agent", "x-adp-agent-sdk"}
# The SDK's telemetry stays off even where the module's fixtures are not used.
os.environ.setdefault("AIRBYTE_TELEMETRY_MODE", "disabled")


@pytest.fixture
def fake(monkeypatch):
    """A FakeAshby on loopback, with the SDK pointed at it and its telemetry off."""
    monkeypatch.setenv("AIRBYTE_TELEMETRY_MODE", "disabled")
    monkeypatch.delenv("AIRBYTE_ORGANIZATION_ID", raising=False)
    with FakeAshby(RECORDS) as server:
        monkeypatch.setenv("SDK_DEV_ADP_API_HOST", server.url)
        yield server


def sdk(fake, **auth):
    """The SDK's Ashby connector in hosted mode, with FakeAshby's client credentials."""
    auth.setdefault("connector_id", fake.connector_id)
    return AshbyConnector(
        auth_config=AirbyteAuthConfig(
            airbyte_client_id=fake.client_id, airbyte_client_secret=fake.client_secret, **auth
        )
    )


def ours(fake, **settings):
    """ashby-query's client with the same credentials, and no retries (as the SDK)."""
    settings.setdefault("connector_id", fake.connector_id)
    return fake.client(
        token=None,
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        retry=aq.RetryPolicy(attempts=1),
        env={},
        **settings,
    )


def run(coro_fn):
    """Run an async function that gets the connector closed afterwards."""
    return asyncio.run(coro_fn())


def dumped(models, **kw):
    return [m.model_dump(exclude_unset=True, **kw) for m in models]


# Records --------------------------------------------------------------------


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_list_pages_every_entity(fake, entity):
    """The SDK pages list on all twelve entities; its records equal ours and the data."""

    async def main():
        conn = sdk(fake)
        got, cursor, pages = [], None, 0
        try:
            while True:
                page = await getattr(conn, entity).list(limit=7, cursor=cursor)
                got += dumped(page.data, by_alias=True)
                pages += 1
                if not page.meta.has_more:
                    return got, pages
                cursor = page.meta.cursor
        finally:
            await conn.close()

    theirs, pages = run(main)
    with ours(fake) as client:
        mine = list(getattr(client, entity).iter_list(page_size=7))
    assert RECORDS[entity] == theirs
    assert theirs == mine
    assert pages == max(1, -(-len(RECORDS[entity]) // 7))


@pytest.mark.parametrize("entity", [e for e in ENTITIES if "get" in ENTITIES[e].actions])
def test_get_every_entity(fake, entity):
    """The SDK's get on all seven entities that have it returns our record."""
    record = RECORDS[entity][-1]
    param = ENTITIES[entity].get_param_python

    async def main():
        conn = sdk(fake)
        try:
            return await getattr(conn, entity).get(**{param: record["id"]})
        finally:
            await conn.close()

    with ours(fake) as client:
        mine = getattr(client, entity).get(record["id"])
    assert record == run(main) == mine


@pytest.mark.parametrize("entity", SEARCHABLE)
def test_search_every_searchable_entity(fake, entity):
    """The SDK's context_store_search with filter, sort, limit, cursor and fields pages
    through the same records ashby-query's iter_search does, and the engine selects."""
    text, fields = SEARCHES[entity]
    q = aq.parse(text, entity).select(*fields)
    params = q.to_params("2026")

    async def main():
        conn = sdk(fake)
        got, cursor, tooks = [], None, []
        try:
            while True:
                page = await getattr(conn, entity).context_store_search(
                    query=params["query"], limit=4, cursor=cursor, fields=params["fields"]
                )
                got += dumped(page.data)
                tooks.append(page.meta.took_ms)
                if not page.meta.has_more:
                    return got, tooks
                cursor = page.meta.cursor
        finally:
            await conn.close()

    theirs, tooks = run(main)
    with ours(fake) as client:
        mine = list(getattr(client, entity).iter_search(q.limit(4), dialect="2026"))
    expected = [{f: r.get(f) for f in fields if f in r} for r in q.evaluate(RECORDS[entity])]
    assert expected == theirs
    assert theirs == mine
    assert len(tooks) > 1
    assert all(isinstance(t, int) for t in tooks)


def test_sdk_rejects_the_old_shapes(monkeypatch):
    """The SDK cannot read list in result.data/meta or a float took_ms: the reason the
    tests above would fail if FakeAshby answered that way."""
    monkeypatch.setenv("AIRBYTE_TELEMETRY_MODE", "disabled")
    for options, call in (
        ({"list_style": "meta"}, lambda c: c.candidates.list(limit=2)),
        (
            {"took_ms_float": True},
            lambda c: c.candidates.context_store_search(query={}, limit=2),
        ),
    ):
        with FakeAshby(RECORDS, **options) as old:
            monkeypatch.setenv("SDK_DEV_ADP_API_HOST", old.url)

            async def main(old=old, call=call):
                conn = sdk(old)
                try:
                    return await call(conn)
                finally:
                    await conn.close()

            with pytest.raises(ValidationError):
                run(main)


# Errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "sdk_error", "our_error"),
    [
        (429, RateLimitError, aq.RateLimitError),
        (503, HTTPStatusError, aq.ServerError),
        (500, HTTPStatusError, aq.ServerError),
        (400, ConnectorValidationError, aq.BadRequestError),
        (422, ConnectorValidationError, aq.BadRequestError),
        (401, AuthenticationError, aq.AuthenticationError),
        (403, AuthenticationError, aq.AuthenticationError),
    ],
)
def test_error_answers(fake, status, sdk_error, our_error):
    """FakeAshby's faults raise the SDK's documented exception, and ours the matching one,
    both carrying the service's message."""

    async def main():
        conn = sdk(fake)
        try:
            await conn.jobs.list(limit=1)  # fetch the token first
            fake.fail(status, message="Injected trouble.")
            await conn.jobs.list(limit=1)
        finally:
            await conn.close()

    with pytest.raises(sdk_error) as theirs:
        run(main)
    assert "Injected trouble." in str(theirs.value)
    with ours(fake) as client:
        client.jobs.list(limit=1)
        fake.fail(status, times=2, message="Injected trouble.")
        with pytest.raises(our_error) as mine:
            client.jobs.list(limit=1)
    assert status == mine.value.status_code
    assert "Injected trouble" == mine.value.message.rstrip(".")


# Requests -------------------------------------------------------------------


def _comparable(request):
    headers = {k: v for k, v in request["headers"].items() if k not in IGNORED_HEADERS}
    if headers.get("authorization", "").startswith("Bearer issued-"):
        headers["authorization"] = "Bearer <a token FakeAshby issued>"
    return (request["method"], request["path"], request["query"], headers, request["body"])


def _operations():
    """One operation of every action on every entity: (entity, action, sdk call, our call)."""
    ops = []
    for name, entity in ENTITIES.items():
        ops.append((name, "list", {}, {}))
        ops.append((name, "list", {"limit": 3}, {"limit": 3}))
        if "get" in entity.actions:
            rid = RECORDS[name][0]["id"]
            ops.append((name, "get", {entity.get_param_python: rid}, rid))
        if entity.is_searchable:
            text, fields = SEARCHES[name]
            ops.append((name, "context_store_search", text, fields))
    return ops


async def _sdk_call(conn, entity, action, arg, extra):
    resource = getattr(conn, entity)
    if action == "list":
        return await resource.list(**arg)
    if action == "get":
        return await resource.get(**arg)
    params = aq.parse(arg, entity).select(*extra).limit(5).to_params("2026")
    return await resource.context_store_search(
        query=params["query"], limit=params["limit"], fields=params["fields"]
    )


def _our_call(client, entity, action, arg, extra):
    resource = getattr(client, entity)
    if action == "list":
        return resource.list(**arg)
    if action == "get":
        return resource.get(extra)
    q = aq.parse(arg, entity).select(*extra).limit(5)
    return resource.search(q, dialect="2026")


@pytest.mark.parametrize(
    ("entity", "action", "arg", "extra"),
    _operations(),
    ids=lambda v: v if isinstance(v, str) and len(v) < 30 else None,
)
@pytest.mark.parametrize("organization_id", [None, "org-42"])
def test_requests_equal_the_sdks(fake, entity, action, arg, extra, organization_id):
    """For one operation of every action on every entity, ashby-query sends the SDK's
    requests (token, execute) field by field: method, path, query, headers, body."""
    auth = {"organization_id": organization_id} if organization_id else {}

    async def main():
        conn = sdk(fake, **auth)
        try:
            await _sdk_call(conn, entity, action, arg, extra)
        finally:
            await conn.close()

    run(main)
    theirs = fake.requests[:]
    fake.requests.clear()
    with ours(fake, **auth) as client:
        _our_call(client, entity, action, arg, extra)
    mine = fake.requests[:]
    assert [_comparable(r) for r in theirs] == [_comparable(r) for r in mine]
    assert all(r["headers"]["user-agent"] == USER_AGENT for r in mine)
    if organization_id:
        assert all(r["headers"]["x-organization-id"] == "org-42" for r in mine)


def test_workspace_lookup_equals_the_sdks(fake):
    """Found by workspace name, the connector lookup GET and what follows are the SDK's."""

    async def main():
        conn = sdk(fake, connector_id=None, workspace_name="default")
        try:
            return await conn.jobs.list()
        finally:
            await conn.close()

    theirs_page = run(main)
    theirs = fake.requests[:]
    fake.requests.clear()
    with ours(fake, connector_id=None, workspace_name="default") as client:
        page = client.jobs.list()
    assert [_comparable(r) for r in theirs] == [_comparable(r) for r in fake.requests]
    assert "GET" == fake.requests[1]["method"]
    assert dumped(theirs_page.data, by_alias=True) == page.records


def test_field_options_equal_the_sdks(fake):
    """select_fields, exclude_fields and skip_truncation=False: same body, same records."""
    long_text = {"id": "t1", "title": "x" * 300, "isArchived": False}
    fake.records["candidate_tags"].insert(0, long_text)
    calls = [
        {"select_fields": ["id", "title"]},
        {"exclude_fields": ["isArchived"], "skip_truncation": False},
    ]
    for options in calls:
        fake.requests.clear()

        async def main(options=options):
            conn = sdk(fake)
            try:
                return await conn.execute("candidate_tags", "list", {"limit": 2}, **options)
            finally:
                await conn.close()

        theirs = run(main).data  # execute() hands back the records untyped
        sent = fake.requests[:]
        fake.requests.clear()
        with ours(fake) as client:
            mine = client.candidate_tags.list(limit=2, **options).records
        assert [_comparable(r) for r in sent] == [_comparable(r) for r in fake.requests]
        assert theirs == mine
    assert mine[0]["title"].endswith("retrieve the full value]")
    assert "isArchived" not in mine[0]


def test_snake_case_fields_equal_the_sdks_typed_dicts(fake):
    """field_case="snake" sends the spelling the SDK's typed dicts use."""
    query = {
        "filter": {"gt": {"created_at": "2024-01-01T00:00:00Z"}},
        "sort": [{"created_at": "desc"}],
    }

    async def main():
        conn = sdk(fake)
        try:
            return await conn.applications.context_store_search(query=query, limit=3)
        finally:
            await conn.close()

    theirs = dumped(run(main).data)
    sent = fake.requests[-1]["body"]
    with ours(fake, field_case="snake") as client:
        page = client.applications.search("createdAt > 2024-01-01 order by createdAt desc limit 3")
    assert sent == fake.requests[-1]["body"]
    assert theirs == page.records


# The schema registry against the SDK's bundled connector definition -----------------

#: Record fields ashby-query knows that the definition's record schemas leave out: the
#: context store's searchable candidate fields, selectable with ``fields``.
EXTRA_RECORD_FIELDS = {"candidates": {"company", "position", "school"}}
JSON_TYPES = {
    FieldType.STRING: "string",
    FieldType.TIMESTAMP: "string",  # ISO 8601 text on the wire; ours compares it as time
    FieldType.BOOLEAN: "boolean",
    FieldType.ARRAY: "array",
    FieldType.OBJECT: "object",
}


def _spec():
    import importlib.resources

    import yaml

    path = importlib.resources.files("airbyte_agent_sdk") / "specs/ashby/connector.yaml"
    return yaml.safe_load(path.read_text("utf-8"))


def _json_type(prop):
    types = prop.get("type")
    types = [t for t in (types if isinstance(types, list) else [types]) if t not in (None, "null")]
    return types[0] if types else None


def test_registry_matches_the_sdks_connector_definition():
    """Entities, actions, get parameters, searchable fields (names, order, types and
    descriptions) and record fields equal what the SDK's bundled definition says."""
    spec = _spec()
    actions, get_params = {}, {}
    for operations in spec["paths"].values():
        for op in operations.values():
            entity, action = op["x-airbyte-entity"], op["x-airbyte-action"]
            actions.setdefault(entity, set()).add(action)
            if action == "get":
                schema = op["requestBody"]["content"]["application/json"]["schema"]
                get_params[entity] = schema["required"]
    store = {e["entity"]: e for e in spec["info"]["x-airbyte-context-store"]["entities"]}
    for entity in store:
        actions[entity].add("context_store_search")
    assert set(actions) == set(ENTITIES)
    for name, entity in ENTITIES.items():
        assert actions[name] == set(entity.actions), name
        if "get" in entity.actions:
            assert [entity.get_param] == get_params[name], name
        theirs = [
            (f["name"], _json_type(f), f["description"])
            for f in store.get(name, {}).get("fields", [])
        ]
        mine = [(f.name, JSON_TYPES[f.type], f.description) for f in entity.searchable.values()]
        assert theirs == mine, name
    assert ASHBY_DEFINITION_ID == spec["info"]["x-airbyte-connector-definition-id"]
    for schema in spec["components"]["schemas"].values():
        name = schema.get("x-airbyte-entity-name")
        if not name:
            continue
        props = schema.get("properties", {})
        fields = ENTITIES[name].record_fields
        assert set(props) | EXTRA_RECORD_FIELDS.get(name, set()) == set(fields), name
        for field, prop in props.items():
            if _json_type(prop) is not None:
                assert _json_type(prop) == JSON_TYPES[fields[field]], (name, field)


async def _our_async_call(client, entity, action, arg, extra):
    resource = getattr(client, entity)
    if action == "list":
        return await resource.list(**arg)
    if action == "get":
        return await resource.get(extra)
    q = aq.parse(arg, entity).select(*extra).limit(5)
    return await resource.search(q, dialect="2026")


def test_async_client_sends_what_the_sync_client_sends(fake):
    """The async client's requests for every operation equal the sync client's (and so
    the SDK's, by the test above)."""
    ops = _operations()
    with ours(fake, organization_id="org-7") as client:
        for op in ops:
            _our_call(client, *op)
    sync_requests = fake.requests[:]
    fake.requests.clear()

    async def main():
        async with fake.async_client(
            token=None,
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            retry=aq.RetryPolicy(attempts=1),
            env={},
            organization_id="org-7",
        ) as client:
            for op in ops:
                await _our_async_call(client, *op)

    asyncio.run(main())
    assert [_comparable(r) for r in sync_requests] == [_comparable(r) for r in fake.requests]
    assert len(ops) + 1 == len(fake.requests)  # one token request, then one per operation
