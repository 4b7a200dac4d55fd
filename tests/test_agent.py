"""Agent helpers: describe(), tool_schema(), for_agent(), and the error catalogue."""

import json

import pytest

import ashby_query as aq
from ashby_query._core.schema import SEARCHABLE
from ashby_query._tools.agent import ERROR_CATALOGUE


@pytest.mark.parametrize("entity", SEARCHABLE)
def test_describe_is_compact_and_complete(entity):
    """describe() names every searchable field, has three examples, and is short."""
    text = aq.describe(entity)
    for field in aq.ENTITIES[entity].searchable:
        assert f"- {field} (" in text
    assert len(text.split()) < 400
    assert "rejected" in text


@pytest.mark.parametrize("entity", SEARCHABLE)
def test_described_examples_are_valid(entity):
    """The examples given to agents parse and compile."""
    for example in aq.tool_schema(entity)["parameters"]["properties"]["query"]["examples"]:
        assert aq.compile(example, entity=entity)


@pytest.mark.parametrize("entity", SEARCHABLE)
def test_tool_schema_is_json_schema(entity):
    """tool_schema() is a JSON-serialisable function tool with one string argument."""
    schema = aq.tool_schema(entity)
    assert f"search_{entity}" == schema["name"]
    params = schema["parameters"]
    assert "object" == params["type"]
    assert "string" == params["properties"]["query"]["type"]
    assert ["query"] == params["required"]
    json.dumps(schema)


def test_for_agent_says_what_to_change():
    """for_agent() is one short paragraph naming the fix and where."""
    with pytest.raises(aq.QueryError) as info:
        aq.parse('stauts = "a" and createdAt > 2024-02-30', "applications")
    text = info.value.for_agent()
    assert "\n" not in text
    assert "'status'" in text
    assert "29 days" in text
    assert len(text) < 600


@pytest.mark.parametrize("entry", ERROR_CATALOGUE, ids=lambda e: e.slug)
def test_catalogue_examples(entry):
    """Each catalogue entry's bad query raises its slug and its fix compiles."""
    with pytest.raises(aq.QueryError) as info:
        aq.parse(entry.bad, entry.entity)
    assert entry.slug == info.value.type
    assert aq.compile(entry.fix, entity=entry.entity) is not None


def test_catalogue_covers_every_text_slug():
    """Every slug the text front end and validation raise has a catalogue entry."""
    import re
    from pathlib import Path

    from ashby_query._front.hints import LEX_HINTS, PARSE_HINTS

    src = "".join(
        (Path(aq.__file__).parent / name).read_text("utf-8")
        for name in ("_front/build.py", "_front/parser.py", "_core/validate.py", "_core/schema.py")
    )
    call = r'(?:syntax\(\s*(?:self\.)?text,\s*|_bound\(\s*|_problem\(\s*|Problem\(\s*)"([a-z_]+)"'
    raised = set(re.findall(call, src)) | {h.slug for h in (*LEX_HINTS, *PARSE_HINTS)}
    assert {"unquoted_value", "too_deep", "value_type", "use_and"} <= raised
    documented = {e.slug for e in ERROR_CATALOGUE}
    # Not reachable from query text for a searchable entity, or only past a Limits bound.
    other = {
        "text_type",
        "filter_type",
        "cursor_type",
        "fields_type",
        "clause_in_where",
        "semicolon",
        "backtick",
        "in_too_large",
        "string_too_long",
        "number_too_long",
        "too_long",
        "unknown_entity",
        "not_searchable",
    }
    assert set() == raised - documented - other
