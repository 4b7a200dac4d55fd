"""The in-memory engine: one meaning per operator, sorting, limits, projection."""

import datetime as dt

import pytest

import ashby_query as aq
from ashby_query import Applications, Candidates, F, JobPostings, evaluate

APPS = [
    {"id": "1", "status": "active", "createdAt": "2024-01-01T10:00:00+02:00"},
    {"id": "2", "status": "hired", "createdAt": "2024-01-01T08:00:00Z"},
    {"id": "3", "status": None, "createdAt": "2023-12-31T23:59:59Z", "archiveReason": "Spam"},
    {"id": "4", "createdAt": "not a date"},
    {"id": "5", "status": "Active", "createdAt": None},
]


def ids(rows):
    return [r["id"] for r in rows]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('status = "active"', ["1"]),
        ('status != "active"', ["2", "5"]),
        ('not status = "active"', ["2", "3", "4", "5"]),
        ("status is null", ["3", "4"]),
        ("status is not null", ["1", "2", "5"]),
        ('status in ("active", "hired")', ["1", "2"]),
        ('status not in ("active")', ["2", "3", "4", "5"]),
        ('status > "b"', ["2"]),
        ('status like "act%"', ["1", "5"]),
        ('status like "%ive"', ["1", "5"]),
        ('status like "%IVE"', ["1", "5"]),
        ('status not like "a%"', ["2", "3", "4"]),
        ("createdAt = 2024-01-01T08:00:00Z", ["1", "2"]),
        ("createdAt = 2024-01-01", ["1", "2"]),
        ("createdAt != 2024-01-01", ["3"]),
        ("createdAt < 2024-01-01", ["3"]),
        ("createdAt >= 2024-01-01T08:00:00Z", ["1", "2"]),
        ("createdAt is null", ["5"]),
        ('archiveReason keyword "spam ham"', ["3"]),
    ],
)
def test_operator_meanings(text, expected):
    """Each operator has one documented meaning (nulls, case, timestamps)."""
    assert expected == ids(evaluate(text, APPS, entity="applications"))


def test_timestamps_compare_as_instants():
    """+02:00 and Z forms of one instant are equal."""
    q = Applications.where(F.createdAt == "2024-01-01T10:00:00+02:00")
    assert [True, True] == [q.matches(r) for r in APPS[:2]]


def test_fuzzy_word_prefixes_in_order():
    """fuzzy: every word starts a word of the field, in order, any case (the SDK's meaning)."""
    q = Candidates.where(F.name.fuzzy("ann smi"))
    assert q.matches({"name": "Ann-Marie Smith"})
    assert not Candidates.where(F.name.fuzzy("smi ann")).matches({"name": "Ann-Marie Smith"})
    assert not q.matches({"name": "Annabel Jones"})
    assert not q.matches({"name": None})


def test_fuzzy_any_order_is_a_choice():
    """fuzzy="any_order_prefix" matches the words in any order."""
    q = Candidates.where(F.name.fuzzy("smi ann"))
    sem = aq.Semantics(fuzzy="any_order_prefix")
    assert q.matches({"name": "Ann-Marie Smith"}, semantics=sem)
    assert not q.matches({"name": "Annabel Jones"}, semantics=sem)


def test_like_escapes_and_underscore():
    """\\% is a literal percent; _ is an ordinary character."""
    q = Candidates.where(F.name.like("50\\% off%"))
    assert q.matches({"name": "50% off today"})
    assert not q.matches({"name": "500 off"})
    assert Candidates.where(F.name.like("a_b")).matches({"name": "a_b"})
    assert not Candidates.where(F.name.like("a_b")).matches({"name": "axb"})


def test_wrong_types_match_nothing():
    """A number where text is expected, or text where a boolean is, matches nothing."""
    assert not Candidates.where(F.name == "5").matches({"name": 5})
    assert not JobPostings.where(F.isListed == True).matches({"isListed": "true"})
    assert JobPostings.where(F.isListed != True).matches({"isListed": False})


def test_sort_limit_and_nulls_last():
    """Sort puts nulls last in both directions; limit applies after sorting."""
    asc = evaluate("order by status", APPS, entity="applications")
    desc = evaluate("order by status desc limit 3", APPS, entity="applications")
    assert ["5", "1", "2", "3", "4"] == ids(asc)  # code point order: "A" < "a"
    assert ["2", "1", "5"] == ids(desc)


def test_sort_by_timestamp_parses():
    """Timestamps sort by instant, not by text."""
    rows = evaluate("order by createdAt desc", APPS, entity="applications")
    assert ["1", "2", "3", "4", "5"] == ids(rows)


def test_multi_key_sort():
    """Later keys break ties of earlier ones."""
    rows = [{"id": "b", "status": "x"}, {"id": "a", "status": "x"}, {"id": "c", "status": "w"}]
    assert ["c", "b", "a"] == ids(evaluate("order by status, id desc", rows, "applications"))


def test_select_projects_paths():
    """select keeps only the named fields and nested paths."""
    rows = [{"id": "1", "status": "a", "candidate": {"name": "Ann", "id": "c"}}]
    assert [{"id": "1", "candidate": {"name": "Ann"}}] == evaluate(
        "select id, candidate.name", rows, entity="applications"
    )


def test_relative_times_use_clock():
    """Relative times resolve against now=."""
    now = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    rows = evaluate("createdAt = yesterday", APPS, entity="applications", now=now)
    assert ["1", "2"] == ids(rows)


def test_deep_query_evaluates():
    """A 3,000-deep not chain evaluates without RecursionError."""
    cond = F.status == "active"
    for _ in range(3000):
        cond = ~cond
    q = Applications.where(cond, limits=aq.Limits(max_depth=3000))
    assert [True, False] == [q.matches(r) for r in APPS[:2]]


def test_wide_or_evaluates():
    """A 5,000-term or evaluates."""
    q = Applications.where(aq.or_(*(F.id == str(i) for i in range(5000))))
    assert 5 == len(q.evaluate(APPS))


def test_records_are_returned_unchanged():
    """Records come back as the same dicts, losslessly."""
    out = evaluate('status = "hired"', APPS, entity="applications")
    assert out[0] is APPS[1]


def test_matches_reads_the_clock_anew_for_relative_times(monkeypatch):
    """A query with 'today' or 'now' keeps its matcher, which reads the clock at every
    call: the same query object answers by the clock of each call, not of the first."""
    import ashby_query._back.engine as engine

    readings = iter(
        [dt.datetime(2024, 1, 2, 12, tzinfo=dt.UTC), dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC)] * 2
    )
    real = engine.now_utc
    monkeypatch.setattr(
        engine, "now_utc", lambda now=None: next(readings) if now is None else real(now)
    )
    record = {"createdAt": "2024-01-01T18:00:00Z"}
    for text in ("createdAt > today - 1d", "createdAt > now - 1d"):
        query = aq.parse(text, "applications")
        assert query.matches(record) is True  # 2 January: within a day
        assert query.matches(record) is False  # 1 March: long past


def test_relative_times_inside_any_follow_the_clock_of_each_call():
    """A relative time in the condition on array elements is lowered with the call's
    clock like any other: `now=` is honoured, and no cache keeps an earlier reading."""
    import attrs

    apps = aq.ENTITIES["applications"]
    items = aq.SearchField("items", aq.FieldType.ARRAY, "Elements.")
    mine = attrs.evolve(apps, searchable={**apps.searchable, "items": items})
    at = dt.datetime(2024, 3, 10, 12, 0, tzinfo=dt.UTC)
    later = at + dt.timedelta(minutes=5)
    record = {"items": [{"t": "2024-03-10T11:59:30Z"}]}
    for text in ("items any (t > now - 1m)", "items any (not t < today)"):
        query = aq.parse(text, mine)
        assert query.matches(record, now=at) is True
        assert [record] == query.evaluate([record], now=at)
        expected = text.startswith("items any (not")  # still the same day
        assert query.matches(record, now=later) is expected
        assert ([record] if expected else []) == query.evaluate([record], now=later)
        assert [] == query.evaluate([record], now=at + dt.timedelta(days=2))
        resolved = query.resolve(at)  # the dates they stand for, inside any too
        assert "now" not in str(resolved)
        assert "today" not in str(resolved)
        assert resolved.matches(record, now=later) is True


def test_a_query_pickles_and_copies_after_matching():
    """The compiled matcher a query keeps is not part of its pickled or copied state."""
    import copy
    import pickle

    query = aq.parse('status = "a" and createdAt > today - 1d', "applications")
    assert query.matches({"status": "b"}) is False
    for twin in (pickle.loads(pickle.dumps(query)), copy.deepcopy(query), copy.copy(query)):
        assert twin == query
        assert twin.matches({"status": "b"}) is False
