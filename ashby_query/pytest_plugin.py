"""pytest fixtures for testing code that talks to Ashby, offline.

Registered through the ``pytest11`` entry point, so the fixtures are there as soon as
ashby-query is installed beside pytest:

- ``ashby_records``: the records the fake connector serves. The default is the sample
  data; override the fixture in your ``conftest.py`` to serve your own.
- ``ashby_fake``: a :class:`~ashby_query.testing.FakeAshby` on 127.0.0.1, started for
  the test and stopped after it, with faults you can switch on.
- ``ashby_client``: an :class:`~ashby_query.AshbyClient` pointed at it.
- ``ashby_async_client``: an :class:`~ashby_query.AsyncAshbyClient` pointed at it
  (close it with ``await client.aclose()`` or use it in ``async with``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ._client.client import AshbyClient, AsyncAshbyClient
    from .testing import FakeAshby

# Imports happen inside the fixtures: this plugin loads in every pytest session of a
# project that has ashby-query installed, and should cost nothing until it is used.

__all__ = ["ashby_async_client", "ashby_client", "ashby_fake", "ashby_records"]


@pytest.fixture
def ashby_records() -> Mapping[str, Sequence[Mapping[str, Any]]]:
    """The records the fake connector serves: the sample data unless overridden."""
    from ._tools.sample import sample_records

    return sample_records()


@pytest.fixture
def ashby_fake(ashby_records: Mapping[str, Sequence[Mapping[str, Any]]]) -> Iterator[FakeAshby]:
    """A fake Ashby connector on 127.0.0.1, running for one test."""
    from .testing import FakeAshby

    with FakeAshby(ashby_records) as fake:
        yield fake


@pytest.fixture
def ashby_client(ashby_fake: FakeAshby) -> Iterator[AshbyClient]:
    """A client pointed at ``ashby_fake``, closed after the test."""
    with ashby_fake.client() as client:
        yield client


@pytest.fixture
def ashby_async_client(ashby_fake: FakeAshby) -> AsyncAshbyClient:
    """An async client pointed at ``ashby_fake``."""
    return ashby_fake.async_client()
