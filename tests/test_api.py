"""The package surface and its architecture: __all__, import direction, runtime deps."""

import ast
import subprocess
import sys
from pathlib import Path

import ashby_query

PKG = Path(ashby_query.__file__).parent

# Lower layers first; a module may import only from its own layer or below.
LAYERS = [
    {"_errors", "_types"},
    {"_ast", "_values"},
    {"_schema"},
    {"_validate"},
    {"_parser", "_compiler", "_formatter", "_engine"},
    {"_decompiler"},
    {"_query"},
    {"_client_errors", "_client_core", "_client", "_server", "testing", "_sample"},
    {"_cli", "_agent", "strategies", "pytest_plugin"},
    {"__init__", "__main__"},
]
LEVEL = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def test_all_is_sorted_and_complete():
    """__all__ is sorted, and every name in it exists."""
    assert sorted(ashby_query.__all__) == ashby_query.__all__
    for name in ashby_query.__all__:
        assert hasattr(ashby_query, name), name


def test_every_module_has_a_layer():
    """Each module of the package is placed in the layer table."""
    for path in PKG.glob("*.py"):
        assert path.stem in LEVEL, path.stem


def test_imports_go_one_way():
    """No module imports from a layer above its own."""
    for path in PKG.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        mine = LEVEL[path.stem]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                target = node.module.split(".")[0]
                assert LEVEL[target] <= mine, f"{path.stem} imports {target}"


def test_runtime_never_imports_test_tools():
    """Importing and using the library loads neither Hypothesis nor pytest."""
    code = (
        "import sys, ashby_query as aq;"
        "aq.compile('status = \"a\"', entity='applications');"
        "bad = [m for m in ('hypothesis', 'pytest') if m in sys.modules];"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "[]" == out.stdout.strip()


def test_warm_parse_does_not_import_lark():
    """With the table cache warm, parsing does not import Lark at all."""
    code = (
        "import sys, ashby_query as aq;"
        "aq.parse('status = \"a\"', 'applications');"
        "print('lark' in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "False" == out.stdout.strip()


def test_package_ships_py_typed_and_grammar():
    """py.typed marks the package as typed; the grammar is found from the package."""
    assert (PKG / "py.typed").exists()
    from ashby_query._parser import _grammar_text

    assert "?or_expr" in _grammar_text()


def test_pytest_plugin_is_cheap_to_load():
    """Loading the pytest plugin (every pytest session) does not import httpx."""
    code = "import sys, ashby_query.pytest_plugin; print('httpx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "False" == out.stdout.strip()
