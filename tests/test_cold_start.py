"""Cold start: what `import ashby_query` loads, and the names that load on first use.

No timing here (bench/cold_start.py measures): these tests keep a lazy module from
slipping back onto the import path unnoticed, and check that every lazy name still
behaves as a plain attribute of the package.
"""

import importlib
import pickle
import subprocess
import sys

import pytest

import ashby_query

# Package modules that neither `import ashby_query` nor a first parse and compile load.
LAZY_MODULES = {
    "ashby_query._back.engine",
    "ashby_query._back.formatter",
    "ashby_query._back.sql",
    "ashby_query._client.client",
    "ashby_query._client.core",
    "ashby_query._client.errors",
    "ashby_query._core.semantics",
    "ashby_query._front.decompiler",
    "ashby_query._front.hints",
    "ashby_query._tools.agent",
    "ashby_query._tools.cli",
    "ashby_query._tools.data",
    "ashby_query._tools.duck",
    "ashby_query._tools.mcp",
    "ashby_query._tools.sample",
}
# Third-party and standard-library modules that only other features or error paths need.
HEAVY_MODULES = {
    "asyncio",
    "bisect",
    "difflib",
    "duckdb",
    "hashlib",
    "httpx",
    "json",
    "lark",
    "random",
    "sqlglot",
    "tempfile",
    "uuid",
}
# The parser's generated modules load with the first parse, not with the import.
FIRST_PARSE_MODULES = {"ashby_query._front.fastparse", "ashby_query._front.tables"}
FIRST_USE = (
    "import ashby_query as aq\n"
    "aq.parse('status = \"a\" and createdAt > 2024-01-01', 'applications')\n"
    "aq.compile('name like \"A%\" order by name desc limit 5', entity='candidates')\n"
)


def _loaded_after(code: str) -> set[str]:
    """The watched modules in sys.modules after ``code`` runs in a fresh interpreter."""
    watched = sorted(LAZY_MODULES | HEAVY_MODULES | FIRST_PARSE_MODULES)
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {watched!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert 0 == out.returncode, out.stderr
    return set(out.stdout.split())


def test_import_loads_no_lazy_module():
    """`import ashby_query` loads none of the lazy modules, heavy dependencies or parse tables."""
    assert set() == _loaded_after("import ashby_query")


def test_first_parse_and_compile_load_no_lazy_module():
    """A first parse and compile of valid text stay off the error paths and the tools."""
    assert FIRST_PARSE_MODULES >= _loaded_after(FIRST_USE)


def test_every_lazy_name_is_public_and_resolves_to_its_module():
    """Each lazy name is in __all__ and dir(), and is the object its module defines."""
    for name, module in ashby_query._LAZY.items():
        assert name in ashby_query.__all__, name
        assert name in dir(ashby_query), name
        expected = getattr(importlib.import_module(f"ashby_query.{module}"), name)
        assert expected is getattr(ashby_query, name), name


def test_from_import_of_every_lazy_name_in_a_fresh_process():
    """`from ashby_query import X` works for every lazy name before anything loaded it."""
    names = ", ".join(sorted(ashby_query._LAZY))
    code = f"from ashby_query import {names}\nprint('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "ok" == out.stdout.strip()


def test_unknown_attribute_still_raises_attribute_error():
    """A name that is neither defined nor lazy raises AttributeError, naming it."""
    with pytest.raises(AttributeError, match="'NoSuchThing'"):
        ashby_query.NoSuchThing


def test_lazy_exception_unpickles_in_a_fresh_process():
    """A pickled client error loads its lazy module when unpickled, as before."""
    err = ashby_query.RateLimitError("Slow down.", retry_after=2.0, status_code=429)
    code = (
        "import pickle, sys\n"
        f"err = pickle.loads({pickle.dumps(err)!r})\n"
        "print(type(err).__name__, err.retry_after, err.status_code)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "RateLimitError 2.0 429" == out.stdout.strip()


def test_lazy_value_object_pickles():
    """A lazy attrs value object (Semantics) round-trips through pickle."""
    semantics = ashby_query.Semantics()
    assert semantics == pickle.loads(pickle.dumps(semantics))
