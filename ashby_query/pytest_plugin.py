"""pytest fixtures for testing code that talks to Ashby, offline.

Registered through the ``pytest11`` entry point, so the fixtures are there as soon as
ashby-query is installed beside pytest. The plugin pytest loads is the top-level module
``_ashby_query_pytestplugin`` (outside this package, so loading it costs nothing until
a fixture is used); this module re-exports its fixtures for ``-p ashby_query.pytest_plugin``.

- ``ashby_records``: the records the fake connector serves. The default is the sample
  data; override the fixture in your ``conftest.py`` to serve your own.
- ``ashby_fake``: a :class:`~ashby_query.testing.FakeAshby` on 127.0.0.1, started for
  the test and stopped after it, with faults you can switch on.
- ``ashby_client``: an :class:`~ashby_query.AshbyClient` pointed at it, closed after.
- ``ashby_async_client``: an :class:`~ashby_query.AsyncAshbyClient` answered by the same
  fake in process (no socket), closed after the test.
"""

from __future__ import annotations

from _ashby_query_pytestplugin import (
    ashby_async_client,
    ashby_client,
    ashby_fake,
    ashby_records,
)

__all__ = ["ashby_async_client", "ashby_client", "ashby_fake", "ashby_records"]
