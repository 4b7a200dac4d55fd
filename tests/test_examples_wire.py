"""Examples the round-trip properties cannot reach, with expectations written out.

Round trips only see JSON the compiler writes. Hand-written JSON (2026 operators with
``%`` or a backslash in the value, upper-case sort directions, ranges of several days)
and the operator table per field type are checked here against literal expectations,
not against the code or tables they test.
"""

import datetime as dt

import pytest

import ashby_query as aq
from ashby_query import F, from_params, parse
from ashby_query._back.formatter import quote

NAMES = [
    {"id": "1", "name": "50% off"},
    {"id": "2", "name": "500 off"},
    {"id": "3", "name": "a\\b"},
    {"id": "4", "name": "ab"},
    {"id": "5", "name": "x50%"},
]


def ids(query, records):
    return [r["id"] for r in query.evaluate(records)]


def test_hand_written_startswith_with_a_percent_is_literal():
    """{"startswith": {"name": "50%"}} matches "50% off", not "500 off"."""
    q = from_params({"query": {"filter": {"startswith": {"name": "50%"}}}}, "candidates")
    assert 'name like "50\\%%"' == str(q)
    assert ["1"] == ids(q, NAMES)


def test_hand_written_endswith_with_a_percent_is_literal():
    """{"endswith": {"name": "50%"}} matches "x50%" only, not every name with 50 in it."""
    q = from_params({"query": {"filter": {"endswith": {"name": "50%"}}}}, "candidates")
    assert 'name like "%50\\%"' == str(q)
    assert ["5"] == ids(q, NAMES)


def test_hand_written_contains_with_a_backslash_is_literal():
    """{"contains": {"name": "a\\\\b"}} matches the name with a backslash, not "ab"."""
    q = from_params({"query": {"filter": {"contains": {"name": "a\\b"}}}}, "candidates")
    assert "%a\\\\b%" == q.ast.filter.value
    assert ["3"] == ids(q, NAMES)


def test_2026_endswith_round_trips_a_percent():
    """like "%50\\%" compiles to endswith "50%" in 2026 and reads back the same."""
    q = parse('name like "%50\\%"', "candidates")
    params = q.to_params(dialect="2026")
    assert {"query": {"filter": {"endswith": {"name": "50%"}}}} == params
    assert q == from_params(params, "candidates")


@pytest.mark.parametrize(
    ("pattern", "wire"),
    [
        ("Ann%", {"startswith": {"name": "Ann"}}),
        ("%son", {"endswith": {"name": "son"}}),
        ("%nn%", {"contains": {"name": "nn"}}),
        ("Ann", {"eq": {"name": "Ann"}}),
        ("50\\%%", {"startswith": {"name": "50%"}}),
        ("%a\\\\b%", {"contains": {"name": "a\\b"}}),
    ],
)
def test_like_compiles_to_its_2026_operator(pattern, wire):
    """In the 2026 dialect each like form compiles to its own operator and reads back."""
    q = aq.Candidates.where(F.name.like(pattern))
    assert {"query": {"filter": wire}} == q.to_params(dialect="2026")
    assert [r["id"] for r in q.evaluate(PEOPLE)] == ids(
        from_params(q.to_params(dialect="2026"), "candidates"), PEOPLE
    )


PEOPLE = [
    {"id": "ann", "name": "Ann"},
    {"id": "anna", "name": "Anna"},
    {"id": "hanson", "name": "Hanson"},
    {"id": "50", "name": "50% off"},
]


def test_several_operators_in_one_object_all_apply():
    """{"eq": ..., "neq": ...} in one object, or two fields under one operator, is AND."""
    records = [
        {"id": "1", "status": "a", "archiveReason": "x"},
        {"id": "2", "status": "a", "archiveReason": "y"},
        {"id": "3", "status": "b", "archiveReason": "x"},
    ]
    two_ops = {"eq": {"status": "a"}, "neq": {"archiveReason": "y"}}
    two_fields = {"eq": {"status": "a", "archiveReason": "x"}}
    for flt in (two_ops, two_fields):
        q = from_params({"query": {"filter": flt}}, "applications")
        assert ["1"] == ids(q, records)


@pytest.mark.parametrize(("direction", "first"), [("DESC", "3"), ("Desc", "3"), ("ASC", "1")])
def test_upper_case_sort_directions(direction, first):
    """ "DESC" and "Desc" sort descending, "ASC" ascending."""
    records = [
        {"id": "1", "createdAt": "2024-01-01T00:00:00Z"},
        {"id": "2", "createdAt": "2024-01-02T00:00:00Z"},
        {"id": "3", "createdAt": "2024-01-03T00:00:00Z"},
    ]
    q = from_params({"query": {"sort": [{"createdAt": direction}]}}, "applications")
    assert first == ids(q, records)[0]
    assert (direction.lower() == "desc") == q.ast.sort[0].descending


DAYS = [
    {"id": "before", "createdAt": "2023-12-31T23:59:59.999999Z"},
    {"id": "first", "createdAt": "2024-01-01T00:00:00Z"},
    {"id": "third", "createdAt": "2024-01-03T12:00:00Z"},
    {"id": "last", "createdAt": "2024-01-05T23:59:59.999999Z"},
    {"id": "after", "createdAt": "2024-01-06T00:00:00Z"},
]


def test_a_several_day_range_does_not_fold_into_one_day():
    """gte D and lt D+5 stays a range: it selects the five days, not just D."""
    flt = {
        "and": [
            {"gte": {"createdAt": "2024-01-01T00:00:00Z"}},
            {"lt": {"createdAt": "2024-01-06T00:00:00Z"}},
        ]
    }
    q = from_params({"query": {"filter": flt}}, "applications")
    assert "createdAt >= 2024-01-01 and createdAt < 2024-01-06" == str(q)
    assert ["first", "third", "last"] == ids(q, DAYS)


def test_a_several_day_gap_does_not_fold_into_not_one_day():
    """lt D or gte D+5 stays a pair of bounds."""
    flt = {
        "or": [
            {"lt": {"createdAt": "2024-01-01T00:00:00Z"}},
            {"gte": {"createdAt": "2024-01-06T00:00:00Z"}},
        ]
    }
    q = from_params({"query": {"filter": flt}}, "applications")
    assert "createdAt < 2024-01-01 or createdAt >= 2024-01-06" == str(q)
    assert ["before", "after"] == ids(q, DAYS)


def test_a_one_day_range_folds_into_the_day():
    """gte D and lt D+1 at midnights is whole-day equality, both ways."""
    flt = {
        "and": [
            {"gte": {"createdAt": "2024-01-03T00:00:00Z"}},
            {"lt": {"createdAt": "2024-01-04T00:00:00Z"}},
        ]
    }
    q = from_params({"query": {"filter": flt}}, "applications")
    assert "createdAt = 2024-01-03" == str(q)
    assert flt == q.to_params()["query"]["filter"]
    assert ["third"] == ids(q, DAYS)


def test_a_day_runs_from_its_midnight_to_the_next():
    """= D keeps D's first instant and its last microsecond, not the next midnight."""
    day = dt.date(2024, 1, 5)
    assert ["last"] == ids(aq.Applications.where(F.createdAt == day), DAYS)
    assert ["before", "first", "third", "after"] == ids(
        aq.Applications.where(F.createdAt != day), DAYS
    )
    assert ["before"] == ids(aq.Applications.where(F.createdAt == dt.date(2023, 12, 31)), DAYS)
    assert ["first"] == ids(aq.Applications.where(F.createdAt == dt.date(2024, 1, 1)), DAYS)


def test_whole_day_equality_compiles_with_both_bounds():
    """= D is gte midnight and lt the next midnight; != D is the two outsides."""
    eq = aq.compile("createdAt = 2024-01-05", entity="applications")["query"]["filter"]
    assert {
        "and": [
            {"gte": {"createdAt": "2024-01-05T00:00:00Z"}},
            {"lt": {"createdAt": "2024-01-06T00:00:00Z"}},
        ]
    } == eq
    neq = aq.compile("createdAt != 2024-01-05", entity="applications")["query"]["filter"]
    assert {
        "or": [
            {"lt": {"createdAt": "2024-01-05T00:00:00Z"}},
            {"gte": {"createdAt": "2024-01-06T00:00:00Z"}},
        ]
    } == neq


@pytest.mark.parametrize(
    ("text", "wire"),
    [
        ("createdAt > 2024-01-01", {"gt": {"createdAt": "2024-01-01T00:00:00Z"}}),
        ("createdAt >= 2024-01-01", {"gte": {"createdAt": "2024-01-01T00:00:00Z"}}),
        ("createdAt < 2024-01-01T10:00:00Z", {"lt": {"createdAt": "2024-01-01T10:00:00Z"}}),
        ("createdAt <= 2024-01-01T10:00:00Z", {"lte": {"createdAt": "2024-01-01T10:00:00Z"}}),
        ('status != "a"', {"neq": {"status": "a"}}),
        ("status is null", {"eq": {"status": None}}),
        ("status is not null", {"neq": {"status": None}}),
        ('not status = "a"', {"not": {"eq": {"status": "a"}}}),
        ('status not in ("a", "b")', {"not": {"in": {"status": ["a", "b"]}}}),
        ('status like "a\\%b%"', {"like": {"status": "a\\%b%"}}),
    ],
)
def test_each_operator_compiles_to_its_own_key(text, wire):
    """Each text operator compiles to the JSON key it names, nothing stricter or looser."""
    assert wire == aq.compile(text, entity="applications")["query"]["filter"]


def test_sort_directions_compile_as_written():
    """order by x desc, y compiles to desc then asc."""
    params = aq.compile("order by createdAt desc, status", entity="applications")
    assert [{"createdAt": "desc"}, {"status": "asc"}] == params["query"]["sort"]


def test_strict_comparisons_exclude_the_bound():
    """> and < leave out a record exactly at the bound; >= and <= keep it."""
    records = [{"id": "at", "createdAt": "2024-01-01T10:00:00Z"}]
    bound = dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC)
    apps = aq.Applications
    assert [] == ids(apps.where(F.createdAt > bound), records)
    assert [] == ids(apps.where(F.createdAt < bound), records)
    assert ["at"] == ids(apps.where(F.createdAt >= bound), records)
    assert ["at"] == ids(apps.where(F.createdAt <= bound), records)
    assert [] == ids(apps.where(F.status > "b"), [{"id": "s", "status": "b"}])
    assert [] == ids(apps.where(F.status < "b"), [{"id": "s", "status": "b"}])


def test_fuzzy_needs_every_word():
    """fuzzy "ann smi" selects "Ann Smith", not "Ann Jones" nor "Bob Smith"."""
    people = [
        {"id": "1", "name": "Ann Smith"},
        {"id": "2", "name": "Ann Jones"},
        {"id": "3", "name": "Bob Smith"},
    ]
    assert ["1"] == ids(aq.Candidates.where(F.name.fuzzy("ann smi")), people)
    assert ["1", "2", "3"] == ids(aq.Candidates.where(F.name.keyword("ann smith")), people)


def test_is_not_null_keeps_only_present_values():
    """is not null, written or read from JSON, keeps records that have a value."""
    records = [{"id": "1", "status": None}, {"id": "2"}, {"id": "3", "status": "a"}]
    q = from_params({"query": {"filter": {"neq": {"status": None}}}}, "applications")
    assert ["3"] == ids(q, records)
    assert ["1", "2"] == ids(parse("status is null", "applications"), records)


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("\x01", '"\\u0001"'),
        ("\x7f", '"\\u007f"'),
        ("\u2028", '"\\u2028"'),
        ("tab\there", '"tab\\there"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("50\\% off", '"50\\% off"'),
        ("back\\slash", '"back\\slash"'),
        ("a\\nb", '"a\\\\nb"'),
    ],
)
def test_quote_escapes_what_does_not_print(text, printed):
    """Control characters print as \\u escapes; quotes, tabs and backslashes escape."""
    assert printed == quote(text)
    assert text == parse(f"name = {printed}", "candidates").ast.filter.value


# The operators each field type takes, written out rather than read from FieldType.
ALLOWED = {
    "string": {"eq", "neq", "gt", "gte", "lt", "lte", "in", "like", "fuzzy", "keyword", "is_null"},
    "boolean": {"eq", "neq", "in", "is_null"},
    "timestamp": {"eq", "neq", "gt", "gte", "lt", "lte", "in", "is_null"},
}
SAMPLES = {
    "string": ("candidates", "name", "Ann"),
    "boolean": ("job_postings", "isListed", True),
    "timestamp": ("applications", "createdAt", dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)),
}
MAKE = {
    "eq": lambda f, v: f == v,
    "neq": lambda f, v: f != v,
    "gt": lambda f, v: f > v,
    "gte": lambda f, v: f >= v,
    "lt": lambda f, v: f < v,
    "lte": lambda f, v: f <= v,
    "in": lambda f, v: f.in_(v),
    "like": lambda f, v: f.like("x%"),
    "fuzzy": lambda f, v: f.fuzzy("x"),
    "keyword": lambda f, v: f.keyword("x"),
    "is_null": lambda f, v: f.is_null(),
}


@pytest.mark.parametrize("ftype", list(ALLOWED))
@pytest.mark.parametrize("op", list(MAKE))
def test_operators_per_field_type_as_documented(ftype, op):
    """Each field type takes exactly the operators the language guide lists for it."""
    entity, field, value = SAMPLES[ftype]
    make = lambda: aq.compile(MAKE[op](F[field], value), entity=entity)  # noqa: E731
    if op in ALLOWED[ftype]:
        assert make()["query"]["filter"]
    else:
        with pytest.raises(aq.QueryError) as info:
            make()
        assert "operator_not_allowed" == info.value.type
