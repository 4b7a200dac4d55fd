"""Everything the clients do that is not I/O: one core behind both twins.

A call is a generator. It yields :class:`Request` (send this, send me the
:class:`Response` or :class:`Failure`) and :class:`Sleep` (wait, then send ``None``), and
returns the decoded envelope. Connector lookup, token renewal, retries with back-off,
error mapping, secret scrubbing and response decoding all live here; :mod:`.client` only
drives the generator with ``httpx.Client`` or ``httpx.AsyncClient``. Page walks are
generators too, yielding :class:`PageStep` between their I/O steps.

Requests are built as ``airbyte-agent-sdk`` 0.1.380's hosted executor builds them (see
``docs/wire-format.md`` for the few, named differences).
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import re
import reprlib
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Unpack, get_args

import attrs

from .._core.errors import Problem, QueryError
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

if TYPE_CHECKING:
    import httpx

__all__ = [
    "CallOptions",
    "ClientCore",
    "ClientSettings",
    "FieldCase",
    "Mode",
    "Resume",
    "RetryPolicy",
    "SearchPage",
]

log = logging.getLogger("ashby_query")

DEFAULT_BASE_URL = "https://api.airbyte.ai"
EXECUTE_PATH = "/api/v1/integrations/connectors/{connector_id}/execute"
CONNECTORS_PATH = "/api/v1/integrations/connectors"
TOKEN_PATH = "/api/v1/account/applications/token"
#: The Ashby connector's definition id, as Airbyte's connector definition gives it; the
#: connector lookup by workspace name sends it as ``definition_id``.
ASHBY_DEFINITION_ID = "4e8c9fa0-3634-499b-b948-11581b5c3efa"
TOKEN_LIFETIME = 15 * 60.0
TOKEN_MARGIN = 60.0
#: A walk stops with :class:`PaginationError` after this many pages unless told otherwise.
DEFAULT_PAGE_CAP = 10_000
#: A walk stops with :class:`PaginationError` after this many empty pages in a row that
#: still say ``has_more``: a server handing out a new cursor with every empty page.
MAX_EMPTY_PAGES = 20
REDACTED = "[REDACTED]"

Mode = Literal["hosted", "local"]
FieldCase = Literal["camel", "snake"]


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("ashby-query")
    except Exception:  # pragma: no cover - running from a tree that is not installed
        return "0"


USER_AGENT = f"ashby-query/{_version()}"


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise :class:`ConfigurationError`."""
    if isinstance(value, str) and value in allowed:
        return value
    options = ", ".join(repr(a) for a in allowed)
    raise ConfigurationError(f"{name} must be one of {options}, got {_short(value)}.")


def check_pages(name: str, value: object) -> int | None:
    """``value`` if it is a whole number of pages, 1 or more, or ``None``."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return value
    raise ConfigurationError(
        f"{name} must be a whole number of pages, 1 or more, or None for no cap, "
        f"got {_short(value)}."
    )


def _short(value: object, size: int = 80) -> str:
    """A bounded repr of ``value`` for a message."""
    r = reprlib.Repr()
    r.maxstring = r.maxother = size
    r.maxlevel, r.maxdict, r.maxlist = 3, 6, 6
    text = r.repr(value)
    return text if len(text) <= size else text[: size - 3] + "..."


@attrs.frozen
class RetryPolicy:
    """When to try again: 429, 5xx and transport errors, with exponential back-off.

    ``attempts`` counts every try, the first included; ``total`` bounds the seconds
    spent waiting across them. A ``Retry-After`` from the service is honoured as given,
    as long as it fits in what is left of ``total``. Other errors are never retried.

    >>> RetryPolicy(attempts=2).attempts
    2
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
    """One HTTP request for a driver to send: ``content`` is the encoded JSON body."""

    method: str
    url: str
    content: bytes | None = attrs.field(repr=False)  # the token request carries the secret
    headers: Mapping[str, str] = attrs.field(repr=False)
    params: Mapping[str, str] | None = None


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


@attrs.frozen(repr=False)
class SearchPage:
    """One page of results: ``records`` (plain dicts), ``has_more``, ``cursor``, ``took_ms``.

    Its repr is short: how many records, whether more follow, and the start of the cursor.

    >>> SearchPage([{"id": "a"}, {"id": "b"}], has_more=True, cursor="eyJrIjoic2VhcmNoIn0=")
    <SearchPage 2 records, has_more=True, cursor='eyJrIjoic2VhcmNo...'>
    """

    records: list[dict[str, Any]]
    has_more: bool = False
    cursor: str | None = None
    took_ms: int | float | None = None

    def __repr__(self) -> str:
        n = len(self.records)
        parts = [f"{n} record{'s' if n != 1 else ''}", f"has_more={self.has_more}"]
        if self.cursor is not None:
            parts.append(f"cursor={_cut(self.cursor)!r}")
        if self.took_ms is not None:
            parts.append(f"took_ms={self.took_ms}")
        return f"<SearchPage {', '.join(parts)}>"


def _cut(text: str, size: int = 16) -> str:
    return text if len(text) <= size else text[:size] + "..."


@attrs.frozen
class Resume:
    """Where a record walk stands: the cursor of its page and how many of that page's
    records were already handed out. Pass it back as ``resume=`` to go on from there."""

    cursor: str | None = None
    offset: int = attrs.field(default=0)

    @offset.validator
    def _check_offset(self, attribute: object, value: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigurationError(
                f"Resume offset must be a whole number of records, 0 or more, got "
                f"{_short(value)}. Pass back what walk.resume() returned."
            )


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
    """The settings both clients take besides ``connector_id``, ``transport`` and
    ``http_client``."""

    token: str | None
    client_id: str | None
    client_secret: str | None
    organization_id: str | None
    workspace_name: str | None
    base_url: str | None
    timeout: float | httpx.Timeout | None
    retry: RetryPolicy | None
    env: Mapping[str, str] | None
    skip_truncation: bool
    field_case: FieldCase
    page_cap: int | None


class CallOptions(TypedDict, total=False):
    """Per-call options the SDK offers too; each overrides the client's setting.

    ``select_fields`` / ``exclude_fields``: dotted field paths the service keeps or drops
    from each record. ``skip_truncation``: ``True`` (the default) asks the service for long
    text in full. ``field_case``: ``"camel"`` or ``"snake"`` spelling of field names in a
    compiled query.
    """

    select_fields: Sequence[str] | None
    exclude_fields: Sequence[str] | None
    skip_truncation: bool
    field_case: FieldCase


def _check_fields(name: str, value: object) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ConfigurationError(
            f"{name} must be a list of dotted field paths such as ['id', 'candidate.name'], "
            f"got {_short(value)}."
        )
    bad = [v for v in value if not isinstance(v, str) or not v]
    if bad:
        raise ConfigurationError(
            f"{name} must hold non-empty strings such as 'candidate.name', got {_short(bad[0])}."
        )
    return list(value)


_SECRET_SETTINGS = frozenset({"token", "client_secret"})


def _check_setting(name: str, value: object, *, header: bool) -> None:
    """A credential or name must be text that can travel: no lone surrogates, and for a
    header value printable ASCII. Secrets are never quoted in the message."""
    if value is None:
        return
    shown = "the value given" if name in _SECRET_SETTINGS else _short(value)
    if not isinstance(value, str):
        raise ConfigurationError(f"{name} must be text, got {type(value).__name__}.")
    if header and not (value.isascii() and value.isprintable()):
        raise ConfigurationError(
            f"{name} is sent in an HTTP header, so it must be printable ASCII; "
            f"{shown} is not. Check for stray spaces, line breaks or pasted quotes."
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigurationError(
            f"{name} holds a lone surrogate, which cannot be sent; {shown} is not valid "
            f"text. Check where it was read from."
        ) from None


def _check_timeout(timeout: object) -> float | httpx.Timeout:
    """A positive, finite number of seconds, or an ``httpx.Timeout``, as given."""
    if type(timeout).__name__ == "Timeout" and hasattr(timeout, "read"):
        return timeout  # type: ignore[return-value]
    if (
        isinstance(timeout, int | float)
        and not isinstance(timeout, bool)
        and math.isfinite(timeout)
        and timeout > 0
    ):
        return float(timeout)
    raise ConfigurationError(
        f"timeout must be a positive number of seconds or an httpx.Timeout, got {_short(timeout)}."
    )


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
        env = settings.get("env")
        env = os.environ if env is None else env
        self.connector_id = connector_id or _env("AIRBYTE_CONNECTOR_ID", env)
        self.workspace_name = (
            None
            if self.connector_id
            else settings.get("workspace_name") or _env("AIRBYTE_WORKSPACE_NAME", env)
        )
        if not self.connector_id and not self.workspace_name:
            raise ConfigurationError(
                "No connector id: pass connector_id=, or set AIRBYTE_CONNECTOR_ID, or use "
                "--connector-id on the command line, to the id of your Ashby agent "
                "connector. To look the connector up by workspace instead, pass "
                "workspace_name= or set AIRBYTE_WORKSPACE_NAME."
            )
        self.organization_id = settings.get("organization_id") or _env(
            "AIRBYTE_ORGANIZATION_ID", env
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
        for what, value, header in (
            ("token", token, True),
            ("client_id", client_id, False),
            ("client_secret", client_secret, False),
            ("organization_id", self.organization_id, True),
            ("workspace_name", self.workspace_name, False),
            ("connector_id", self.connector_id, False),
        ):
            _check_setting(what, value, header=header)
        self._token = token
        self._client_id = client_id
        self._client_secret = client_secret
        self._secrets: set[str] = {s for s in (token, client_secret) if s}
        self._can_renew = client_id is not None and client_secret is not None
        self._token_expires = float("inf") if token is not None else 0.0
        base_url = settings.get("base_url")
        self.base_url = (base_url or _env("AIRBYTE_BASE_URL", env) or DEFAULT_BASE_URL).rstrip("/")
        timeout = settings.get("timeout")
        self.timeout_given = timeout is not None
        self.timeout = _check_timeout(30.0 if timeout is None else timeout)
        self.retry = settings.get("retry") or RetryPolicy()
        skip = settings.get("skip_truncation", True)
        if not isinstance(skip, bool):
            raise ConfigurationError(f"skip_truncation must be True or False, got {_short(skip)}.")
        self.skip_truncation = skip
        self.field_case: FieldCase = check_choice(  # type: ignore[assignment]
            "field_case", settings.get("field_case", "camel"), get_args(FieldCase)
        )
        self.page_cap = check_pages("page_cap", settings.get("page_cap", DEFAULT_PAGE_CAP))
        self._clock = clock
        self._rng = rng or random.Random()

    def __repr__(self) -> str:
        auth = "client credentials" if self._can_renew else "token"
        where = (
            f"connector_id={self.connector_id!r}"
            if self.connector_id
            else f"workspace_name={self.workspace_name!r}"
        )
        return f"<ashby-query client {where} base_url={self.base_url!r} auth={auth}>"

    # Secrets ----------------------------------------------------------------
    def scrub(self, text: str) -> str:
        """``text`` with every token and client secret this client knows replaced."""
        return scrub_text(text, self._secrets)

    def _mentions_secret(self, content: bytes) -> bool:
        for secret in self._secrets:
            for form in (secret, json.dumps(secret)[1:-1]):
                try:
                    if form.encode("utf-8") in content:
                        return True
                except UnicodeEncodeError:
                    continue
        return False

    def _scrubbed(self, err: ClientError) -> ClientError:
        """``err`` with its message and string attributes scrubbed, in place."""
        err.args = tuple(self.scrub(a) if isinstance(a, str) else a for a in err.args)
        for name in ("message", "request_id"):
            value = getattr(err, name, None)
            if isinstance(value, str):
                setattr(err, name, self.scrub(value))
        return err

    # Requests ---------------------------------------------------------------
    def _headers(self, token: str | None = None) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if self.organization_id:
            headers["X-Organization-Id"] = self.organization_id
        return headers

    @property
    def execute_url(self) -> str:
        """The connector's execute endpoint (once the connector id is known)."""
        return self.base_url + EXECUTE_PATH.format(connector_id=self.connector_id)

    def _execute_request(self, content: bytes) -> Request:
        return Request("POST", self.execute_url, content, self._headers(self._token))

    def _token_request(self) -> Request:
        body = {"client_id": self._client_id, "client_secret": self._client_secret}
        return Request("POST", self.base_url + TOKEN_PATH, encode(body), self._headers())

    def _lookup_request(self) -> Request:
        headers = self._headers(self._token)
        del headers["Content-Type"]
        return Request(
            "GET",
            self.base_url + CONNECTORS_PATH,
            None,
            headers,
            {"workspace_name": str(self.workspace_name), "definition_id": ASHBY_DEFINITION_ID},
        )

    def body(
        self,
        entity: str,
        action: str,
        params: Mapping[str, Any] | None,
        options: CallOptions | None = None,
    ) -> dict[str, Any]:
        """The execute body, as the SDK's hosted executor builds it."""
        options = options or {}
        skip = options.get("skip_truncation", self.skip_truncation)
        if not isinstance(skip, bool):
            raise ConfigurationError(f"skip_truncation must be True or False, got {_short(skip)}.")
        body: dict[str, Any] = {
            "entity": entity,
            "action": action,
            "skip_truncation": skip,
            "params": dict(params or {}),
        }
        for name in ("select_fields", "exclude_fields"):
            value = _check_fields(name, options.get(name))
            if value is not None:
                body[name] = value
        return body

    # Calls ------------------------------------------------------------------
    def call(
        self,
        entity: str,
        action: str,
        params: Mapping[str, Any] | None,
        options: CallOptions | None = None,
    ) -> Call:
        """Execute one action: find the connector and renew the token if due, retry what
        is worth it. Every error that leaves is scrubbed of secrets."""
        content = encode(self.body(entity, action, params, options))
        try:
            return (yield from self._call(content, f"{entity} {action}"))
        except ClientError as err:
            raise self._scrubbed(err) from None

    def _call(self, content: bytes, what: str) -> Call:
        renewed = False
        while True:
            if self._can_renew and self._clock() >= self._token_expires - TOKEN_MARGIN:
                yield from self._renew_token()
                renewed = True
            try:
                if not self.connector_id:
                    yield from self._lookup_connector()
                return (
                    yield from self._exchange(lambda: self._execute_request(content), what=what)
                )
            except AuthenticationError:
                if not self._can_renew or renewed:
                    raise
                # The token may have been revoked early: renew once and try again.
                self._token_expires = 0.0
                renewed = True

    def _lookup_connector(self) -> Generator[Step, Any, None]:
        data = yield from self._exchange(
            self._lookup_request, what="connector lookup", envelope=False
        )
        found = data.get("data")
        if not isinstance(found, list) or not all(isinstance(c, dict) for c in found):
            raise ResponseError(
                f"The connector lookup answered without a list of connectors in 'data', got "
                f"{_short(self.scrub(repr(found)))}."
            )
        ws = self.workspace_name
        if not found:
            raise ConfigurationError(
                f"No Ashby connector in the workspace {ws!r}: check the workspace name, or "
                f"pass connector_id= (or set AIRBYTE_CONNECTOR_ID) instead."
            )
        if len(found) > 1:
            ids = ", ".join(repr(str(c.get("id"))) for c in found[:5])
            raise ConfigurationError(
                f"{len(found)} Ashby connectors in the workspace {ws!r} ({ids}), so the "
                f"workspace name alone cannot choose: pass connector_id= one of them."
            )
        cid = found[0].get("id")
        if not isinstance(cid, str) or not cid:
            raise ResponseError(
                f"The connector lookup answered a connector without an id: {_short(found[0])}."
            )
        self.connector_id = cid

    def _renew_token(self) -> Generator[Step, Any, None]:
        data = yield from self._exchange(self._token_request, what="token", envelope=False)
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise ResponseError("The token endpoint answered without an access_token.")
        lifetime = data.get("expires_in")
        if (
            not isinstance(lifetime, int | float)
            or isinstance(lifetime, bool)
            or not lifetime > 0
            or not math.isfinite(lifetime)
        ):
            lifetime = TOKEN_LIFETIME
        self._token = token
        self._secrets.add(token)
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
    def _timeout_text(self) -> str:
        t = self.timeout
        if isinstance(t, int | float):
            return f"{t:g}s"
        return "the timeout"

    def decode(self, answer: Response | Failure, *, envelope: bool = True) -> dict[str, Any]:
        """Return the JSON object of a successful answer, or raise the mapped error."""
        if isinstance(answer, Failure):
            message = self.scrub(answer.message)
            if answer.timeout:
                raise RequestTimeout(
                    f"No answer from {self.base_url} within {self._timeout_text()} ({message})."
                )
            raise TransportError(f"Could not reach {self.base_url}: {message}.")
        try:
            data = json.loads(answer.content or b"null")
        except (ValueError, RecursionError):
            if answer.status_code >= 300:
                raise map_error(answer, self.scrub, None) from None
            excerpt = self.scrub(answer.content.decode("utf-8", "replace"))
            raise ResponseError(
                f"The service answered {answer.status_code} with a body that is not JSON: "
                f"{_short(excerpt)}."
            ) from None
        if self._mentions_secret(answer.content):
            data = scrub_value(data, self.scrub)
        if answer.status_code >= 300:
            raise map_error(answer, self.scrub, data)
        if not isinstance(data, dict):
            if envelope:
                return {"result": data}
            raise ResponseError(f"Expected a JSON object, got {type(data).__name__}.")
        status = data.get("status")
        if envelope and isinstance(status, str) and status.lower() not in ("success", "ok"):
            message = service_message(data) or f"status {status!r}"
            raise APIError(
                f"The connector reported an error: {_clause(message)}.",
                status_code=answer.status_code,
                service_message=message,
                request_id=request_id(answer, data),
            )
        if envelope and "result" not in data:
            return {"result": data}
        return data


# Secrets ----------------------------------------------------------------------

_TOKEN_CHARS = r"A-Za-z0-9_\-.~+/="
_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[^\s\"',;]+"),
    re.compile(
        r"(?i)((?:\\?[\"'])?(?:client_secret|access_token|refresh_token|api_key|authorization)(?:\\?[\"'])?"
        r"\s*[:=]\s*(?:\\?[\"'])?)(?!bearer\s)[^\"'\\\s,;}]+"
    ),
]


def scrub_text(text: str, secrets: set[str]) -> str:
    """``text`` with ``secrets`` and anything shaped like a credential replaced.

    A secret of eight characters or more is replaced wherever it appears; a shorter one
    only where it stands alone (not inside a longer word). ``Bearer …`` and
    ``client_secret: …``-style pairs are replaced whatever their value.
    """
    for secret in sorted(secrets, key=len, reverse=True):
        forms = {secret, json.dumps(secret)[1:-1]}
        for form in forms:
            if len(form) >= 8:
                text = text.replace(form, REDACTED)
            elif form in text:
                edge = f"[{_TOKEN_CHARS}]"
                text = re.sub(f"(?<!{edge}){re.escape(form)}(?!{edge})", REDACTED, text)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


def scrub_value(value: object, scrub: Callable[[str], str], budget: int = 200_000) -> object:
    """A copy of parsed JSON ``value`` with every string (keys too) passed through ``scrub``.

    Iterative; past ``budget`` nodes the rest is replaced by ``"[REDACTED]"``.
    """
    root: list[object] = [None]
    stack: list[tuple[object, Any, Any]] = [(value, root, 0)]
    while stack:
        node, parent, key = stack.pop()
        budget -= 1
        if budget < 0:
            parent[key] = REDACTED
        elif isinstance(node, str):
            parent[key] = scrub(node)
        elif isinstance(node, dict):
            new: dict[str, Any] = {}
            parent[key] = new
            stack.extend((v, new, scrub(k)) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            items: list[Any] = [None] * len(node)
            parent[key] = items
            stack.extend((v, items, i) for i, v in reversed(list(enumerate(node))))
        else:
            parent[key] = node
    return root[0]


# Encoding ---------------------------------------------------------------------


def encode(body: Mapping[str, Any]) -> bytes:
    """``body`` as UTF-8 JSON, or :class:`QueryError` naming the value JSON cannot hold."""
    try:
        # Byte for byte what httpx (and so the SDK) sends for json=body.
        return json.dumps(body, allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8"
        )
    except (ValueError, TypeError, UnicodeEncodeError, RecursionError):
        raise _unencodable(body) from None


def _unencodable(body: Mapping[str, Any]) -> QueryError:
    loc, value, why = _find_unencodable(body)
    msg = (
        f"The request cannot be sent: the value at {'.'.join(map(str, loc)) or 'the top'} "
        f"is {why} ({_short(value)}). Remove it or replace it with a JSON value."
    )
    return QueryError([Problem("unencodable_value", loc, msg, _short(value))])


def _find_unencodable(body: object) -> tuple[tuple[str | int, ...], object, str]:
    stack: list[tuple[tuple[str | int, ...], object]] = [((), body)]
    seen = 0
    while stack and seen < 1_000_000:
        seen += 1
        loc, value = stack.pop()
        if isinstance(value, bool) or value is None or isinstance(value, int):
            continue
        if isinstance(value, float):
            if not math.isfinite(value):
                return loc, value, "not a finite number (JSON has no NaN or infinity)"
            continue
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return loc, value, "text with a lone surrogate, which UTF-8 cannot encode"
            continue
        if isinstance(value, Mapping):
            for k, v in value.items():
                if not isinstance(k, str):
                    return loc, k, "a key that is not text"
                stack.append(((*loc, k), v))
                stack.append(((*loc, k), k))
            continue
        if isinstance(value, list | tuple):
            stack.extend(((*loc, i), v) for i, v in enumerate(value))
            continue
        return loc, value, f"a {type(value).__name__}, which JSON cannot hold"
    return (), body, "nested too deeply for JSON"


# Field spelling ---------------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake(name: str) -> str:
    """``createdAt`` -> ``created_at``; names already in snake_case stay as they are."""
    return _CAMEL.sub(r"_\1", name).lower()


_LOGICAL = {"and", "or"}


def snake_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with every field name in the query, the sort and ``fields`` in snake_case.

    Works on a copy, without recursion; values are left as they are.
    """
    out = dict(params)
    query = out.get("query")
    if isinstance(query, Mapping):
        query = dict(query)
        if "filter" in query:
            query["filter"] = _snake_condition(query["filter"])
        sort = query.get("sort")
        if isinstance(sort, list):
            query["sort"] = [
                {snake(k): v for k, v in s.items()} if isinstance(s, Mapping) else s for s in sort
            ]
        out["query"] = query
    fields = out.get("fields")
    if isinstance(fields, list):
        out["fields"] = [
            [snake(p) if isinstance(p, str) else p for p in f]
            if isinstance(f, list)
            else ".".join(snake(p) for p in f.split("."))
            if isinstance(f, str)
            else f
            for f in fields
        ]
    return out


def _snake_condition(cond: object) -> object:
    root: list[object] = [None]
    stack: list[tuple[object, Any, int | str]] = [(cond, root, 0)]
    while stack:
        node, parent, key = stack.pop()
        if not isinstance(node, Mapping):
            parent[key] = node
            continue
        new: dict[str, Any] = {}
        parent[key] = new
        for op, arg in node.items():
            if op in _LOGICAL and isinstance(arg, list):
                new[op] = [None] * len(arg)
                stack.extend((a, new[op], i) for i, a in enumerate(arg))
            elif op == "not":
                stack.append((arg, new, op))
            elif op == "any" and isinstance(arg, Mapping):
                new[op] = {}
                stack.extend((sub, new[op], snake(f)) for f, sub in arg.items())
            elif isinstance(arg, Mapping):
                new[op] = {snake(f): v for f, v in arg.items()}
            else:
                new[op] = arg
    return root[0]


# Errors -----------------------------------------------------------------------


def _clause(message: str) -> str:
    """``message`` without its closing full stop, to go inside a sentence."""
    return message.strip().rstrip(".").rstrip()


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
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, when.timestamp() - time.time())


def map_error(
    answer: Response, scrub: Callable[[str], str] = lambda s: s, data: object = None
) -> APIError:
    """The :class:`APIError` subclass for an error status, with the service's message
    (``data``, the body already parsed, or ``None``)."""
    raw = service_message(data)
    message = scrub(raw) if raw is not None else None
    rid = request_id(answer, data)
    rid = scrub(rid) if rid is not None else None
    status = answer.status_code
    said = f": {_clause(message)}" if message else ""
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
    if 300 <= status < 400:
        return APIError(
            f"The connector answered {status}, a redirect{said}; ashby-query does not follow "
            f"redirects. Check base_url (or AIRBYTE_BASE_URL).",
            **kw,
        )
    return APIError(f"The connector answered {status}{said}.", **kw)


# Pages ----------------------------------------------------------------------


def _records(value: object, what: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise ResponseError(
            f"Expected a list of records in the {what} answer, got {_short(value)}."
        )
    return value


def _has_more(value: object, what: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ResponseError(
        f"The {what} answer's has_more must be true or false, got {_short(value)}; the walk "
        f"stops rather than guess whether more pages follow."
    )


def _cursor_of(value: object, what: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    raise ResponseError(f"The {what} answer's cursor must be text or null, got {_short(value)}.")


def search_page(envelope: Mapping[str, Any]) -> SearchPage:
    """Decode a ``context_store_search`` answer."""
    result = envelope.get("result")
    if isinstance(result, list):
        return _paged(result, envelope, "search")
    if not isinstance(result, dict):
        raise ResponseError(f"Expected a search result object, got {_short(result)}.")
    records = _records(result.get("data", []), "search")
    meta = result.get("meta")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ResponseError(
            f"Expected the search answer's meta to be an object, got {_short(meta)}."
        )
    took = meta.get("took_ms")
    return SearchPage(
        records,
        _has_more(meta.get("has_more", False), "search"),
        _cursor_of(meta.get("cursor"), "search"),
        took if isinstance(took, int | float) and not isinstance(took, bool) else None,
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
                page = _paging(source, "list")
                if page == (False, None):
                    page = _paging(envelope.get("connector_metadata") or {}, "list")
                return SearchPage(records, *page)
    raise ResponseError(f"Expected a list of records in the list answer, got {_short(result)}.")


def _paged(records: list[Any], envelope: Mapping[str, Any], what: str) -> SearchPage:
    meta = envelope.get("connector_metadata") or envelope.get("meta") or {}
    return SearchPage(
        _records(records, what), *_paging(meta if isinstance(meta, dict) else {}, what)
    )


def _paging(meta: Mapping[str, Any], what: str) -> tuple[bool, str | None]:
    cursor = _cursor_of(
        meta.get("cursor", meta.get("next_cursor", meta.get("next_page_token"))), what
    )
    has_more = meta.get("has_more", meta.get("hasMore", meta.get("more_data_available")))
    if has_more is None:
        return cursor is not None, cursor
    return _has_more(has_more, what), cursor


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
        raise ResponseError(f"Expected a record object in the get answer, got {_short(result)}.")
    return result


def walk(
    core: ClientCore,
    entity: str,
    action: str,
    params: Mapping[str, Any],
    resume: Resume | None,
    max_pages: int | None,
    options: CallOptions | None = None,
) -> Generator[Step | PageStep, Any, None]:
    """Walk pages until ``has_more`` is false, or ``max_pages`` pages were read.

    The client's ``page_cap`` (unless ``None``) bounds every walk: past it the walk raises
    :class:`PaginationError` (resumable), as it does after :data:`MAX_EMPTY_PAGES` empty
    pages in a row that still say ``has_more``, or on a cursor it has already seen.
    """
    decode = search_page if action == "context_store_search" else list_page
    cursor = resume.cursor if resume else None
    skip = resume.offset if resume else 0
    seen: set[str | None] = set()
    pages = empty = 0
    cap = core.page_cap
    while True:
        body = dict(params)
        if cursor is not None:
            body["cursor"] = cursor
        try:
            page = decode((yield from core.call(entity, action, body, options)))
        except ClientError as err:
            raise core._scrubbed(err) from None
        pages += 1
        nxt = page.cursor if page.has_more else None
        if page.has_more and nxt is None:
            raise PaginationError(
                f"The {entity} {action} page said has_more but gave no cursor, so the walk "
                f"cannot go on; the records so far were all handed out."
            )
        seen.add(cursor)
        if nxt is not None and nxt in seen:
            raise core._scrubbed(
                PaginationError(
                    f"The {entity} {action} walk got the cursor {_short(_cut(nxt, 40))} a "
                    f"second time, which would repeat records; stopped. Resume from "
                    f"walk.resume() after checking the data source."
                )
            )
        empty = empty + 1 if nxt is not None and not page.records else 0
        stop = nxt is not None and max_pages is not None and pages >= max_pages
        yield PageStep(page, cursor, skip, nxt)
        if nxt is None or stop:
            return
        if empty >= MAX_EMPTY_PAGES:
            raise PaginationError(
                f"The {entity} {action} walk got {empty} empty pages in a row that each "
                f"said has_more with a new cursor; stopped, as the server may never end. "
                f"Resume from walk.resume() if more records are expected."
            )
        if cap is not None and pages >= cap:
            raise PaginationError(
                f"The {entity} {action} walk read {pages} pages, the client's page_cap, and "
                f"more were offered; stopped. Resume from walk.resume(), or raise the cap "
                f"with page_cap= (None for no cap)."
            )
        cursor, skip = nxt, 0
