"""The public Hypothesis strategies: what they generate honours their options."""

import collections
import datetime as dt

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

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


@pytest.mark.parametrize(
    "make",
    [
        lambda: aqs.queries("nope"),
        lambda: aqs.queries("departments"),
        lambda: aqs.queries("applications", fields=["nope"]),
        lambda: aqs.queries("applications", fields="status"),
        lambda: aqs.queries("applications", operators=["eq"]),
        lambda: aqs.queries("applications", max_depth=0),
        lambda: aqs.conditions("applications", max_width=1),
        lambda: aqs.queries("job_postings", fields=["isListed"], operators=[Op.LIKE]),
        lambda: aqs.queries("applications", dialect="1999"),
        lambda: aqs.values("applications", "nope"),
        lambda: aqs.datasets("applications", min_size=3, max_size=2),
        lambda: aqs.datasets_and_queries("applications", min_size=-1),
        lambda: aqs.records("applications", pool="status"),
        lambda: aqs.queries("applications", pool=[], exotic=True),
        lambda: aqs.records("jobs", pool=aqs.ValuePool("candidates", {})),
    ],
)
def test_bad_arguments_raise_invalid_argument(make):
    """Bad strategy arguments raise Hypothesis's InvalidArgument, with a sentence."""
    with pytest.raises(InvalidArgument) as info:
        make()
    assert str(info.value).endswith(".")


@given(st.from_type(aq.Query))
def test_from_type_draws_queries(q):
    """st.from_type(Query) works through Hypothesis's entry point."""
    assert isinstance(q, aq.Query)
    assert q == aq.parse(str(q), q.entity)


def test_the_entry_point_is_registered():
    """The package declares the hook Hypothesis runs on import."""
    import importlib.metadata

    hooks = [
        ep for ep in importlib.metadata.entry_points(group="hypothesis") if ep.name == "ashby_query"
    ]
    assert ["ashby_query._hypothesis_hook:_hypothesis_setup_hook"] == [ep.value for ep in hooks]


@given(aqs.datasets("candidates", min_size=2, max_size=6))
def test_datasets_have_distinct_ids(rows):
    """datasets() gives records with distinct string ids, sized as asked."""
    ids = [r["id"] for r in rows]
    assert 2 <= len(rows) <= 6
    assert len(set(ids)) == len(ids)


def test_records_and_queries_share_a_pool():
    """With one pool, most record values and most compared values come from it."""
    counts = collections.Counter()

    @seed(5)
    @settings(max_examples=100, database=None)
    @given(st.data())
    def draw(data):
        pool = data.draw(aqs.value_pools("users"))
        record = data.draw(aqs.records("users", pool=pool, nulls=False, missing=False))
        counts["records"] += 1
        counts["record from pool"] += record["firstName"] in pool.values["firstName"]
        q = data.draw(aqs.queries("users", pool=pool, fields=["firstName"], operators=[Op.EQ]))
        if q.ast.filter is not None:
            for p in leaves(q.ast.filter):
                counts["values"] += 1
                counts["value from pool"] += p.value in pool.values["firstName"]

    draw()
    assert counts["record from pool"] >= 0.6 * counts["records"], counts
    assert counts["value from pool"] >= 0.2 * counts["values"], counts


def test_pools_read_from_records():
    """ValuePool.from_records keeps each field's distinct values, timestamps parsed."""
    pool = aqs.ValuePool.from_records(
        "applications",
        [
            {"id": "1", "status": "a", "createdAt": "2024-01-01T02:00:00+02:00"},
            {"id": "2", "status": "a", "createdAt": "not a date"},
        ],
    )
    assert ("a",) == pool.values["status"]
    assert (dt.datetime(2024, 1, 1, tzinfo=dt.UTC),) == pool.values["createdAt"]
    assert ("1", "2") == pool.values["id"]


@given(aqs.queries("applications", exotic=True))
def test_exotic_queries_still_validate(q):
    """exotic=True draws values on their own; the queries still validate."""
    assert q == aq.parse(str(q), "applications")
