"""Package metadata and the README as the package index shows them."""

import re
import tomllib
from importlib.metadata import metadata
from pathlib import Path

from hypothesis import settings

import ashby_query

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
PROJECT = PYPROJECT["project"]


def test_version_is_written_once():
    """The metadata reads the version from ashby_query/__init__.py."""
    assert "version" not in PROJECT
    assert ["version"] == PROJECT["dynamic"]
    assert {"path": "ashby_query/__init__.py"} == PYPROJECT["tool"]["hatch"]["version"]
    assert ashby_query.__version__ == metadata("ashby-query")["Version"]


def test_metadata_is_complete():
    """Classifiers, keywords, authors and the license file are declared."""
    classifiers = set(PROJECT["classifiers"])
    for wanted in ("Typing :: Typed", "Framework :: Pytest", "Framework :: Hypothesis"):
        assert wanted in classifiers
    assert {"3.11", "3.12", "3.13"} <= {
        c.rsplit(" ", 1)[1] for c in classifiers if re.fullmatch(r".*Python :: 3\.\d+", c)
    }
    assert PROJECT["keywords"]
    assert [{"name": "ashby-query developers"}] == PROJECT["authors"]
    assert ["LICENSE"] == PROJECT["license-files"]
    assert (ROOT / "LICENSE").read_text("utf-8").startswith("MIT License")


def test_sdist_holds_what_the_docs_build_needs():
    """The sdist ships the license and everything `mkdocs build` reads."""
    include = set(PYPROJECT["tool"]["hatch"]["build"]["targets"]["sdist"]["include"])
    assert {"LICENSE", "mkdocs.yml", "docs_hooks.py", "docs", "ashby_query"} <= include


def test_dev_tools_are_a_group_not_an_extra():
    """mypy and ruff are development tools, not a published extra."""
    extras = PROJECT["optional-dependencies"]
    published = " ".join(" ".join(v) for v in extras.values())
    assert "mypy" not in published
    assert "ruff" not in published
    dev = " ".join(PYPROJECT["dependency-groups"]["dev"])
    assert "mypy" in dev
    assert "ruff" in dev
    assert any(d.startswith("mkdocstrings[python]") for d in extras["docs"])


def test_readme_has_no_links_that_break_on_the_index():
    """The package index shows the README alone: no relative or outside links."""
    readme = (ROOT / "README.md").read_text("utf-8")
    assert [] == re.findall(r"\]\([^)]*\)", readme)
    assert "../" not in readme


def test_readme_documents_the_fast_profile_and_times():
    """The README says how long the tests take, and the fast profile exists."""
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "HYPOTHESIS_PROFILE=fast" in readme
    assert "minutes" in readme
    assert settings.get_profile("fast").max_examples < settings.get_profile("ci").max_examples
