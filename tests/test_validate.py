"""Validation: every problem slug, collected together, with locations and fixes."""

import datetime as dt

import pytest

import ashby_query as aq
from ashby_query import Applications, Candidates, F, JobPostings, QueryAST


def problems(fn):
    with pytest.raises(aq.QueryError) as info:
        fn()
    return info.value


@pytest.mark.parametrize(
    ("make", "slug"),
    [
        (lambda: Candidates.where(F.nmae == "x"), "unknown_field"),
        (lambda: Applications.where(F.archivedAt > dt.date(2024, 1, 1)), "field_not_searchable"),
        (lambda: JobPostings.where(F.isListed.like("x%")), "operator_not_allowed"),
        (lambda: JobPostings.where(F.isListed == "yes"), "value_type"),
        (lambda: Applications.where(F.createdAt > "2024-02-30"), "invalid_date"),
        (lambda: Applications.where(F.status.in_([])), "empty_in"),
        (lambda: Applications.limit(0), "limit_range"),
        (lambda: Applications.limit(1001), "limit_range"),
        (lambda: Applications.order_by("archivedAt"), "sort_not_searchable"),
        (lambda: Applications.order_by("nope"), "unknown_field"),
        (lambda: Applications.select("nope"), "unknown_field"),
        (lambda: aq.compile("x", entity="departments"), "not_searchable"),
        (lambda: aq.compile("x", entity="candidatez"), "unknown_entity"),
        (lambda: Applications.cursor(""), "cursor_type"),
        (lambda: Applications.where(F.status.fuzzy(3)), "value_type"),
        (lambda: Applications.where(F.status.in_("a", None)), "value_type"),
        (lambda: Applications.where(F.createdAt.in_(dt.date(2024, 1, 1))), "value_type"),
        (
            lambda: aq.compile({"query": {}}, entity="applications", dialect="1999"),
            "unknown_dialect",
        ),
        (lambda: aq.compile('status = "a"'), "missing_entity"),
        (lambda: aq.compile(Applications.all(), entity="jobs"), "entity_mismatch"),
        (
            lambda: aq.compile(QueryAST("applications", fields=()), entity="applications"),
            "fields_type",
        ),
    ],
)
def test_each_slug(make, slug):
    """Each invalid query raises a QueryError with its stable slug."""
    err = problems(make)
    assert slug == err.type
    assert isinstance(err, ValueError)
    assert err.problems[0].msg.endswith((".", "?", ")"))


def test_all_problems_are_collected():
    """Several faults in one query are all reported, in one error."""
    err = problems(
        lambda: aq.compile(
            QueryAST(
                "applications",
                (F.stauts == "a") & (F.createdAt > "2024-13-01") & F.status.in_([]),
                limit=0,
            ),
            entity="applications",
        )
    )
    assert ["unknown_field", "invalid_date", "empty_in", "limit_range"] == [
        p["type"] for p in err.errors()
    ]
    assert 4 == err.error_count()
    assert str(err).startswith("The query has 4 problems:")


def test_locations_are_wire_paths():
    """loc points into the params JSON: query.filter.and[1].gt.createdAt."""
    err = problems(lambda: Applications.where((F.status == "a") & (F.createdAt > "2024-13-01")))
    assert ("query", "filter", "and", 1, "gt", "createdAt") == err.problems[0].loc


def test_unknown_field_lists_searchable_and_suggestions():
    """The unknown-field message lists the entity's searchable fields and closest names."""
    err = problems(lambda: Candidates.where(F.compnay == "x"))
    p = err.errors()[0]
    assert ["company"] == p["ctx"]["suggestions"]
    assert "Searchable fields: id, name, company, position, school." in p["msg"]


def test_boolean_value_hint():
    """A boolean field given 'yes' says to write == True in the builder."""
    err = problems(lambda: JobPostings.where(F.isListed == "yes"))
    assert "Write F.isListed == True." in str(err)


def test_string_field_given_number_says_quote_it():
    """A number on a string field says to quote it."""
    err = problems(lambda: Candidates.where(F.id == 5))
    assert 'Quote it: F.id == "5".' in str(err)


@pytest.mark.parametrize(
    ("build", "text", "builder_fix", "text_fix"),
    [
        (
            lambda: Applications.where(Applications.createdAt > "yesterday"),
            'createdAt > "yesterday"',
            'F.createdAt > aq.RelativeTime("today", -7, "d")',
            "createdAt > today - 7d",
        ),
        (
            lambda: JobPostings.where(F.isListed == "yes"),
            'isListed = "yes"',
            "F.isListed == True",
            "isListed = true",
        ),
        (
            lambda: JobPostings.where(F.isListed.like("x%")),
            'isListed like "x%"',
            "F.isListed == True or F.isListed == False",
            "isListed = true or isListed = false",
        ),
        (
            lambda: Applications.where(F.createdAt.fuzzy("x")),
            'createdAt fuzzy "x"',
            '(F.createdAt >= "2024-01-01") & (F.createdAt < "2024-02-01")',
            "createdAt >= 2024-01-01 and createdAt < 2024-02-01",
        ),
        (
            lambda: Candidates.where(F.name > 5),
            "name > 5",
            'F.name > "5"',
            'name > "5"',
        ),
    ],
)
def test_fixes_are_written_the_way_the_query_was(build, text, builder_fix, text_fix):
    """Builder errors suggest builder code; text errors suggest text."""
    assert builder_fix in str(problems(build))
    name = {"createdAt": "applications", "isListed": "job_postings"}.get(
        text.split()[0], "candidates"
    )
    err = problems(lambda: aq.parse(text, name))
    assert text_fix in str(err)
    assert "F." not in str(err)


def test_limit_is_not_bool():
    """True is not a limit even though it is an int."""
    assert "limit_range" == problems(lambda: Applications.limit(True)).type


@pytest.mark.parametrize("limit", [1, 500, 1000])
def test_limit_bounds_accepted(limit):
    """Limits 1..1000 are accepted."""
    assert limit == Applications.limit(limit).to_params()["limit"]


def test_problem_records_have_pydantic_shape():
    """errors() gives type, loc, msg, input (and ctx where there is one)."""
    err = problems(lambda: Applications.limit(0))
    rec = err.errors()[0]
    assert {"type", "loc", "msg", "input", "ctx"} == set(rec)
    assert 0 == rec["input"]


def test_builder_fixes_for_like_and_in_values():
    """like and in with the wrong kind of value suggest the builder method to call."""
    assert 'F.name.like("5")' in str(problems(lambda: Candidates.where(F.name.like(5))))
    bad_in = aq.Predicate(aq.Op.IN, "name", "x")
    assert 'F.name.in_("a", "b")' in str(problems(lambda: Candidates.where(bad_in)))
