"""The text language: examples, operators, literals, precedence, escapes."""

import datetime as dt
from pathlib import Path

import pytest

import ashby_query as aq
from ashby_query import Applications, Candidates, F, JobPostings, parse

NOW = dt.datetime(2024, 3, 10, 15, 30, tzinfo=dt.UTC)

ISSUE_EXAMPLES = [
    ("applications", 'status = "active" and createdAt > 2024-01-01'),
    ("applications", '(status = "active" or status = "hired") and not archiveReason = "Spam"'),
    ("candidates", 'name like "Ann%" or name fuzzy "ann smith" or company keyword "stripe"'),
    ("applications", 'status in ("active", "hired") and archiveReason is null'),
    ("job_postings", "title not in ('archived') and isListed = true"),
    ("applications", "createdAt >= 2024-01-01T09:30:00+02:00 and createdAt < today - 30d"),
    ("applications", "createdAt between 2024-01-01 and 2024-03-31"),
    ("candidates", 'name like "Ann%" order by name desc, id limit 50'),
]


@pytest.mark.parametrize(("entity", "text"), ISSUE_EXAMPLES)
def test_issue_examples_parse_and_compile(entity, text):
    """Every example of the language compiles to params."""
    params = aq.compile(text, entity=entity, now=NOW)
    assert "query" in params
    assert parse(str(parse(text, entity)), entity) == parse(text, entity)


def test_parse_equals_builder():
    """Text and builder make equal queries."""
    text = parse(
        'status = "active" and createdAt > 2024-01-01 order by createdAt desc limit 20',
        "applications",
    )
    built = (
        Applications.where((F.status == "active") & (F.createdAt > dt.date(2024, 1, 1)))
        .order_by(Applications.createdAt.desc())
        .limit(20)
    )
    assert built == text


@pytest.mark.parametrize(
    ("text", "cond"),
    [
        ('status = "a"', F.status == "a"),
        ('status == "a"', F.status == "a"),
        ('status != "a"', F.status != "a"),
        ('status <> "a"', F.status != "a"),
        ('status > "a"', F.status > "a"),
        ('status >= "a"', F.status >= "a"),
        ('status < "a"', F.status < "a"),
        ('status <= "a"', F.status <= "a"),
        ('status in ("a", "b")', F.status.in_("a", "b")),
        ('status not in ("a")', F.status.not_in("a")),
        ('status like "a%"', F.status.like("a%")),
        ('status not like "a%"', F.status.not_like("a%")),
        ('status fuzzy "a b"', F.status.fuzzy("a b")),
        ('status keyword "a"', F.status.keyword("a")),
        ("status is null", F.status.is_null()),
        ("status is not null", F.status.is_not_null()),
        ('status between "a" and "c"', F.status.between("a", "c")),
        ('not status = "a"', ~(F.status == "a")),
    ],
)
def test_each_operator(text, cond):
    """Each text operator builds the same AST as the builder."""
    assert Applications.where(cond) == parse(text, "applications")


def test_keywords_case_insensitive_and_sql_habits():
    """Uppercase keywords, ==, <> and single quotes are accepted."""
    a = parse(
        "STATUS == 'a' AND NOT id <> 'b' OR status IS NOT NULL ORDER BY id DESC LIMIT 5",
        "applications",
    )
    b = parse(
        'status = "a" and not id != "b" or status is not null order by id desc limit 5',
        "applications",
    )
    assert a == b


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('id = "a" or id = "b" and id = "c"', 'id = "a" or id = "b" and id = "c"'),
        ('(id = "a" or id = "b") and id = "c"', '(id = "a" or id = "b") and id = "c"'),
        ('not id = "a" and id = "b"', 'not id = "a" and id = "b"'),
        ('not (id = "a" and id = "b")', 'not (id = "a" and id = "b")'),
        ('((id = "a"))', 'id = "a"'),
    ],
)
def test_precedence(text, expected):
    """not binds tightest, then and, then or; parentheses print only where needed."""
    assert expected == str(parse(text, "candidates"))


def test_or_and_structure():
    """a or b and c is a or (b and c)."""
    q = parse('id = "a" or id = "b" and id = "c"', "candidates")
    assert isinstance(q.ast.filter, aq.Or)
    assert isinstance(q.ast.filter.operands[1], aq.And)


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (r'"say \"hi\""', 'say "hi"'),
        (r"'it\'s'", "it's"),
        (r'"C:\\temp"', "C:\\temp"),
        (r'"tab\tnl\n"', "tab\tnl\n"),
        (r'"\u00e9"', "é"),
        ('"Zoë 北京 🚀"', "Zoë 北京 🚀"),
        ("'say \"hi\"'", 'say "hi"'),
        (r'"50\% off"', "50\\% off"),
    ],
)
def test_string_escapes(literal, value):
    """Escapes decode; a quote inside a string survives parse and print."""
    q = parse(f"name = {literal}", "candidates")
    assert value == q.ast.filter.value
    assert q == parse(str(q), "candidates")


def test_numbers_parse_then_fail_type_check():
    """Integers and decimals are literals; on a string field they are type errors."""
    for text in ("id = 5", "id = 2.5"):
        with pytest.raises(aq.QueryError) as info:
            parse(text, "candidates")
        assert "value_type" == info.value.type


def test_dates_and_datetimes():
    """Dates, datetimes with Z or offsets, and fractional seconds read strictly."""
    q = parse("createdAt > 2024-01-01T09:30:00.5+02:00", "applications")
    assert dt.datetime(2024, 1, 1, 7, 30, 0, 500000, tzinfo=dt.UTC) == q.ast.filter.value


@pytest.mark.parametrize(
    ("text", "wire"),
    [
        ("now", "2024-03-10T15:30:00Z"),
        ("now - 15m", "2024-03-10T15:15:00Z"),
        ("now + 1h", "2024-03-10T16:30:00Z"),
        ("today", "2024-03-10T00:00:00Z"),
        ("yesterday", "2024-03-09T00:00:00Z"),
        ("today - 2w", "2024-02-25T00:00:00Z"),
        ("today + 6h", "2024-03-10T06:00:00Z"),
    ],
)
def test_relative_times_against_fixed_clock(text, wire):
    """Relative times resolve against the clock passed in."""
    params = aq.compile(f"createdAt > {text}", entity="applications", now=NOW)
    assert {"gt": {"createdAt": wire}} == params["query"]["filter"]


def test_select_and_cursor_clauses():
    """select takes names and dotted paths; cursor takes a string; clauses in any order."""
    a = parse('limit 5 select id, candidate.name order by id cursor "c"', "applications")
    assert a == Applications.order_by("id").limit(5).select("id", "candidate.name").cursor("c")
    assert 'order by id limit 5 select id, candidate.name cursor "c"' == str(a)


def test_empty_and_clause_only_queries_mean_every_record():
    """An empty query, or only order by / limit, has no filter."""
    assert {"query": {}} == aq.compile("   ", entity="candidates")
    assert {"query": {"sort": [{"name": "asc"}]}, "limit": 3} == aq.compile(
        "order by name limit 3", entity="candidates"
    )


def test_field_spellings_in_text():
    """snake_case and other cases resolve to wire names in text too."""
    assert parse("created_at > 2024-01-01", "applications") == parse(
        "CREATEDAT > 2024-01-01", "applications"
    )


def test_duplicate_clause_is_error():
    """A clause given twice is an error, not silently overridden."""
    with pytest.raises(aq.QuerySyntaxError, match="twice"):
        parse("limit 5 limit 6", "candidates")


def test_entity_given_as_builder_object():
    """parse() takes the entity as a name or a builder object."""
    assert parse("isListed = true", JobPostings) == parse("isListed = true", "job_postings")
    assert parse('name = "a"', Candidates) == parse('name = "a"', "Candidates")


def test_identity_fixture():
    """Each canonical query in fixtures/identity.txt prints back unchanged."""
    path = Path(__file__).parent / "fixtures" / "identity.txt"
    lines = [ln for ln in path.read_text("utf-8").splitlines() if ln and not ln.startswith("#")]
    assert len(lines) > 20
    for line in lines:
        entity, text = line.split("\t")
        assert text == str(parse(text, entity)), line


def test_any_holds_a_whole_condition():
    """`any (...)` holds the condition inside its parentheses as one node, and/or included."""
    import attrs

    from ashby_query import ENTITIES, FieldType, SearchField

    apps = ENTITIES["applications"]
    mine = attrs.evolve(
        apps,
        searchable={**apps.searchable, "team": SearchField("team", FieldType.ARRAY, "Team")},
    )
    q = parse('team any (role = "R" and role = "S" or role = "T")', mine)
    inner = q.ast.filter.value
    assert (F.role == "R") & (F.role == "S") | (F.role == "T") == inner
