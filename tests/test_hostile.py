"""Hostile input through text, the builder and params: only QueryError, bounded and linear.

Each family of issue 10 has examples and generated inputs here. The contract: every
public entry turns bad input into a ``QueryError`` whose message names the value, quotes
at most a bounded prefix of it, and says how to fix it; nothing recurses on user data.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tracemalloc
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import ashby_query as aq
from ashby_query import Applications, Candidates, F, Limits, RelativeTime, from_params
from ashby_query._back.engine import like_regex as engine_like_regex
from ashby_query._core.semantics import Semantics
from ashby_query._core.values import like_matcher, like_segments

UTC = dt.UTC
PLUS14 = dt.timezone(dt.timedelta(hours=14))
MINUS14 = dt.timezone(-dt.timedelta(hours=14))
RAISED = Limits(max_length=10**8, max_depth=10**6, max_in=10**6)
#: No message may be longer than this, whatever the size of the input.
MESSAGE_BOUND = 2_000


def params_of(flt: object, **extra: object) -> dict[str, Any]:
    """A params object with ``flt`` as its filter."""
    return {"query": {"filter": flt}, **extra}


def rejected(fn: Any, *args: Any, **kwargs: Any) -> aq.QueryError:
    """Run ``fn`` and return the QueryError it must raise; check the message is bounded."""
    with pytest.raises(aq.QueryError) as info:
        fn(*args, **kwargs)
    assert len(str(info.value)) < 11 * MESSAGE_BOUND  # ten problems are shown at most
    assert len(info.value.for_agent()) < (info.value.error_count() + 1) * MESSAGE_BOUND
    for problem in info.value.problems:
        assert len(problem.msg) < MESSAGE_BOUND
    return info.value


def assert_bounded(err: aq.QueryError, *needles: str) -> None:
    """``err``'s message is bounded and holds each of ``needles``."""
    assert len(str(err)) < 11 * MESSAGE_BOUND, str(err)[:300]  # ten problems shown at most
    assert all(len(p.msg) < MESSAGE_BOUND for p in err.problems), str(err)[:300]
    for needle in needles:
        assert needle in str(err)


def nested_not(n: int, leaf: object = None) -> object:
    """``{"not": ...}`` nested ``n`` deep around a leaf."""
    obj = leaf if leaf is not None else {"eq": {"id": "x"}}
    for _ in range(n):
        obj = {"not": obj}
    return obj


def tilde(n: int) -> aq.Condition:
    """``~`` applied ``n`` times to one predicate."""
    cond: aq.Condition = F.name == "x"
    for _ in range(n):
        cond = ~cond
    return cond


# 1. Dates and datetimes at the edges ----------------------------------------------

EDGE_TEXTS = [
    ("createdAt > 9999-12-32", "9999-12-32"),
    ("createdAt > 0000-01-01", "0000-01-01"),
    ("createdAt > 0000-12-31T23:00:00Z", "0000-12-31T23:00:00Z"),
    ("createdAt > 0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00+14:00"),
    ("createdAt < 9999-12-31T23:00:00-14:00", "9999-12-31T23:00:00-14:00"),
    ("createdAt = 9999-12-31", "9999-12-31"),
    ("createdAt != 9999-12-31", "9999-12-31"),
    ("createdAt in (0001-01-01T00:00:00+01:00)", "0001-01-01T00:00:00+01:00"),
]


@pytest.mark.parametrize(("text", "value"), EDGE_TEXTS)
def test_edge_dates_in_text_are_query_errors(text, value):
    """Dates outside what Python and the wire hold are QueryErrors naming the value."""
    err = rejected(aq.compile, text, entity="applications")
    assert "invalid_date" == err.type
    assert value in str(err)
    # The representable range is named, unless the date does not exist at all.
    assert "9999-12-31" in str(err) or "not a real date" in str(err)


@pytest.mark.parametrize(("text", "value"), EDGE_TEXTS)
def test_edge_dates_in_params_are_query_errors(text, value):
    """The same dates as wire strings in params are QueryErrors too."""
    op = {">": "gt", "<": "lt", "=": "eq", "!=": "neq", "in": "in"}[text.split()[1]]
    body: object = [value] if op == "in" else value
    err = rejected(from_params, params_of({op: {"createdAt": body}}), "applications")
    assert value in str(err)


@pytest.mark.parametrize(
    ("condition", "shown"),
    [
        (F.createdAt == dt.date.max, "9999-12-31"),
        (F.createdAt != dt.date.max, "9999-12-31"),
        (F.createdAt > dt.datetime.min.replace(tzinfo=PLUS14), "0001-01-01T00:00:00+14:00"),
        (F.createdAt < dt.datetime.max.replace(tzinfo=MINUS14), "9999-12-31T23:59:59"),
        (F.createdAt.in_(dt.datetime.min.replace(tzinfo=PLUS14)), "0001-01-01"),
    ],
)
def test_edge_dates_in_the_builder_are_query_errors(condition, shown):
    """date.max as a whole day and aware datetimes past the ends fail at where()."""
    err = rejected(Applications.where, condition)
    assert shown in str(err)


def test_edge_dates_that_fit_are_accepted():
    """The last day as a bound, and the first and last instants, compile."""
    q = Applications.where(
        (F.createdAt >= dt.date.max)
        | (F.createdAt > dt.datetime.min.replace(tzinfo=UTC))
        | (F.createdAt < dt.datetime.max.replace(tzinfo=UTC))
    )
    assert "9999-12-31T00:00:00Z" in json.dumps(q.to_params())
    assert (
        "0001-01-01T00:00:00Z"
        == aq.compile("createdAt > 0001-01-01T00:00:00Z", entity="applications")["query"]["filter"][
            "gt"
        ]["createdAt"]
    )


@given(
    year=st.integers(0, 9999),
    month=st.integers(0, 13),
    day=st.integers(0, 32),
    hour=st.integers(0, 24),
    offset=st.sampled_from(["Z", "+14:00", "-14:00", "+23:59", "-23:59", "+00:30"]),
    op=st.sampled_from([">", "<", "=", "!=", ">=", "<="]),
    with_time=st.booleans(),
)
def test_generated_edge_dates_never_escape(year, month, day, hour, offset, op, with_time):
    """Any date-shaped text, at the edges or past them, compiles or is a QueryError."""
    value = f"{year:04d}-{month:02d}-{day:02d}"
    if with_time:
        value += f"T{hour:02d}:00:00{offset}"
    for run in (
        lambda: aq.compile(f"createdAt {op} {value}", entity="applications"),
        lambda: from_params(params_of({"gt": {"createdAt": value}}), "applications").to_params(),
        lambda: aq.evaluate(f"createdAt {op} {value}", [{"createdAt": value}], "applications"),
    ):
        try:
            run()
        except aq.QueryError as err:
            assert_bounded(err)


@given(
    day=st.one_of(st.dates(min_value=dt.date(9999, 12, 1)), st.dates(max_value=dt.date(1, 2, 1))),
    hours=st.integers(-14, 14),
    op=st.sampled_from(["__eq__", "__ne__", "__gt__", "__lt__"]),
    as_datetime=st.booleans(),
)
def test_generated_builder_edge_dates_never_escape(day, hours, op, as_datetime):
    """Builder dates and aware datetimes near the ends compile or are QueryErrors."""
    value: dt.date = day
    if as_datetime:
        value = dt.datetime(
            day.year, day.month, day.day, tzinfo=dt.timezone(dt.timedelta(hours=hours))
        )
    try:
        q = Applications.where(getattr(F.createdAt, op)(value))
    except aq.QueryError:
        return
    json.dumps(q.to_params())
    q.matches({"createdAt": "2024-01-01T00:00:00Z"})


@pytest.mark.parametrize(
    "stamp",
    [
        dt.datetime.min.replace(tzinfo=PLUS14),
        dt.datetime.max.replace(tzinfo=MINUS14),
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
    ],
)
def test_edge_timestamps_in_records_are_compared_or_skipped(stamp):
    """Records holding times past the ends of UTC never make matches() or sorting raise."""
    q = aq.parse("createdAt > 2024-01-01 or createdAt = 2024-01-01", "applications")
    assert q.matches({"createdAt": stamp}) in (True, False)
    rows = [{"createdAt": stamp}, {"createdAt": "2024-01-01T00:00:00Z"}]
    assert 2 == len(aq.evaluate("order by createdAt desc", rows, "applications"))


# Relative times -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "createdAt > today - 99999999d",
        "createdAt > now + 9999999999m",
        "createdAt < yesterday - 600000w",
    ],
)
def test_overflowing_relative_times_are_rejected_at_validation(text):
    """An offset past the span of representable dates is refused before any clock is read."""
    err = rejected(aq.parse, text, "applications")
    assert "invalid_date" == err.type
    assert "at most" in str(err)


@given(
    unit=st.sampled_from(["m", "h", "d", "w"]),
    amount=st.integers(-(10**12), 10**12),
    anchor=st.sampled_from(["now", "today", "yesterday"]),
    year=st.integers(1, 9999),
)
def test_relative_times_compile_match_and_evaluate_or_query_error(unit, amount, anchor, year):
    """For any offset and clock, to_params, matches and evaluate give a result or a QueryError."""
    clock = dt.datetime(year, 6, 15, 12, tzinfo=UTC)
    sign = "-" if amount < 0 else "+"
    text = f"createdAt > {anchor} {sign} {abs(amount)}{unit}"
    try:
        q = aq.parse(text, "applications")
    except aq.QueryError as err:
        assert_bounded(err, "at most")
        return
    for run in (
        lambda: q.to_params(now=clock),
        lambda: q.matches({"createdAt": "2024-01-01T00:00:00Z"}, now=clock),
        lambda: q.evaluate([{"createdAt": "2024-01-01T00:00:00Z"}], now=clock),
        lambda: q.resolve(clock),
    ):
        try:
            run()
        except aq.QueryError as err:
            assert_bounded(err, "relative time may reach")


def test_relative_time_at_the_end_of_time_is_a_query_error():
    """today + 1d on the last day resolves past the end: a QueryError, not OverflowError."""
    q = aq.parse("createdAt = today + 1d", "applications")
    err = rejected(q.to_params, now=dt.datetime(9999, 12, 31, tzinfo=UTC))
    assert "today + 1d" in str(err)
    rejected(
        q.matches, {"createdAt": "2024-01-01T00:00:00Z"}, now=dt.datetime(9999, 12, 31, tzinfo=UTC)
    )


def test_relative_time_inside_in_resolves():
    """in (now, instant) compiles to wire instants and matches the literal instant too."""
    now = dt.datetime(2024, 3, 10, 9, 0, tzinfo=UTC)
    q = aq.parse("createdAt in (now, 2024-03-10T12:00:00Z)", "applications")
    assert ["2024-03-10T09:00:00Z", "2024-03-10T12:00:00Z"] == q.to_params(now=now)["query"][
        "filter"
    ]["in"]["createdAt"]
    assert q.matches({"createdAt": "2024-03-10T12:00:00Z"}, now=now)
    assert q.matches({"createdAt": "2024-03-10T09:00:00Z"}, now=now)
    assert not q.matches({"createdAt": "2024-03-10T10:00:00Z"}, now=now)
    rejected(aq.parse, "createdAt in (today - 99999999d)", "applications")


def test_malformed_relative_times_from_the_builder_are_rejected():
    """A RelativeTime built by hand with an offset that is no whole number is a QueryError."""
    rejected(Applications.where, F.createdAt > RelativeTime("now", 1.5, "d"))  # type: ignore[arg-type]
    rejected(Applications.where, F.createdAt > RelativeTime("now", True, "d"))


# 2. Numbers longer than Python prints ---------------------------------------------

HUGE = [10**5000, -(10**5000), 10**4301, 10**101]


HUGE_IDS = ["5001-digits", "minus-5001-digits", "4302-digits", "102-digits"]


@pytest.mark.parametrize("n", HUGE, ids=HUGE_IDS)
def test_huge_numbers_in_params_are_query_errors(n):
    """limit, eq and in values of thousands of digits: QueryError, digits not printed."""
    for params in (
        {"query": {}, "limit": n},
        params_of({"eq": {"status": n}}),
        params_of({"in": {"status": ["a", n]}}),
        {"query": {"sort": [{"createdAt": n}]}},
        {"query": {}, "cursor": n},
    ):
        err = rejected(from_params, params, "applications")
        assert "digits" in str(err)


@pytest.mark.parametrize("n", HUGE, ids=HUGE_IDS)
def test_huge_numbers_in_the_builder_are_query_errors(n):
    """The builder's limit(), comparisons and in_() refuse huge numbers cleanly."""
    for make in (
        lambda: Applications.limit(n),
        lambda: Applications.where(F.status == n),
        lambda: Applications.where(F.status.in_("a", n)),
        lambda: Applications.where(F.createdAt > RelativeTime("now", n, "d")),
        lambda: Applications.all().cursor(n),  # type: ignore[arg-type]
    ):
        err = rejected(make)
        assert "digits" in str(err)


def test_numbers_under_the_bound_still_get_the_usual_error():
    """A 61-digit limit is an ordinary limit_range error."""
    assert (
        "limit_range" == rejected(from_params, {"query": {}, "limit": 10**60}, "applications").type
    )


# 3. from_params and the builder honour Limits -------------------------------------


def nested_list(n: int) -> object:
    """A list nested ``n`` deep."""
    obj: object = []
    for _ in range(n):
        obj = [obj]
    return obj


def nested_dict(n: int) -> object:
    """A dict nested ``n`` deep."""
    obj: object = {}
    for _ in range(n):
        obj = {"k": obj}
    return obj


def nested_and(n: int) -> object:
    """``{"and": [...]}`` nested ``n`` deep."""
    obj: object = {"eq": {"id": "x"}}
    for _ in range(n):
        obj = {"and": [obj, {"eq": {"id": "y"}}]}
    return obj


@pytest.mark.parametrize(
    "params",
    [
        params_of({"in": {"status": nested_list(1_000)}}),
        params_of({"eq": {"status": nested_dict(1_000)}}),
        {"query": {"filter": {"eq": {"id": "x"}}}, "fields": nested_list(1_000)},
        {"query": nested_dict(1_000)},
        nested_dict(100_000),
        params_of(nested_not(10_000)),
        params_of(nested_not(100_000)),
        params_of(nested_and(100_000)),
    ],
    ids=["list-in", "dict-eq", "fields", "query", "params", "not-10k", "not-100k", "and-100k"],
)
def test_deep_params_are_too_deep(params):
    """Dicts, lists, not and and nested far past the bound answer at once with too_deep."""
    assert "too_deep" == rejected(from_params, params, "applications").type


def test_params_sizes_follow_limits():
    """in size, string length and total size are bounded, and Limits raise each bound."""
    wide_in = params_of({"in": {"id": [str(i) for i in range(1_001)]}})
    assert "in_too_large" == rejected(from_params, wide_in, "candidates").type
    assert 1_001 == len(
        from_params(wide_in, "candidates", limits=Limits(max_in=2_000)).ast.filter.value
    )
    long_string = params_of({"eq": {"name": "a" * 70_000}})
    err = rejected(from_params, long_string, "candidates")
    assert "too_long" == err.type
    assert "aaaa..." in str(err) or "..." in str(err)
    huge_key = params_of({"eq": {"a" * 70_000: "x"}})
    assert "too_long" == rejected(from_params, huge_key, "candidates").type
    wide_or = params_of({"or": [{"eq": {"id": str(i)}} for i in range(40_000)]})
    assert "too_large" == rejected(from_params, wide_or, "candidates").type
    assert 40_000 == len(from_params(wide_or, "candidates", limits=RAISED).ast.filter.operands)


def test_params_at_the_text_bound_round_trip():
    """Text at max_depth compiles to params that from_params accepts with default limits."""
    text = "createdAt != 2024-01-01"
    for i in range(42):  # 21 x (one paren) + 21 x (not and a paren): 63 levels
        text = f'id = "{i}" or status = "a" and ({text})' if i % 2 else f"not ({text})"
    q = aq.parse(text, "applications")
    with pytest.raises(aq.QueryError):  # one more level is over the text bound
        aq.parse(f"not ({text})", "applications")
    assert q == from_params(q.to_params(), "applications")


def test_params_depth_bound_is_adjustable():
    """A 3,000-deep not chain reads with raised limits and is refused without them."""
    params = params_of(nested_not(3_000))
    rejected(from_params, params, "applications")
    q = from_params(params, "applications", limits=Limits(max_depth=2_000))
    assert 3_000 == str(q).count("not ")


def test_deep_builder_tree_compares_hashes_and_prints():
    """~ 100,000 times: ==, hash() and repr() work without RecursionError."""
    a, b, c = tilde(100_000), tilde(100_000), tilde(99_999)
    assert a == b
    assert a != c
    assert hash(a) == hash(b)
    text = repr(a)
    assert text.startswith("Not(operand=Not(operand=")
    assert 100_000 == text.count("Not(")
    assert {a: 1}[b] == 1
    assert aq.QueryAST("candidates", a) == aq.QueryAST("candidates", b)


def test_deep_any_nesting_compares_hashes_and_prints():
    """any() inside any() 5,000 deep: ==, hash() and repr() do not recurse either."""

    def nest(n: int) -> aq.Condition:
        cond: aq.Condition = F.name == "x"
        for _ in range(n):
            cond = aq.Predicate(aq.Op.ANY, "tags", cond)
        return cond

    a, b, c = nest(5_000), nest(5_000), nest(4_999)
    assert a == b
    assert a != c
    assert hash(a) == hash(b)
    assert 5_001 == repr(a).count("Predicate(")
    assert "too_deep" == rejected(Candidates.where, a).type


def test_tree_methods_agree_with_attrs():
    """Shallow trees print, compare and hash as attrs would have (spans ignored)."""
    cond = (F.name == "x") & ~((F.id == "1") | (F.id == "2"))
    assert (
        "And(operands=(Predicate(op=<Op.EQ: 'eq'>, field='name', value='x'), "
        "Not(operand=Or(operands=(Predicate(op=<Op.EQ: 'eq'>, field='id', value='1'), "
        "Predicate(op=<Op.EQ: 'eq'>, field='id', value='2'))))))"
    ) == repr(cond)
    spanned = aq.parse('name = "x" and not (id = "1" or id = "2")', "candidates").ast.filter
    assert spanned == cond
    assert hash(spanned) == hash(cond)
    assert (F.name == "x") & (F.id == "1") != (F.id == "1") & (F.name == "x")
    assert cond != "cond"


def test_deep_builder_tree_is_refused_by_default_and_accepted_when_raised():
    """where() holds builder trees to Limits; raised limits accept them."""
    err = rejected(Candidates.where, tilde(1_000))
    assert "too_deep" == err.type
    assert "Limits(max_depth=" in str(err)
    q = Candidates.where(tilde(1_000), limits=Limits(max_depth=1_000))
    assert str(q).startswith("not not")
    assert "too_deep" == rejected(aq.compile, tilde(1_000), entity="candidates").type


def test_deep_where_is_linear_in_memory():
    """where() on a 10,000-deep tree no longer keeps a path per level (was 491 MB)."""
    cond = tilde(10_000)
    tracemalloc.start()
    try:
        Candidates.where(cond, limits=RAISED)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20


def test_where_text_follows_limits():
    """where() holds query text to the same limits argument as conditions."""
    text = "not " * 100 + 'name = "x"'
    assert "too_deep" == rejected(Candidates.where, text).type
    assert 100 == str(Candidates.where(text, limits=Limits(max_depth=100))).count("not ")


def test_non_conditions_inside_a_tree_are_query_errors():
    """A tree holding something other than a condition is a QueryError, not a TypeError."""
    bad = aq.And((F.name == "x", "name = 'y'"))  # type: ignore[arg-type]
    assert "filter_type" == rejected(Candidates.where, bad).type


# 4. Linear work under raised limits -----------------------------------------------


def test_long_and_chain_parses_flat():
    """A flat chain of 20,000 predicates parses into one And (gathered, not re-flattened)."""
    text = " and ".join(f'id = "{i}"' for i in range(20_000))
    flt = aq.parse(text, "candidates", limits=RAISED).ast.filter
    assert isinstance(flt, aq.And)
    assert 20_000 == len(flt.operands)
    assert aq.Predicate(aq.Op.EQ, "id", "19999") == flt.operands[-1]


def test_mixed_chains_keep_precedence():
    """Gathered and/or chains keep and above or, and groups flat."""
    q = aq.parse(
        'id = "1" or id = "2" and id = "3" or (id = "4" and id = "5") and id = "6"', "candidates"
    )
    assert 'id = "1" or id = "2" and id = "3" or id = "4" and id = "5" and id = "6"' == str(q)


def test_suggestions_are_capped():
    """Closest-name suggestions stop after the first ten unknown fields; all are reported."""
    text = " and ".join(f'nmae{i} = "x"' for i in range(50))
    err = rejected(aq.parse, text, "candidates", limits=RAISED)
    assert 50 == err.error_count()
    problems = err.errors()
    assert all(p["type"] == "unknown_field" for p in problems)
    assert [] == problems[-1]["ctx"]["suggestions"]
    assert ["name"] == problems[0]["ctx"]["suggestions"]
    assert (1, 1) == (problems[0]["line"], problems[0]["column"])
    assert len(text) - len('nmae49 = "x"') + 1 == problems[-1]["column"]


def test_many_problems_on_many_lines_are_located():
    """Line and column come out right for problems on many lines (one line index)."""
    text = "\nand ".join(f'bad{i} = "x"' for i in range(300))
    err = rejected(aq.parse, text, "candidates", limits=RAISED)
    assert [(i + 1, 1 if i == 0 else 5) for i in range(300)] == [
        (p["line"], p["column"]) for p in err.errors()
    ]


# 5. like in linear time ------------------------------------------------------------


def like_regex(pattern: str) -> re.Pattern[str]:
    """The engine's former matcher: a backtracking regular expression (the reference)."""
    parts = [".*" if seg is None else re.escape(seg) for seg in like_segments(pattern)]
    return re.compile("".join(parts), re.DOTALL)


LIKE_CHARS = st.sampled_from(list("abA%\\_c.*"))


@given(
    pattern=st.text(LIKE_CHARS, max_size=12),
    value=st.text(st.sampled_from(list("abAB%\\_c.*\nßİ")), max_size=14),
    case=st.sampled_from(["sensitive", "insensitive"]),
    underscore=st.sampled_from(["literal", "wildcard"]),
    mode=st.sampled_from(["pattern", "substring"]),
)
def test_like_matcher_agrees_with_the_regex(pattern, value, case, underscore, mode):
    """The segment matcher gives the engine's regex answer under every like semantics."""
    sem = Semantics(like_case=case, like_underscore=underscore, like_mode=mode)
    expected = engine_like_regex(pattern, sem).fullmatch(value) is not None
    matcher = like_matcher(
        pattern,
        ignore_case=case == "insensitive",
        underscore_wildcard=underscore == "wildcard",
        substring=mode == "substring",
    )
    assert expected == matcher(value)
    if sem == Semantics(like_case="sensitive"):  # the default reading before semantics
        assert expected == (like_regex(pattern).fullmatch(value) is not None)


@given(pattern=st.text(LIKE_CHARS, max_size=12), data=st.data())
def test_like_matcher_accepts_what_the_pattern_describes(pattern, data):
    """A value built from the pattern (each % filled with anything) matches."""
    value = "".join(
        data.draw(st.text("ab%", max_size=4)) if seg is None else seg
        for seg in like_segments(pattern)
    )
    assert like_matcher(pattern)(value)
    assume(like_regex(pattern).fullmatch(value))


def test_hostile_like_pattern_finishes():
    """%a%a...%b against 100,000 a's (minutes of backtracking before) simply completes."""
    rows = [{"name": "a" * 100_000}, {"name": "a" * 50 + "b"}]
    hits = aq.evaluate('name like "%a%a%a%a%a%a%a%a%a%a%a%a%b"', rows, entity="candidates")
    assert [rows[1]] == hits
    assert aq.parse('name like "%a%a%a%a%a%a%a%a%a%a%a%a%b%"', "candidates").matches(
        {"name": "a" * 100_000 + "b"}
    )


# 7. Fuzz: arbitrary params, hostile builder trees -----------------------------------

HOSTILE_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    # Huge integers are made in a map: Hypothesis itself cannot print them.
    st.sampled_from([5000, 4400, 70, 19, 3]).map(lambda d: 10**d),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(
        [
            "2024-01-31",
            "9999-12-31",
            "9999-12-32",
            "0000-01-01",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "2024-01-31T09:30:00Z",
            "\ud800",
            "a" * 70_000,
            "%a%a%a%a%b",
            "createdAt",
            "status",
            "name",
            "desc",
        ]
    ),
)
KEYS = st.sampled_from(
    [
        "query",
        "filter",
        "sort",
        "limit",
        "fields",
        "cursor",
        "and",
        "or",
        "not",
        "eq",
        "neq",
        "gt",
        "gte",
        "lt",
        "lte",
        "in",
        "like",
        "fuzzy",
        "keyword",
        "startswith",
        "contains",
        "status",
        "createdAt",
        "name",
        "id",
        "x",
    ]
)


def json_values(max_leaves: int = 40) -> st.SearchStrategy[object]:
    """Arbitrary nested JSON-like values leaning on the keys and values queries use."""
    return st.recursive(
        HOSTILE_SCALARS,
        lambda kids: st.one_of(
            st.lists(kids, max_size=4),
            st.dictionaries(KEYS, kids, max_size=3),
        ),
        max_leaves=max_leaves,
    )


@st.composite
def hostile_params(draw: Any) -> object:
    """Params-shaped objects, sometimes well formed, sometimes deep or huge."""
    shape = draw(st.integers(0, 5))
    if shape == 0:
        return draw(json_values())
    flt = draw(json_values())
    if shape == 1:
        flt = nested_not(draw(st.integers(100, 5_000)), flt)
    elif shape == 2:
        flt = {"and": [flt] * draw(st.integers(1, 3))}
    params: dict[str, object] = {"query": {"filter": flt}}
    if draw(st.booleans()):
        params["query"]["sort"] = draw(json_values(4))  # type: ignore[index]
    for key in ("limit", "fields", "cursor"):
        if draw(st.integers(0, 3)) == 0:
            params[key] = draw(json_values(4))
    return params


def exercise(q: aq.Query) -> None:
    """Everything a caller does with a query must work or raise QueryError only."""
    for run in (
        lambda: json.dumps(q.to_params(), allow_nan=False),
        lambda: q.to_params(dialect="2026"),
        lambda: str(q),
        lambda: repr(q),
        lambda: hash(q.ast),
        lambda: q.matches({"status": "active", "name": "ann", "createdAt": "2024-01-01T00:00:00Z"}),
        lambda: q.evaluate([{"id": "1", "createdAt": "9999-12-31T23:59:59-14:00"}]),
    ):
        try:
            run()
        except aq.QueryError as err:
            assert_bounded(err)


@given(params=hostile_params(), entity=st.sampled_from(["applications", "candidates"]))
def test_fuzz_from_params_only_raises_query_error(params, entity):
    """Any nested JSON read as params gives a Query or a bounded QueryError, never else."""
    try:
        q = from_params(params, entity)  # type: ignore[arg-type]
    except aq.QueryError as err:
        assert_bounded(err)
        return
    exercise(q)
    assert q == from_params(q.to_params(), entity, limits=RAISED)


BUILDER_VALUES = st.one_of(
    HOSTILE_SCALARS,
    st.sampled_from([dt.date.max, dt.date.min]),
    st.datetimes(timezones=st.sampled_from([UTC, PLUS14, MINUS14, None])),
    st.builds(
        RelativeTime,
        st.sampled_from(["now", "today", "yesterday"]),
        st.one_of(st.integers(), st.sampled_from([5000, 7]).map(lambda d: 10**d)),
        st.sampled_from(["m", "h", "d", "w"]),
    ),
    st.lists(HOSTILE_SCALARS, max_size=3),
)
FIELDS = st.sampled_from(["status", "createdAt", "name", "id", "nmae", "", "a" * 70_000, "__x"])
METHODS = st.sampled_from(
    [
        "__eq__",
        "__ne__",
        "__gt__",
        "__ge__",
        "__lt__",
        "__le__",
        "in_",
        "like",
        "fuzzy",
        "keyword",
        "is_null",
        "not_in",
    ]
)


@st.composite
def builder_leaves(draw: Any) -> aq.Condition:
    """One predicate built through F with a hostile value."""
    field = aq.F[draw(FIELDS)]
    method = draw(METHODS)
    if method == "is_null":
        return field.is_null()
    value = draw(BUILDER_VALUES)
    try:
        cond = getattr(field, method)(value)
    except TypeError:  # builder misuse caught while building (None ordering, F vs F)
        assume(False)
    return cond  # type: ignore[no-any-return]


@st.composite
def builder_trees(draw: Any) -> aq.Condition:
    """Trees of &, |, ~ over hostile leaves, sometimes wrapped in a deep ~ chain."""
    tree = draw(
        st.recursive(
            builder_leaves(),
            lambda kids: st.one_of(
                st.builds(lambda a, b: a & b, kids, kids),
                st.builds(lambda a, b: a | b, kids, kids),
                st.builds(lambda a: ~a, kids),
            ),
            max_leaves=12,
        )
    )
    for _ in range(draw(st.sampled_from([0, 0, 0, 150, 400]))):
        tree = ~tree
    return tree


@given(
    tree=builder_trees(),
    entity=st.sampled_from(["applications", "candidates"]),
    raised=st.booleans(),
)
def test_fuzz_builder_only_raises_query_error(tree, entity, raised):
    """Hostile builder trees: where() gives a Query or a bounded QueryError; == hash repr work."""
    assert tree == tree
    assert repr(tree)
    ref = Applications if entity == "applications" else Candidates
    try:
        q = ref.where(tree, limits=RAISED if raised else None)
    except aq.QueryError as err:
        assert_bounded(err)
        return
    exercise(q)
