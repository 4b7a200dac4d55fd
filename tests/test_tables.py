"""The generated parser tables: in step with the grammar, and enough on their own."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given

from ashby_query import strategies as aqs

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "grammar" / "build_tables.py"
TABLES = ROOT / "ashby_query" / "_front" / "tables.py"


def _generator():
    """grammar/build_tables.py as a module; it needs Lark, which only building needs."""
    if importlib.util.find_spec("lark") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("lark is not installed; pip install -e '.[test]'")
        pytest.skip("lark is not installed; pip install -e '.[test]'")
    if not SCRIPT.exists():
        pytest.skip("grammar/build_tables.py is not here (an installed package, not a checkout)")
    spec = importlib.util.spec_from_file_location("build_tables", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_tables_match_the_grammar():
    """Rebuilding the tables from grammar/query.lark with Lark gives the shipped module."""
    expected = _generator().generate()
    assert expected == TABLES.read_text("utf-8"), "run: python grammar/build_tables.py"


def test_generation_is_reproducible():
    """Two builds under different hash seeds write the same module (Lark's state order is not)."""
    code = f"import runpy; print(runpy.run_path({str(SCRIPT)!r})['generate']())"
    _generator()
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert 1 == len(outs)


def test_first_parse_in_a_fresh_process_writes_nothing_and_skips_lark(tmp_path):
    """A new process parses its first query without importing Lark or writing any file,
    and without loading difflib, hashlib or tempfile (error paths load difflib)."""
    code = (
        "import os, sys\n"
        "writes = []\n"
        "def audit(event, args):\n"
        "    if event == 'open':\n"
        "        path, mode, flags = args\n"
        "        if (mode and any(c in mode for c in 'wax+')) or (\n"
        "            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)\n"
        "        ):\n"
        "            writes.append(path)\n"
        "    elif event in ('os.mkdir', 'os.rename', 'os.replace', 'os.remove'):\n"
        "        writes.append(args[0])\n"
        "sys.addaudithook(audit)\n"
        "import ashby_query as aq\n"
        "aq.parse('status = \"a\" and createdAt > today - 7d', 'applications')\n"
        "slow = [m for m in ('difflib', 'hashlib', 'tempfile') if m in sys.modules]\n"
        "print('lark' in sys.modules, writes, slow)\n"
    )
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        # Byte-code caching is Python's, not the library's; an installed wheel has it.
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert "False [] []" == out.stdout.strip()
    assert [] == list(home.iterdir())


def test_runtime_modules_use_no_parser_internals():
    """No module of the package imports Lark internals or re._parser (strategies may use
    Lark itself, through Hypothesis, to fuzz)."""
    pkg = ROOT / "ashby_query"
    for path in pkg.rglob("*.py"):
        src = path.read_text("utf-8")
        assert "re._parser" not in src, path
        assert "_parser as" not in src, path
        if path.name != "strategies.py":
            assert "import lark" not in src, path
            assert "from lark" not in src, path


def _scanner(order):
    import re

    alts = "|".join(f"(?P<{n}>{rx})" for n, rx in order)
    return re.compile(f"(?:[ \\t\\r\\n]+)?(?:{alts}|(?P<ERROR>[^ \\t\\r\\n]))").finditer


def _tokens(scan, text):
    return [(m.lastgroup, m.group(m.lastgroup)) for m in scan(text)]


def _lark_terms():
    gen = _generator()
    _, _, terms = gen.terminals(gen.compile_grammar(gen.GRAMMAR.read_text("utf-8")))
    return gen, [(n, rx) for n, rx in terms if n != "WS"]


def test_lexer_order_keeps_overlapping_terminals_in_priority_order():
    """Terminals that can start alike keep Lark's order; others may move up."""
    gen, terms = _lark_terms()
    names = [n for n, _ in gen.lexer_order(terms)]
    assert sorted(names) == sorted(n for n, _ in terms)
    for group in (["DATETIME", "DATE", "DURATION", "NUMBER"], ["NEQ", "LTE", "LT"], ["GTE", "GT"]):
        assert group == [n for n in names if n in group]
    assert "NAME" == names[0]


@given(aqs.fuzz_texts("applications"))
def test_reordered_lexer_tokenizes_like_lark_order(text):
    """The shipped scanner finds exactly the tokens Lark's terminal order would."""
    from ashby_query._front import tables

    _, terms = _LARK_TERMS
    shipped = __import__("re").compile(tables.SCANNER).finditer
    assert _tokens(_scanner(terms), text) == _tokens(shipped, text)


_LARK_TERMS = _lark_terms() if importlib.util.find_spec("lark") else (None, [])


_LARK = None


@given(aqs.fuzz_texts("applications"))
def test_parser_accepts_what_lark_accepts(text):
    """On fuzzed text, the table-driven parser and Lark's own parser agree on the syntax.

    Past Lark, the parser also refuses a clause given twice and a fractional limit.
    """
    import lark

    import ashby_query as aq
    from ashby_query._front.parser import parse_text

    global _LARK
    if _LARK is None:
        gen = _generator()
        _LARK = gen.compile_grammar(gen.GRAMMAR.read_text("utf-8"))
    try:
        _LARK.parse(text)
        lark_ok = True
    except lark.exceptions.LarkError:
        lark_ok = False
    try:
        parse_text(text, "applications", aq.Limits(max_depth=10_000))
        ours = None
    except aq.QuerySyntaxError as err:
        ours = err.type
    except aq.QueryError:
        ours = "bound"
    if lark_ok:
        assert ours in (None, "bound", "duplicate_clause", "limit_range"), (text, ours)
    else:
        assert ours not in (None, "bound"), text
