"""Everything the clients do that is not I/O: one core behind both twins.

A call is a generator. It yields :class:`Request` (send this, send me the
:class:`Response` or :class:`Failure`) and :class:`Sleep` (wait, then send ``None``), and
returns the decoded envelope. Token renewal, retries with back-off, error mapping and
response decoding all live here; :mod:`._client` only drives the generator with
``httpx.Client`` or ``httpx.AsyncClient``. Page walks are generators too, yielding
:class:`PageStep` between their I/O steps.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections.abc import Callable, Generator, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, TypedDict, Unpack

import attrs

from .errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientError,
    ConfigurationError,
    NotFoundError,
    PaginationError,
    RateLimitError,
    RequestTimeout,
    ResponseError,
    ServerError,
    TransportError,
)

__all__ = ["ClientCore", "ClientSettings", "Resume", "RetryPolicy", "SearchPage"]

log = logging.getLogger("ashby_query")

DEFAULT_BASE_URL = "https://api.airbyte.ai"
EXECUTE_PATH = "/api/v1/integrations/connectors/{connector_id}/execute"
TOKEN_PATH = "/api/v1/account/applications/token"
TOKEN_LIFETIME = 15 * 60.0
TOKEN_MARGIN = 60.0


@attrs.frozen
class RetryPolicy:
    """When to try again: 429, 5xx and transport errors, with exponential back-off.

    ``attempts`` counts every try, the first included; ``total`` bounds the seconds
    spent waiting across them. A ``Retry-After`` from the service is honoured as given,
    as long as it fits in what is left of ``total``. Other errors are never retried.
    """

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    total: float = 30.0
    jitter: bool = True

    def delay(
        self, attempt: int, error: ClientError, waited: float, rng: random.Random
    ) -> float | None:
        """Seconds to wait before try ``attempt + 1``, or ``None`` to give up."""
        if attempt >= self.attempts or not retryable(error):
            return None
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            wait = error.retry_after
        else:
            wait = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
            if self.jitter:
                wait = rng.uniform(wait / 2, wait)
        if waited + wait > self.total:
            return None
        return wait


def retryable(error: ClientError) -> bool:
    """429, 5xx and transport failures are worth another try; nothing else is."""
    return isinstance(error, RateLimitError | ServerError | TransportError)


@attrs.frozen
class Request:
    """One HTTP request for a driver to send."""

    method: str
    url: str
    json: Any = attrs.field(repr=False)  # the token request carries the client secret
    headers: Mapping[str, str] = attrs.field(repr=False)


@attrs.frozen
class Response:
    """What a driver got back."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes


@attrs.frozen
class Failure:
    """No response: the driver's transport failed (``timeout`` tells which way)."""

    message: str
    timeout: bool = False


@attrs.frozen
class Sleep:
    """Wait this many seconds, then go on."""

    seconds: float


@attrs.frozen
class SearchPage:
    """One page of results: ``records`` (plain dicts), ``has_more``, ``cursor``, ``took_ms``."""

    records: list[dict[str, Any]]
    has_more: bool = False
    cursor: str | None = None
    took_ms: float | None = None


@attrs.frozen
class Resume:
    """Where a record walk stands: the cursor of its page and how many of that page's
    records were already handed out. Pass it back as ``resume=`` to go on from there."""

    cursor: str | None = None
    offset: int = 0


@attrs.frozen
class PageStep:
    """A page a walk reached: skip ``skip`` records, then go on at ``next_cursor``."""

    page: SearchPage
    cursor: str | None
    skip: int
    next_cursor: str | None


Step = Request | Sleep
Call = Generator[Step, Any, dict[str, Any]]


def _env(name: str, env: Mapping[str, str]) -> str | None:
    value = env.get(name)
    return value if value else None


class ClientSettings(TypedDict, total=False):
    """The settings both clients take besides ``connector_id`` and ``transport``."""

    token: str | None
    client_id: str | None
    client_secret: str | None
    base_url: str | None
    timeout: float
    retry: RetryPolicy | None
    env: Mapping[str, str] | None


class ClientCore:
    """Settings, credentials and every decision a client makes, with no I/O."""

    def __init__(
        self,
        connector_id: str | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        **settings: Unpack[ClientSettings],
    ) -> None:
        token = settings.get("token")
        client_id = settings.get("client_id")
        client_secret = settings.get("client_secret")
        base_url = settings.get("base_url")
        timeout = settings.get("timeout", 30.0)
        retry = settings.get("retry")
        env = settings.get("env")
        env = os.environ if env is None else env
        self.connector_id = connector_id or _env("AIRBYTE_CONNECTOR_ID", env)
        if not self.connector_id:
            raise ConfigurationError(
                "No connector id: pass connector_id= or set AIRBYTE_CONNECTOR_ID to the id "
                "of your Ashby agent connector."
            )
        explicit = token is not None or client_id is not None or client_secret is not None
        if not explicit:
            token = _env("AIRBYTE_TOKEN", env)
            client_id = _env("AIRBYTE_CLIENT_ID", env)
            client_secret = _env("AIRBYTE_CLIENT_SECRET", env)
        if token is None and (client_id is None or client_secret is None):
            raise ConfigurationError(
                "No credentials: pass token=, or client_id= and client_secret=, or set "
                "AIRBYTE_TOKEN, or AIRBYTE_CLIENT_ID and AIRBYTE_CLIENT_SECRET."
            )
        self._token = token
        self._client_id = client_id
        self._client_secret = client_secret
        self._can_renew = client_id is not None and client_secret is not None
        self._token_expires = float("inf") if token is not None else 0.0
        self.base_url = (base_url or _env("AIRBYTE_BASE_URL", env) or DEFAULT_BASE_URL).rstrip("/")
        if timeout <= 0:
            raise ConfigurationError(
                f"timeout must be a positive number of seconds, got {timeout}."
            )
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._clock = clock
        self._rng = rng or random.Random()

    def __repr__(self) -> str:
        auth = "client credentials" if self._can_renew else "token"
        return (
            f"<ashby-query client connector_id={self.connector_id!r} "
            f"base_url={self.base_url!r} auth={auth}>"
        )

    # Requests ---------------------------------------------------------------
    @property
    def execute_url(self) -> str:
        """The connector's execute endpoint."""
        return self.base_url + EXECUTE_PATH.format(connector_id=self.connector_id)

    def _execute_request(self, body: Mapping[str, Any]) -> Request:
        return Request(
            "POST",
            self.execute_url,
            body,
            {"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"},
        )

    def _token_request(self) -> Request:
        return Request(
            "POST",
            self.base_url + TOKEN_PATH,
            {"client_id": self._client_id, "client_secret": self._client_secret},
            {"Content-Type": "application/json"},
        )

    # Calls ------------------------------------------------------------------
    def call(self, entity: str, action: str, params: Mapping[str, Any] | None) -> Call:
        """Execute one action: renew the token if due, retry what is worth it."""
        body: dict[str, Any] = {"entity": entity, "action": action}
        if params:
            body["params"] = dict(params)
        renewed = False
        while True:
            if self._can_renew and self._clock() >= self._token_expires - TOKEN_MARGIN:
                yield from self._renew_token()
                renewed = True
            try:
                return (
                    yield from self._exchange(
                        lambda: self._execute_request(body), what=f"{entity} {action}"
                    )
                )
            except AuthenticationError:
                if not self._can_renew or renewed:
                    raise
                # The token may have been revoked early: renew once and try again.
                self._token_expires = 0.0
                renewed = True

    def _renew_token(self) -> Generator[Step, Any, None]:
        data = yield from self._exchange(self._token_request, what="token", envelope=False)
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise ResponseError("The token endpoint answered without an access_token.")
        lifetime = data.get("expires_in")
        if not isinstance(lifetime, int | float) or lifetime <= 0:
            lifetime = TOKEN_LIFETIME
        self._token = token
        self._token_expires = self._clock() + float(lifetime)

    def _exchange(
        self, make: Callable[[], Request], *, what: str, envelope: bool = True
    ) -> Generator[Step, Any, dict[str, Any]]:
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            log.debug("ashby-query: %s, try %d", what, attempt)
            answer = yield make()
            try:
                return self.decode(answer, envelope=envelope)
            except ClientError as err:
                wait = self.retry.delay(attempt, err, waited, self._rng)
                if wait is None:
                    raise
                log.info(
                    "ashby-query: %s failed (%s); retrying in %.2fs", what, type(err).__name__, wait
                )
                waited += wait
                yield Sleep(wait)

    # Decoding ---------------------------------------------------------------
    def decode(self, answer: Response | Failure, *, envelope: bool = True) -> dict[str, Any]:
        """Return the JSON object of a successful answer, or raise the mapped error."""
        if isinstance(answer, Failure):
            if answer.timeout:
                raise RequestTimeout(
                    f"No answer from {self.base_url} within {self.timeout:g}s ({answer.message})."
                )
            raise TransportError(f"Could not reach {self.base_url}: {answer.message}.")
        if answer.status_code >= 400:
            raise map_error(answer)
        try:
            data = json.loads(answer.content or b"null")
        except ValueError:
            raise ResponseError(
                f"The service answered {answer.status_code} with a body that is not JSON: "
                f"{answer.content[:80]!r}."
            ) from None
        if not isinstance(data, dict):
            if envelope:
                return {"result": data}
            raise ResponseError(f"Expected a JSON object, got {type(data).__name__}.")
        status = data.get("status")
        if envelope and isinstance(status, str) and status.lower() not in ("success", "ok"):
            message = service_message(data) or f"status {status!r}"
            raise APIError(
                f"The connector reported an error: {message}",
                status_code=answer.status_code,
                service_message=message,
                request_id=request_id(answer, data),
            )
        if envelope and "result" not in data:
            return {"result": data}
        return data


def service_message(data: object) -> str | None:
    """The service's own explanation, from the places the SDK looks for it."""
    if not isinstance(data, dict):
        return None
    errors = data.get("errors")
    if isinstance(errors, list):
        for e in errors:
            if isinstance(e, dict):
                for key in ("userPresentableMessage", "message"):
                    if isinstance(e.get(key), str):
                        return str(e[key])
    for key in ("message", "error", "detail"):
        value = data.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and isinstance(value.get("message"), str):
            return str(value["message"])
    return None


def request_id(answer: Response, data: object) -> str | None:
    """The request id from the headers or the body, if the service gave one."""
    for key in ("x-request-id", "request-id", "x-amzn-requestid"):
        for k, v in answer.headers.items():
            if k.lower() == key:
                return v
    if isinstance(data, dict):
        for key in ("request_id", "requestId"):
            if isinstance(data.get(key), str):
                return str(data[key])
    return None


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a ``Retry-After`` header (a number or an HTTP date)."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def map_error(answer: Response) -> APIError:
    """The :class:`APIError` subclass for an error status, with the service's message."""
    try:
        data: object = json.loads(answer.content) if answer.content else None
    except ValueError:
        data = None
    message = service_message(data)
    rid = request_id(answer, data)
    status = answer.status_code
    said = f": {message}" if message else ""
    kw: dict[str, Any] = {"status_code": status, "service_message": message, "request_id": rid}
    if status in (401, 403):
        return AuthenticationError(
            f"The connector refused the credentials ({status}){said}. Check the token, or "
            f"the client id and secret, and that they belong to this connector.",
            **kw,
        )
    if status == 429:
        wait = retry_after(answer.headers)
        hint = f"; it asked to wait {wait:g}s" if wait is not None else ""
        return RateLimitError(
            f"The connector is rate limiting requests (429){hint}{said}. Slow down, or "
            f"allow more retries with RetryPolicy(attempts=..., total=...).",
            retry_after=wait,
            **kw,
        )
    if status in (400, 422):
        return BadRequestError(f"The connector rejected the request ({status}){said}.", **kw)
    if status == 404:
        return NotFoundError(f"Not found (404){said}.", **kw)
    if status >= 500:
        return ServerError(
            f"The connector failed ({status}){said}; it may work again shortly.", **kw
        )
    return APIError(f"The connector answered {status}{said}.", **kw)


# Pages ----------------------------------------------------------------------


def _records(value: object, what: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise ResponseError(f"Expected a list of records in the {what} answer, got {value!r:.80}.")
    return value


def search_page(envelope: Mapping[str, Any]) -> SearchPage:
    """Decode a ``context_store_search`` answer."""
    result = envelope.get("result")
    if isinstance(result, list):
        return _paged(result, envelope, "search")
    if not isinstance(result, dict):
        raise ResponseError(f"Expected a search result object, got {result!r:.80}.")
    records = _records(result.get("data", []), "search")
    meta = result.get("meta") or {}
    took = meta.get("took_ms") if isinstance(meta, dict) else None
    cursor = meta.get("cursor") if isinstance(meta, dict) else None
    return SearchPage(
        records,
        bool(meta.get("has_more")) if isinstance(meta, dict) else False,
        cursor if isinstance(cursor, str) and cursor else None,
        float(took) if isinstance(took, int | float) else None,
    )


def list_page(envelope: Mapping[str, Any]) -> SearchPage:
    """Decode a ``list`` answer in any of the forms the connector is known to use."""
    result = envelope.get("result")
    if isinstance(result, list):
        return _paged(result, envelope, "list")
    if isinstance(result, dict):
        for key in ("data", "records"):
            if key in result:
                records = _records(result[key], "list")
                meta = result.get("meta")
                source = meta if isinstance(meta, dict) else result
                page = _paging(source)
                if page == (False, None):
                    page = _paging(envelope.get("connector_metadata") or {})
                return SearchPage(records, *page)
    raise ResponseError(f"Expected a list of records in the list answer, got {result!r:.80}.")


def _paged(records: list[Any], envelope: Mapping[str, Any], what: str) -> SearchPage:
    meta = envelope.get("connector_metadata") or envelope.get("meta") or {}
    return SearchPage(_records(records, what), *_paging(meta if isinstance(meta, dict) else {}))


def _paging(meta: Mapping[str, Any]) -> tuple[bool, str | None]:
    cursor = meta.get("cursor", meta.get("next_cursor", meta.get("next_page_token")))
    cursor = cursor if isinstance(cursor, str) and cursor else None
    has_more = meta.get("has_more", meta.get("hasMore", meta.get("more_data_available")))
    if has_more is None:
        has_more = cursor is not None
    return bool(has_more), cursor


def get_record(envelope: Mapping[str, Any]) -> dict[str, Any]:
    """Decode a ``get`` answer: the record itself."""
    result = envelope.get("result")
    if (
        isinstance(result, dict)
        and set(result) <= {"data", "meta"}
        and isinstance(result.get("data"), dict)
    ):
        result = result["data"]
    if not isinstance(result, dict):
        raise ResponseError(f"Expected a record object in the get answer, got {result!r:.80}.")
    return result


def walk(
    core: ClientCore,
    entity: str,
    action: str,
    params: Mapping[str, Any],
    *,
    resume: Resume | None,
    max_pages: int | None,
) -> Generator[Step | PageStep, Any, None]:
    """Walk pages until ``has_more`` is false, or ``max_pages`` pages were read."""
    decode = search_page if action == "context_store_search" else list_page
    cursor = resume.cursor if resume else None
    skip = resume.offset if resume else 0
    seen: set[str | None] = set()
    pages = 0
    while True:
        body = dict(params)
        if cursor is not None:
            body["cursor"] = cursor
        page = decode((yield from core.call(entity, action, body)))
        pages += 1
        nxt = page.cursor if page.has_more else None
        if page.has_more and nxt is None:
            raise PaginationError(
                f"The {entity} {action} page said has_more but gave no cursor, so the walk "
                f"cannot go on; the records so far were all handed out."
            )
        seen.add(cursor)
        if nxt is not None and nxt in seen:
            raise PaginationError(
                f"The {entity} {action} walk got the cursor {nxt!r:.40} a second time, which "
                f"would repeat records; stopped. Resume from walk.resume() after checking "
                f"the data source."
            )
        stop = nxt is not None and max_pages is not None and pages >= max_pages
        yield PageStep(page, cursor, skip, nxt)
        if nxt is None or stop:
            return
        cursor, skip = nxt, 0
