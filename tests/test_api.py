"""The package surface and its architecture: __all__, import direction, runtime deps."""

import ast
import subprocess
import sys
from pathlib import Path

import ashby_query

PKG = Path(ashby_query.__file__).parent

# Lower layers first; a module may import only from its own layer or below, and the
# back ends (one layer) may not import each other.
LAYERS = [
    {"_core.errors", "_core.types"},
    {"_core.ast", "_core.values", "_core.semantics"},
    {"_core.walk"},
    {"_core.schema", "_core.lower"},
    {"_core.validate"},
    {"_front.tables", "_front.lexer", "_front.hints", "_front.build", "_front.fastparse"},
    {"_front.parser", "_front.bounds", "_front.decompiler"},
    {"_back.compiler", "_back.formatter", "_back.engine", "_back.sql"},
    {"_front.builder"},
    {"_client.errors", "_client.core", "_client.client", "testing", "_tools.sample"},
    {
        "_tools.data",
        "_tools.cli",
        "_tools.agent",
        "_tools.duck",
        "_tools.mcp",
        "strategies",
        "pytest_plugin",
        "_hypothesis_hook",
    },
    {"__init__", "__main__"},
]
LEVEL = {name: i for i, layer in enumerate(LAYERS) for name in layer}
BACK_ENDS = {name for name in LEVEL if name.startswith("_back.")}


def _modules() -> dict[str, Path]:
    """Every module of the package, by dotted name below ``ashby_query``."""
    found = {}
    for path in PKG.rglob("*.py"):
        parts = path.relative_to(PKG).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            continue  # a folder's __init__ holds only its docstring
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path) -> set[str]:
    """The package modules that ``name`` imports, by dotted name."""
    package = name.split(".")[:-1]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level and node.module:
            base = package[: len(package) - (node.level - 1)]
            targets.add(".".join([*base, *node.module.split(".")]))
    return targets


def test_all_is_sorted_and_complete():
    """__all__ is sorted, and every name in it exists."""
    assert sorted(ashby_query.__all__) == ashby_query.__all__
    for name in ashby_query.__all__:
        assert hasattr(ashby_query, name), name


def test_layer_table_lists_exactly_the_modules():
    """Each module of the package is placed in the layer table, and only those."""
    assert set(LEVEL) == set(_modules())


def test_imports_go_one_way():
    """No module imports from a layer above its own, and no back end imports another."""
    for name, path in _modules().items():
        for target in _imports(name, path):
            assert target in LEVEL, f"{name} imports unknown {target}"
            assert LEVEL[target] <= LEVEL[name], f"{name} imports {target}"
            if name in BACK_ENDS:
                assert target == name or target not in BACK_ENDS, f"{name} imports {target}"


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
    """Parsing does not import Lark at all: the parse tables ship with the package."""
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
    from ashby_query._front.parser import _grammar_text

    assert "?or_expr" in _grammar_text()


def test_pytest_plugin_is_cheap_to_load():
    """Loading the pytest plugin (every pytest session) does not import httpx."""
    code = "import sys, ashby_query.pytest_plugin; print('httpx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "False" == out.stdout.strip()
