"""Agent helpers: describe(), tool_schema(), for_agent(), and the error catalogue."""

import json
import os

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
        "bad_entity",
    }
    assert set() == raised - documented - other


@pytest.mark.parametrize("entity", SEARCHABLE)
def test_tool_schema_default_is_unchanged(entity):
    """The default shape stays {name, description, parameters} with one query argument."""
    schema = aq.tool_schema(entity)
    assert ["description", "name", "parameters"] == sorted(schema)
    assert ["query"] == list(schema["parameters"]["properties"])
    assert schema == aq.tool_schema(entity, "function")


@pytest.mark.parametrize("entity", SEARCHABLE)
@pytest.mark.parametrize("paging", [False, True])
def test_tool_schema_formats_share_one_argument_schema(entity, paging):
    """Each API's shape wraps the same name, description and argument schema."""
    from ashby_query._tools.agent import TOOL_FORMATS

    base = aq.tool_schema(entity, paging=paging)
    unwrap = {
        "function": lambda s: (s["name"], s["description"], s["parameters"]),
        "openai": lambda s: (
            s["function"]["name"],
            s["function"]["description"],
            s["function"]["parameters"],
        ),
        "openai-responses": lambda s: (s["name"], s["description"], s["parameters"]),
        "anthropic": lambda s: (s["name"], s["description"], s["input_schema"]),
        "mcp": lambda s: (s["name"], s["description"], s["inputSchema"]),
    }
    assert set(TOOL_FORMATS) == set(unwrap)
    for fmt, parts in unwrap.items():
        schema = aq.tool_schema(entity, fmt, paging=paging)
        assert unwrap["function"](base) == parts(schema), fmt
        json.dumps(schema)
    assert "function" == aq.tool_schema(entity, "openai")["type"]
    assert "function" == aq.tool_schema(entity, "openai-responses")["type"]
    wanted = {"query", "limit", "cursor"} if paging else {"query"}
    assert wanted == set(base["parameters"]["properties"])


def test_tool_schema_arguments_validate():
    """The argument schema accepts a query with paging and refuses unknown arguments."""
    try:
        import jsonschema
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("jsonschema is not installed: pip install -e '.[test]'")
    params = aq.tool_schema("jobs", "anthropic", paging=True)["input_schema"]
    jsonschema.Draft202012Validator.check_schema(params)
    validator = jsonschema.Draft202012Validator(params)
    assert validator.is_valid({"query": 'status = "Open"', "limit": 10, "cursor": "abc"})
    assert not validator.is_valid({"query": "", "limit": 0})
    assert not validator.is_valid({"query": "", "offset": 5})
    assert not validator.is_valid({})


def test_tool_schema_unknown_format():
    """An unknown format is refused with the list of formats."""
    with pytest.raises(ValueError) as info:
        aq.tool_schema("jobs", "gemini")
    assert "'anthropic'" in str(info.value)
    assert "'gemini'" in str(info.value)


@pytest.mark.parametrize("entity", SEARCHABLE)
def test_tool_schema_fits_the_token_budget(entity):
    """Every format's schema, as JSON, fits TOKEN_BUDGET; describe() fits 400 tokens."""
    from ashby_query._tools.agent import TOKEN_BUDGET, TOOL_FORMATS, token_count

    assert token_count(aq.describe(entity)) <= 400
    for fmt in TOOL_FORMATS:
        for paging in (False, True):
            text = json.dumps(aq.tool_schema(entity, fmt, paging=paging))
            assert token_count(text) <= TOKEN_BUDGET, (fmt, paging)


def test_token_count_counts_words_and_marks():
    """token_count() counts each word and each punctuation mark."""
    from ashby_query._tools.agent import token_count

    assert 0 == token_count("   ")
    assert 5 == token_count('a = "b"')
    assert 3 == token_count("createdAt >=")


@pytest.mark.parametrize("entity", [e for e in aq.ENTITIES if e not in SEARCHABLE])
def test_describe_list_only_entity(entity):
    """describe() of an entity that cannot be searched names its actions and fields."""
    text = aq.describe(entity)
    assert "cannot be searched" in text
    for field in aq.ENTITIES[entity].record_fields:
        assert f"{field} (" in text
