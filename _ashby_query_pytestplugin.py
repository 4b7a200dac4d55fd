"""pytest fixtures for testing code that talks to Ashby, offline (ashby-query's plugin).

pytest loads this module in every session of a project that has ashby-query installed
(the ``pytest11`` entry point), so it lives outside the ``ashby_query`` package and
imports nothing but pytest until a fixture is used: loading it does not import
ashby-query, attrs or httpx. ``ashby_query.pytest_plugin`` re-exports the fixtures.

- ``ashby_records``: the records the fake connector serves. The default is the sample
  data; override the fixture in your ``conftest.py`` to serve your own.
- ``ashby_fake``: an ``ashby_query.testing.FakeAshby`` on 127.0.0.1, started for the
  test and stopped after it, with faults you can switch on.
- ``ashby_client``: an ``AshbyClient`` pointed at it, closed after the test.
- ``ashby_async_client``: an ``AsyncAshbyClient`` wired to the same fake in process
  (through ``FakeAshby.transport()``, no socket), closed after the test.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ashby_query import AshbyClient, AsyncAshbyClient
    from ashby_query.testing import FakeAshby

__all__ = ["ashby_async_client", "ashby_client", "ashby_fake", "ashby_records"]


@pytest.fixture
def ashby_records() -> Mapping[str, Sequence[Mapping[str, Any]]]:
    """The records the fake connector serves: the sample data unless overridden."""
    from ashby_query._tools.sample import sample_records

    return sample_records()


@pytest.fixture
def ashby_fake(ashby_records: Mapping[str, Sequence[Mapping[str, Any]]]) -> Iterator[FakeAshby]:
    """A fake Ashby connector on 127.0.0.1, running for one test."""
    from ashby_query.testing import FakeAshby

    with FakeAshby(ashby_records) as fake:
        yield fake


@pytest.fixture
def ashby_client(ashby_fake: FakeAshby) -> Iterator[AshbyClient]:
    """A client pointed at ``ashby_fake``, closed after the test."""
    with ashby_fake.client() as client:
        yield client


@pytest.fixture
def ashby_async_client(ashby_fake: FakeAshby) -> Iterator[AsyncAshbyClient]:
    """An async client answered by ``ashby_fake`` in process, closed after the test.

    It has no socket, so it works in any event loop (asyncio or trio) and closes
    cleanly after the test's loop has ended.
    """
    import anyio

    client = ashby_fake.async_client(transport=ashby_fake.transport())
    try:
        yield client
    finally:
        anyio.run(client.aclose)
