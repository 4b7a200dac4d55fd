"""Secrets never leave in anything built from a response, and bad params never reach httpx.

Hypothesis makes up the token or client secret and the way a hostile (or careless)
service echoes it back: in an error message, an echoed Authorization header, a JSON
escape, a request id, a body that is not JSON, a malformed page, a repeated cursor.
"""

import json
import logging
import math

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ashby_query as aq
from ashby_query import RetryPolicy

# No lower-case letters or spaces: a 16-character window of a secret then cannot match
# ordinary message text by chance, so any window found is a real leak.
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."
tokens = st.text(TOKEN_ALPHABET, min_size=20, max_size=300).map(lambda s: "TOK" + s)
secrets = st.text(
    st.characters(blacklist_categories=("Cs", "Ll", "Zs", "Cc"), blacklist_characters='"\\'),
    min_size=20,
    max_size=120,
).map(lambda s: "SEC" + s)


def echo_forms(secret):
    """Bodies and headers in which a service might echo ``secret``."""
    escaped = json.dumps(secret)[1:-1]
    ascii_escaped = json.dumps(secret, ensure_ascii=True)[1:-1]
    return [
        (401, {"errors": [{"message": f"Bearer {secret} is not valid"}]}, {}),
        (400, {"message": f"Authorization: Bearer {secret}"}, {}),
        (500, {"error": {"message": f"token={secret} rejected"}}, {}),
        (
            422,
            {"detail": f"client_secret '{secret}' mismatch"},
            {"X-Request-Id": secret} if secret.isascii() else {},
        ),
        (503, None, {}, f'{{"echo": "{escaped}", "x": '.encode()),
        (429, {"message": secret * 3}, {"Retry-After": "0"}),
        (200, {"status": "error", "message": f"headers were {{'authorization': '{secret}'}}"}, {}),
        (200, {"status": "success", "result": {"data": f"{secret}", "meta": {}}}, {}),
        (200, {"status": "success", "result": 12, "echo": ascii_escaped}, {}),
    ]


def respond(form):
    status, body, headers, *raw = form
    content = raw[0] if raw else json.dumps(body).encode()
    return httpx.Response(status, content=content, headers=headers)


def leaks(secret, texts):
    """Any 16-character window of ``secret`` (or the whole, if shorter) in ``texts``."""
    joined = "\n".join(texts)
    size = min(16, len(secret))
    return [
        secret[i : i + size]
        for i in range(len(secret) - size + 1)
        if secret[i : i + size] in joined
    ]


def texts_of(err):
    out = [str(err), repr(err), *map(str, err.args)]
    out += [str(v) for v in vars(err).values()]
    return out


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tokens, st.integers(0, 8))
def test_token_echoed_in_any_form_is_scrubbed(caplog, token, which):
    """A token the service echoes appears in no message, repr, attribute or log line."""
    caplog.set_level(logging.DEBUG, logger="ashby_query")
    caplog.clear()
    form = echo_forms(token)[which]
    client = aq.AshbyClient(
        "conn",
        token=token,
        transport=httpx.MockTransport(lambda r: respond(form)),
        retry=RetryPolicy(attempts=2, base_delay=0.001, jitter=False),
        env={},
    )
    with pytest.raises(aq.ClientError) as info:
        client.candidates.search("")
    texts = texts_of(info.value) + [r.getMessage() for r in caplog.records]
    assert [] == leaks(token, texts)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(secrets, st.integers(0, 5))
def test_client_secret_echoed_by_the_token_endpoint_is_scrubbed(caplog, secret, which):
    """The client secret, echoed back by the token endpoint in any form, never leaks."""
    caplog.set_level(logging.DEBUG, logger="ashby_query")
    caplog.clear()
    form = echo_forms(secret)[which]
    client = aq.AshbyClient(
        "conn",
        client_id="id-1",
        client_secret=secret,
        transport=httpx.MockTransport(lambda r: respond(form)),
        retry=RetryPolicy(attempts=1),
        env={},
    )
    with pytest.raises(aq.ClientError) as info:
        client.jobs.list()
    texts = texts_of(info.value) + [r.getMessage() for r in caplog.records]
    assert [] == leaks(secret, texts)


@settings(max_examples=30)
@given(tokens)
def test_token_in_a_repeated_cursor_is_scrubbed(token):
    """A cursor that repeats and carries the token is quoted without it."""

    def handler(request):
        meta = {"has_more": True, "cursor": f"{token}"}
        return httpx.Response(
            200, json={"status": "success", "result": {"data": [{"id": "x"}], "meta": meta}}
        )

    client = aq.AshbyClient("conn", token=token, transport=httpx.MockTransport(handler), env={})
    with pytest.raises(aq.PaginationError) as info:
        list(client.candidates.iter_search(""))
    assert [] == leaks(token, texts_of(info.value))


def test_renewed_tokens_are_scrubbed_too():
    """A token the client got from the token endpoint is a secret as well."""
    issued = "issued-token-0123456789abcdef"

    def handler(request):
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": issued})
        return httpx.Response(400, json={"message": f"bad request from {issued}"})

    client = aq.AshbyClient(
        "conn",
        client_id="i",
        client_secret="s" * 12,
        transport=httpx.MockTransport(handler),
        env={},
    )
    with pytest.raises(aq.BadRequestError) as info:
        client.jobs.list()
    assert issued not in str(info.value)
    assert "[REDACTED]" in info.value.message


# Params that JSON cannot carry -----------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
poison = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.sampled_from(["\ud800", "a\udfffb", "\udc80"]),
    st.just(object()),
)


@st.composite
def poisoned(draw):
    """A JSON-like value with one value JSON cannot carry put somewhere inside."""
    value = draw(json_values)
    bad = draw(poison)
    path = draw(st.lists(st.text("abc", min_size=1, max_size=2), max_size=3))
    for key in reversed(path):
        value = {key: value} if draw(st.booleans()) else [value]
    return (
        {"query": {"filter": {"eq": {"name": bad}}}, "extra": value}
        if draw(st.booleans())
        else {"query": {}, "x": _bury(value, bad)}
    )


def _bury(value, bad):
    return [value, {"deep": [bad]}]


@settings(max_examples=60)
@given(poisoned())
def test_params_json_cannot_carry_raise_query_error_before_any_request(params):
    """NaN, infinities, lone surrogates and other objects in a params dict raise the
    library's QueryError naming where they are, even unvalidated, and nothing is sent."""
    sent = []
    client = aq.AshbyClient("conn", token="t", transport=httpx.MockTransport(sent.append), env={})
    with pytest.raises(aq.QueryError):
        client.candidates.search(params)  # validated first, so refused either way
    with pytest.raises(aq.QueryError) as info:
        client.candidates.search(aq.Unchecked(params))  # not validated: the encoder refuses
    assert "unencodable_value" == info.value.type
    assert "cannot be sent" in str(info.value)
    assert [] == sent


def test_lone_surrogate_in_query_text_is_a_library_error():
    """A lone surrogate written in query text is a QueryError, not a UnicodeEncodeError."""
    client = aq.AshbyClient(
        "conn", token="t", transport=httpx.MockTransport(lambda r: httpx.Response(200)), env={}
    )
    with pytest.raises(aq.QueryError):
        client.candidates.search('name = "\ud800"')
    with pytest.raises(aq.QueryError, match="surrogate"):
        client.execute("candidates", "list", {"cursor": "\udc00"})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"token": "tok\ud800secret-value"}, "token is sent in an HTTP header"),
        ({"token": "tok secret\nvalue"}, "token is sent in an HTTP header"),
        ({"client_id": "i", "client_secret": "sec\udc80ret-value"}, "client_secret holds"),
        ({"token": "t", "organization_id": "org\u00e9"}, "organization_id"),
        ({"token": "t", "connector_id": None, "workspace_name": "w\ud800"}, "workspace_name"),
    ],
)
def test_unsendable_settings_are_configuration_errors_that_quote_no_secret(kwargs, match):
    """Credentials that cannot travel are refused up front, without quoting a secret."""
    kwargs.setdefault("connector_id", "conn")
    with pytest.raises(aq.ConfigurationError, match=match) as info:
        aq.AshbyClient(env={}, **kwargs)
    assert "secret-value" not in str(info.value)
    assert "ret-value" not in str(info.value)
