"""Bounds on length, depth and in-list size: clean errors, fast."""

import pytest

import ashby_query as aq
from ashby_query import Limits, parse


def test_long_input_rejected():
    """A 100,000-character query is rejected with too_long."""
    with pytest.raises(aq.QueryError) as info:
        parse('name = "' + "a" * 100_000 + '"', "candidates")
    assert "too_long" == info.value.type


def test_deep_input_rejected():
    """A 10,000-deep query is rejected with too_deep, not a RecursionError."""
    with pytest.raises(aq.QueryError) as info:
        parse("(" * 10_000 + 'name = "a"' + ")" * 10_000, "candidates")
    assert "too_deep" == info.value.type
    with pytest.raises(aq.QueryError) as info:
        parse("not " * 10_000 + 'name = "a"', "candidates")
    assert "too_deep" == info.value.type


def test_depth_at_bound_accepted():
    """Exactly max_depth levels parse; one more does not."""
    ok = "(" * 64 + 'name = "a"' + ")" * 64
    assert 'name = "a"' == str(parse(ok, "candidates"))
    with pytest.raises(aq.QueryError):
        parse("(" + ok + ")", "candidates")


def test_in_list_bound():
    """An in list over max_in values is in_too_large; Limits raises the bound."""
    text = "id in (" + ", ".join(f'"{i}"' for i in range(1001)) + ")"
    with pytest.raises(aq.QueryError) as info:
        parse(text, "candidates")
    assert "in_too_large" == info.value.type
    q = parse(text, "candidates", limits=Limits(max_in=2000))
    assert 1001 == len(q.ast.filter.value)


def test_limits_are_adjustable():
    """Each bound has a parameter."""
    with pytest.raises(aq.QueryError):
        parse('name = "abc"', "candidates", limits=Limits(max_length=5))
    with pytest.raises(aq.QueryError):
        parse('not name = "a"', "candidates", limits=Limits(max_depth=0))


@pytest.mark.parametrize(
    "text",
    [
        "id = " + "1" * 5000,
        "limit " + "1" * 5000,
        "createdAt > today - " + "1" * 5000 + "d",
        "id = 1." + "1" * 5000,
    ],
)
def test_huge_numbers_are_query_errors(text):
    """Numbers past Python's 4,300-digit str limit are a QueryError, not a ValueError."""
    with pytest.raises(aq.QueryError) as info:
        parse(text, "applications")
    assert "number_too_long" == info.value.type
    assert "Limits(max_digits=...)" in str(info.value)


def test_string_length_bound():
    """A quoted string over max_string characters is string_too_long; Limits raises it."""
    text = 'name = "' + "a" * 10_001 + '"'
    with pytest.raises(aq.QueryError) as info:
        parse(text, "candidates")
    assert "string_too_long" == info.value.type
    assert 8 == info.value.problems[0].column
    q = parse(text, "candidates", limits=Limits(max_string=20_000))
    assert 10_001 == len(q.ast.filter.value)


def test_number_length_bound_is_adjustable():
    """max_digits bounds numbers and durations; at the bound they parse."""
    ok = "createdAt > today - " + "1" * 5 + "d"
    assert parse(ok, "applications", limits=Limits(max_digits=6))
    with pytest.raises(aq.QueryError):
        parse(ok, "applications", limits=Limits(max_digits=5))
