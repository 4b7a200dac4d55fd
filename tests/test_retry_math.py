"""Retry arithmetic, driven through the I/O-free client core with a fake clock.

No sleeping and no sockets: the test answers each Request the core yields and adds up
the Sleeps, so the budget is checked to the microsecond.
"""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ashby_query._client.core import ClientCore, Failure, Request, Response, RetryPolicy, Sleep
from ashby_query._client.errors import (
    AuthenticationError,
    RateLimitError,
    ServerError,
    TransportError,
)

OK = Response(200, {}, b'{"result": {"data": []}}')


class FakeClock:
    """A monotonic clock that moves only when the core sleeps."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def drive(policy, answers, rng=None):
    """Run one call; answer Requests from ``answers``; return (outcome, waits, tries)."""
    clock = FakeClock()
    core = ClientCore("conn", token="t", retry=policy, clock=clock, rng=rng or random.Random(0))
    gen = core.call("applications", "list", None)
    waits, tries = [], 0
    answers = iter(answers)
    reply = None
    try:
        while True:
            step = gen.send(reply)
            if isinstance(step, Sleep):
                waits.append(step.seconds)
                clock.now += step.seconds
                reply = None
            else:
                assert isinstance(step, Request)
                tries += 1
                reply = next(answers)
    except StopIteration as stop:
        return stop.value, waits, tries
    except Exception as err:  # the error the call ended with
        return err, waits, tries


def status(code, retry_after=None):
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return Response(code, headers, b"{}")


def test_backoff_doubles_from_the_base_and_stops_at_the_attempts():
    """Without jitter the waits are 0.5, 1, 2 for four attempts, then the error."""
    policy = RetryPolicy(attempts=4, base_delay=0.5, max_delay=8, total=30, jitter=False)
    outcome, waits, tries = drive(policy, [status(503)] * 10)
    assert isinstance(outcome, ServerError)
    assert [0.5, 1.0, 2.0] == waits
    assert 4 == tries


def test_backoff_is_capped_by_max_delay():
    """Each wait is at most max_delay."""
    policy = RetryPolicy(attempts=6, base_delay=1, max_delay=3, total=100, jitter=False)
    _, waits, tries = drive(policy, [status(502)] * 10)
    assert [1.0, 2.0, 3.0, 3.0, 3.0] == waits
    assert 6 == tries


def test_the_total_budget_counts_every_wait_already_made():
    """With total=3.6, waits 0.5 + 1 + 2 = 3.5 fit; the next 4 would not, so it stops."""
    policy = RetryPolicy(attempts=10, base_delay=0.5, max_delay=8, total=3.6, jitter=False)
    outcome, waits, tries = drive(policy, [status(500)] * 20)
    assert isinstance(outcome, ServerError)
    assert [0.5, 1.0, 2.0] == waits
    assert 4 == tries


def test_retry_after_is_honoured_and_counted_in_the_budget():
    """Retry-After waits exactly what the service asked, and adds to the waits made."""
    policy = RetryPolicy(attempts=10, base_delay=0.5, total=5, jitter=False)
    outcome, waits, tries = drive(
        policy, [status(429, 2), status(429, 2), status(429, 2), status(429, 2)]
    )
    assert isinstance(outcome, RateLimitError)
    assert [2.0, 2.0] == waits  # a third 2s wait would make 6 > 5
    assert 3 == tries


def test_success_after_retries_returns_the_envelope():
    """Two failures then success: the decoded envelope, after two waits."""
    policy = RetryPolicy(attempts=4, base_delay=0.25, jitter=False)
    outcome, waits, tries = drive(policy, [Failure("reset"), status(503), OK])
    assert {"result": {"data": []}} == outcome
    assert [0.25, 0.5] == waits
    assert 3 == tries


def test_errors_that_are_not_worth_retrying_are_raised_at_once():
    """401 is not retried: no wait, one try."""
    outcome, waits, tries = drive(RetryPolicy(jitter=False), [status(401), OK])
    assert isinstance(outcome, AuthenticationError)
    assert [] == waits
    assert 1 == tries


def test_transport_failures_are_retried():
    """A transport failure past the attempts ends in TransportError."""
    policy = RetryPolicy(attempts=2, base_delay=0.1, jitter=False)
    outcome, waits, tries = drive(policy, [Failure("refused")] * 3)
    assert isinstance(outcome, TransportError)
    assert [0.1] == waits
    assert 2 == tries


@given(
    attempts=st.integers(1, 8),
    base=st.floats(0.01, 2),
    cap=st.floats(0.01, 10),
    total=st.floats(0, 20),
    jitter=st.booleans(),
    seed=st.integers(0, 2**32),
    codes=st.lists(st.sampled_from([429, 500, 502, 503]), min_size=10, max_size=10),
)
def test_waits_never_exceed_the_budget(attempts, base, cap, total, jitter, seed, codes):
    """Whatever the policy, the waits add up to at most total, each at most max_delay
    (or what Retry-After asked), and there are at most attempts - 1 of them."""
    policy = RetryPolicy(attempts, base, cap, total, jitter)
    _, waits, tries = drive(policy, [status(c) for c in codes], random.Random(seed))
    assert sum(waits) <= total + 1e-9
    assert all(0 <= w <= max(cap, 0) + 1e-9 for w in waits)
    assert len(waits) <= attempts - 1
    assert tries == len(waits) + 1


@pytest.mark.parametrize("wait", [0.5, 1.0, 4.0])
def test_delay_gives_up_when_the_wait_would_overrun(wait):
    """RetryPolicy.delay returns None once waited + wait passes total, else the wait."""
    policy = RetryPolicy(attempts=10, base_delay=wait, max_delay=wait, total=5, jitter=False)
    err = ServerError("boom", status_code=503)
    assert wait == policy.delay(1, err, 5 - wait, random.Random(0))
    assert policy.delay(1, err, 5 - wait + 0.01, random.Random(0)) is None
