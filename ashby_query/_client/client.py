"""``AshbyClient`` and ``AsyncAshbyClient``: thin twins over :mod:`._client_core`.

Each client only sends the core's requests with httpx and sleeps when told; the accessors
mirror the connector's SDK (``client.candidates.list()``,
``client.applications.get(application_id=...)``,
``client.jobs.context_store_search(query=...)``), with ``search``, ``iter_search`` and
``iter_list`` on top.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Generator, Iterator, Mapping
from typing import Any, TypeVar, Unpack, get_args

import anyio
import httpx

from .._back.compiler import Dialect
from .._core.schema import ENTITIES, Entity
from .._core.values import Clock
from .._front.builder import Query, Unchecked, as_query, checked_params
from .core import (
    CallOptions,
    ClientCore,
    ClientSettings,
    Failure,
    Mode,
    PageStep,
    Request,
    Response,
    Resume,
    SearchPage,
    Sleep,
    check_choice,
    check_pages,
    get_record,
    list_page,
    search_page,
    snake_params,
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
    field_case: str,
) -> dict[str, Any]:
    """Params for a search: text, queries and dicts are validated first (``Unchecked``
    opts out); text and queries have their field names spelt in ``field_case``, a dict
    goes as it is written."""
    compiled = not isinstance(query, Mapping | Unchecked)
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
    if compiled and field_case == "snake":
        params = snake_params(params)
    return params


def _field_case(core: ClientCore, options: CallOptions) -> str:
    return check_choice(
        "field_case", options.get("field_case", core.field_case), ("camel", "snake")
    )


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


_OPTION_NAMES = frozenset(CallOptions.__annotations__)


def _split_options(kwargs: Mapping[str, Any]) -> tuple[CallOptions, dict[str, Any]]:
    """Split ``get()``'s keywords into per-call options and the id keyword."""
    options: dict[str, Any] = {k: v for k, v in kwargs.items() if k in _OPTION_NAMES}
    return options, {k: v for k, v in kwargs.items() if k not in _OPTION_NAMES}  # type: ignore[return-value]


class _WalkState:
    """Where a walk stands, shared by both walk classes."""

    def __init__(self, resume: Resume | None) -> None:
        start = resume or Resume()
        self.cursor: str | None = start.cursor
        self.offset = start.offset
        self.pages = 0
        self.complete = False

    def _enter(self, step: PageStep) -> list[dict[str, Any]]:
        self.pages += 1
        self.cursor, self.offset = step.cursor, step.skip
        return step.page.records[step.skip :]

    def _leave(self, step: PageStep) -> None:
        if step.next_cursor is None:
            self.complete = True
        else:
            self.cursor, self.offset = step.next_cursor, 0

    def resume(self) -> Resume:
        """Where the next record lies: pass it as ``resume=`` to a new walk."""
        return Resume(self.cursor, self.offset)

    def __repr__(self) -> str:
        state = "complete" if self.complete else f"at {self.resume()!r}"
        return f"<{type(self).__name__} {self.pages} pages read, {state}>"


class RecordWalk(_WalkState, Iterator[dict[str, Any]]):
    """Records from page after page. ``resume()`` tells where the next record lies.

    ``cursor`` is the cursor of the page being handed out (``None`` for the first),
    ``offset`` how many of its records were handed out, ``pages`` how many pages were
    read, and ``complete`` whether the walk reached the last page. A walk given
    ``resume=`` starts there, and ``resume()`` answers that until a page arrives, even
    if the first request fails.

    >>> RecordWalk(iter([]), Resume("c2", 3))
    <RecordWalk 0 pages read, at Resume(cursor='c2', offset=3)>
    """

    def __init__(self, steps: Iterator[PageStep], resume: Resume | None = None) -> None:
        super().__init__(resume)
        self._it = self._run(steps)

    def _run(self, steps: Iterator[PageStep]) -> Iterator[dict[str, Any]]:
        for step in steps:
            for record in self._enter(step):
                self.offset += 1
                yield record
            self._leave(step)

    def __next__(self) -> dict[str, Any]:
        return next(self._it)


class AsyncRecordWalk(_WalkState, AsyncIterator[dict[str, Any]]):
    """The async twin of :class:`RecordWalk`."""

    def __init__(self, steps: AsyncIterator[PageStep], resume: Resume | None = None) -> None:
        super().__init__(resume)
        self._it = self._run(steps)

    async def _run(self, steps: AsyncIterator[PageStep]) -> AsyncIterator[dict[str, Any]]:
        async for step in steps:
            for record in self._enter(step):
                self.offset += 1
                yield record
            self._leave(step)

    async def __anext__(self) -> dict[str, Any]:
        return await self._it.__anext__()


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
    check_choice("mode", mode, get_args(Mode))


def _request_kwargs(core: ClientCore, req: Request, owned: bool) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"content": req.content, "headers": dict(req.headers)}
    if req.params is not None:
        kwargs["params"] = dict(req.params)
    if not owned and core.timeout_given:
        kwargs["timeout"] = core.timeout
    return kwargs


def _http_settings(transport: object, http_client: object, kind: type) -> None:
    if http_client is not None and not isinstance(http_client, kind):
        raise ConfigurationError(
            f"http_client must be an {kind.__module__}.{kind.__name__}, got "
            f"{type(http_client).__name__}."
        )
    if http_client is not None and transport is not None:
        raise ConfigurationError(
            "Pass transport= or http_client=, not both: give the transport to your "
            "http_client instead."
        )


# --------------------------------------------------------------------------- sync


class AshbyClient:
    """A client for the Ashby agent connector.

    Credentials come from the arguments or, when none is given, from the environment:
    ``AIRBYTE_CONNECTOR_ID``, ``AIRBYTE_TOKEN`` (or ``AIRBYTE_CLIENT_ID`` and
    ``AIRBYTE_CLIENT_SECRET``, exchanged for a token that is renewed before it expires),
    ``AIRBYTE_ORGANIZATION_ID``, ``AIRBYTE_WORKSPACE_NAME`` (to look the connector up when
    no connector id is given) and ``AIRBYTE_BASE_URL``. ``transport=`` replaces the
    network, for tests; ``http_client=`` uses an ``httpx.Client`` you own (the client
    never closes it).

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
        http_client: httpx.Client | None = None,
        **settings: Unpack[ClientSettings],
    ) -> None:
        _http_settings(transport, http_client, httpx.Client)
        self._core = ClientCore(connector_id, **settings)
        self._owned = http_client is None
        self._http = http_client or httpx.Client(timeout=self._core.timeout, transport=transport)
        _attach_resources(self, _resource)

    def __repr__(self) -> str:
        return _repr(self)

    def __enter__(self) -> AshbyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool (not an ``http_client=`` you passed in)."""
        if self._owned:
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
            r = self._http.request(
                req.method, req.url, **_request_kwargs(self._core, req, self._owned)
            )
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

    def execute(
        self,
        entity: str,
        action: str,
        params: Mapping[str, Any] | None = None,
        **options: Unpack[CallOptions],
    ) -> Any:
        """Run one action and return the ``result`` of the answer, as the service sent it."""
        return self._drive(self._core.call(entity, action, params, options))["result"]

    # Used by the resources.
    def _list(
        self, entity: Entity, cursor: str | None, limit: int | None, options: CallOptions
    ) -> SearchPage:
        params = {k: v for k, v in (("cursor", cursor), ("limit", limit)) if v is not None}
        return list_page(self._drive(self._core.call(entity.name, "list", params, options)))

    def _get(self, entity: Entity, params: dict[str, Any], options: CallOptions) -> dict[str, Any]:
        return get_record(self._drive(self._core.call(entity.name, "get", params, options)))

    def _search(self, entity: Entity, params: dict[str, Any], options: CallOptions) -> SearchPage:
        call = self._core.call(entity.name, "context_store_search", params, options)
        return search_page(self._drive(call))

    def _walk(
        self,
        entity: Entity,
        action: str,
        params: Mapping[str, Any],
        resume: Resume | None,
        max_pages: int | None,
        options: CallOptions,
    ) -> RecordWalk:
        check_pages("max_pages", max_pages)
        gen = walk(self._core, entity.name, action, params, resume, max_pages, options)
        return RecordWalk(self._steps(gen), resume)


class _ListResource:
    def __init__(self, client: AshbyClient, entity: Entity) -> None:
        self._client = client
        self._entity = entity

    def __repr__(self) -> str:
        return f"<{self._entity.name}: {', '.join(self._entity.actions)}>"

    def list(
        self,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        **options: Unpack[CallOptions],
    ) -> SearchPage:
        """One page of records: ``records``, ``has_more``, ``cursor``."""
        return self._client._list(self._entity, cursor, limit, options)

    def iter_list(
        self,
        *,
        page_size: int | None = None,
        max_pages: int | None = None,
        resume: Resume | None = None,
        **options: Unpack[CallOptions],
    ) -> RecordWalk:
        """Every record, page after page; see :class:`RecordWalk`."""
        params = {"limit": page_size} if page_size else {}
        return self._client._walk(self._entity, "list", params, resume, max_pages, options)


class _GetResource(_ListResource):
    def get(self, record_id: str | None = None, /, **kwargs: Any) -> dict[str, Any]:
        """One record by id: ``get(id="...")`` or the entity's own name for it; the
        per-call options (``select_fields=`` ...) may follow."""
        options, ids = _split_options(kwargs)
        params = _get_params(self._entity, record_id, ids)
        return self._client._get(self._entity, params, options)


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
        **options: Unpack[CallOptions],
    ) -> SearchPage:
        """One page of search results; ``query`` is params, query text or a Query."""
        case = _field_case(self._client._core, options)
        params = _search_params(self._entity, query, limit, cursor, fields, dialect, now, case)
        return self._client._search(self._entity, params, options)

    def search(
        self,
        query: QueryLike = "",
        *,
        mode: Mode = "hosted",
        dialect: str | Dialect | None = None,
        now: Clock = None,
        **options: Unpack[CallOptions],
    ) -> SearchPage:
        """One page of results, from the hosted store or (``mode="local"``) computed here
        from every ``list`` page with the in-memory engine."""
        _check_mode(mode)
        if mode == "local":
            q = as_query(query, self._entity.name)
            return _local_page(q, list(self.iter_list(**options)), now, whole=False)
        return self.context_store_search(query, dialect=dialect, now=now, **options)

    def iter_search(
        self,
        query: QueryLike = "",
        *,
        mode: Mode = "hosted",
        max_pages: int | None = None,
        resume: Resume | None = None,
        dialect: str | Dialect | None = None,
        now: Clock = None,
        **options: Unpack[CallOptions],
    ) -> RecordWalk:
        """Every matching record, page after page; see :class:`RecordWalk`."""
        _check_mode(mode)
        if mode == "local":
            q = as_query(query, self._entity.name)
            page = _local_page(q, list(self.iter_list(**options)), now, whole=True)
            step = PageStep(page, None, resume.offset if resume else 0, None)
            return RecordWalk(iter([step]), resume)
        case = _field_case(self._client._core, options)
        params = _search_params(self._entity, query, None, None, None, dialect, now, case)
        return self._client._walk(
            self._entity, "context_store_search", params, resume, max_pages, options
        )


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
        http_client: httpx.AsyncClient | None = None,
        **settings: Unpack[ClientSettings],
    ) -> None:
        _http_settings(transport, http_client, httpx.AsyncClient)
        self._core = ClientCore(connector_id, **settings)
        self._owned = http_client is None
        self._http = http_client or httpx.AsyncClient(
            timeout=self._core.timeout, transport=transport
        )
        _attach_resources(self, _async_resource)

    def __repr__(self) -> str:
        return _repr(self)

    async def __aenter__(self) -> AsyncAshbyClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (not an ``http_client=`` you passed in)."""
        if self._owned:
            await self._http.aclose()

    async def _drive(self, gen: Generator[Any, Any, T]) -> T:
        answer: Any = None
        try:
            while True:
                step = gen.send(answer)
                if isinstance(step, Sleep):
                    await anyio.sleep(step.seconds)
                    answer = None
                else:
                    answer = await self._send(step)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]

    async def _send(self, req: Request) -> Response | Failure:
        try:
            r = await self._http.request(
                req.method, req.url, **_request_kwargs(self._core, req, self._owned)
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
                await anyio.sleep(step.seconds)
                answer = None
            else:
                answer = await self._send(step)

    async def execute(
        self,
        entity: str,
        action: str,
        params: Mapping[str, Any] | None = None,
        **options: Unpack[CallOptions],
    ) -> Any:
        """Run one action and return the ``result`` of the answer, as the service sent it."""
        return (await self._drive(self._core.call(entity, action, params, options)))["result"]

    async def _list(
        self, entity: Entity, cursor: str | None, limit: int | None, options: CallOptions
    ) -> SearchPage:
        params = {k: v for k, v in (("cursor", cursor), ("limit", limit)) if v is not None}
        call = self._core.call(entity.name, "list", params, options)
        return list_page(await self._drive(call))

    async def _get(
        self, entity: Entity, params: dict[str, Any], options: CallOptions
    ) -> dict[str, Any]:
        call = self._core.call(entity.name, "get", params, options)
        return get_record(await self._drive(call))

    async def _search(
        self, entity: Entity, params: dict[str, Any], options: CallOptions
    ) -> SearchPage:
        call = self._core.call(entity.name, "context_store_search", params, options)
        return search_page(await self._drive(call))

    def _walk(
        self,
        entity: Entity,
        action: str,
        params: Mapping[str, Any],
        resume: Resume | None,
        max_pages: int | None,
        options: CallOptions,
    ) -> AsyncRecordWalk:
        check_pages("max_pages", max_pages)
        gen = walk(self._core, entity.name, action, params, resume, max_pages, options)
        return AsyncRecordWalk(self._steps(gen), resume)


class _AsyncListResource:
    def __init__(self, client: AsyncAshbyClient, entity: Entity) -> None:
        self._client = client
        self._entity = entity

    def __repr__(self) -> str:
        return f"<{self._entity.name}: {', '.join(self._entity.actions)}>"

    async def list(
        self,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        **options: Unpack[CallOptions],
    ) -> SearchPage:
        """One page of records: ``records``, ``has_more``, ``cursor``."""
        return await self._client._list(self._entity, cursor, limit, options)

    def iter_list(
        self,
        *,
        page_size: int | None = None,
        max_pages: int | None = None,
        resume: Resume | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncRecordWalk:
        """Every record, page after page (``async for``)."""
        params = {"limit": page_size} if page_size else {}
        return self._client._walk(self._entity, "list", params, resume, max_pages, options)


class _AsyncGetResource(_AsyncListResource):
    async def get(self, record_id: str | None = None, /, **kwargs: Any) -> dict[str, Any]:
        """One record by id."""
        options, ids = _split_options(kwargs)
        params = _get_params(self._entity, record_id, ids)
        return await self._client._get(self._entity, params, options)


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
        **options: Unpack[CallOptions],
    ) -> SearchPage:
        """One page of search results."""
        case = _field_case(self._client._core, options)
        params = _search_params(self._entity, query, limit, cursor, fields, dialect, now, case)
        return await self._client._search(self._entity, params, options)

    async def search(
        self,
        query: QueryLike = "",
        *,
        mode: Mode = "hosted",
        dialect: str | Dialect | None = None,
        now: Clock = None,
        **options: Unpack[CallOptions],
    ) -> SearchPage:
        """One page of results, hosted or (``mode="local"``) computed here."""
        _check_mode(mode)
        if mode == "local":
            q = as_query(query, self._entity.name)
            rows = [r async for r in self.iter_list(**options)]
            return _local_page(q, rows, now, whole=False)
        return await self.context_store_search(query, dialect=dialect, now=now, **options)

    def iter_search(
        self,
        query: QueryLike = "",
        *,
        mode: Mode = "hosted",
        max_pages: int | None = None,
        resume: Resume | None = None,
        dialect: str | Dialect | None = None,
        now: Clock = None,
        **options: Unpack[CallOptions],
    ) -> AsyncRecordWalk:
        """Every matching record, page after page (``async for``)."""
        _check_mode(mode)
        if mode == "local":
            q = as_query(query, self._entity.name)
            return AsyncRecordWalk(self._local_steps(q, resume, now, options), resume)
        case = _field_case(self._client._core, options)
        params = _search_params(self._entity, query, None, None, None, dialect, now, case)
        return self._client._walk(
            self._entity, "context_store_search", params, resume, max_pages, options
        )

    async def _local_steps(
        self, q: Query, resume: Resume | None, now: Clock, options: CallOptions
    ) -> AsyncIterator[PageStep]:
        page = _local_page(q, [r async for r in self.iter_list(**options)], now, whole=True)
        yield PageStep(page, None, resume.offset if resume else 0, None)


def _async_resource(client: AsyncAshbyClient, entity: Entity) -> _AsyncListResource:
    if entity.is_searchable:
        return _AsyncSearchResource(client, entity)
    if "get" in entity.actions:
        return _AsyncGetResource(client, entity)
    return _AsyncListResource(client, entity)
