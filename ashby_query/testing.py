"""A fake Ashby agent connector on 127.0.0.1 (or in process), for tests: yours and ours.

:class:`FakeAshby` serves the connector's ``execute`` endpoint, the token endpoint and
the connector lookup over records you give it, answering ``list``, ``get`` and
``context_store_search`` (with cursor paging) through the in-memory engine, in the
shapes Airbyte's own SDK parses. Faults can be switched on per test: 429 with
``Retry-After``, 5xx, slow answers, malformed JSON, 401.

>>> from ashby_query.testing import FakeAshby
>>> with FakeAshby({"candidates": [{"id": "c1", "name": "Ann"}]}) as fake:
...     with fake.client() as client:
...         client.candidates.search('name like "A%"').records
[{'id': 'c1', 'name': 'Ann'}]
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, get_args
from urllib.parse import parse_qs, urlsplit

import attrs
import httpx

from ._back.engine import project
from ._client.client import AshbyClient, AsyncAshbyClient
from ._client.core import (
    ASHBY_DEFINITION_ID,
    CONNECTORS_PATH,
    EXECUTE_PATH,
    TOKEN_PATH,
    RetryPolicy,
    check_choice,
)
from ._core.errors import QueryError
from ._core.schema import ENTITIES
from ._core.semantics import Semantics
from ._core.types import MAX_LIMIT
from ._front.builder import from_params

__all__ = ["FakeAshby", "Fault", "ListStyle"]

#: ``"connector_metadata"`` (the default, as the service answers and the SDK parses:
#: records straight in ``result``, paging in ``connector_metadata``) or ``"meta"``
#: (``result.data`` with ``result.meta``, an older shape kept to test tolerance).
ListStyle = Literal["connector_metadata", "meta"]

#: The SDK's hosted executor cuts text longer than this in collection answers unless
#: ``skip_truncation`` is true, and appends this suffix.
MAX_TEXT_FIELD_CHARS = 200
TRUNCATION_SUFFIX = (
    "... [truncated — use `get` action with the record id to retrieve the full value]"
)
IN_PROCESS_URL = "http://fake-ashby.invalid"


@attrs.frozen
class Fault:
    """One misbehaviour for the next request: a status, a delay, or a broken body."""

    status: int = 200
    delay: float = 0.0
    body: bytes | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    endpoint: str = "execute"


def _cursor(kind: str, key: str, offset: int) -> str:
    raw = json.dumps({"k": kind, "q": key, "o": offset}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _read_cursor(cursor: str, kind: str, key: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if data["k"] != kind or data["q"] != key or not isinstance(data["o"], int):
            raise ValueError
        if data["o"] < 0:
            raise ValueError
        return int(data["o"])
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        shown = repr(cursor)[:60]
        raise ValueError(f"The cursor {shown} does not belong to this {kind}.") from None


class FakeAshby:
    """A fake connector over fixture records, on loopback or in process.

    ``records`` maps entity names to lists of record dicts (entities left out are
    empty). ``list_page_size`` is how many records a ``list`` page holds when the caller
    gives no ``limit``; ``list_style`` picks the answer form for ``list`` (see
    :data:`ListStyle`); ``took_ms_float=True`` answers ``took_ms`` as a float, as old
    fakes did, to test tolerance. ``workspaces`` maps workspace names to the connector
    ids the connector lookup finds there (default: ``{"default": [connector_id]}``).
    ``semantics`` (:class:`ashby_query.Semantics`) is what each search operator means
    here, shared with the in-memory engine.

    With ``in_process=True`` no socket is opened: :meth:`transport` is an
    ``httpx.MockTransport`` that answers through :meth:`handle`, and :meth:`client` and
    :meth:`async_client` use it. ``requests`` records every request as it arrives:
    ``method``, ``path``, ``query``, ``headers`` (lower-case names) and ``body``.
    """

    def __init__(
        self,
        records: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        *,
        token: str = "test-token",
        client_id: str = "test-client",
        client_secret: str = "test-secret",
        connector_id: str = "test-connector",
        list_page_size: int = 100,
        list_style: ListStyle = "connector_metadata",
        took_ms_float: bool = False,
        workspaces: Mapping[str, Sequence[str]] | None = None,
        in_process: bool = False,
        semantics: Semantics | None = None,
    ) -> None:
        unknown = set(records or {}) - set(ENTITIES)
        if unknown:
            raise ValueError(
                f"Unknown entities {sorted(unknown)}; entities: {', '.join(ENTITIES)}."
            )
        self.records: dict[str, list[dict[str, Any]]] = {
            name: [dict(r) for r in (records or {}).get(name, [])] for name in ENTITIES
        }
        self.token = token
        self.client_id = client_id
        self.client_secret = client_secret
        self.connector_id = connector_id
        self.list_page_size = list_page_size
        self.list_style: ListStyle = check_choice(  # type: ignore[assignment]
            "list_style", list_style, get_args(ListStyle)
        )
        self.took_ms_float = took_ms_float
        if workspaces is None:
            workspaces = {"default": [connector_id]}
        self.workspaces = {k: list(v) for k, v in workspaces.items()}
        self.in_process = in_process
        self.semantics = semantics  # what each operator means when a search runs here
        self.requests: list[dict[str, Any]] = []
        self.issued_tokens: list[str] = []
        self._token_count = 0
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle --------------------------------------------------------------
    def start(self) -> FakeAshby:
        """Listen on an ephemeral port of 127.0.0.1 in a background thread (in process:
        nothing to start)."""
        if self._server is not None or self.in_process:
            return self
        handler = _handler(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        # A short poll interval lets stop() return at once instead of after 0.5 s.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="FakeAshby",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeAshby:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = "in process" if self.in_process else (self.url if self._server else "stopped")
        n = sum(len(v) for v in self.records.values())
        return f"<FakeAshby {where}, {n} records, {len(self.requests)} requests>"

    @property
    def url(self) -> str:
        """The base URL to give a client: ``http://127.0.0.1:PORT`` (in process, a
        placeholder that only :meth:`transport` answers)."""
        if self.in_process:
            return IN_PROCESS_URL
        if self._server is None:
            raise RuntimeError("FakeAshby is not running; call start() or use it in a with.")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def transport(self) -> httpx.MockTransport:
        """An ``httpx.MockTransport`` answering in this process, with no socket.

        It works for ``httpx.Client`` and ``httpx.AsyncClient`` alike. A :meth:`slow`
        fault longer than the request's read timeout raises ``httpx.ReadTimeout`` at
        once instead of waiting.
        """
        return httpx.MockTransport(self._mock_handler)

    def _mock_handler(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout") or {}
        read = timeouts.get("read")
        query = request.url.query.decode("ascii", "replace")
        path = request.url.path + (f"?{query}" if query else "")
        status, headers, body = self.handle(
            path,
            dict(request.headers),
            request.read(),
            method=request.method,
            read_timeout=read,
        )
        if status == -1:
            raise httpx.ReadTimeout("FakeAshby: the slow answer passed the read timeout.")
        return httpx.Response(status, headers=headers, content=body)

    def _client_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs.setdefault("token", self.token)
        kwargs.setdefault("retry", RetryPolicy(base_delay=0.01, max_delay=0.05, total=5))
        kwargs.setdefault("base_url", self.url)
        return kwargs

    def client(self, **kwargs: Any) -> AshbyClient:
        """An :class:`AshbyClient` pointed here, with quick retries."""
        kwargs = self._client_kwargs(kwargs)
        if self.in_process and "http_client" not in kwargs:
            kwargs.setdefault("transport", self.transport())
        return AshbyClient(kwargs.pop("connector_id", self.connector_id), **kwargs)

    def async_client(self, **kwargs: Any) -> AsyncAshbyClient:
        """An :class:`AsyncAshbyClient` pointed here, with quick retries."""
        kwargs = self._client_kwargs(kwargs)
        if self.in_process and "http_client" not in kwargs:
            kwargs.setdefault("transport", self.transport())
        return AsyncAshbyClient(kwargs.pop("connector_id", self.connector_id), **kwargs)

    # Faults -----------------------------------------------------------------
    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        retry_after: float | None = None,
        message: str | None = None,
        endpoint: str = "execute",
    ) -> None:
        """Answer the next ``times`` requests with ``status`` (429 may carry Retry-After)."""
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        body = json.dumps(
            {"errors": [{"userPresentableMessage": message or f"Injected fault {status}."}]}
        ).encode()
        self._push(Fault(status, body=body, headers=headers, endpoint=endpoint), times)

    def slow(self, seconds: float, *, times: int = 1) -> None:
        """Hold the next ``times`` answers for ``seconds``, past a client's timeout."""
        self._push(Fault(delay=seconds), times)

    def malformed(self, *, times: int = 1) -> None:
        """Answer the next ``times`` requests with 200 and a body that is not JSON."""
        self._push(Fault(body=b"{not json"), times)

    def unauthorized(self, *, times: int = 1) -> None:
        """Answer the next ``times`` requests with 401."""
        self.fail(401, times=times, message="Invalid or expired token.")

    def revoke_tokens(self) -> None:
        """Refuse every token issued so far (client credentials must renew)."""
        with self._lock:
            self.issued_tokens.clear()

    def _push(self, fault: Fault, times: int) -> None:
        with self._lock:
            self._faults.extend([fault] * times)

    def _next_fault(self, endpoint: str) -> Fault | None:
        with self._lock:
            if self._faults and self._faults[0].endpoint == endpoint:
                return self._faults.popleft()
        return None

    # Handling ---------------------------------------------------------------
    def handle(
        self,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        method: str = "POST",
        read_timeout: float | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one request: (status, headers, body). ``path`` may carry a query string.

        Every request is recorded in :attr:`requests` as it arrives, before any fault.
        """
        split = urlsplit(path)
        path = split.path
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        lower = {k.lower(): v for k, v in headers.items()}
        try:
            data = json.loads(body) if body else None
        except (ValueError, RecursionError):
            data = _UNPARSABLE
        with self._lock:
            self.requests.append(
                {
                    "method": method,
                    "path": path,
                    "query": query,
                    "headers": lower,
                    "body": None if data is _UNPARSABLE else data,
                }
            )
        endpoint = "token" if path == TOKEN_PATH else "execute"
        fault = self._next_fault(endpoint)
        if fault is not None:
            if fault.delay:
                if read_timeout is not None and fault.delay >= read_timeout:
                    return -1, {}, b""
                time.sleep(fault.delay)
            if fault.body is not None or fault.status != 200:
                return fault.status, dict(fault.headers), fault.body or b""
        if data is _UNPARSABLE:
            return _error(400, "The request body is not JSON, or is nested too deeply.")
        if path == TOKEN_PATH and method == "POST":
            return self._token(data)
        auth = lower.get("authorization", "")
        with self._lock:
            valid = {self.token, *self.issued_tokens} if self.token else set(self.issued_tokens)
        authorised = auth.startswith("Bearer ") and auth[7:] in valid
        if path == CONNECTORS_PATH and method == "GET":
            if not authorised:
                return _error(401, "Invalid or expired token.")
            return self._lookup(query)
        if path != EXECUTE_PATH.format(connector_id=self.connector_id) or method != "POST":
            return _error(404, f"No such endpoint {method} {path}.")
        if not authorised:
            return _error(401, "Invalid or expired token.")
        if not isinstance(data, dict):
            return _error(400, "The request body must be a JSON object.")
        try:
            result, meta = self._execute(data)
        except _Answer as answer:
            return answer.response
        envelope: dict[str, Any] = {
            "status": "success",
            "result": result,
            "execution_metadata": {"connector_instance_id": self.connector_id},
        }
        if meta is not None:
            envelope["connector_metadata"] = meta
        return 200, {"X-Request-Id": "fake-req"}, json.dumps(envelope).encode()

    def _lookup(self, query: Mapping[str, str]) -> tuple[int, dict[str, str], bytes]:
        name = query.get("workspace_name")
        if not name:
            return _error(400, "workspace_name is required.")
        found = self.workspaces.get(name, [])
        if query.get("definition_id", ASHBY_DEFINITION_ID) != ASHBY_DEFINITION_ID:
            found = []
        data = [{"id": cid, "workspace_name": name} for cid in found]
        return 200, {"X-Request-Id": "fake-req"}, json.dumps({"data": data}).encode()

    def _token(self, data: object) -> tuple[int, dict[str, str], bytes]:
        if (
            not isinstance(data, dict)
            or data.get("client_id") != self.client_id
            or data.get("client_secret") != self.client_secret
        ):
            return _error(401, "Unknown client id or secret.")
        with self._lock:
            self._token_count += 1
            token = f"issued-{self._token_count}"
            self.issued_tokens.append(token)
        return 200, {}, json.dumps({"access_token": token, "expires_in": 900}).encode()

    def _execute(self, data: Mapping[str, Any]) -> tuple[Any, dict[str, Any] | None]:
        entity, action = data.get("entity"), data.get("action")
        params = data.get("params") or {}
        if not isinstance(entity, str) or entity not in ENTITIES:
            raise _Answer(_error(400, f"Unknown entity {entity!r:.60}."))
        schema = ENTITIES[entity]
        if not isinstance(action, str) or action not in schema.actions:
            raise _Answer(_error(400, f"{entity} does not support {action!r:.60}."))
        if not isinstance(params, dict):
            raise _Answer(_error(400, "params must be a JSON object."))
        for name in ("select_fields", "exclude_fields"):
            value = data.get(name)
            if value is not None and (
                not isinstance(value, list) or not all(isinstance(f, str) for f in value)
            ):
                raise _Answer(_error(400, f"{name} must be a list of dotted field paths."))
        rows = self.records[entity]
        if action == "get":
            wanted = params.get(schema.get_param)
            for r in rows:
                if r.get("id") == wanted:
                    return _shape(data, [r])[0], None
            raise _Answer(_error(404, f"No {entity} record with id {wanted!r}."))
        if action == "list":
            page, meta = self._list(entity, rows, params)
        else:
            page, meta = self._search(entity, rows, params), None
        if isinstance(page, list):
            return _shape(data, page), meta
        page["data"] = _shape(data, page["data"])
        return page, meta

    def _list(
        self, entity: str, rows: list[dict[str, Any]], params: Mapping[str, Any]
    ) -> tuple[Any, dict[str, Any] | None]:
        size = params.get("limit") or self.list_page_size
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise _Answer(
                _error(400, f"limit must be a whole number, 1 or more, got {size!r:.40}.")
            )
        try:
            start = _read_cursor(params["cursor"], "list", entity) if params.get("cursor") else 0
        except ValueError as exc:
            raise _Answer(_error(400, str(exc))) from None
        page = [dict(r) for r in rows[start : start + size]]
        more = start + size < len(rows)
        cursor = _cursor("list", entity, start + size) if more else None
        if self.list_style == "connector_metadata":
            return page, {"cursor": cursor, "has_more": more}
        return {"data": page, "meta": {"cursor": cursor, "has_more": more}}, None

    def _search(
        self, entity: str, rows: list[dict[str, Any]], params: Mapping[str, Any]
    ) -> dict[str, Any]:
        started = time.perf_counter()
        paging = {k: params[k] for k in ("cursor", "limit") if k in params}
        body = {k: v for k, v in params.items() if k not in ("cursor", "limit")}
        try:
            q = from_params(body, entity)
        except QueryError as exc:
            raise _Answer(_error(400, str(exc))) from None
        key = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:12]
        size = paging.get("limit", MAX_LIMIT)
        if not isinstance(size, int) or not 1 <= size <= MAX_LIMIT:
            raise _Answer(_error(400, f"limit must be 1 to {MAX_LIMIT}, got {size!r}."))
        try:
            start = _read_cursor(paging["cursor"], "search", key) if "cursor" in paging else 0
        except ValueError as exc:
            raise _Answer(_error(400, str(exc))) from None
        matched = q.evaluate(rows, semantics=self.semantics)
        page = [dict(r) for r in matched[start : start + size]]
        took = round((time.perf_counter() - started) * 1000, 3)
        if self.took_ms_float and took.is_integer():
            took += 0.5  # a float with a fraction, as the option promises
        more = start + size < len(matched)
        return {
            "data": page,
            "meta": {
                "has_more": more,
                "cursor": _cursor("search", key, start + size) if more else None,
                "took_ms": took if self.took_ms_float else round(took),
            },
        }


_UNPARSABLE = object()


def _shape(body: Mapping[str, Any], records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply ``select_fields`` / ``exclude_fields`` and truncation as the service does."""
    select, exclude = body.get("select_fields"), body.get("exclude_fields")
    if select:
        records = [_pick(r, [str(f) for f in select]) for r in records]
    elif exclude:
        records = [_drop(r, [str(f) for f in exclude]) for r in records]
    if (
        body.get("action") in ("list", "context_store_search")
        and body.get("skip_truncation", True) is not True
    ):
        records = [_truncate(r) for r in records]
    return records


def _pick(record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """``select_fields``: a dotted name is a path, unless the record has it as a key."""
    return project(record, [(n,) if n in record else tuple(n.split(".")) for n in fields])


def _drop(record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    out = copy.deepcopy(record)
    for name in fields:
        if name in out:
            del out[name]
            continue
        *parents, last = name.split(".")
        target: Any = out
        for key in parents:
            target = target.get(key) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target.pop(last, None)
    return out


def _truncate(record: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(record)
    stack: list[Any] = [out]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(items):
            if isinstance(value, str) and len(value) > MAX_TEXT_FIELD_CHARS:
                node[key] = value[:MAX_TEXT_FIELD_CHARS] + TRUNCATION_SUFFIX
            elif isinstance(value, dict | list):
                stack.append(value)
    return out


class _Answer(Exception):
    def __init__(self, response: tuple[int, dict[str, str], bytes]) -> None:
        self.response = response


def _error(status: int, message: str) -> tuple[int, dict[str, str], bytes]:
    body = {"errors": [{"userPresentableMessage": message}], "request_id": "fake-req"}
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _handler(fake: FakeAshby) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Buffer the answer so headers and body leave in one write: split writes meet
        # Nagle's algorithm and delayed ACKs, which cost 40 ms a request on loopback.
        wbufsize = 1 << 16

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, payload = fake.handle(
                self.path, dict(self.headers), body, method=method
            )
            try:
                self.send_response(status)
                headers.setdefault("Content-Type", "application/json")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # The client gave up (a timeout test); nothing to tell it.

        def log_message(self, format: str, *args: Any) -> None:
            pass  # Quiet: tests read fake.requests instead.

    return Handler
