"""The pytest plugin: cheap to load, fixtures that work and clean up after themselves."""

import os
import subprocess
import sys
import textwrap

pytest_plugins = ["pytester"]


def test_loading_the_plugin_imports_nothing_of_ours(tmp_path):
    """pytest loading the plugin (in a session that uses none of its fixtures) imports
    neither ashby_query nor attrs nor httpx; the fixtures are registered all the same."""
    (tmp_path / "test_probe.py").write_text(
        textwrap.dedent(
            """
            import sys

            LOADED = [m for m in ("ashby_query", "attrs", "httpx") if m in sys.modules]


            def test_probe(request):
                plugin = request.config.pluginmanager.get_plugin("_ashby_query_pytestplugin")
                assert hasattr(plugin, "ashby_fake")
                assert [] == LOADED
            """
        )
    )
    # Only our plugin: other installed plugins (anyio's imports attrs) are not ours to test.
    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "_ashby_query_pytestplugin",
            "-p",
            "no:cacheprovider",
            "test_probe.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert 0 == out.returncode, out.stdout + out.stderr


def test_async_client_fixture_is_closed_after_the_test(pytester):
    """ashby_async_client works in the test's own event loop and is closed afterwards."""
    pytester.makepyfile(
        """
        import asyncio

        SEEN = []


        def test_uses_it(ashby_async_client):
            SEEN.append(ashby_async_client)
            page = asyncio.run(ashby_async_client.jobs.list(limit=2))
            assert 2 == len(page.records)
            assert not ashby_async_client._http.is_closed


        def test_it_was_closed():
            assert SEEN[0]._http.is_closed
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_sync_fixtures_serve_the_overridden_records(pytester):
    """Overriding ashby_records changes what ashby_fake and ashby_client serve."""
    pytester.makepyfile(
        """
        import pytest


        @pytest.fixture
        def ashby_records():
            return {"jobs": [{"id": "j1", "title": "Engineer", "status": "Open"}]}


        def test_it(ashby_client, ashby_fake):
            assert ["j1"] == [j["id"] for j in ashby_client.jobs.iter_search('status = "Open"')]
            assert 1 == len(ashby_fake.requests)
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
