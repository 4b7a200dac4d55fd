"""Code examples in docs/ that are whole test files run as tests, through pytester."""

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"```python\n(# (test_\w+\.py)\n.*?)```", re.S)


def example_files():
    for page in sorted(DOCS.glob("*.md")):
        for m in BLOCK.finditer(page.read_text("utf-8")):
            yield pytest.param(m.group(2), m.group(1), id=f"{page.name}:{m.group(2)}")


@pytest.mark.parametrize(("name", "code"), list(example_files()))
def test_doc_example_passes(pytester, name, code):
    """Each example test file in the docs passes when run by pytest."""
    pytester.makepyfile(**{name[:-3]: code})
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1, result.stdout.str()
    assert 0 == outcomes.get("failed", 0) + outcomes.get("errors", 0), result.stdout.str()


def test_docs_have_examples():
    """The testing guide's worked example is found."""
    assert any("testing.md" in p.id for p in example_files())
