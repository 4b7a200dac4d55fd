"""The documentation build helpers in docs_hooks.py: generated pages read as intended."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
docs_hooks = pytest.importorskip("docs_hooks")
from ashby_query._tools.agent import ERROR_CATALOGUE  # noqa: E402


def test_error_catalogue_shows_queries_verbatim():
    """List items are not table cells: no stray backslashes before pipes."""
    page = docs_hooks.error_catalogue()
    assert "\\|" not in page
    for entry in ERROR_CATALOGUE:
        if len(entry.bad) < 80:
            assert entry.bad.replace("\n", " ") in page
        assert entry.fix.replace("\n", " ") in page
    assert any("||" in entry.bad for entry in ERROR_CATALOGUE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a || b", "`a || b`"), ("a `b` c", "``a `b` c``"), ("`x`", "`` `x` ``")],
)
def test_code_span_holds_any_text(text, expected):
    """A code span takes a longer fence when the text holds backticks."""
    assert expected == docs_hooks._code(text)


def test_table_cells_escape_pipes():
    """Inside a table a pipe would end the cell, so there it is escaped."""
    assert "a \\| b" == docs_hooks._cell("a | b")


def test_docstring_examples_are_fenced():
    """The API reference shows >>> examples (and their output) as code blocks."""
    text = "Do it.\n\n>>> f(1)\n2\n>>> g()\n\nMore text.\n\n```\n>>> kept\n```"
    assert (
        "Do it.\n\n```pycon\n>>> f(1)\n2\n>>> g()\n```\n\nMore text.\n\n```\n>>> kept\n```"
        == docs_hooks.fence_doctests(text)
    )


def test_docs_use_only_the_public_api():
    """No page (nor the README) imports or names a private module."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        assert "ashby_query._" not in page.read_text("utf-8"), page.name


def test_every_page_is_in_the_navigation():
    """The install, command-line and API pages exist and are linked from the site's nav."""
    nav = (ROOT / "mkdocs.yml").read_text("utf-8")
    for page in ("install.md", "cli.md", "api.md"):
        assert (ROOT / "docs" / page).exists()
        assert page in nav
    assert "mkdocstrings" in nav
