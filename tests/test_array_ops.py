"""array_contains and any: the 2026 operators, in text, builder, JSON and the engine."""

import attrs
import pytest

import ashby_query as aq
from ashby_query import ENTITIES, F, FieldType, SearchField

APPS = ENTITIES["applications"]
MINE = attrs.evolve(
    APPS,
    searchable={
        **APPS.searchable,
        "tags": SearchField("tags", FieldType.ARRAY, "Tags"),
        "hiringTeam": SearchField("hiringTeam", FieldType.ARRAY, "Team members"),
    },
)


def test_2026_dialect_is_the_sdk_operator_set():
    """The 2026 dialect's operators are exactly airbyte-agent-sdk 0.1.380's."""
    sdk = "eq neq gt gte lt lte in startswith endswith fuzzy keyword contains array_contains"
    assert set(f"{sdk} not and or any".split()) == aq.DIALECT_2026.operators


@pytest.mark.parametrize("text", ['status array_contains "x"', 'status any (name = "x")'])
def test_no_searchable_array_says_so(text):
    """On the built-in entities the error says no field is an array and what to use."""
    with pytest.raises(aq.QueryError) as info:
        aq.parse(text, "applications")
    assert "operator_not_allowed" == info.value.type
    assert "No searchable field of applications is an array" in str(info.value)
    assert 'status in ("a", "b")' in str(info.value)


def test_text_builder_and_json_agree():
    """Text, builder and JSON make the same query; JSON out reads back in."""
    text = 'hiringTeam any (role = "Recruiter") or tags array_contains "urgent"'
    q = aq.parse(text, MINE)
    built = aq.EntityRef(MINE).where(
        F.hiringTeam.any(F.role == "Recruiter") | F.tags.array_contains("urgent")
    )
    assert built == q
    params = q.to_params(dialect="2026")
    assert {
        "or": [
            {"any": {"hiringTeam": {"eq": {"role": "Recruiter"}}}},
            {"array_contains": {"tags": "urgent"}},
        ]
    } == params["query"]["filter"]
    assert q == aq.from_params(params, MINE)
    assert text == str(q)


def test_reference_dialect_refuses_them():
    """The reference dialect has neither operator, and says which dialect has."""
    q = aq.parse('tags array_contains "x"', MINE)
    with pytest.raises(aq.QueryError, match="'2026'") as info:
        q.to_params()
    assert "dialect_unsupported" == info.value.type


def test_engine_meanings():
    """array_contains is membership; any matches when some element matches."""
    q = aq.parse('tags array_contains "x" or hiringTeam any (role = "R")', MINE)
    assert q.matches({"tags": ["a", "x"]})
    assert not q.matches({"tags": "x"})
    assert q.matches({"hiringTeam": [{"role": "Q"}, {"role": "R"}]})
    assert not q.matches({"hiringTeam": [{"role": "Q"}, "R"]})


def test_any_nesting_is_bounded():
    """any inside any is bounded, and deep JSON nesting is read without recursion."""
    inner: dict = {"eq": {"x": 1}}
    for _ in range(5000):
        inner = {"any": {"hiringTeam": inner}}
    with pytest.raises(aq.QueryError) as info:
        aq.from_params({"query": {"filter": inner}}, MINE)
    assert "too_deep" == info.value.type


def test_any_takes_a_condition():
    """any() in the builder takes a condition, and says so."""
    with pytest.raises(TypeError, match="condition"):
        F.tags.any("x")
