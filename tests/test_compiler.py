"""The compiler: wire shapes, dates, dialects, empties, depth."""

import datetime as dt

import pytest

import ashby_query as aq
from ashby_query import Applications, Candidates, F, JobPostings

NOW = dt.datetime(2024, 3, 10, 15, 30, tzinfo=dt.UTC)


def flt(q, **kw):
    return q.to_params(**kw)["query"]["filter"]


def test_empty_query_is_all_records():
    """A query with nothing set compiles to {"query": {}}."""
    assert {"query": {}} == Candidates.all().to_params()
    assert {"query": {}} == aq.compile("", entity="candidates")


def test_date_is_midnight_utc():
    """A date bound compiles to midnight UTC."""
    assert {"gt": {"createdAt": "2024-01-01T00:00:00Z"}} == flt(
        Applications.where(F.createdAt > dt.date(2024, 1, 1))
    )


def test_offset_converted_to_utc():
    """A datetime with an offset compiles to UTC Z."""
    value = dt.datetime(2024, 1, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert {"gte": {"createdAt": "2024-01-01T07:30:00Z"}} == flt(
        Applications.where(F.createdAt >= value)
    )


def test_naive_datetime_is_utc():
    """A datetime without an offset is taken as UTC."""
    assert {"lt": {"createdAt": "2024-01-01T09:30:00Z"}} == flt(
        Applications.where(F.createdAt < dt.datetime(2024, 1, 1, 9, 30))
    )


def test_fractional_seconds_kept():
    """Microseconds survive, trailing zeros trimmed."""
    value = dt.datetime(2024, 1, 1, 9, 30, 0, 120000, tzinfo=dt.UTC)
    assert {"lt": {"createdAt": "2024-01-01T09:30:00.12Z"}} == flt(
        Applications.where(F.createdAt < value)
    )


def test_date_equality_is_whole_day():
    """= date is a half-open range over that day; != date its negation."""
    assert {
        "and": [
            {"gte": {"createdAt": "2024-02-29T00:00:00Z"}},
            {"lt": {"createdAt": "2024-03-01T00:00:00Z"}},
        ]
    } == flt(Applications.where(F.createdAt == dt.date(2024, 2, 29)))
    assert {
        "or": [
            {"lt": {"createdAt": "2024-12-31T00:00:00Z"}},
            {"gte": {"createdAt": "2025-01-01T00:00:00Z"}},
        ]
    } == flt(Applications.where(F.createdAt != "2024-12-31"))


def test_datetime_equality_is_exact():
    """= datetime compares one instant."""
    value = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert {"eq": {"createdAt": "2024-01-01T00:00:00Z"}} == flt(
        Applications.where(F.createdAt == value)
    )


def test_iso_string_values_on_timestamps():
    """ISO strings on timestamp fields are read strictly."""
    assert {"lte": {"updatedAt": "2024-01-01T10:00:00Z"}} == flt(
        Applications.where(F.updatedAt <= "2024-01-01T12:00:00+02:00")
    )


def test_booleans_and_null_are_json_literals():
    """true/false/null compile to JSON literals, not strings."""
    assert {"eq": {"isListed": False}} == flt(JobPostings.where(F.isListed == False))
    assert {"eq": {"isListed": None}} == flt(JobPostings.where(F.isListed.is_null()))


def test_each_condition_has_one_operator_and_one_field():
    """and/or lists hold one-operator, one-field objects."""
    f = flt(Applications.where((F.status == "a") & (F.id == "b") | (F.status == "c")))
    assert {
        "or": [{"and": [{"eq": {"status": "a"}}, {"eq": {"id": "b"}}]}, {"eq": {"status": "c"}}]
    } == f


def test_wide_or_compiles():
    """A 5,000-term or compiles without recursion trouble."""
    q = Applications.where(aq.or_(*(F.id == str(i) for i in range(5000))))
    assert 5000 == len(flt(q)["or"])


def test_deep_not_chain_compiles():
    """A 5,000-deep not chain, under raised Limits, compiles and formats (iterative walks)."""
    cond = F.id == "x"
    for _ in range(5000):
        cond = ~cond
    q = Applications.where(cond, limits=aq.Limits(max_depth=5000))
    out = flt(q)
    depth = 0
    while "not" in out:
        out = out["not"]
        depth += 1
    assert 5000 == depth
    assert str(q).startswith("not not not")


def test_relative_time_resolved_against_clock():
    """today - 30d resolves against the clock passed in."""
    q = aq.parse("createdAt > today - 30d and updatedAt < now - 2h", "applications")
    assert {
        "and": [
            {"gt": {"createdAt": "2024-02-09T00:00:00Z"}},
            {"lt": {"updatedAt": "2024-03-10T13:30:00Z"}},
        ]
    } == flt(q, now=NOW)
    assert flt(q, now=lambda: NOW) == flt(q, now=NOW)


def test_relative_today_equality_is_whole_day():
    """createdAt = yesterday is the whole of yesterday."""
    q = aq.parse("createdAt = yesterday", "applications")
    assert {
        "and": [
            {"gte": {"createdAt": "2024-03-09T00:00:00Z"}},
            {"lt": {"createdAt": "2024-03-10T00:00:00Z"}},
        ]
    } == flt(q, now=NOW)


def test_resolve_replaces_relative_times():
    """Query.resolve(now) gives the equivalent fixed query."""
    q = aq.parse("createdAt > today - 1w", "applications").resolve(NOW)
    assert "createdAt > 2024-03-03" == str(q)


# Dialects -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "wire"),
    [
        ("Ann%", {"startswith": {"name": "Ann"}}),
        ("%son", {"endswith": {"name": "son"}}),
        ("%ann%", {"contains": {"name": "ann"}}),
        ("ann", {"eq": {"name": "ann"}}),
        ("50\\%%", {"startswith": {"name": "50%"}}),
        ("Ann%%", {"startswith": {"name": "Ann"}}),
    ],
)
def test_2026_dialect_maps_like(pattern, wire):
    """like patterns map to startswith/endswith/contains/eq in the 2026 dialect."""
    q = Candidates.where(F.name.like(pattern))
    assert wire == flt(q, dialect="2026")
    assert wire == flt(q, dialect=aq.DIALECT_2026)
    assert {"like": {"name": pattern}} == flt(q)


@pytest.mark.parametrize("pattern", ["A%n", "%a%b%", "%", "", "a%b%"])
def test_2026_dialect_rejects_inexact_patterns(pattern):
    """A pattern with no exact 2026 equivalent is a clear error."""
    with pytest.raises(aq.QueryError) as info:
        Candidates.where(F.name.like(pattern)).to_params(dialect="2026")
    assert "dialect_unsupported" == info.value.type
    assert "startswith" in str(info.value)


def test_2026_dialect_keeps_negation():
    """not like compiles to not startswith."""
    q = Candidates.where(F.name.not_like("A%"))
    assert {"not": {"startswith": {"name": "A"}}} == flt(q, dialect="2026")


def test_dotted_fields_style():
    """A dialect variant can write fields as dotted strings."""
    import attrs

    dotted = attrs.evolve(aq.REFERENCE, fields_style="dotted")
    p = Candidates.select("id", "source.title").to_params(dialect=dotted)
    assert ["id", "source.title"] == p["fields"]


def test_compile_accepts_every_form():
    """compile() takes a Query, text, an AST, a condition, or params."""
    q = Applications.where(F.status == "active")
    forms = [q, 'status = "active"', q.ast, F.status == "active", q.to_params()]
    for form in forms:
        assert q.to_params() == aq.compile(form, entity="applications")
