"""Lowering: relative times, whole days and like meanings settled once, before back ends."""

import datetime as dt

import ashby_query as aq
from ashby_query._core.lower import LazyClock, fold_day_range, like_operator, lower
from ashby_query._core.values import read_timestamp

NOW = dt.datetime(2024, 3, 10, 15, 0, tzinfo=dt.UTC)
UTC = dt.UTC


def lowered(text, entity="applications", **kw):
    return lower(aq.parse(text, entity).ast, NOW, **kw).filter


def test_relative_time_on_ordering_becomes_midnight():
    """today - 1d on > is the instant midnight UTC of that day."""
    assert aq.Predicate(aq.Op.GT, "createdAt", dt.datetime(2024, 3, 9, tzinfo=UTC)) == lowered(
        "createdAt > today - 1d"
    )


def test_whole_day_equality_becomes_a_range():
    """= date is >= its midnight and < the next; != is the complement."""
    lo, hi = dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2024, 1, 2, tzinfo=UTC)
    assert aq.And(
        (aq.Predicate(aq.Op.GTE, "createdAt", lo), aq.Predicate(aq.Op.LT, "createdAt", hi))
    ) == lowered("createdAt = 2024-01-01")
    assert aq.Or(
        (aq.Predicate(aq.Op.LT, "createdAt", lo), aq.Predicate(aq.Op.GTE, "createdAt", hi))
    ) == lowered("createdAt != 2024-01-01")


def test_midnight_choice_compares_one_instant():
    """whole_day=False makes = date the midnight instant."""
    got = lowered("createdAt = 2024-01-01", whole_day=False)
    assert aq.Predicate(aq.Op.EQ, "createdAt", dt.datetime(2024, 1, 1, tzinfo=UTC)) == got


def test_relative_times_in_an_in_list_resolve():
    """in (today, yesterday) lowers to midnights; the compiler no longer sees RelativeTime."""
    q = aq.Applications.where(aq.F.createdAt.in_(aq.RelativeTime("today"), "2024-01-01T00:00:00Z"))
    got = lower(q.ast, NOW).filter
    assert (dt.datetime(2024, 3, 10, tzinfo=UTC), dt.datetime(2024, 1, 1, tzinfo=UTC)) == got.value
    assert ["2024-03-10T00:00:00Z", "2024-01-01T00:00:00Z"] == q.to_params(now=NOW)["query"][
        "filter"
    ]["in"]["createdAt"]


def test_lowering_leaves_plain_trees_alone():
    """A tree with nothing to lower comes back as the same object."""
    ast = aq.parse('status = "a" or not status like "b%"', "applications").ast
    assert lower(ast, NOW) is ast


def test_clock_is_read_once():
    """One lowering reads the caller's clock once, however many relative times it holds."""
    calls = []

    def clock():
        calls.append(1)
        return NOW

    q = aq.parse("createdAt > today - 1d and updatedAt < now", "applications")
    lower(q.ast, clock)
    assert 1 == len(calls)
    lazy = LazyClock(clock)
    assert lazy() is lazy()


def test_day_range_folds_back():
    """fold_day_range recognises the range lowering writes."""
    lo, hi = dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2024, 1, 2, tzinfo=UTC)
    a, b = aq.Predicate(aq.Op.GTE, "createdAt", lo), aq.Predicate(aq.Op.LT, "createdAt", hi)
    assert aq.Predicate(aq.Op.EQ, "createdAt", dt.date(2024, 1, 1)) == fold_day_range(True, a, b)
    assert fold_day_range(False, a, b) is None


def test_like_operator_table():
    """Each like shape maps to one 2026 operator, others to none."""
    assert ("startswith", "A%") == like_operator("A\\%%")
    assert ("eq", "ann") == like_operator("ann")
    assert like_operator("a%b%c") is None


def test_record_timestamps_are_read_strictly():
    """Records use the strict reader: basic-format and garbage are no timestamps."""
    assert dt.datetime(2024, 1, 1, 8, tzinfo=UTC) == read_timestamp("2024-01-01T10:00:00+02:00")
    assert dt.datetime(2024, 1, 1, tzinfo=UTC) == read_timestamp("2024-01-01")
    assert read_timestamp("20240101T1000") is None
    assert read_timestamp("\uff12024-01-01T10:00:00Z") is None  # a full-width digit
    assert read_timestamp("2024-01-01T10:00:60Z") is None
    assert read_timestamp("2024-02-30T00:00:00Z") is None
    assert read_timestamp(20240101) is None
    rows = [{"id": "1", "createdAt": "20240101T1000"}, {"id": "2", "createdAt": "2024-01-01"}]
    assert ["2"] == [r["id"] for r in aq.evaluate("createdAt = 2024-01-01", rows, "applications")]
