"""The engine's fast paths (generated functions, wire times read as text, caches) agree with
its slow ones: the nested closures and the iterative walk."""

from __future__ import annotations

import datetime as dt
import operator
import re
import string
from typing import Any

import attrs
import hypothesis.strategies as st
import pytest
from hypothesis import example, given, settings

import ashby_query as aq
from ashby_query import strategies
from ashby_query._back import engine
from ashby_query._core.ast import And, Condition, Not, Or, Predicate
from ashby_query._core.lower import lower_condition
from ashby_query._core.semantics import DEFAULT_SEMANTICS
from ashby_query._core.types import Op
from ashby_query._core.values import like_matcher, read_timestamp

UTC = dt.UTC
NOW = dt.datetime(2024, 3, 10, 12, 30, tzinfo=UTC)
_CMP = {
    Op.EQ: operator.eq,
    Op.NEQ: operator.ne,
    Op.GT: operator.gt,
    Op.GTE: operator.ge,
    Op.LT: operator.lt,
    Op.LTE: operator.le,
}

# Record texts for a timestamp field: the wire form (valid, impossible, out of range,
# non-ASCII digits), and every other form the strict reader knows or refuses.
_DIGIT = st.sampled_from("0123456789")
_ODD = st.sampled_from("0123456789٣a -:TZ")  # an Arabic-Indic digit, a letter, separators


def _wire_shaped(digit: st.SearchStrategy[str], millis: bool = False) -> st.SearchStrategy[str]:
    """YYYY-MM-DDTHH:MM:SSZ (or SS.mmmZ) with each digit drawn from ``digit``."""
    parts = [digit] * 4 + [st.just("-")] + [digit] * 2 + [st.just("-")] + [digit] * 2
    parts += [st.just("T")] + [digit] * 2 + [st.just(":")] + [digit] * 2 + [st.just(":")]
    parts += [digit] * 2 + ([st.just(".")] + [digit] * 3 if millis else []) + [st.just("Z")]
    return st.tuples(*parts).map("".join)


_instants = st.datetimes(
    min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59)
)
_zones = st.sampled_from(
    [UTC, dt.timezone(dt.timedelta(hours=2)), dt.timezone(dt.timedelta(hours=-14))]
)
_stamp_texts = st.one_of(
    _instants.map(lambda d: d.isoformat()[:19] + "Z"),
    _instants.map(lambda d: d.isoformat(timespec="milliseconds") + "Z"),
    _wire_shaped(_DIGIT),  # mostly impossible dates: 2024-02-30, 13th month, hour 24
    _wire_shaped(_ODD),
    _wire_shaped(_DIGIT, millis=True),
    _wire_shaped(_ODD, millis=True),
    st.sampled_from(
        [
            "2024-01-01T00:00:00Z",
            "2023-12-31T23:59:59Z",
            "2024-02-29T12:00:00Z",
            "2023-02-29T12:00:00Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T23:59:60Z",
            "2024-01-01T00:00:00.000Z",
            "2024-01-01T00:00:00.5Z",
            "2024-01-01T00:00:00.123Z",
            "2024-02-30T00:00:00.000Z",
            "2024-01-01T24:00:00.000Z",
            "2024-01-01T00:00:00.000z",
            "2024-01-01T00:00:00,000Z",
            "2024-01-01T00:00:00.0000Z",
            "2024-01-01T00:00:00.000+00:00",
            "2024-01-01T01:00:00+01:00",
            "2024-01-01T00:00:00+00:00",
            "2024-01-01t00:00:00z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00Zx",
            "2024-01-01",
            "20240101T000000Z",
            "2024-W01-1T00:00:00Z",
            "",
        ]
    ),
    st.builds(lambda d, z: d.replace(tzinfo=z).isoformat(), _instants, _zones),
)
_stamp_values = st.one_of(
    _stamp_texts,
    st.builds(lambda d, z: d.replace(tzinfo=z), _instants, _zones),
    _instants,  # a naive datetime in a record is taken as UTC
    st.none(),
    st.integers(-2, 2),
    st.booleans(),
)
# Query times: whole seconds or with a fraction, in UTC or another zone, near both ends.
_query_times = st.one_of(
    st.builds(lambda d: d.replace(tzinfo=UTC, microsecond=0), _instants),
    st.builds(lambda d, z: d.replace(tzinfo=z), _instants, _zones),
    st.sampled_from(
        [
            dt.datetime(2024, 1, 1, tzinfo=UTC),
            dt.datetime(2024, 1, 1, 0, 0, 0, 500, tzinfo=UTC),
            dt.datetime(2023, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            dt.datetime(1, 1, 1, tzinfo=UTC),
            dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        ]
    ),
)
_ops = st.sampled_from(list(_CMP))


def _slow_stamp(value: object, op: Op, v: dt.datetime) -> bool:
    """The old path: read the record's value strictly, then compare instants."""
    t = read_timestamp(value)
    return t is not None and _CMP[op](t, v)


@settings(max_examples=1500, deadline=None)
@given(value=_stamp_values, op=_ops, v=_query_times)
def test_a_timestamp_leaf_agrees_with_reading_every_record(value, op, v):
    """Wire texts compared as text give what reading and comparing instants gives."""
    expected = _slow_stamp(value, op, v)
    p = Predicate(op, "t", v)
    record = {"t": value}
    made = engine._generate(p, DEFAULT_SEMANTICS)
    assert made is not None
    assert expected == made.function("match")(record)
    assert expected == made.function("matches")(record)
    assert ([record] if expected else []) == made.function("select")([record])
    assert expected == engine._closures(p, DEFAULT_SEMANTICS)(record)


@settings(max_examples=300, deadline=None)
@given(value=_stamp_values, op=_ops, v=_query_times)
def test_the_timestamp_leaf_without_text_order_agrees_too(value, op, v):
    """On a Python whose fromisoformat read hour 24, every record is read in full."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "_TEXT_ORDER", False)
        made = engine._generate(Predicate(op, "t", v), DEFAULT_SEMANTICS)
    assert made is not None
    assert _slow_stamp(value, op, v) == made.function("match")({"t": value})


@st.composite
def _near(draw: Any) -> tuple[str, dt.datetime]:
    """A query time and a wire text at, or a unit either side of, its second or millisecond."""
    v = draw(_query_times)
    shift = dt.timedelta(seconds=draw(st.sampled_from([-1, 0, 1])))
    try:
        u = v.astimezone(UTC).replace(microsecond=0) + shift
    except OverflowError:  # past either end of what UTC can hold
        u = v.replace(tzinfo=UTC, microsecond=0)
    if draw(st.booleans()):
        text = u.isoformat()[:19] + "Z"
    else:
        ms = dt.timedelta(milliseconds=draw(st.sampled_from([-1, 0, 1])))
        try:
            u = v.astimezone(UTC) + ms
        except OverflowError:
            u = v.replace(tzinfo=UTC)
        text = u.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"
    if draw(st.booleans()):  # another separator or end, which the strict reader may take
        at = draw(st.sampled_from([4, 7, 10, 13, 16, 19, len(text) - 1]))
        text = text[:at] + draw(st.sampled_from(" t/,.:z1+")) + text[at + 1 :]
    return text, v


@settings(max_examples=600, deadline=None)
@given(near=_near(), op=_ops)
@example(("2024-01-01T00:00:00.0001", dt.datetime(2024, 1, 1, tzinfo=UTC)), Op.GT)
@example(("2024-01-01 00:00:00.001Z", dt.datetime(2024, 1, 1, 0, 0, 0, 1000, tzinfo=UTC)), Op.EQ)
@example(("2024-01-01T00:00:00+0000", dt.datetime(2024, 1, 1, tzinfo=UTC)), Op.EQ)
def test_a_timestamp_leaf_agrees_at_the_query_time_s_own_second(near, op):
    """The cut of a time with a fraction: a record at that second is before it, never equal."""
    text, v = near
    made = engine._generate(Predicate(op, "t", v), DEFAULT_SEMANTICS)
    assert made is not None
    assert _slow_stamp(text, op, v) == made.function("match")({"t": text})


def test_text_order_is_refused_when_fromisoformat_reads_hour_24(monkeypatch):
    """Python versions that read T24:00:00 as the next midnight turn the text path off."""
    assert engine._text_is_time_order() is True  # Python 3.11 to 3.13 refuse hour 24

    def lenient(text: str) -> dt.datetime:
        if "T24:" in text:
            return dt.datetime.fromisoformat(text.replace("T24:", "T23:"))
        return dt.datetime.fromisoformat(text)

    monkeypatch.setattr(engine, "_FROM_ISO", lenient)
    assert engine._text_is_time_order() is False


def test_an_impossible_wire_date_matches_nothing_and_spoils_no_other_record():
    """fromisoformat's ValueError sends that record to the closures, which say no."""
    q = aq.parse("createdAt > 2024-01-01", "applications")
    rows = [
        {"createdAt": "2024-02-30T00:00:00Z"},
        {"createdAt": "2024-02-03T00:00:00Z"},
        {"createdAt": "2024-13-01T00:00:00Z"},
    ]
    assert [rows[1]] == q.evaluate(rows)
    assert [False, True, False] == [q.matches(r) for r in rows]
    assert [False, True, False] == [aq.evaluate(q, [r]) == [r] for r in rows]


# Whole trees -----------------------------------------------------------------------
_FIELDS = ("status", "archiveReason", "createdAt", "id")
_texts = st.sampled_from(("active", "Active", "app-1", "APP-10", "ApP-1x", "lead", "ß", "K", ""))
_values = st.one_of(_texts, _stamp_values, st.text(max_size=6))
_preds = st.one_of(
    st.builds(Predicate, _ops, st.sampled_from(_FIELDS), _texts | _query_times),
    st.builds(
        Predicate,
        st.just(Op.LIKE),
        st.sampled_from(_FIELDS),
        st.sampled_from(("app-1%", "APP%", "a%", "k%", "ß%", "%1", "active", "a_p%", "s%", "%")),
    ),
    st.builds(Predicate, st.just(Op.IS_NULL), st.sampled_from(_FIELDS)),
    st.builds(
        Predicate,
        st.just(Op.IN),
        st.sampled_from(_FIELDS),
        st.lists(_texts, min_size=1, max_size=3).map(tuple),
    ),
    st.builds(
        Predicate,
        st.just(Op.IN),
        st.just("createdAt"),
        st.lists(_query_times, min_size=1, max_size=2).map(tuple),
    ),
    st.builds(Predicate, st.sampled_from([Op.FUZZY, Op.KEYWORD]), st.just("id"), _texts),
)


def _joined(kids: st.SearchStrategy[Condition]) -> st.SearchStrategy[Condition]:
    groups = st.lists(kids, min_size=2, max_size=4).map(tuple)
    return kids.map(Not) | groups.map(And) | groups.map(Or)


_conds = st.recursive(_preds, _joined, max_leaves=12)
_records = st.lists(
    st.dictionaries(st.sampled_from(_FIELDS), _values, max_size=4), min_size=1, max_size=8
)


def _outcome(pred: Any, record: Any) -> object:
    # Unvalidated trees (a GT on a bool, say) may raise: every path must then raise alike.
    try:
        return pred(record)
    except TypeError:
        return TypeError


@settings(max_examples=600, deadline=None)
@given(_conds, _records, strategies.semantics())
def test_generated_functions_agree_with_the_closures_and_the_walk(cond, records, sem):
    """match, matches and select give the closures' and the iterative walk's verdicts."""
    lowered = lower_condition(cond, NOW, whole_day=sem.date_only == "whole_day")
    made = engine._generate(lowered, sem)
    assert made is not None
    closures = engine._closures(lowered, sem)
    walk = engine._iterative(lowered, sem)
    expected = [_outcome(closures, r) for r in records]
    assert expected == [_outcome(walk, r) for r in records]
    assert expected == [_outcome(made.function("match"), r) for r in records]
    if TypeError in expected:
        with pytest.raises(TypeError):
            made.function("select")(records)
    else:
        assert [r for r, keep in zip(records, expected, strict=True) if keep] == made.function(
            "select"
        )(records)
    if sem == DEFAULT_SEMANTICS:
        assert expected == [_outcome(made.function("matches"), r) for r in records]


@settings(max_examples=200, deadline=None)
@given(strategies.datasets_and_queries("applications"), strategies.semantics())
def test_query_matches_and_evaluate_agree_with_the_closures(case, sem):
    """Query.matches and evaluate (cached, generated) against the closures, per semantics."""
    records, query = case
    bare = attrs.evolve(query.ast, sort=(), limit=None, fields=None)
    if query.ast.filter is None:
        assert all(query.matches(r, NOW, sem) for r in records)
        assert records == engine.evaluate_ast(bare, records, {}, NOW, sem)
        return
    lowered = lower_condition(query.ast.filter, NOW, whole_day=sem.date_only == "whole_day")
    closures = engine._closures(lowered, sem)
    default = engine._closures(lower_condition(query.ast.filter, NOW), DEFAULT_SEMANTICS)
    assert [closures(r) for r in records] == [
        query.matches(r, now=NOW, semantics=sem) for r in records
    ]
    assert [default(r) for r in records] == [query.matches(r, NOW) for r in records]
    assert [r for r in records if closures(r)] == engine.evaluate_ast(bare, records, {}, NOW, sem)


def _deep(depth: int) -> Condition:
    """A `not` chain ``depth`` deep around a timestamp test, and'ed with a status test."""
    node: Condition = Predicate(Op.GT, "createdAt", dt.datetime(2024, 1, 1, tzinfo=UTC))
    for _ in range(depth):
        node = Not(node)
    return And((Predicate(Op.EQ, "status", "active"), node))


@pytest.mark.parametrize("depth", [37, 38, 39, 199, 201, 3000])
def test_deep_trees_keep_their_fallbacks_and_agree(depth):
    """Past the generated depth: closures; past a couple of hundred levels: the walk."""
    root = _deep(depth)
    rows = [
        {"status": "active", "createdAt": "2024-06-01T00:00:00Z"},
        {"status": "active", "createdAt": "2023-06-01T00:00:00Z"},
        {"status": "active", "createdAt": "2024-02-30T00:00:00Z"},  # impossible: no time
        {"status": "hired", "createdAt": "2024-06-01T00:00:00Z"},
        {"status": "active"},
    ]
    # An even chain of `not` is the test itself; an odd one its complement.
    expected = [rows[0]] if depth % 2 == 0 else [rows[1], rows[2], rows[4]]
    compiled = engine._compiled(root, None, None)
    assert (compiled.made is None) == (engine.depth(root) > engine._GEN_DEPTH)
    assert expected == [r for r in rows if engine.compile_predicate(root)(r)]
    assert expected == compiled.select(rows)
    assert expected == [r for r in rows if engine._iterative(root, DEFAULT_SEMANTICS)(r)]
    matches = engine.compile_matcher(root)
    assert expected == [r for r in rows if matches(r)]
    sem = aq.Semantics(eq_case="insensitive")
    assert expected == [r for r in rows if matches(r, semantics=sem)]


# Like prefixes ---------------------------------------------------------------------
def test_ascii_lower_is_the_regex_ignoring_case_for_every_pair():
    """Between ASCII characters, re.IGNORECASE matches exactly where lower() agrees."""
    for p in map(chr, range(128)):
        one = re.compile(re.escape(p), re.DOTALL | re.IGNORECASE)
        for c in map(chr, range(128)):
            assert (one.fullmatch(c) is not None) == (c.lower() == p.lower()), (p, c)


_prefixes = st.text(
    st.sampled_from(string.ascii_letters + string.digits + "-. ßſKıİ"), min_size=1, max_size=4
)
_subjects = st.text(
    st.sampled_from(string.ascii_letters + string.digits + "-. ßſKıİ\u212a"), max_size=6
)


@settings(max_examples=500, deadline=None)
@given(_prefixes, _subjects, strategies.semantics(like_mode="pattern"))
@example("ſ", "s", DEFAULT_SEMANTICS)  # the long s ignores case to an ASCII s
@example("\u212a", "k", DEFAULT_SEMANTICS)  # the Kelvin sign to k
@example("s", "ſ", DEFAULT_SEMANTICS)  # an ASCII pattern, a text that is not
@example("k", "\u212a", DEFAULT_SEMANTICS)
def test_a_like_prefix_agrees_with_the_like_matcher(prefix, subject, sem):
    """ "Ann%" by lower() on ASCII texts, by the regex otherwise: the like matcher's verdict."""
    pattern = prefix + "%"
    like = like_matcher(
        pattern,
        ignore_case=sem.like_case == "insensitive",
        underscore_wildcard=sem.like_underscore == "wildcard",
    )
    made = engine._generate(Predicate(Op.LIKE, "name", pattern), sem)
    assert made is not None
    assert like(subject) == made.function("match")({"name": subject})


# Caches ----------------------------------------------------------------------------
def test_a_fixed_filter_is_compiled_once_per_semantics():
    """No clock can change a filter without relative times: one compile per semantics."""
    root = aq.parse('status = "a" and createdAt > 2024-01-01', "applications").ast.filter
    sem = aq.Semantics(eq_case="insensitive")
    first = engine.compile_predicate(root)
    assert first is engine.compile_predicate(root)
    assert first is engine.compile_predicate(root, NOW)  # never read: the same function
    explicit = engine.compile_predicate(root, semantics=DEFAULT_SEMANTICS)
    assert explicit is engine.compile_predicate(root, semantics=DEFAULT_SEMANTICS)
    other = engine.compile_predicate(root, semantics=sem)
    assert other is not first
    assert other is engine.compile_predicate(root, semantics=sem)
    record = {"status": "A", "createdAt": "2024-02-01T00:00:00Z"}
    assert (False, True) == (first(record), other(record))


def test_a_relative_time_is_read_from_the_clock_on_every_call():
    """today and now are never frozen in a cache: each call reads its own clock."""
    reads: list[dt.datetime] = []

    def clock() -> dt.datetime:
        reads.append(NOW + dt.timedelta(days=len(reads) * 10))
        return reads[-1]

    q = aq.parse("createdAt > now - 1d", "applications")
    rows = [{"createdAt": "2024-03-10T00:00:00Z"}, {"createdAt": "2024-03-20T00:00:00Z"}]
    assert [rows[0], rows[1]] == q.evaluate(rows, now=clock)  # after 2024-03-09T12:30
    assert [rows[1]] == q.evaluate(rows, now=clock)  # after 2024-03-19T12:30
    assert [] == q.evaluate(rows, now=clock)  # after 2024-03-29T12:30
    assert 3 == len(reads)
    assert [False, False] == [q.matches(r, now=clock) for r in rows]
    assert 5 == len(reads)
    assert q.matches is q.matches  # kept on the query: it reads the clock at each call
    root = q.ast.filter
    assert engine.compile_predicate(root, NOW) is not engine.compile_predicate(root, NOW)


def test_a_fixed_query_never_reads_the_clock_it_is_given():
    """As before: lowering a filter without relative times reads no clock."""

    def boom() -> dt.datetime:
        raise AssertionError("the clock was read")

    q = aq.parse('status = "a"', "applications")
    assert q.matches({"status": "a"}, now=boom)
    assert q.matches({"status": "A"}, boom, aq.Semantics(eq_case="insensitive"))
    assert [{"status": "a"}] == q.evaluate([{"status": "a"}], now=boom)


def test_query_matches_keeps_the_method_s_signature():
    """record by name, now and semantics by position or name, the same TypeError."""
    q = aq.parse('status = "a"', "applications")
    assert q.matches is q.matches  # the compiled function, cached on the query
    assert q.matches(record={"status": "a"})
    assert q.matches({"status": "A"}, None, aq.Semantics(eq_case="insensitive"))
    assert not q.matches({"status": "A"}, semantics=None)
    with pytest.raises(TypeError, match=re.escape("Query.matches() missing 1 required")):
        q.matches()  # type: ignore[call-arg]
    relative = aq.parse("createdAt > today - 1d", "applications")
    with pytest.raises(TypeError, match=re.escape("Query.matches() missing 1 required")):
        relative.matches()  # type: ignore[call-arg]
    assert aq.parse("", "applications").matches({})


# Sorting ---------------------------------------------------------------------------
@settings(max_examples=1000, deadline=None)
@given(_stamp_values | _near().map(lambda near: near[0]))
def test_the_sort_reader_reads_as_the_strict_reader(value):
    """The millisecond wire form, read by fromisoformat, gives read_timestamp's instant."""
    assert read_timestamp(value) == engine._read_time(value)


def test_sorting_by_millisecond_times():
    """Millisecond wire times sort as instants; impossible ones go last, as missing ones."""
    rows = [
        {"id": "1", "createdAt": "2024-01-01T00:00:00.002Z"},
        {"id": "2", "createdAt": "2024-02-30T00:00:00.000Z"},
        {"id": "3", "createdAt": "2024-01-01T00:00:00.001Z"},
        {"id": "4", "createdAt": "2024-01-01T00:00:00Z"},
    ]
    out = aq.evaluate("order by createdAt desc", rows, "applications")
    assert ["1", "3", "4", "2"] == [r["id"] for r in out]
