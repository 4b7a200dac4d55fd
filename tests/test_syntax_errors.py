"""Positioned errors and targeted hints for the mistakes people and agents make."""

import pytest

import ashby_query as aq
from ashby_query import parse


def fail(text, entity="applications"):
    with pytest.raises(aq.QueryError) as info:
        parse(text, entity)
    return info.value


@pytest.mark.parametrize(
    ("text", "slug", "column", "fragment", "hint"),
    [
        ("status = active", "unquoted_value", 10, "active", 'Did you mean "active"?'),
        ('status = "a" && id = "b"', "use_and", 14, "&&", "write 'and'"),
        ('status = "a" || id = "b"', "use_or", 14, "||", "write 'or'"),
        ('!(status = "a")', "use_not", 1, "!", "write 'not'"),
        ('status = "a" adn id = "b"', "unexpected_word", 14, "adn", "Did you mean 'and'?"),
        ('status = "abc', "unterminated_string", 10, '"abc', "never closed"),
        ('(status = "a"', "missing_paren", 1, "(", "add ')'"),
        ('status = "a" and', "trailing_operator", 14, "and", "add a condition"),
        ('status IN ["a"]', "in_brackets", 11, "[", "parentheses"),
        ("status = null", "null_comparison", 10, "null", "status is null"),
        ('status = "a" limit -1', "limit_range", 20, "-", "whole number from 1 to 1000"),
        ('status = "a" order by', "order_by_field", 22, "", "needs a field"),
        ("createdAt > 2024-13-01", "invalid_date", 13, "2024-13-01", "month 13"),
        ('status equals "a"', "expected_operator", 8, "equals", "Operators:"),
        ('status = "a")', "unbalanced_paren", 13, ")", "remove it"),
        ("status in ()", "empty_in", 11, "()", "at least one value"),
        ('stauts = "a"', "unknown_field", 1, "stauts", "Did you mean 'status'?"),
        ("createdAt > today - 30", "bad_duration", 21, "30", "30d"),
        ('name like ("a", "b")', "value_type", 11, "(", "or"),
        ("status = 'a';", "semicolon", 13, ";", "remove"),
        ("SELECT * FROM applications WHERE status = 'a'", "sql_statement", 1, None, "filter"),
        ("WHERE status = 'a'", "leading_where", 1, "WHERE", "Leave out 'where'"),
        ('status IS "a"', "is_value", 11, '"a"', 'write status = "a"'),
        ("createdAt > NOW() - 7d", "relative_time_call", 13, "NOW(", "no parentheses"),
        ('status = "a" limit 5 offset 5', "no_offset", 22, "offset", "cursor"),
        ("status in 'a', 'b'", "in_parentheses", 11, "'a'", "in parentheses"),
        ('status:"a"', "colon_operator", 7, ":", 'write status = "a"'),
        (
            "createdAt > 2024-01-01 10:00",
            "invalid_date",
            13,
            "2024-01-01 10:00",
            "2024-01-01T10:00Z",
        ),
    ],
)
def test_targeted_hints(text, slug, column, fragment, hint):
    """Each common mistake gets its slug, position, fragment and a hint that fixes it."""
    err = fail(text, "candidates" if slug == "value_type" else "applications")
    p = err.problems[0]
    assert slug == p.type
    assert column == p.column
    assert 1 == p.line
    if fragment is not None:
        assert fragment == text[p.span.start : p.span.end]
    assert hint in str(err)


def test_caret_display():
    """str(err) shows the query line with carets under the problem."""
    err = fail('status = "a" and\n  id = active')
    assert "line 2, column 8" in str(err)
    assert "    id = active\n         ^^^^^^" in str(err)


def test_syntax_error_attributes():
    """QuerySyntaxError carries line, column, span, fragment and expected words."""
    err = fail("status = ")
    assert isinstance(err, aq.QuerySyntaxError)
    assert (1, 10) == (err.line, err.column)
    assert "a quoted string" in err.expected


def test_no_lark_names_leak():
    """Messages speak plain words, never terminal names like _RPAR or NAME."""
    for text in [
        "status",
        "status =",
        "(",
        "order",
        'status = "a" )',
        "limit x",
        "= 5",
        'id = "a" or',
        "select",
        "select id,",
    ]:
        msg = str(fail(text))
        for name in ("_RPAR", "_LPAR", "NAME", "STRING", "$END", "Token", "lark"):
            assert name not in msg, (text, msg)


def test_validation_errors_point_at_characters():
    """Validation problems on text carry spans of the field or value they are about."""
    err = fail('status = "a" and createdAt > 2024-02-30 and nope = 1')
    spans = [(p.type, p.column) for p in err.problems]
    assert [("invalid_date", 30), ("unknown_field", 45)] == spans


def test_for_agent_is_one_paragraph():
    """for_agent() is a short paragraph saying what to change."""
    text = fail("status = active").for_agent()
    assert "\n" not in text
    assert '"active"' in text


from ashby_query._tools.agent import ERROR_CATALOGUE  # noqa: E402


@pytest.mark.parametrize("entry", ERROR_CATALOGUE, ids=lambda e: f"{e.slug}:{e.bad[:20]}")
def test_catalogue_suggestions_apply(entry):
    """Each catalogue error with one clear repair suggests exactly the catalogue's fix,
    which parses and validates; the others suggest nothing."""
    err = fail(entry.bad, entry.entity)
    assert entry.slug == err.type
    if not entry.suggested:
        assert err.suggestion is None
        return
    assert entry.fix == err.suggestion
    edits = [e for p in err.problems for e in p.fix]
    assert edits
    for p in err.problems:
        assert [e.as_dict() for e in p.fix] == p.as_dict()["fix"]
    assert aq.compile(err.suggestion, entity=entry.entity)
    assert f"Suggested query: {entry.fix}" in err.for_agent()


@pytest.mark.parametrize(
    ("text", "slug", "fragment", "hint", "suggestion"),
    [
        ('status in ("Spam",)', "trailing_comma", ",", "Remove the comma", 'status in ("Spam")'),
        ("select id,", "trailing_comma", ",", "Remove the comma", "select id"),
        ("status = “active”", "curly_quotes", "“", "straight quotes", 'status = "active"'),
        ("status = ‘a’", "curly_quotes", "‘", "straight quotes", "status = 'a'"),
        ("createdAt > 01/09/2024", "invalid_date", "01/09/2024", "2024-09-01 or 2024-01-09", None),
        (
            "createdAt > 13/09/2024",
            "invalid_date",
            "13/09/2024",
            "2024-09-13",
            "createdAt > 2024-09-13",
        ),
        (
            "createdAt > 2024/1/31",
            "invalid_date",
            "2024/1/31",
            "2024-01-31",
            "createdAt > 2024-01-31",
        ),
        (
            "createdAt > 2024-1-1",
            "invalid_date",
            "2024-1-1",
            "2024-01-01",
            "createdAt > 2024-01-01",
        ),
        ("createdAt > 2024-01", "invalid_date", "2024-01", "give the day", None),
        (
            "createdAt > 2024-02-1 and id = x",
            "invalid_date",
            "2024-02-1",
            "2024-02-01",
            "createdAt > 2024-02-01 and id = x",
        ),
        (
            'status = "a" sort by createdAt',
            "sort_by",
            "sort",
            "order by",
            'status = "a" order by createdAt',
        ),
        ("sort by createdAt", "sort_by", "sort", "order by", "order by createdAt"),
        (
            "order by createdAt descending",
            "sort_direction",
            "descending",
            "'desc'",
            "order by createdAt desc",
        ),
        (
            "order by createdAt ascending",
            "sort_direction",
            "ascending",
            "'asc'",
            "order by createdAt asc",
        ),
        ('status === "a"', "triple_equals", "===", "write '='", 'status = "a"'),
        ('status !== "a"', "triple_equals", "!==", "write '!='", 'status != "a"'),
        (
            "status in (active, hired)",
            "unquoted_value",
            "active",
            "quotes",
            'status in ("active", "hired")',
        ),
        ('status lik "a"', "expected_operator", "lik", "'like'", 'status like "a"'),
        ('status = "a"&&id = "b"', "use_and", "&&", "'and'", 'status = "a" and id = "b"'),
        ("status != null", "null_comparison", "null", "is not null", "status is not null"),
        ("status:active", "colon_operator", ":", 'status = "active"', 'status = "active"'),
        ("createdAt > today - 3 days", "bad_duration", "3", "3d", "createdAt > today - 3d"),
        ("createdAt > today - 3", "bad_duration", "3", "3d", None),
        ('status in ("a",,"b")', "trailing_comma", ",", "extra comma", 'status in ("a","b")'),
        (
            'status not in ("a" "b" "c", "d")',
            "missing_comma",
            '"b"',
            "with commas",
            'status not in ("a", "b", "c", "d")',
        ),
        ('status = "a" "b"', "unexpected_token", '"b"', "Unexpected", None),
        ('status = "a" adn', "unexpected_word", "adn", "'and'", 'status = "a" and'),
    ],
)
def test_new_hints_and_suggestions(text, slug, fragment, hint, suggestion):
    """Issue 11's hints: each mistake gets its slug, span, words, and a repair if clear."""
    err = fail(text)
    p = err.problems[0]
    assert slug == p.type
    assert fragment == text[p.span.start : p.span.end]
    assert hint in str(err)
    assert suggestion == err.suggestion


def test_curly_quotes_never_suggest_a_missing_field():
    """Curly quotes are named as such; the message names no field the entity lacks."""
    err = fail("title = “Engineer”", "jobs")
    assert "name" not in str(err)
    assert 'title = "Engineer"' == err.suggestion


def test_curly_quotes_inside_strings_are_kept():
    """Only quotes outside straight-quoted strings are repaired."""
    err = fail('title = "“x”" or title = “y”', "jobs")
    assert 'title = "“x”" or title = "y"' == err.suggestion


def test_validation_suggestion_only_for_one_close_match():
    """A misspelled field with one close name is repaired; with none, nothing is guessed."""
    assert 'status = "a" order by status' == fail('stauts = "a" order by stauts').suggestion
    assert fail('zzzz = "a"').suggestion is None


def test_suggestion_needs_every_problem_repaired():
    """With a problem that has no clear repair, the error suggests nothing."""
    err = fail('stauts = "a" and createdAt > 2024-02-30')
    assert 2 == err.error_count()
    assert err.problems[0].fix
    assert err.suggestion is None
    assert "fix" not in err.errors()[1]


def test_builder_errors_carry_no_text_edits():
    """Builder queries have no text, so there is nothing to edit."""
    with pytest.raises(aq.QueryError) as info:
        aq.JobPostings.where(aq.F.isListed == "yes").to_params()
    assert info.value.suggestion is None


def test_apply_edits_refuses_overlaps():
    """Edits apply left to right in one pass; overlapping edits give no suggestion."""
    from ashby_query._core.errors import apply_edits

    def e(start, end, text):
        return aq.Edit(aq.Span(start, end), text)

    assert "<aXcdYef" == apply_edits("abcdef", [e(1, 2, "X"), e(4, 4, "Y"), e(0, 0, "<")])
    assert "XYcdef" == apply_edits("abcdef", [e(0, 2, "X"), e(2, 2, "Y")])
    assert apply_edits("abcdef", [e(1, 3, "X"), e(2, 4, "Y")]) is None
    assert apply_edits("abcdef", [e(2, 2, "X"), e(2, 2, "Y")]) is None


def test_many_repairs_stay_linear():
    """A query with thousands of repairable problems builds its suggestion in one pass."""
    text = " or ".join(['isListed = "yes"'] * 3000)
    err = fail(text, "job_postings")
    assert 3000 == err.error_count()
    assert " or ".join(["isListed = true"] * 3000) == err.suggestion


def test_expected_lists_only_what_would_be_read():
    """Expected words are the tokens the parser would take, not LALR lookaheads it would
    reduce on and then reject: after a complete condition, no ',' or ')'."""
    err = fail('status = "a" "b"')
    assert "'and'" in err.expected
    assert "','" not in err.expected
    assert "')'" not in err.expected
    assert "','" not in str(err)
