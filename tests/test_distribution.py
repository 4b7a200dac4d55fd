"""The strategies' defaults discriminate: measured shares, and the boundaries they reach.

Each test runs a property many times with a fixed seed, counts what was drawn, and
fails when a share falls below what the documentation promises: at least 60% of
(dataset, query) pairs select some records but not all, at most 10% of queries have no
filter, and each boundary (midnight and one microsecond either side, case-only twins,
nulls and missing keys, ``%`` and ``_`` in like values, equal sort keys) shows up.
"""

import collections
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from ashby_query import strategies as aqs
from ashby_query._back.engine import compile_predicate
from ashby_query._core.ast import Predicate, iter_nodes
from ashby_query._core.schema import ENTITIES, SEARCHABLE
from ashby_query._core.types import FieldType, Op

RUNS = 200
MEASURE = settings(
    max_examples=RUNS,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_datasets_and_queries_discriminate():
    """At least 60% of pairs select some but not all records; at most 10% lack a filter."""
    counts = collections.Counter()

    @seed(20240101)
    @MEASURE
    @given(st.data())
    def draw(data):
        entity = data.draw(st.sampled_from(SEARCHABLE))
        records, query = data.draw(aqs.datasets_and_queries(entity))
        chosen = sum(map(compile_predicate(query.ast.filter), records))
        counts["pairs"] += 1
        counts["some"] += 0 < chosen < len(records)
        counts["no filter"] += query.ast.filter is None

    draw()
    assert counts["pairs"] >= RUNS * 0.9
    assert counts["some"] >= 0.6 * counts["pairs"], counts
    assert counts["no filter"] <= 0.1 * counts["pairs"], counts


def test_queries_alone_rarely_lack_a_filter():
    """queries() on its own: at most 10% without a filter."""
    counts = collections.Counter()

    @seed(7)
    @MEASURE
    @given(st.data())
    def draw(data):
        query = data.draw(aqs.queries(data.draw(st.sampled_from(SEARCHABLE))))
        counts["queries"] += 1
        counts["no filter"] += query.ast.filter is None

    draw()
    assert counts["no filter"] <= 0.1 * counts["queries"], counts


def _instant(value):
    try:
        return dt.datetime.fromisoformat(value).astimezone(dt.UTC)
    except (TypeError, ValueError):
        return None


BOUNDARIES = {
    "applications": [
        "null",
        "missing key",
        "equal sort keys",
        "midnight",
        "midnight - 1us",
        "midnight + 1us",
        "date-only comparison",
    ],
    "candidates": ["case-only twins", "% in a like value", "_ in a like value"],
}


@pytest.mark.parametrize("entity", list(BOUNDARIES))
def test_datasets_reach_the_boundaries(entity):
    """Drawn datasets and queries reach each boundary the strategies promise."""
    seen = collections.Counter()
    tick = dt.timedelta(microseconds=1)

    @seed(11)
    @MEASURE
    @given(aqs.datasets_and_queries(entity))
    def draw(case):
        records, query = case
        fields = ENTITIES[entity].searchable
        for name, field in fields.items():
            present = [r[name] for r in records if r.get(name) is not None]
            seen["null"] += any(name in r and r[name] is None for r in records)
            seen["missing key"] += any(name not in r for r in records)
            if len(present) != len(set(map(repr, present))):
                seen["equal sort keys"] += 1
            if field.type is FieldType.TIMESTAMP:
                for t in filter(None, map(_instant, present)):
                    midnight = dt.datetime.combine(t.date(), dt.time(), dt.UTC)
                    seen["midnight"] += t == midnight
                    seen["midnight - 1us"] += t + tick == midnight + dt.timedelta(days=1)
                    seen["midnight + 1us"] += t - tick == midnight
            if field.type is FieldType.STRING:
                texts = [v for v in present if isinstance(v, str)]
                folded = collections.Counter(v.casefold() for v in set(texts))
                seen["case-only twins"] += any(n > 1 for n in folded.values())
        for node, _ in iter_nodes(query.ast.filter) if query.ast.filter is not None else ():
            if isinstance(node, Predicate) and node.op is Op.LIKE:
                literal = node.value.replace("\\%", "").replace("%", "")
                seen["% in a like value"] += "\\%" in node.value
                seen["_ in a like value"] += "_" in literal
            if isinstance(node, Predicate) and isinstance(node.value, dt.date):
                seen["date-only comparison"] += not isinstance(node.value, dt.datetime)

    draw()
    for boundary in BOUNDARIES[entity]:
        assert seen[boundary] >= 2, (boundary, seen)


def test_foreign_values_stay_a_minority():
    """Most compared values come from the dataset; some, not most, are foreign."""
    counts = collections.Counter()

    @seed(3)
    @MEASURE
    @given(aqs.datasets_and_queries("candidates"))
    def draw(case):
        records, query = case
        held = {v for r in records for v in r.values() if isinstance(v, str)}
        for node, _ in iter_nodes(query.ast.filter) if query.ast.filter is not None else ():
            if isinstance(node, Predicate) and node.op in (Op.EQ, Op.NEQ):
                counts["values"] += 1
                counts["held"] += node.value in held

    draw()
    assert counts["held"] >= 0.2 * counts["values"], counts
    assert counts["held"] < counts["values"], counts
