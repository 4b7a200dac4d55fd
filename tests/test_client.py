"""Clients against the loopback FakeAshby server, and MockTransport for edge cases."""

import asyncio
import json
import logging

import httpx
import pytest

import ashby_query as aq
from ashby_query import F, RetryPolicy
from ashby_query._core.schema import ENTITIES, SEARCHABLE
from ashby_query._tools.sample import sample_records
from ashby_query.testing import FakeAshby

RECORDS = sample_records()
QUERIES = {
    "candidates": 'name like "A%" or company = "Acme" order by name',
    "applications": 'status in ("active", "hired") order by createdAt desc',
    "jobs": 'status = "Open"',
    "users": 'email like "%example.com"',
    "job_postings": "isListed = true order by title",
}


@pytest.fixture
def fake():
    """A fresh server per test: a slow fault of one test cannot reach the next."""
    with FakeAshby(RECORDS) as server:
        yield server


@pytest.fixture
def client(fake):
    with fake.client() as c:
        yield c


def run(coro):
    return asyncio.run(coro)


def ids(rows):
    return [r["id"] for r in rows]


@pytest.mark.parametrize("entity", SEARCHABLE)
def test_walk_all_search_pages_equals_engine(client, entity):
    """Walking every page returns exactly what the engine selects, none twice."""
    q = aq.parse(QUERIES[entity], entity).limit(7)
    got = ids(getattr(client, entity).iter_search(q))
    expected = ids(q.limit(None).evaluate(RECORDS[entity]))
    assert expected == got
    assert len(set(got)) == len(got)
    assert len(got) > 7


@pytest.mark.parametrize("entity", SEARCHABLE)
def test_async_walk_all_search_pages_equals_engine(fake, entity):
    """The async twin walks the same pages to the same records."""
    q = aq.parse(QUERIES[entity], entity).limit(9)

    async def main():
        async with fake.async_client() as c:
            return [r["id"] async for r in getattr(c, entity).iter_search(q)]

    assert ids(q.limit(None).evaluate(RECORDS[entity])) == run(main())


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_list_and_get_for_every_entity(client, entity):
    """list works for all twelve entities, get where the reference has it, and no other."""
    resource = getattr(client, entity)
    walked = list(resource.iter_list(page_size=3))
    assert ids(RECORDS[entity]) == ids(walked)
    first = resource.list(limit=2)
    assert ids(RECORDS[entity][:2]) == ids(first.records)
    assert first.has_more == (len(RECORDS[entity]) > 2)
    if "get" in ENTITIES[entity].actions:
        rid = RECORDS[entity][0]["id"]
        py = ENTITIES[entity].get_param_python
        assert RECORDS[entity][0] == resource.get(**{py: rid})
        assert RECORDS[entity][0] == resource.get(rid)
    else:
        assert not hasattr(resource, "get")
    assert hasattr(resource, "context_store_search") == ENTITIES[entity].is_searchable


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_async_list_and_get(fake, entity):
    """The async accessors list and get like the sync ones."""

    async def main():
        async with fake.async_client() as c:
            resource = getattr(c, entity)
            walked = [r async for r in resource.iter_list(page_size=50)]
            got = None
            if "get" in ENTITIES[entity].actions:
                got = await resource.get(RECORDS[entity][-1]["id"])
            return walked, got

    walked, got = run(main())
    assert ids(RECORDS[entity]) == ids(walked)
    if got is not None:
        assert RECORDS[entity][-1] == got


def test_list_answer_in_the_older_meta_shape():
    """list answers with result.data and result.meta (an older shape) are read too."""
    with FakeAshby(RECORDS, list_style="meta") as fake, fake.client() as c:
        assert ids(RECORDS["users"]) == ids(c.users.iter_list(page_size=33))


def test_fake_answers_list_in_the_sdk_shape_by_default(fake, client):
    """By default list puts the records in result and the paging in connector_metadata."""
    raw = client.execute("users", "list", {"limit": 2})
    assert ids(RECORDS["users"][:2]) == ids(raw)
    page = client.users.search(aq.parse("order by email", "users").limit(2))
    assert isinstance(page.took_ms, int)


def test_float_took_ms_is_still_read():
    """A float took_ms (an older fake's shape) is read as it is."""
    with FakeAshby(RECORDS, took_ms_float=True) as fake, fake.client() as c:
        assert isinstance(c.jobs.search('status = "Open"').took_ms, float)


def test_get_unknown_id_is_not_found(client):
    """A get for an id that does not exist raises NotFoundError with the service message."""
    with pytest.raises(aq.NotFoundError) as info:
        client.candidates.get(id="nope")
    assert 404 == info.value.status_code
    assert "nope" in info.value.message


def test_get_argument_names(client):
    """get takes the entity's own keyword, as the SDK does, and says so otherwise."""
    rid = RECORDS["applications"][0]["id"]
    assert rid == client.applications.get(application_id=rid)["id"]
    with pytest.raises(TypeError, match="application_id"):
        client.applications.get(id=rid)


def test_search_page_object(client):
    """search returns a page: records, has_more, cursor, took_ms."""
    page = client.candidates.search(aq.parse('name like "A%"', "candidates").limit(5))
    assert 5 == len(page.records)
    assert page.has_more
    assert page.cursor
    assert page.took_ms is not None
    nxt = client.candidates.context_store_search(
        aq.parse('name like "A%"', "candidates"), limit=5, cursor=page.cursor
    )
    assert not set(ids(page.records)) & set(ids(nxt.records))


def test_search_query_forms(client):
    """query may be text, a builder query, params, or the SDK's bare query dict."""
    q = aq.Candidates.where(F.company == "Acme")
    forms = [q, 'company = "Acme"', q.to_params(), {"filter": {"eq": {"company": "Acme"}}}]
    results = [ids(client.candidates.search(f).records) for f in forms]
    assert all(r == results[0] for r in results)
    assert results[0]


def test_invalid_text_fails_before_any_request(fake, client):
    """Text and builder queries are validated before a request is sent."""
    before = len(fake.requests)
    with pytest.raises(aq.QueryError):
        client.candidates.search("stauts = 1")
    assert before == len(fake.requests)


def test_invalid_dict_is_sent_and_rejected_by_service(client):
    """An Unchecked dict goes as it is; the service's 400 comes back in BadRequestError."""
    with pytest.raises(aq.QueryError):
        client.candidates.search({"query": {"filter": {"eq": {"stauts": "x"}}}})
    with pytest.raises(aq.BadRequestError) as info:
        client.candidates.search(aq.Unchecked({"query": {"filter": {"eq": {"stauts": "x"}}}}))
    assert 400 == info.value.status_code
    assert "stauts" in str(info.value)


def test_local_mode_matches_hosted(client):
    """search(mode="local") pages through list and filters here, to the same records."""
    q = aq.parse('status = "archived" order by createdAt limit 1000', "applications")
    assert ids(client.applications.search(q).records) == ids(
        client.applications.search(q, mode="local").records
    )
    assert ids(client.applications.iter_search(q)) == ids(
        client.applications.iter_search(q, mode="local")
    )


def test_interrupted_walk_resumes_without_loss_or_repeats(client):
    """Stop mid-page, resume from walk.resume(): every record once, in order."""
    q = aq.parse("order by name", "candidates").limit(10)
    everything = ids(client.candidates.iter_search(q))
    got = []
    resume = None
    for stop_after in (3, 10, 7, 25):
        walk = client.candidates.iter_search(q, resume=resume)
        for n, record in enumerate(walk, 1):
            got.append(record["id"])
            if n == stop_after:
                break
        resume = walk.resume()
    got.extend(ids(client.candidates.iter_search(q, resume=resume)))
    assert everything == got


def test_resume_after_an_error(fake, client):
    """A walk that fails mid-way keeps its place; resuming loses nothing."""
    q = aq.parse("order by name", "candidates").limit(50)
    walk = client.candidates.iter_search(q)
    got = [next(walk)["id"] for _ in range(60)]
    fake.fail(400, times=1)
    with pytest.raises(aq.BadRequestError):
        got.extend(r["id"] for r in walk)
    got.extend(ids(client.candidates.iter_search(q, resume=walk.resume())))
    assert ids(q.limit(None).evaluate(RECORDS["candidates"])) == got


def test_max_pages_caps_and_resumes(client):
    """max_pages stops the walk; resume() goes on at the next page."""
    q = aq.parse("order by email", "users").limit(40)
    walk = client.users.iter_search(q, max_pages=2)
    first = ids(walk)
    assert 80 == len(first)
    assert not walk.complete
    rest = ids(client.users.iter_search(q, resume=walk.resume()))
    assert ids(q.limit(None).evaluate(RECORDS["users"])) == first + rest


# Faults and retries -------------------------------------------------------


def test_rate_limit_then_success(fake, client):
    """429 with Retry-After is retried and ends in success."""
    fake.fail(429, times=2, retry_after=0.01)
    assert client.jobs.search('status = "Open"').records


def test_server_error_then_success(fake, client):
    """503 is retried and ends in success."""
    fake.fail(503, times=2)
    assert client.jobs.list(limit=1).records


def test_persistent_server_error_raises(fake):
    """5xx past the retry budget raises ServerError."""
    with fake.client(retry=RetryPolicy(attempts=3, base_delay=0.01)) as c:
        fake.fail(503, times=3)
        with pytest.raises(aq.ServerError) as info:
            c.jobs.list()
    assert 503 == info.value.status_code


def test_persistent_rate_limit_carries_retry_after(fake):
    """429 past the budget raises RateLimitError with retry_after."""
    with fake.client(retry=RetryPolicy(attempts=2, base_delay=0.01)) as c:
        fake.fail(429, times=2, retry_after=0.02)
        with pytest.raises(aq.RateLimitError) as info:
            c.jobs.list()
    assert 0.02 == info.value.retry_after


def test_retry_after_beyond_total_budget_is_not_waited(fake):
    """A Retry-After longer than the time left is not slept through."""
    with fake.client(retry=RetryPolicy(attempts=5, total=0.5)) as c:
        fake.fail(429, times=1, retry_after=30)
        with pytest.raises(aq.RateLimitError):
            c.jobs.list()


def test_slow_answer_times_out_then_succeeds(fake):
    """An answer slower than the timeout is a transport error, retried to success."""
    with fake.client(timeout=0.2) as c:
        fake.slow(0.6, times=1)
        assert c.jobs.list(limit=1).records


def test_slow_answers_past_budget_raise_timeout(fake):
    """Timeouts past the retry budget raise RequestTimeout (a TransportError)."""
    with fake.client(timeout=0.1, retry=RetryPolicy(attempts=2, base_delay=0.01)) as c:
        fake.slow(0.3, times=2)
        with pytest.raises(aq.RequestTimeout):
            c.jobs.list()


def test_malformed_json_raises_response_error(fake, client):
    """A body that is not JSON raises ResponseError, not a JSON traceback."""
    fake.malformed()
    with pytest.raises(aq.ResponseError, match="not JSON"):
        client.jobs.list()


def test_unauthorized_raises_without_retry(fake, client):
    """401 with a fixed token raises AuthenticationError after exactly one request."""
    before = len(fake.requests)
    fake.unauthorized()
    with pytest.raises(aq.AuthenticationError) as info:
        client.jobs.list()
    assert 401 == info.value.status_code
    assert before + 1 == len(fake.requests)
    assert not str(info.value).count("..")
    assert str(info.value).startswith(
        "The connector refused the credentials (401): Invalid or expired token. Check"
    )


def test_bad_request_is_never_retried(fake, client):
    """400 is not retried."""
    fake.fail(400, times=1)
    before = len(fake.requests)
    with pytest.raises(aq.BadRequestError):
        client.jobs.list()
    assert before + 1 == len(fake.requests)


def test_connection_refused_is_transport_error():
    """Nothing listening: TransportError after retries."""
    with FakeAshby() as fake:
        url = fake.url
    c = aq.AshbyClient("x", token="t", base_url=url, retry=RetryPolicy(attempts=2, base_delay=0.01))
    with pytest.raises(aq.TransportError, match="Could not reach"):
        c.jobs.list()


def test_async_faults(fake):
    """The async client retries 429 and 503 and maps 401 the same way."""

    async def main():
        async with fake.async_client() as c:
            fake.fail(429, times=1, retry_after=0.01)
            fake.fail(503, times=1)
            page = await c.jobs.list(limit=1)
            fake.unauthorized()
            with pytest.raises(aq.AuthenticationError):
                await c.jobs.list()
            fake.malformed()
            with pytest.raises(aq.ResponseError):
                await c.jobs.list()
            return page

    assert run(main()).records


# Credentials ----------------------------------------------------------------


def test_client_credentials_fetch_and_renew_token():
    """client_id + client_secret get a token, and renew it when it is refused."""
    with (
        FakeAshby(RECORDS) as fake,
        fake.client(token=None, client_id="test-client", client_secret="test-secret") as c,
    ):
        assert c.jobs.list(limit=1).records
        assert ["issued-1"] == fake.issued_tokens
        fake.revoke_tokens()
        assert c.jobs.list(limit=1).records
        assert ["issued-2"] == fake.issued_tokens


def test_wrong_secret_is_authentication_error(fake):
    """A refused secret raises AuthenticationError without the secret in it."""
    with (
        fake.client(token=None, client_id="test-client", client_secret="wrong-s3cret") as c,
        pytest.raises(aq.AuthenticationError) as info,
    ):
        c.jobs.list()
    assert "wrong-s3cret" not in str(info.value)


def test_environment_configuration(fake):
    """Arguments absent, the client reads AIRBYTE_* variables."""
    env = {
        "AIRBYTE_CONNECTOR_ID": fake.connector_id,
        "AIRBYTE_TOKEN": fake.token,
        "AIRBYTE_BASE_URL": fake.url,
    }
    with aq.AshbyClient(env=env) as c:
        assert c.jobs.list(limit=1).records


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "AIRBYTE_CONNECTOR_ID"),
        ({"connector_id": "c"}, "AIRBYTE_TOKEN"),
        ({"connector_id": "c", "client_id": "i"}, "client_secret"),
        ({"connector_id": "c", "token": "t", "timeout": 0}, "timeout"),
    ],
)
def test_configuration_errors(kwargs, match):
    """Missing settings raise ConfigurationError naming what to set."""
    with pytest.raises(aq.ConfigurationError, match=match):
        aq.AshbyClient(env={}, **kwargs)


def test_secrets_never_leak(fake, caplog):
    """The token and the secret appear in no repr, log line or error message."""
    caplog.set_level(logging.DEBUG)
    secret_token = "tok-SECRET-123"
    texts = []
    with aq.AshbyClient(
        fake.connector_id,
        token=secret_token,
        base_url=fake.url,
        retry=RetryPolicy(attempts=2, base_delay=0.01),
    ) as c:
        texts.append(repr(c))
        texts.append(repr(c.candidates))
        fake.fail(503, times=1)
        with pytest.raises(aq.AuthenticationError) as info:
            c.jobs.list()
        texts.append(str(info.value))
        texts.append(repr(info.value))
    with aq.AshbyClient(
        "c", client_id="i", client_secret="sec-SECRET-456", base_url=fake.url
    ) as c2:
        texts.append(repr(c2))
        with pytest.raises(aq.AuthenticationError) as info2:
            c2.jobs.list()
        texts.append(str(info2.value))
    texts.extend(r.getMessage() for r in caplog.records)
    joined = "\n".join(texts)
    assert "SECRET" not in joined
    assert "retrying" in joined


# MockTransport edge cases ----------------------------------------------------


def _mock(handler):
    return aq.AshbyClient(
        "conn",
        token="t",
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(attempts=3, base_delay=0.001),
    )


def test_repeated_cursor_is_pagination_error():
    """A page that hands back a cursor already seen stops the walk with PaginationError."""

    def handler(request):
        page = {"data": [{"id": "x"}], "meta": {"has_more": True, "cursor": "same"}}
        return httpx.Response(200, json={"status": "success", "result": page})

    walk = _mock(handler).candidates.iter_search("")
    with pytest.raises(aq.PaginationError, match="second time"):
        list(walk)


def test_has_more_without_cursor_is_pagination_error():
    """has_more with no cursor cannot go on."""

    def handler(request):
        page = {"data": [{"id": "x"}], "meta": {"has_more": True, "cursor": None}}
        return httpx.Response(200, json={"status": "success", "result": page})

    with pytest.raises(aq.PaginationError, match="no cursor"):
        list(_mock(handler).candidates.iter_search(""))


def test_request_shape_and_headers():
    """The execute call is a POST with bearer auth, our User-Agent and the SDK's body."""
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, json={"status": "success", "result": {"data": [], "meta": {}}})

    _mock(handler).applications.search('status = "active"', now=None)
    req = seen[0]
    assert "POST" == req.method
    assert "https://api.airbyte.ai/api/v1/integrations/connectors/conn/execute" == str(req.url)
    assert "Bearer t" == req.headers["authorization"]
    assert req.headers["user-agent"].startswith("ashby-query/")
    assert "x-organization-id" not in req.headers
    assert {
        "entity": "applications",
        "action": "context_store_search",
        "skip_truncation": True,
        "params": {"query": {"filter": {"eq": {"status": "active"}}}},
    } == json.loads(req.content)


def test_error_body_forms_and_request_id():
    """The service's message is read from errors[], message or error; the request id too."""
    bodies = [
        {"errors": [{"message": "from errors"}]},
        {"message": "from message"},
        {"error": "from error"},
    ]
    for body in bodies:
        client = _mock(
            lambda r, b=body: httpx.Response(422, json=b, headers={"X-Request-Id": "rid-9"})
        )
        with pytest.raises(aq.BadRequestError) as info:
            client.jobs.list()
        assert info.value.message.startswith("from ")
        assert "rid-9" == info.value.request_id


def test_envelope_error_status():
    """An envelope whose status is not success raises APIError with its message."""
    client = _mock(
        lambda r: httpx.Response(200, json={"status": "error", "message": "store building"})
    )
    with pytest.raises(aq.APIError, match="store building"):
        client.candidates.search("")


def test_async_timeout_then_success_and_persistent_timeout(fake):
    """The async client retries a slow answer, and raises RequestTimeout past the budget."""

    async def main():
        async with fake.async_client(timeout=0.2) as c:
            fake.slow(0.6, times=1)
            page = await c.jobs.list(limit=1)
        async with fake.async_client(
            timeout=0.1, retry=RetryPolicy(attempts=2, base_delay=0.01)
        ) as c:
            fake.slow(0.3, times=2)
            with pytest.raises(aq.RequestTimeout):
                await c.jobs.list()
        return page

    assert run(main()).records


def test_async_resume_after_interruption(fake):
    """The async walk resumes from resume() with nothing lost or repeated."""
    q = aq.parse("order by name", "candidates").limit(10)

    async def main():
        async with fake.async_client() as c:
            walk = c.candidates.iter_search(q)
            got = []
            async for record in walk:
                got.append(record["id"])
                if len(got) == 15:
                    break
            got += [r["id"] async for r in c.candidates.iter_search(q, resume=walk.resume())]
            return got

    assert ids(q.limit(None).evaluate(RECORDS["candidates"])) == run(main())


def test_context_managers_close_the_pool(fake):
    """Leaving the with block closes the connection pool, on both clients."""
    with fake.client() as c:
        c.jobs.list(limit=1)
    assert c._http.is_closed

    async def main():
        async with fake.async_client() as ac:
            await ac.jobs.list(limit=1)
        return ac

    assert run(main())._http.is_closed


def test_async_local_mode_matches_hosted(fake):
    """The async client's local mode selects what the hosted search does."""
    q = aq.parse('status = "archived" order by createdAt limit 5', "applications")

    async def main():
        async with fake.async_client() as c:
            hosted = [r["id"] async for r in c.applications.iter_search(q)]
            local = [r["id"] async for r in c.applications.iter_search(q, mode="local")]
            page = await c.applications.search(q, mode="local")
            return hosted, local, page

    hosted, local, page = run(main())
    assert hosted == local
    assert hosted[:5] == ids(page.records)


# Settings the SDK has, and httpx conventions ---------------------------------------


def _capture(**kw):
    seen = []

    def handler(request):
        seen.append(request)
        if request.url.path == "/api/v1/integrations/connectors":
            return httpx.Response(200, json={"data": [{"id": "found-1"}]})
        return httpx.Response(
            200, json={"status": "success", "result": [], "connector_metadata": {}}
        )

    kw.setdefault("token", "t")
    kw.setdefault("env", {})
    kw.setdefault("transport", httpx.MockTransport(handler))
    return aq.AshbyClient(**kw), seen


def test_organization_id_from_argument_or_environment():
    """organization_id= or AIRBYTE_ORGANIZATION_ID is sent as X-Organization-Id."""
    client, seen = _capture(connector_id="c", organization_id="org-1")
    client.jobs.list()
    client, more = _capture(connector_id="c", env={"AIRBYTE_ORGANIZATION_ID": "org-2"})
    client.jobs.list()
    assert ["org-1", "org-2"] == [r.headers["x-organization-id"] for r in seen + more]


def test_body_has_skip_truncation_and_params_and_field_options():
    """list() sends params {} and skip_truncation true; both can be changed per call or
    per client, and select_fields / exclude_fields go as the SDK sends them."""
    client, seen = _capture(connector_id="c")
    client.jobs.list()
    client.jobs.list(limit=5, skip_truncation=False, select_fields=["id", "author.name"])
    with pytest.raises(aq.ResponseError):  # the capture server answers a list
        client.jobs.get("j1", exclude_fields=["hiringTeam"])
    other, more = _capture(connector_id="c", skip_truncation=False)
    other.jobs.list()
    bodies = [json.loads(r.content) for r in seen + more]
    assert {"entity": "jobs", "action": "list", "skip_truncation": True, "params": {}} == bodies[0]
    assert {
        "entity": "jobs",
        "action": "list",
        "skip_truncation": False,
        "params": {"limit": 5},
        "select_fields": ["id", "author.name"],
    } == bodies[1]
    assert {"id": "j1"} == bodies[2]["params"]
    assert ["hiringTeam"] == bodies[2]["exclude_fields"]
    assert bodies[3]["skip_truncation"] is False


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"select_fields": "id"}, "list of dotted field paths"),
        ({"exclude_fields": [""]}, "non-empty strings"),
        ({"skip_truncation": "yes"}, "True or False"),
        ({"field_case": "kebab"}, "field_case must be one of 'camel', 'snake'"),
    ],
)
def test_bad_call_options_are_configuration_errors(kwargs, match):
    """Per-call options are checked before anything is sent."""
    client, seen = _capture(connector_id="c")
    with pytest.raises(aq.ConfigurationError, match=match):
        client.candidates.search("", **kwargs)
    assert [] == seen


def test_field_case_per_client_and_per_call():
    """field_case="snake" spells compiled field names as the SDK's typed dicts do; a dict
    query goes as it is."""
    text = 'archiveReason = "x" order by createdAt desc select id, archiveReason'
    client, seen = _capture(connector_id="c", field_case="snake")
    client.applications.search(text)
    client.applications.search(text, field_case="camel")
    client.applications.search({"query": {"filter": {"eq": {"archiveReason": "x"}}}})
    params = [json.loads(r.content)["params"] for r in seen]
    assert {
        "query": {"filter": {"eq": {"archive_reason": "x"}}, "sort": [{"created_at": "desc"}]},
        "fields": [["id"], ["archive_reason"]],
    } == params[0]
    assert {"eq": {"archiveReason": "x"}} == params[1]["query"]["filter"]
    assert {"eq": {"archiveReason": "x"}} == params[2]["query"]["filter"]


def test_fake_reads_snake_case_queries(client):
    """FakeAshby answers a snake_case query as the camelCase one."""
    q = 'status = "archived" order by createdAt desc limit 5'
    with FakeAshby(RECORDS) as fake, fake.client(field_case="snake") as snake_client:
        assert ids(client.applications.search(q).records) == ids(
            snake_client.applications.search(q).records
        )
        assert "created_at" in json.dumps(fake.requests[-1]["body"])


def test_workspace_lookup_finds_the_connector_once():
    """With workspace_name= and no connector id, one GET finds the connector, then every
    call goes to it."""
    client, seen = _capture(workspace_name="acme")
    client.jobs.list()
    client.jobs.list()
    assert ["GET", "POST", "POST"] == [r.method for r in seen]
    assert {
        "workspace_name": "acme",
        "definition_id": "4e8c9fa0-3634-499b-b948-11581b5c3efa",
    } == dict(seen[0].url.params)
    assert seen[1].url.path.endswith("/connectors/found-1/execute")
    env_client, more = _capture(env={"AIRBYTE_WORKSPACE_NAME": "acme"})
    env_client.jobs.list()
    assert "acme" == more[0].url.params["workspace_name"]


@pytest.mark.parametrize(
    ("workspaces", "match"),
    [
        ({"acme": []}, "No Ashby connector in the workspace 'acme'"),
        ({}, "No Ashby connector in the workspace 'acme'"),
        ({"acme": ["c1", "c2"]}, "2 Ashby connectors in the workspace 'acme'"),
    ],
)
def test_workspace_lookup_none_or_several(workspaces, match):
    """No connector, or several, in the workspace is a ConfigurationError saying what
    to do."""
    with (
        FakeAshby(RECORDS, workspaces=workspaces) as fake,
        fake.client(connector_id=None, workspace_name="acme") as c,
        pytest.raises(aq.ConfigurationError, match=match) as info,
    ):
        c.jobs.list()
    assert "connector_id=" in str(info.value)


def test_missing_connector_message_names_every_way():
    """With neither connector id nor workspace, the message names the argument, the
    variable and the CLI flag."""
    with pytest.raises(aq.ConfigurationError) as info:
        aq.AshbyClient(token="t", env={})
    for way in ("connector_id=", "AIRBYTE_CONNECTOR_ID", "--connector-id", "workspace_name="):
        assert way in str(info.value)


def test_mode_and_list_style_are_checked():
    """mode and list_style take only their named values, with a message that lists them."""
    client, _ = _capture(connector_id="c")
    with pytest.raises(aq.ConfigurationError, match="mode must be one of 'hosted', 'local'"):
        client.jobs.search("", mode="remote")
    with pytest.raises(aq.ConfigurationError, match="list_style must be one of"):
        FakeAshby(list_style="data")


def test_httpx_timeout_and_caller_owned_http_client():
    """An httpx.Timeout is accepted; an http_client= is used and never closed by us."""
    seen = []

    def handler(request):
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json={"status": "success", "result": []})

    http = httpx.Client(transport=httpx.MockTransport(handler), timeout=7.0)
    with aq.AshbyClient("c", token="t", env={}, http_client=http) as client:
        client.jobs.list()
    assert not http.is_closed
    with aq.AshbyClient(
        "c", token="t", env={}, http_client=http, timeout=httpx.Timeout(3.0, connect=1.0)
    ) as client:
        client.jobs.list()
    assert 7.0 == seen[0]["read"]
    assert (3.0, 1.0) == (seen[1]["read"], seen[1]["connect"])
    own = aq.AshbyClient(
        "c", token="t", env={}, timeout=httpx.Timeout(2.0), transport=httpx.MockTransport(handler)
    )
    own.jobs.list()
    own.close()
    assert 2.0 == seen[2]["read"]
    assert own._http.is_closed
    http.close()
    with pytest.raises(aq.ConfigurationError, match="not both"):
        aq.AshbyClient(
            "c", token="t", env={}, http_client=http, transport=httpx.MockTransport(handler)
        )
    with pytest.raises(aq.ConfigurationError, match=r"httpx\.AsyncClient"):
        aq.AsyncAshbyClient("c", token="t", env={}, http_client=http)
    for bad in (0, -1, float("nan"), float("inf"), "5", True):
        with pytest.raises(aq.ConfigurationError, match="timeout"):
            aq.AshbyClient("c", token="t", env={}, timeout=bad)


def test_async_http_client_is_not_closed():
    """The async client leaves a caller's httpx.AsyncClient open."""

    async def main():
        http = httpx.AsyncClient(
            transport=httpx.MockTransport(
                lambda r: httpx.Response(200, json={"status": "success", "result": []})
            )
        )
        async with aq.AsyncAshbyClient("c", token="t", env={}, http_client=http) as client:
            await client.jobs.list()
        still_open = not http.is_closed
        await http.aclose()
        return still_open

    assert run(main())


def test_async_client_retries_under_trio():
    """The async client sleeps through anyio, so its retries work under trio."""
    trio = pytest.importorskip("trio")
    answers = [httpx.Response(503, json={}), httpx.Response(429, headers={"Retry-After": "0"})]

    def handler(request):
        if answers:
            return answers.pop(0)
        return httpx.Response(200, json={"status": "success", "result": [{"id": "j1"}]})

    async def main():
        async with aq.AsyncAshbyClient(
            "c",
            token="t",
            env={},
            transport=httpx.MockTransport(handler),
            retry=RetryPolicy(base_delay=0.001),
        ) as client:
            return await client.jobs.list()

    assert [{"id": "j1"}] == trio.run(main).records
    assert [] == answers


def test_in_process_fake_needs_no_socket():
    """FakeAshby(in_process=True) answers both clients through httpx.MockTransport; a
    slow fault past the read timeout is a timeout at once, and is retried."""
    with FakeAshby(RECORDS, in_process=True) as fake:
        assert fake._server is None
        with fake.client(timeout=0.5) as c:
            fake.slow(30)
            assert ids(RECORDS["jobs"][:2]) == ids(c.jobs.list(limit=2).records)
            fake.fail(429, retry_after=0.01)
            assert c.jobs.search('status = "Open"').records

        async def main():
            async with fake.async_client() as ac:
                return [r["id"] async for r in ac.users.iter_list(page_size=40)]

        assert ids(RECORDS["users"]) == run(main())
    assert 5 <= len(fake.requests)
    assert "in process" in repr(fake)


def test_user_agent_names_the_library_and_version():
    """Every request says User-Agent: ashby-query/<version>."""
    from importlib.metadata import version

    client, seen = _capture(connector_id="c")
    client.jobs.list()
    assert f"ashby-query/{version('ashby-query')}" == seen[0].headers["user-agent"]


def test_redirect_is_an_api_error_naming_base_url():
    """A 3xx is not followed: it raises APIError saying to check base_url."""
    client, _ = _capture(
        connector_id="c",
        transport=httpx.MockTransport(
            lambda r: httpx.Response(307, headers={"Location": "https://elsewhere.invalid/"})
        ),
    )
    with pytest.raises(aq.APIError, match="does not follow redirects") as info:
        client.jobs.list()
    assert 307 == info.value.status_code


def test_fake_records_a_request_before_a_slow_fault_delays_it(fake):
    """A request is in fake.requests as soon as it arrives, not after a slow answer."""
    with fake.client(timeout=0.1, retry=RetryPolicy(attempts=1)) as c:
        fake.slow(0.5)
        before = len(fake.requests)
        with pytest.raises(aq.RequestTimeout):
            c.jobs.list()
        assert before + 1 == len(fake.requests)
        assert "jobs" == fake.requests[-1]["body"]["entity"]


@pytest.mark.parametrize(
    "body",
    [
        {"entity": "jobs", "action": "list", "params": {"limit": "5"}},
        {"entity": "jobs", "action": "list", "params": {"limit": -1}},
        {"entity": "jobs", "action": "list", "params": {"cursor": 12}},
        {"entity": "jobs", "action": "list", "params": {"cursor": "!!"}},
        {"entity": "jobs", "action": "list", "params": "x", "skip_truncation": True},
        {"entity": "jobs", "action": "list", "params": {}, "select_fields": "id"},
        {"entity": "jobs", "action": "list", "params": {}, "exclude_fields": [1]},
        {"entity": "jobs", "action": "nope", "params": {}},
    ],
)
def test_fake_answers_bad_requests_with_400(fake, body):
    """FakeAshby answers a malformed execute body with 400 and a message, never a crash."""
    answer = httpx.post(
        f"{fake.url}/api/v1/integrations/connectors/{fake.connector_id}/execute",
        json=body,
        headers={"Authorization": f"Bearer {fake.token}"},
    )
    assert 400 == answer.status_code
    assert answer.json()["errors"][0]["userPresentableMessage"]


def test_fake_keeps_only_the_selected_fields():
    """FakeAshby answers select_fields with the named fields and dotted paths only."""
    records = {"jobs": [{"id": "j1", "title": "T", "a.b": 1, "author": {"name": "N", "x": 2}}]}
    with FakeAshby(records) as fake, fake.client() as client:
        page = client.jobs.list(select_fields=["id", "author.name", "a.b", "missing.key"])
    assert [{"id": "j1", "author": {"name": "N"}, "a.b": 1}] == page.records
