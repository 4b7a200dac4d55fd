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
