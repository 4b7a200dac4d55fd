"""``AshbyClient`` and ``AsyncAshbyClient``: thin twins over :mod:`._client_core`.

Each client only sends the core's requests with httpx and sleeps when told; the accessors
mirror the connector's SDK (``client.candidates.list()``,
``client.applications.get(application_id=...)``,
``client.jobs.context_store_search(query=...)``), with ``search``, ``iter_search`` and
``iter_list`` on top.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Generator, Iterator, Mapping
from typing import Any, TypeVar, Unpack

import httpx

from .._back.compiler import Dialect
from .._core.schema import ENTITIES, Entity
from .._core.values import Clock
from .._front.builder import Query, Unchecked, as_query, checked_params
from .core import (
    ClientCore,
    ClientSettings,
    Failure,
    PageStep,
    Request,
    Response,
    Resume,
    SearchPage,
    Sleep,
    get_record,
    list_page,
    search_page,
    walk,
)
from .errors import ConfigurationError

__all__ = ["AshbyClient", "AsyncAshbyClient", "RecordWalk"]

T = TypeVar("T")
QueryLike = Query | str | Mapping[str, Any] | Unchecked


def _failure(exc: httpx.TransportError) -> Failure:
    return Failure(f"{type(exc).__name__}: {exc}", isinstance(exc, httpx.TimeoutException))


def _response(r: httpx.Response) -> Response:
    return Response(r.status_code, dict(r.headers), r.content)


def _search_params(
    entity: Entity,
    query: QueryLike,
    limit: int | None,
    cursor: str | None,
    fields: list[Any] | None,
    dialect: str | Dialect | None,
    now: Clock,
) -> dict[str, Any]:
    """Params for a search: a dict goes as it is; text and queries are validated first."""
    if isinstance(query, Mapping | Unchecked):
        # Validated as in every other mode (Unchecked opts out); sent as written.
        params: dict[str, Any] = checked_params(query, entity)
    else:
        params = as_query(query, entity.name).to_params(dialect, now)
    if limit is not None:
        params["limit"] = limit
    if cursor is not None:
        params["cursor"] = cursor
    if fields is not None:
        params["fields"] = fields
    return params


def _get_params(entity: Entity, record_id: str | None, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    wire, py = entity.get_param or "id", entity.get_param_python or "id"
    extra = set(kwargs) - {wire, py}
    if extra or (record_id is None) == (not kwargs) or len(kwargs) > 1:
        raise TypeError(
            f'{entity.name}.get() takes one id: get({py}="...") or get("...")'
            + (f"; unexpected {sorted(extra)}" if extra else "")
            + "."
        )
    value = record_id if record_id is not None else next(iter(kwargs.values()))
    if not isinstance(value, str) or not value:
        raise TypeError(f"{entity.name}.get() needs a non-empty string id, got {value!r}.")
    return {wire: value}


class RecordWalk(Iterator[dict[str, Any]]):
    """Records from page after page. ``resume()`` tells where it stands.

    ``cursor`` is the cursor of the page being handed out (``None`` for the first),
    ``offset`` how many of its records were handed out, ``pages`` how many pages were
    read, and ``complete`` whether the walk reached the last page.
    """

    def __init__(self, steps: Iterator[PageStep]) -> None:
        self.cursor: str | None = None
        self.offset = 0
        self.pages = 0
        self.complete = False
        self._it = self._run(steps)

    def _run(self, steps: Iterator[PageStep]) -> Iterator[dict[str, Any]]:
        for step in steps:
            self.pages += 1
            self.cursor, self.offset = step.cursor, step.skip
            for record in step.page.records[step.skip :]:
                self.offset += 1
                yield record
            if step.next_cursor is None:
                self.complete = True
            else:
                self.cursor, self.offset = step.next_cursor, 0

    def __next__(self) -> dict[str, Any]:
        return next(self._it)

    def resume(self) -> Resume:
        """Where to go on from: pass it as ``resume=`` to a new walk."""
        return Resume(self.cursor, self.offset)


class AsyncRecordWalk(AsyncIterator[dict[str, Any]]):
    """The async twin of :class:`RecordWalk`."""

    def __init__(self, steps: AsyncIterator[PageStep]) -> None:
        self.cursor: str | None = None
        self.offset = 0
        self.pages = 0
        self.complete = False
        self._it = self._run(steps)

    async def _run(self, steps: AsyncIterator[PageStep]) -> AsyncIterator[dict[str, Any]]:
        async for step in steps:
            self.pages += 1
            self.cursor, self.offset = step.cursor, step.skip
            for record in step.page.records[step.skip :]:
                self.offset += 1
                yield record
            if step.next_cursor is None:
                self.complete = True
            else:
                self.cursor, self.offset = step.next_cursor, 0

    async def __anext__(self) -> dict[str, Any]:
        return await self._it.__anext__()

    def resume(self) -> Resume:
        """Where to go on from: pass it as ``resume=`` to a new walk."""
        return Resume(self.cursor, self.offset)


def _attach_resources(client: Any, make: Any) -> None:
    """Give ``client`` one accessor per entity, with only the actions the entity has."""
    for name, entity in ENTITIES.items():
        setattr(client, name, make(client, entity))


def _repr(client: Any) -> str:
    return repr(client._core).replace("ashby-query client", type(client).__name__)


def _local_page(q: Query, records: list[dict[str, Any]], now: Clock, *, whole: bool) -> SearchPage:
    """Local mode's answer: ``records`` (every list page) run through the engine.

    With ``whole`` the query's limit is dropped, as a walk treats it as a page size.
    """
    if whole:
        q = q.limit(None)
    return SearchPage([dict(r) for r in q.evaluate(records, now)])


def _check_mode(mode: str) -> None:
    if mode not in ("hosted", "local"):
        raise ConfigurationError(f"mode must be 'hosted' or 'local', got {mode!r}.")


# --------------------------------------------------------------------------- sync


class AshbyClient:
    """A client for the Ashby agent connector.

    Credentials come from the arguments or, when none is given, from the environment:
    ``AIRBYTE_CONNECTOR_ID``, ``AIRBYTE_TOKEN`` (or ``AIRBYTE_CLIENT_ID`` and
    ``AIRBYTE_CLIENT_SECRET``, exchanged for a token that is renewed before it expires)
    and ``AIRBYTE_BASE_URL``. ``transport=`` replaces the network, for tests.

    >>> answer = {"status": "success", "result": {"id": "c1"}}
    >>> client = AshbyClient("conn-1", token="t", transport=httpx.MockTransport(
    ...     lambda request: httpx.Response(200, json=answer)))
    >>> client.candidates.get(id="c1")
    {'id': 'c1'}
    """

    candidates: _SearchResource
    applications: _SearchResource
    jobs: _SearchResource
    departments: _GetResource
    locations: _GetResource
    users: _SearchResource
    job_postings: _SearchResource
    sources: _ListResource
    archive_reasons: _ListResource
    candidate_tags: _ListResource
    custom_fields: _ListResource
    feedback_form_definitions: _ListResource

    def __init__(
        self,
        connector_id: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        **settings: Unpack[ClientSettings],
    ) -> None:
        self._core = ClientCore(connector_id, **settings)
        self._http = httpx.Client(timeout=self._core.timeout, transport=transport)
        _attach_resources(self, _resource)

    def __repr__(self) -> str:
        return _repr(self)

    def __enter__(self) -> AshbyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _drive(self, gen: Generator[Any, Any, T]) -> T:
        answer: Any = None
        try:
            while True:
                step = gen.send(answer)
                if isinstance(step, Sleep):
                    time.sleep(step.seconds)
                    answer = None
                else:
                    answer = self._send(step)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]

    def _send(self, req: Request) -> Response | Failure:
        try:
            r = self._http.request(req.method, req.url, json=req.json, headers=dict(req.headers))
        except httpx.TransportError as exc:
            return _failure(exc)
        return _response(r)

    def _steps(self, gen: Generator[Any, Any, None]) -> Iterator[PageStep]:
        answer: Any = None
        while True:
            try:
                step = gen.send(answer)
            except StopIteration:
                return
            if isinstance(step, PageStep):
                answer = None
                yield step
            elif isinstance(step, Sleep):
                time.sleep(step.seconds)
                answer = None
            else:
                answer = self._send(step)

    def execute(self, entity: str, action: str, params: Mapping[str, Any] | None = None) -> Any:
        """Run one action and return the ``result`` of the answer, as the service sent it."""
        return self._drive(self._core.call(entity, action, params))["result"]

    # Used by the resources.
    def _list(self, entity: Entity, cursor: str | None, limit: int | None) -> SearchPage:
        params = {k: v for k, v in (("cursor", cursor), ("limit", limit)) if v is not None}
        return list_page(self._drive(self._core.call(entity.name, "list", params)))

    def _get(self, entity: Entity, params: dict[str, Any]) -> dict[str, Any]:
        return get_record(self._drive(self._core.call(entity.name, "get", params)))

    def _search(self, entity: Entity, params: dict[str, Any]) -> SearchPage:
        envelope = self._drive(self._core.call(entity.name, "context_store_search", params))
        return search_page(envelope)

    def _walk(
        self,
        entity: Entity,
        action: str,
        params: Mapping[str, Any],
        resume: Resume | None,
        max_pages: int | None,
    ) -> RecordWalk:
        gen = walk(self._core, entity.name, action, params, resume=resume, max_pages=max_pages)
        return RecordWalk(self._steps(gen))


class _ListResource:
    def __init__(self, client: AshbyClient, entity: Entity) -> None:
        self._client = client
        self._entity = entity

    def __repr__(self) -> str:
        return f"<{self._entity.name}: {', '.join(self._entity.actions)}>"

    def list(self, *, cursor: str | None = None, limit: int | None = None) -> SearchPage:
        """One page of records: ``records``, ``has_more``, ``cursor``."""
        return self._client._list(self._entity, cursor, limit)

    def iter_list(
        self,
        *,
        page_size: int | None = None,
        max_pages: int | None = None,
        resume: Resume | None = None,
    ) -> RecordWalk:
        """Every record, page after page; see :class:`RecordWalk`."""
        params = {"limit": page_size} if page_size else {}
        return self._client._walk(self._entity, "list", params, resume, max_pages)


class _GetResource(_ListResource):
    def get(self, record_id: str | None = None, /, **kwargs: str) -> dict[str, Any]:
        """One record by id: ``get(id="...")`` or the entity's own name for it."""
        return self._client._get(self._entity, _get_params(self._entity, record_id, kwargs))


class _SearchResource(_GetResource):
    def context_store_search(
        self,
        query: QueryLike,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        fields: list[Any] | None = None,
        dialect: str | Dialect | None = None,
        now: Clock = None,
    ) -> SearchPage:
        """One page of search results; ``query`` is params, query text or a Query."""
        params = _search_params(self._entity, query, limit, cursor, fields, dialect, now)
        return self._client._search(self._entity, params)

    def search(
        self,
        query: QueryLike = "",
        *,
        mode: str = "hosted",
        dialect: str | Dialect | None = None,
        now: Clock = None,
    ) -> SearchPage:
        """One page of results, from the hosted store or (``mode="local"``) computed here
        from every ``list`` page with the in-memory engine."""
        _check_mode(mode)
        if mode == "local":
            q = as_query(query, self._entity.name)
            return _local_page(q, list(self.iter_list()), now, whole=False)
        return self.context_store_search(query, dialect=dialect, now=now)

    def iter_search(
        self,
        query: QueryLike = "",
        *,
        mode: str = "hosted",
        max_pages: int | None = None,
        resume: Resume | None = None,
        dialect: str | Dialect | None = None,
        now: Clock = None,
    ) -> RecordWalk:
        """Every matching record, page after page; see :class:`RecordWalk`."""
        _check_mode(mode)
        if mode == "local":
            q = as_query(query, self._entity.name)
            page = _local_page(q, list(self.iter_list()), now, whole=True)
            return RecordWalk(iter([PageStep(page, None, resume.offset if resume else 0, None)]))
        params = _search_params(self._entity, query, None, None, None, dialect, now)
        return self._client._walk(self._entity, "context_store_search", params, resume, max_pages)


def _resource(client: AshbyClient, entity: Entity) -> _ListResource:
    if entity.is_searchable:
        return _SearchResource(client, entity)
    if "get" in entity.actions:
        return _GetResource(client, entity)
    return _ListResource(client, entity)


# --------------------------------------------------------------------------- async


class AsyncAshbyClient:
    """The async twin of :class:`AshbyClient`: the same accessors, awaited."""

    candidates: _AsyncSearchResource
    applications: _AsyncSearchResource
    jobs: _AsyncSearchResource
    departments: _AsyncGetResource
    locations: _AsyncGetResource
    users: _AsyncSearchResource
    job_postings: _AsyncSearchResource
    sources: _AsyncListResource
    archive_reasons: _AsyncListResource
    candidate_tags: _AsyncListResource
    custom_fields: _AsyncListResource
    feedback_form_definitions: _AsyncListResource

    def __init__(
        self,
        connector_id: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        **settings: Unpack[ClientSettings],
    ) -> None:
        self._core = ClientCore(connector_id, **settings)
        self._http = httpx.AsyncClient(timeout=self._core.timeout, transport=transport)
        _attach_resources(self, _async_resource)

    def __repr__(self) -> str:
        return _repr(self)

    async def __aenter__(self) -> AsyncAshbyClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _drive(self, gen: Generator[Any, Any, T]) -> T:
        answer: Any = None
        try:
            while True:
                step = gen.send(answer)
                if isinstance(step, Sleep):
                    await asyncio.sleep(step.seconds)
                    answer = None
                else:
                    answer = await self._send(step)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]

    async def _send(self, req: Request) -> Response | Failure:
        try:
            r = await self._http.request(
                req.method, req.url, json=req.json, headers=dict(req.headers)
            )
        except httpx.TransportError as exc:
            return _failure(exc)
        return _response(r)

    async def _steps(self, gen: Generator[Any, Any, None]) -> AsyncIterator[PageStep]:
        answer: Any = None
        while True:
            try:
                step = gen.send(answer)
            except StopIteration:
                return
            if isinstance(step, PageStep):
                answer = None
                yield step
            elif isinstance(step, Sleep):
                await asyncio.sleep(step.seconds)
                answer = None
            else:
                answer = await self._send(step)

    async def execute(
        self, entity: str, action: str, params: Mapping[str, Any] | None = None
    ) -> Any:
        """Run one action and return the ``result`` of the answer, as the service sent it."""
        return (await self._drive(self._core.call(entity, action, params)))["result"]

    async def _list(self, entity: Entity, cursor: str | None, limit: int | None) -> SearchPage:
        params = {k: v for k, v in (("cursor", cursor), ("limit", limit)) if v is not None}
        return list_page(await self._drive(self._core.call(entity.name, "list", params)))

    async def _get(self, entity: Entity, params: dict[str, Any]) -> dict[str, Any]:
        return get_record(await self._drive(self._core.call(entity.name, "get", params)))

    async def _search(self, entity: Entity, params: dict[str, Any]) -> SearchPage:
        envelope = await self._drive(self._core.call(entity.name, "context_store_search", params))
        return search_page(envelope)

    def _walk(
        self,
        entity: Entity,
        action: str,
        params: Mapping[str, Any],
        resume: Resume | None,
        max_pages: int | None,
    ) -> AsyncRecordWalk:
        gen = walk(self._core, entity.name, action, params, resume=resume, max_pages=max_pages)
        return AsyncRecordWalk(self._steps(gen))


class _AsyncListResource:
    def __init__(self, client: AsyncAshbyClient, entity: Entity) -> None:
        self._client = client
        self._entity = entity

    def __repr__(self) -> str:
        return f"<{self._entity.name}: {', '.join(self._entity.actions)}>"

    async def list(self, *, cursor: str | None = None, limit: int | None = None) -> SearchPage:
        """One page of records: ``records``, ``has_more``, ``cursor``."""
        return await self._client._list(self._entity, cursor, limit)

    def iter_list(
        self,
        *,
        page_size: int | None = None,
        max_pages: int | None = None,
        resume: Resume | None = None,
    ) -> AsyncRecordWalk:
        """Every record, page after page (``async for``)."""
        params = {"limit": page_size} if page_size else {}
        return self._client._walk(self._entity, "list", params, resume, max_pages)


class _AsyncGetResource(_AsyncListResource):
    async def get(self, record_id: str | None = None, /, **kwargs: str) -> dict[str, Any]:
        """One record by id."""
        params = _get_params(self._entity, record_id, kwargs)
        return await self._client._get(self._entity, params)


class _AsyncSearchResource(_AsyncGetResource):
    async def context_store_search(
        self,
        query: QueryLike,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        fields: list[Any] | None = None,
        dialect: str | Dialect | None = None,
        now: Clock = None,
    ) -> SearchPage:
        """One page of search results."""
        params = _search_params(self._entity, query, limit, cursor, fields, dialect, now)
        return await self._client._search(self._entity, params)

    async def search(
        self,
        query: QueryLike = "",
        *,
        mode: str = "hosted",
        dialect: str | Dialect | None = None,
        now: Clock = None,
    ) -> SearchPage:
        """One page of results, hosted or (``mode="local"``) computed here."""
        _check_mode(mode)
        if mode == "local":
            q = as_query(query, self._entity.name)
            return _local_page(q, [r async for r in self.iter_list()], now, whole=False)
        return await self.context_store_search(query, dialect=dialect, now=now)

    def iter_search(
        self,
        query: QueryLike = "",
        *,
        mode: str = "hosted",
        max_pages: int | None = None,
        resume: Resume | None = None,
        dialect: str | Dialect | None = None,
        now: Clock = None,
    ) -> AsyncRecordWalk:
        """Every matching record, page after page (``async for``)."""
        _check_mode(mode)
        if mode == "local":
            q = as_query(query, self._entity.name)
            return AsyncRecordWalk(self._local_steps(q, resume, now))
        params = _search_params(self._entity, query, None, None, None, dialect, now)
        return self._client._walk(self._entity, "context_store_search", params, resume, max_pages)

    async def _local_steps(
        self, q: Query, resume: Resume | None, now: Clock
    ) -> AsyncIterator[PageStep]:
        page = _local_page(q, [r async for r in self.iter_list()], now, whole=True)
        yield PageStep(page, None, resume.offset if resume else 0, None)


def _async_resource(client: AsyncAshbyClient, entity: Entity) -> _AsyncListResource:
    if entity.is_searchable:
        return _AsyncSearchResource(client, entity)
    if "get" in entity.actions:
        return _AsyncGetResource(client, entity)
    return _AsyncListResource(client, entity)
