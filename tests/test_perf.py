"""Speed work that must not change results: chain gathering, linked paths, caches."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import attrs
import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

import ashby_query as aq
from ashby_query._core.ast import And, Condition, Not, Or, Predicate
from ashby_query._core.types import Op
from ashby_query._front.parser import parse_text

# A binary expression tree: ("p", i) | ("not", t) | ("and", l, r) | ("or", l, r) | ("()", t)
_leaf = st.integers(0, 5).map(lambda i: ("p", i))
_trees = st.recursive(
    _leaf,
    lambda kids: st.one_of(
        st.tuples(st.just("not"), kids),
        st.tuples(st.just("and"), kids, kids),
        st.tuples(st.just("or"), kids, kids),
        st.tuples(st.just("()"), kids),
    ),
    max_leaves=30,
)
_PREC = {"or": 1, "and": 2}
Tree = tuple[Any, ...]


def _text(t: Tree) -> str:
    """The tree as text, with parentheses wherever precedence or associativity needs them."""
    kind = t[0]
    if kind == "p":
        return f'id = "v{t[1]}"'
    if kind == "()":
        return f"({_text(t[1])})"
    if kind == "not":
        inner = _text(t[1])
        return f"not {inner}" if t[1][0] in ("p", "not", "()") else f"not ({inner})"
    left, right = _text(t[1]), _text(t[2])
    if t[1][0] in _PREC and _PREC[t[1][0]] < _PREC[kind]:
        left = f"({left})"
    if t[2][0] in _PREC and _PREC[t[2][0]] <= _PREC[kind]:
        right = f"({right})"
    return f"{left} {kind} {right}"


def _binary(t: Tree) -> Condition:
    """The AST as the parser built it before chains were gathered: one flatten per step."""
    kind = t[0]
    if kind == "p":
        return Predicate(Op.EQ, "id", f"v{t[1]}")
    if kind == "()":
        return _binary(t[1])
    if kind == "not":
        return Not(_binary(t[1]))
    cls = And if kind == "and" else Or
    return cls.of(_binary(t[1]), _binary(t[2]))


@settings(max_examples=300, deadline=None)
@given(_trees)
def test_gathered_chains_build_the_ast_pairwise_flattening_built(tree: Tree) -> None:
    text = _text(tree)
    got = parse_text(text, "candidates").filter
    assert got == _binary(tree), text


def test_deep_not_params_report_the_full_path_of_a_bad_leaf() -> None:
    obj: object = {"eq": {"id": ["x"]}}
    for _ in range(50):
        obj = {"not": obj}
    with pytest.raises(aq.QueryError) as info:
        aq.from_params({"query": {"filter": obj}}, "candidates", limits=aq.Limits(max_depth=128))
    (problem,) = info.value.problems
    assert problem.loc == ("query", "filter", *["not"] * 50, "eq", "id")


def test_the_text_cache_shares_one_query_and_keys_on_entity_text_and_limits() -> None:
    text = 'status = "active" and createdAt > 2024-01-01'
    first = aq.parse(text, "applications")
    assert aq.parse(text, "Applications") is first  # the entity is looked up by name first
    assert aq.parse(text, "applications", limits=aq.Limits(max_depth=9)) is not first
    assert aq.parse(text, "applications", limits=aq.Limits(max_depth=9)) == first
    assert aq.parse(text + " ", "applications") is not first


def test_a_cached_query_resolves_relative_times_with_the_clock_of_each_compile() -> None:
    text = "createdAt > today - 1d"
    clocks = [dt.datetime(2024, 3, 10, 12, tzinfo=dt.UTC), dt.datetime(2025, 7, 1, tzinfo=dt.UTC)]
    cached = aq.parse(text, "applications")
    assert aq.parse(text, "applications") is cached  # a cache hit
    for now in clocks:
        fresh = aq.from_params(aq.parse(text, "applications").to_params(now=now), "applications")
        got = cached.to_params(now=functools.partial(lambda t: t, now))
        assert got == fresh.to_params()
        assert got == aq.compile(text, entity="applications", now=now)
    assert cached.to_params(now=clocks[0]) != cached.to_params(now=clocks[1])
    day = clocks[0].date() - dt.timedelta(days=1)
    assert aq.compile(text, entity="applications", now=clocks[0]) == aq.compile(
        f"createdAt > {day.isoformat()}", entity="applications"
    )


def test_a_replaced_entity_is_not_served_from_the_cache(monkeypatch: Any) -> None:
    from ashby_query._core import schema as schema_mod

    text = 'status = "active"'
    old = aq.parse(text, "applications")
    mine = attrs.evolve(schema_mod.ENTITIES["applications"], description="mine")
    monkeypatch.setitem(schema_mod.ENTITIES, "applications", mine)
    assert aq.parse(text, "applications").schema is mine
    assert old.schema is not mine


def test_errors_are_raised_afresh_each_time() -> None:
    for _ in range(2):
        with pytest.raises(aq.QueryError, match="nope"):
            aq.parse("nope = 1", "applications")


# The generated predicate against the nested-closure one, over random trees and records.
_FIELDS = ("status", "archiveReason", "createdAt", "id")
_STAMPS = (
    "2024-01-01T00:00:00Z",
    "2023-12-31T23:59:59Z",
    "2024-02-30T00:00:00Z",  # impossible: matches nothing
    "2024-01-01T01:00:00+01:00",
    "2024-01-01",
    "2024-0a-01T00:00:00Z",
    "2024-01-01 00:00:00Z",
    "x",
)
_values = st.one_of(
    st.sampled_from(("active", "Active", "app-1", "APP-10", "lead", "ß", "K", "")),
    st.sampled_from(_STAMPS),
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
)
_when = st.sampled_from(
    (
        dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2023, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
        dt.datetime(2024, 1, 1, 0, 0, 0, 500, tzinfo=dt.UTC),
    )
)
_ops = (Op.EQ, Op.NEQ, Op.GT, Op.GTE, Op.LT, Op.LTE)
_preds = st.one_of(
    st.builds(Predicate, st.sampled_from(_ops), st.sampled_from(_FIELDS), _values | _when),
    st.builds(
        Predicate,
        st.just(Op.LIKE),
        st.sampled_from(_FIELDS),
        st.sampled_from(("app-1%", "APP%", "a%", "k%", "%1", "active", "a_p%", "s%")),
    ),
    st.builds(Predicate, st.just(Op.IS_NULL), st.sampled_from(_FIELDS)),
    st.builds(
        Predicate,
        st.just(Op.IN),
        st.sampled_from(_FIELDS),
        st.lists(st.sampled_from(("active", "lead", "app-1")), min_size=1, max_size=3).map(tuple),
    ),
)
_conds = st.recursive(
    _preds,
    lambda kids: st.one_of(
        kids.map(Not),
        st.lists(kids, min_size=2, max_size=4).map(lambda xs: And(tuple(xs))),
        st.lists(kids, min_size=2, max_size=4).map(lambda xs: Or(tuple(xs))),
    ),
    max_leaves=12,
)
_records = st.lists(
    st.dictionaries(st.sampled_from(_FIELDS), _values | _when, max_size=4), min_size=1, max_size=8
)
_semantics = st.builds(
    aq.Semantics,
    like_case=st.sampled_from(("sensitive", "insensitive")),
    eq_case=st.sampled_from(("sensitive", "insensitive")),
    nulls=st.sampled_from(("no_match", "neq_matches")),
    like_mode=st.sampled_from(("pattern", "substring")),
    like_underscore=st.sampled_from(("literal", "wildcard")),
)


@settings(max_examples=400, deadline=None)
@given(_conds, _records, _semantics)
def test_the_generated_predicate_agrees_with_the_closure_evaluator(
    cond: Condition, records: list[dict[str, Any]], sem: aq.Semantics
) -> None:
    from ashby_query._back import engine
    from ashby_query._core.lower import lower_condition

    lowered = lower_condition(cond, None, whole_day=sem.date_only == "whole_day")
    generated = engine._generated(lowered, sem)
    assert generated is not None
    closures = engine._closures(lowered, sem)
    for record in records:
        assert _outcome(generated, record) == _outcome(closures, record), record


def _outcome(pred: Any, record: dict[str, Any]) -> object:
    # The trees here are not validated (a GT on None, say): both must then fail alike.
    try:
        return pred(record)
    except TypeError:
        return TypeError


def test_the_text_cache_is_bounded_and_skips_long_texts() -> None:
    from ashby_query._front import builder

    assert builder._parse_cached.cache_info().maxsize == 512
    long = " or ".join(f'id = "{i}"' for i in range(400))
    assert len(long) > builder._CACHED_TEXT
    assert aq.parse(long, "candidates") is not aq.parse(long, "candidates")
    assert aq.parse(long, "candidates") == aq.parse(long, "candidates")
