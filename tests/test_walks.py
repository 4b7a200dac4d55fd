"""Walks that finish and resume exactly, against servers that misbehave on purpose.

A scripted server (httpx.MockTransport) pages through numbered records; Hypothesis
chooses the records, the page size, where the reader stops and which requests fail.
"""

import asyncio
import json

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ashby_query as aq
from ashby_query import RetryPolicy
from ashby_query._client.core import DEFAULT_PAGE_CAP, MAX_EMPTY_PAGES, Resume


class Script:
    """A search endpoint over ``n`` records, ``size`` a page; fails the requests whose
    numbers are in ``failures`` with 503."""

    def __init__(self, n, size, failures=()):
        self.records = [{"id": f"r{i}"} for i in range(n)]
        self.size = size
        self.failures = set(failures)
        self.count = 0

    def __call__(self, request):
        self.count += 1
        if self.count in self.failures:
            return httpx.Response(503, json={"message": "Injected."})
        params = json.loads(request.content)["params"]
        start = int(params.get("cursor", "c0")[1:])
        page = self.records[start : start + self.size]
        more = start + self.size < len(self.records)
        meta = {"has_more": more, "cursor": f"c{start + self.size}" if more else None}
        return httpx.Response(
            200, json={"status": "success", "result": {"data": page, "meta": meta}}
        )


def sync_client(handler, **kw):
    kw.setdefault("retry", RetryPolicy(attempts=1))
    return aq.AshbyClient("conn", token="t", transport=httpx.MockTransport(handler), env={}, **kw)


def async_client(handler, **kw):
    kw.setdefault("retry", RetryPolicy(attempts=1))
    return aq.AsyncAshbyClient(
        "conn", token="t", transport=httpx.MockTransport(handler), env={}, **kw
    )


def ids(rows):
    return [r["id"] for r in rows]


walk_plans = st.tuples(
    st.integers(0, 40),  # records
    st.integers(1, 8),  # page size
    st.lists(st.integers(1, 30), max_size=6),  # requests that fail
    st.lists(st.integers(0, 12), max_size=8),  # records read before each stop
)


def _stop_here(got, stops):
    """Whether the reader stops now: at the next planned stop, counted modulo 13."""
    if stops and len(got) % 13 == stops[0] % 13:
        stops.pop(0)
        return True
    return False


def _run_sync(n, size, failures, stops):
    script = Script(n, size, failures)
    client = sync_client(script)
    got, resume, stops = [], None, list(stops)
    for _ in range(60):
        walk = client.candidates.iter_search("", resume=resume)
        assert resume is None or resume == walk.resume()
        try:
            for record in walk:
                got.append(record["id"])
                if _stop_here(got, stops):
                    break
        except aq.ServerError:
            pass
        resume = walk.resume()
        if walk.complete:
            break
    return script, got, walk


@given(walk_plans)
def test_interrupted_and_failing_walks_resume_exactly(plan):
    """Whatever fails and wherever the reader stops, resuming from walk.resume() hands
    out every record exactly once, in order."""
    n, size, failures, stops = plan
    script, got, walk = _run_sync(n, size, failures, stops)
    if walk.complete:
        assert ids(script.records) == got
    else:
        assert ids(script.records)[: len(got)] == got


@given(walk_plans)
def test_async_walks_resume_exactly(plan):
    """The async walk keeps its place the same way."""
    n, size, failures, stops = plan
    script = Script(n, size, failures)

    async def main():
        client = async_client(script)
        got, resume = [], None
        for _ in range(60):
            walk = client.candidates.iter_search("", resume=resume)
            assert resume is None or resume == walk.resume()
            try:
                async for record in walk:
                    got.append(record["id"])
                    if _stop_here(got, stops):
                        break
            except aq.ServerError:
                pass
            resume = walk.resume()
            if walk.complete:
                return got
        return None

    got = asyncio.run(main())
    assert got is None or ids(script.records) == got


def test_resumed_walk_that_fails_before_its_first_page_keeps_its_place():
    """A resumed walk whose first request fails still answers the resume it was given."""
    script = Script(20, 5, failures=[3])
    client = sync_client(script)
    walk = client.candidates.iter_search("")
    first = [next(walk)["id"] for _ in range(7)]
    resume = walk.resume()
    assert Resume("c5", 2) == resume
    again = client.candidates.iter_search("", resume=resume)
    with pytest.raises(aq.ServerError):
        next(again)
    assert resume == again.resume()
    rest = ids(client.candidates.iter_search("", resume=again.resume()))
    assert ids(script.records) == first + rest


def test_async_resumed_walk_that_fails_first_keeps_its_place():
    """The async twin starts from its resume too, and keeps it through a failure."""
    script = Script(20, 5, failures=[1])

    async def main():
        client = async_client(script)
        walk = client.candidates.iter_search("", resume=Resume("c10", 1))
        with pytest.raises(aq.ServerError):
            await walk.__anext__()
        assert Resume("c10", 1) == walk.resume()
        return [r["id"] async for r in client.candidates.iter_search("", resume=walk.resume())]

    assert ids(script.records[11:]) == asyncio.run(main())


# has_more must be a boolean ------------------------------------------------------

not_booleans = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@given(not_booleans)
def test_has_more_that_is_not_a_boolean_is_a_response_error(value):
    """ "false" (a string), 0, null, ... are refused, not read as true or false."""

    def handler(request):
        meta = {"has_more": value, "cursor": "c1"}
        return httpx.Response(
            200, json={"status": "success", "result": {"data": [{"id": "x"}], "meta": meta}}
        )

    client = sync_client(handler)
    with pytest.raises(aq.ResponseError, match="has_more must be true or false"):
        client.candidates.search("")
    with pytest.raises(aq.ResponseError):
        list(client.candidates.iter_search(""))


@given(not_booleans.filter(lambda v: v is not None))
def test_list_has_more_that_is_not_a_boolean_is_a_response_error(value):
    """The same holds for list pages and their connector_metadata."""

    def handler(request):
        body = {
            "status": "success",
            "result": [{"id": "x"}],
            "connector_metadata": {"has_more": value, "cursor": "c1"},
        }
        return httpx.Response(200, json=body)

    with pytest.raises(aq.ResponseError, match="has_more"):
        list(sync_client(handler).sources.iter_list())


# Page cap and endless servers ----------------------------------------------------


def endless(records_per_page):
    """A server that always has more, with a new cursor on every page."""
    count = {"n": 0}

    def handler(request):
        count["n"] += 1
        meta = {"has_more": True, "cursor": f"c{count['n']}"}
        data = [{"id": f"r{count['n']}-{i}"} for i in range(records_per_page)]
        return httpx.Response(
            200, json={"status": "success", "result": {"data": data, "meta": meta}}
        )

    return handler, count


@settings(max_examples=20)
@given(st.integers(1, 30), st.integers(1, 3))
def test_page_cap_stops_an_endless_server_and_resumes(cap, per_page):
    """The client's page_cap stops a server that never ends, with a resumable walk."""
    handler, count = endless(per_page)
    client = sync_client(handler, page_cap=cap)
    walk = client.candidates.iter_search("")
    got = []

    def read():
        for record in walk:
            got.append(record["id"])

    with pytest.raises(aq.PaginationError, match="page_cap"):
        read()
    assert cap == count["n"] == walk.pages
    assert cap * per_page == len(got)
    assert Resume(f"c{cap}", 0) == walk.resume()


def test_default_page_cap_is_documented_and_none_is_unbounded():
    """The default cap is DEFAULT_PAGE_CAP; page_cap=None lifts it; bad caps are refused."""
    handler, _ = endless(1)
    assert DEFAULT_PAGE_CAP == sync_client(handler)._core.page_cap
    assert sync_client(handler, page_cap=None)._core.page_cap is None
    for bad in (0, -1, 1.5, "10", True):
        with pytest.raises(aq.ConfigurationError, match="page_cap"):
            sync_client(handler, page_cap=bad)


@settings(max_examples=20)
@given(st.integers(0, MAX_EMPTY_PAGES - 1), st.integers(1, 5))
def test_empty_pages_with_new_cursors(empties, tail):
    """A few empty pages that say has_more are followed; MAX_EMPTY_PAGES in a row stop
    the walk, whatever cursors they hand out."""

    def handler(request):
        params = json.loads(request.content)["params"]
        n = int(params.get("cursor", "c0")[1:])
        if n < empties:
            data, more = [], True
        else:
            data, more = [{"id": f"r{n}"}], n < empties + tail - 1
        meta = {"has_more": more, "cursor": f"c{n + 1}" if more else None}
        return httpx.Response(
            200, json={"status": "success", "result": {"data": data, "meta": meta}}
        )

    assert tail == len(list(sync_client(handler).candidates.iter_search("")))
    handler2, count = endless(0)
    with pytest.raises(aq.PaginationError, match="empty pages"):
        list(sync_client(handler2).candidates.iter_search(""))
    assert MAX_EMPTY_PAGES == count["n"]


def test_walk_reprs_are_short_and_useful():
    """RecordWalk and SearchPage reprs say where the walk is and what the page holds."""
    script = Script(12, 5)
    client = sync_client(script)
    walk = client.candidates.iter_search("")
    assert "<RecordWalk 0 pages read, at Resume(cursor=None, offset=0)>" == repr(walk)
    next(walk)
    assert "<RecordWalk 1 pages read, at Resume(cursor=None, offset=1)>" == repr(walk)
    list(walk)
    assert "<RecordWalk 3 pages read, complete>" == repr(walk)
    page = client.candidates.search("")
    assert "<SearchPage 5 records, has_more=True, cursor='c5'>" == repr(page)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "2", True])
def test_bad_max_pages_is_a_configuration_error(bad):
    """max_pages must be a whole number of pages or None, checked when the walk is made."""
    client = sync_client(Script(3, 1))
    with pytest.raises(aq.ConfigurationError, match="max_pages"):
        client.candidates.iter_search("", max_pages=bad)
