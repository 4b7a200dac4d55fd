"""Our schema registry equals the Ashby connector definition bundled with airbyte-agent-sdk.

Runs when ``airbyte-agent-sdk`` is installed (``.ci/run`` pins 0.1.380); it reads the SDK's
``specs/ashby/connector.yaml`` without importing the SDK, and fails on any difference in
entities, actions, searchable fields or their types.
"""

import importlib.util
import os
from pathlib import Path

import pytest

from ashby_query import ENTITIES, FieldType

# The connector definition types timestamps as ISO 8601 strings.
_WIRE_TYPE = {
    FieldType.STRING: "string",
    FieldType.TIMESTAMP: "string",
    FieldType.BOOLEAN: "boolean",
}


def _spec() -> dict:
    found = importlib.util.find_spec("airbyte_agent_sdk")
    if found is None or not found.submodule_search_locations:
        if os.environ.get("CI") == "true":
            pytest.fail("airbyte-agent-sdk is not installed; .ci/run installs the pinned release.")
        pytest.skip("airbyte-agent-sdk is not installed (pip install airbyte-agent-sdk==0.1.380).")
    yaml = pytest.importorskip("yaml", reason="PyYAML reads the SDK's connector definition.")
    path = Path(next(iter(found.submodule_search_locations))) / "specs" / "ashby" / "connector.yaml"
    return yaml.safe_load(path.read_text("utf-8"))


def _actions(spec: dict) -> dict[str, set[str]]:
    """Every (entity, action) the definition's operations declare, found without recursion."""
    out: dict[str, set[str]] = {}
    stack: list[object] = [spec.get("paths", {})]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "x-airbyte-entity" in node and "x-airbyte-action" in node:
                out.setdefault(node["x-airbyte-entity"], set()).add(node["x-airbyte-action"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out


def _store(spec: dict) -> dict[str, dict[str, set[str]]]:
    store = spec["info"]["x-airbyte-context-store"]["entities"]
    return {
        e["entity"]: {
            f["name"]: set(f["type"] if isinstance(f["type"], list) else [f["type"]]) - {"null"}
            for f in e["fields"]
        }
        for e in store
    }


def test_entities_and_actions_match_the_sdk():
    """Entities and their actions are the SDK's; the searchable ones add context_store_search."""
    spec = _spec()
    store = _store(spec)
    expected = {
        name: actions | ({"context_store_search"} if name in store else set())
        for name, actions in _actions(spec).items()
    }
    assert expected == {name: set(e.actions) for name, e in ENTITIES.items()}


def test_searchable_fields_and_types_match_the_sdk():
    """Each searchable entity's fields and their types are the SDK's."""
    store = _store(_spec())
    ours = {
        name: {f.name: {_WIRE_TYPE[f.type]} for f in e.searchable.values()}
        for name, e in ENTITIES.items()
        if e.searchable
    }
    assert store == ours
