"""Errors from calling the connector. All derive from :class:`ClientError`.

The tree (under the package root ``AshbyQueryError``)::

    ClientError
    ├── ConfigurationError (ValueError)  no connector id, no credentials, a bad setting
    ├── APIError                          the service answered with an error
    │   ├── AuthenticationError           401 / 403: the token or secret was refused
    │   ├── RateLimitError                429: too many requests; ``retry_after`` seconds
    │   ├── BadRequestError               400 / 422: the request was invalid
    │   ├── NotFoundError                 404: no such record
    │   └── ServerError                   5xx: the service failed
    ├── TransportError                    no answer: refused connection, reset, ...
    │   └── RequestTimeout                no answer in time
    ├── ResponseError                     an answer that is not the JSON expected
    └── PaginationError                   a cursor repeated, or paging that cannot go on

``APIError`` carries ``status_code``, the service's ``message`` and a ``request_id``
where the service gave one. No message ever contains a token or a client secret.
"""

from __future__ import annotations

from .._core.errors import AshbyQueryError

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ClientError",
    "ConfigurationError",
    "NotFoundError",
    "PaginationError",
    "RateLimitError",
    "RequestTimeout",
    "ResponseError",
    "ServerError",
    "TransportError",
]


class ClientError(AshbyQueryError):
    """Calling the connector failed."""


class ConfigurationError(ClientError, ValueError):
    """The client is missing a setting (connector id, credentials) or has a bad one."""


class APIError(ClientError):
    """The service answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        service_message: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.message = service_message
        self.request_id = request_id
        suffix = f" (request id {request_id})" if request_id else ""
        super().__init__(message + suffix)


class AuthenticationError(APIError):
    """401 or 403: the credentials were refused."""


class RateLimitError(APIError):
    """429: too many requests. ``retry_after`` is the wait the service asked for."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)  # type: ignore[arg-type]


class BadRequestError(APIError):
    """400 or 422: the service rejected the request; ``message`` says why."""


class NotFoundError(APIError):
    """404: no such record."""


class ServerError(APIError):
    """5xx: the service failed."""


class TransportError(ClientError):
    """No answer came: the connection was refused, reset or failed."""


class RequestTimeout(TransportError):
    """No answer came within the timeout."""


class ResponseError(ClientError):
    """The service answered with something that is not the JSON expected."""


class PaginationError(ClientError):
    """Paging cannot go on: a cursor came back twice, or ``has_more`` had no cursor."""


for _cls in (
    ClientError,
    ConfigurationError,
    APIError,
    AuthenticationError,
    RateLimitError,
    BadRequestError,
    NotFoundError,
    ServerError,
    TransportError,
    RequestTimeout,
    ResponseError,
    PaginationError,
):
    _cls.__module__ = "ashby_query"
