"""The public Hypothesis strategies: what they generate honours their options."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

import ashby_query as aq
from ashby_query import strategies as aqs
from ashby_query._core.ast import And, Not, Or, Predicate
from ashby_query._core.schema import ENTITIES, SEARCHABLE
from ashby_query._core.types import Op


def leaves(node):
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Predicate):
            yield n
        elif isinstance(n, Not):
            stack.append(n.operand)
        elif isinstance(n, And | Or):
            stack.extend(n.operands)


@given(aqs.queries("applications", fields=["status"], operators=[Op.EQ, Op.IN]))
def test_queries_honour_fields_and_operators(q):
    """fields= and operators= narrow what appears in the filter."""
    if q.ast.filter is not None:
        for p in leaves(q.ast.filter):
            assert "status" == p.field
            assert p.op in (Op.EQ, Op.IN)


@given(aqs.conditions("candidates", max_depth=1, max_width=2))
def test_conditions_honour_depth(cond):
    """max_depth bounds nesting."""
    from ashby_query._back.engine import depth

    assert depth(cond) <= 3


@given(st.data())
def test_values_have_the_field_type(data):
    """values(entity, field) gives values of the field's type."""
    entity = data.draw(st.sampled_from(SEARCHABLE))
    field = data.draw(st.sampled_from(list(ENTITIES[entity].searchable)))
    value = data.draw(aqs.values(entity, field))
    ftype = ENTITIES[entity].searchable[field].type.value
    expected = {"string": str, "boolean": bool, "timestamp": dt.date}[ftype]
    assert isinstance(value, expected)


@given(aqs.records("job_postings", missing=False))
def test_records_have_every_field(record):
    """records() with missing=False carries every field; ids are always strings."""
    assert set(ENTITIES["job_postings"].record_fields) <= set(record)
    assert isinstance(record["id"], str)
    assert record["isListed"] in (True, False, None)


@given(aqs.records("applications", nulls=False, missing=False))
def test_records_without_nulls_parse_timestamps(record):
    """Generated timestamps (with offsets) are valid ISO 8601."""
    assert dt.datetime.fromisoformat(record["createdAt"]).tzinfo is not None


@given(aqs.queries("candidates", dialect="2026"))
def test_2026_queries_compile_in_2026(q):
    """dialect="2026" keeps to like patterns that dialect can express."""
    assert "query" in q.to_params(dialect="2026")


@given(aqs.query_texts("applications"))
def test_query_texts_are_valid(text):
    """query_texts() only generates text that parses."""
    assert isinstance(aq.parse(text, "applications"), aq.Query)
