"""Syntax hints: what went wrong in query text, in words, with a repair where one is clear.

Two ordered tables of :class:`Hint` rules, one for characters the scanner rejects
(:data:`LEX_HINTS`) and one for tokens the parser rejects (:data:`PARSE_HINTS`). The first
rule that recognises the situation explains it; the last rule of each table always does.
Each rule carries its slug, its message and, where it documents the slug, the error
catalogue's example (a bad query and its fix) together, so the catalogue is read off
these tables. A rule that knows the one clear repair returns it as :class:`Edit` records.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import attrs

from .._core.errors import Edit, Problem, QuerySyntaxError, Span, apply_edits
from . import tables
from .lexer import RawTok, Tok

__all__ = [
    "LEX_HINTS",
    "PARSE_HINTS",
    "Context",
    "Example",
    "Finding",
    "Hint",
    "describe_expected",
    "lex_error",
    "parse_error",
    "syntax",
]


@attrs.frozen
class Example:
    """A catalogue example: a ``bad`` query, its ``fix``, and what the slug means.

    ``suggested`` says the error carries ``fix`` itself as its machine-applicable
    suggestion (``QueryError.suggestion``).
    """

    bad: str
    fix: str
    meaning: str
    entity: str = "applications"
    suggested: bool = False


@attrs.frozen
class Finding:
    """What a rule found: the message, the span it is about, and the repair if clear."""

    msg: str
    span: Span
    fix: tuple[Edit, ...] = ()


@attrs.frozen
class Context:
    """Where the text stopped making sense.

    ``tokens`` are the query's tokens (for a lexing fault, those lexed before it) and
    ``i`` the index of ``tok``, the rejected token (``ERROR`` for a bad character,
    ``$END`` at the end); ``expected`` the terminals the parser would have taken there.
    """

    text: str
    tokens: list[Tok]
    i: int
    tok: Tok
    expected: frozenset[str] = frozenset()

    @property
    def prev(self) -> Tok | None:
        return self.tokens[self.i - 1] if self.i > 0 else None

    @property
    def kind(self) -> str:
        return self.tok.type

    @property
    def span(self) -> Span:
        return Span(self.tok.start, self.tok.end)

    def before(self, k: int) -> Tok | None:
        """The token ``k`` places before the rejected one."""
        return self.tokens[self.i - k] if self.i - k >= 0 else None

    def after(self, k: int) -> Tok | None:
        """The token ``k`` places after the rejected one (lexed tokens only)."""
        j = self.i + k
        return self.tokens[j] if j < len(self.tokens) else None

    def field(self) -> str:
        """The field name nearest before the fault, for examples in messages."""
        for j in range(min(self.i, len(self.tokens)) - 1, -1, -1):
            if self.tokens[j].type == "NAME":
                return self.tokens[j].text
        return "field"

    def in_list(self) -> bool:
        """Whether the fault sits inside the parentheses of an ``in`` list."""
        depth = 0
        for j in range(min(self.i, len(self.tokens)) - 1, -1, -1):
            kind = self.tokens[j].type
            if kind == "_RPAR":
                depth += 1
            elif kind == "_LPAR":
                if depth == 0:
                    return j > 0 and self.tokens[j - 1].type == "_IN"
                depth -= 1
        return False

    def shown(self) -> str:
        return repr(self.tok.text) if self.kind != "$END" else "the end of the query"


@attrs.frozen
class Hint:
    """One rule: its slug, the check that recognises the fault, a catalogue example."""

    slug: str
    check: Callable[[Context], Finding | None]
    example: Example | None = None


def syntax(
    text: str,
    kind: str,
    span: Span,
    msg: str,
    expected: tuple[str, ...] = (),
    fix: tuple[Edit, ...] = (),
) -> QuerySyntaxError:
    """A one-problem :class:`QuerySyntaxError` about ``span`` of ``text``."""
    return QuerySyntaxError(
        [Problem(kind, (), msg, text[span.start : span.end], {}, span, fix=fix)],
        text,
        expected,
    )


# --------------------------------------------------------------------------- words

# How terminals read in messages. Keywords and punctuation come from the grammar; only
# the terminals that stand for a kind of text are described by hand.
_DESCRIBED = {
    "DATETIME": "a datetime",
    "DATE": "a date",
    "DURATION": "a duration such as 30d",
    "NUMBER": "a number",
    "STRING": "a quoted string",
    "NAME": "a field name",
    "$END": "the end of the query",
    "_ORDER": "'order by'",
}


def _word(terminal: str) -> str:
    if terminal in _DESCRIBED:
        return _DESCRIBED[terminal]
    if terminal in tables.LITERALS:
        return f"'{tables.LITERALS[terminal]}'"
    for word, term in tables.KEYWORDS.items():
        if term == terminal:
            # Values (true, now, ...) read bare; other keywords are quoted.
            return word if terminal in tables.VALUE_START else f"'{word}'"
    return terminal.strip("_").lower()


def expected_words(expected: frozenset[str]) -> tuple[str, ...]:
    """The expected terminals in plain words, in a stable order."""
    return tuple(_word(e) for e in sorted(expected) if e.isupper() or e == "$END")


def describe_expected(expected: frozenset[str]) -> str:
    """``'a', 'b' or 'c'``: what the parser would have taken, once each."""
    words: list[str] = []
    for w in expected_words(expected):
        if w not in words:
            words.append(w)
    if "'order by'" in words and "'by'" in words:
        words.remove("'by'")
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _close(word: str, options: list[str]) -> list[str]:
    import difflib  # only error paths need it

    return difflib.get_close_matches(word.lower(), options, n=2)


def _spaced(text: str, span: Span, word: str) -> Edit:
    """Replace ``span`` with ``word``, adding a space on a side that would run into text."""
    left = " " if span.start > 0 and not text[span.start - 1].isspace() else ""
    right = " " if span.end < len(text) and not text[span.end].isspace() else ""
    return Edit(span, f"{left}{word}{right}")


def _delete(text: str, span: Span) -> Edit:
    """Delete ``span`` and the blanks before it."""
    start = span.start
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return Edit(Span(start, span.end), "")


_SQL_MSG = (
    "This is a SQL statement; write only the filter and clauses, such as "
    'status = "active" order by createdAt desc limit 20 (the entity is chosen '
    "separately, and 'select id, name' at the end picks fields)."
)
_SQL = re.compile(r"\s*select\b.*\bfrom\b", re.I | re.S)
_CURLY = {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'"}
_UNITS = {
    "m": "m",
    "min": "m",
    "mins": "m",
    "minute": "m",
    "minutes": "m",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "d": "d",
    "day": "d",
    "days": "d",
    "w": "w",
    "wk": "w",
    "wks": "w",
    "week": "w",
    "weeks": "w",
}
_OPERATOR_WORDS = {
    "equals": "=",
    "equal": "=",
    "eq": "=",
    "ne": "!=",
    "neq": "!=",
    "gt": ">",
    "gte": ">=",
    "ge": ">=",
    "lt": "<",
    "lte": "<=",
    "le": "<=",
}
_ISO_HELP = "ISO 8601 form, year-month-day (2024-01-31)"


# --------------------------------------------------------------------------- lexing


def _sql_statement(c: Context) -> Finding | None:
    if not _SQL.match(c.text):
        return None
    start = len(c.text) - len(c.text.lstrip())
    return Finding(_SQL_MSG, Span(start, len(c.text)))


def _curly_quotes(c: Context) -> Finding | None:
    if c.text[c.tok.start] not in _CURLY:
        return None
    edits = tuple(Edit(Span(i, i + 1), _CURLY[c.text[i]]) for i in _curly_outside_strings(c.text))
    fixed = apply_edits(c.text, edits) or c.text
    return Finding(
        f"These are typographic quotes ({c.text[c.tok.start]}), as pasted from a document; "
        f"use straight quotes: {fixed}",
        c.span,
        edits,
    )


def _curly_outside_strings(text: str) -> list[int]:
    """Offsets of typographic quotes that are not inside a straight-quoted string."""
    out = []
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in _CURLY:
            out.append(i)
        i += 1
    return out


def _space_in_datetime(c: Context) -> Finding | None:
    pos = c.tok.start
    if c.text[pos] != ":":
        return None
    stamp = re.search(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ ]+([0-9]{1,2})$", c.text[:pos])
    if not stamp:
        return None
    end = pos + len(re.match(r":[0-9:.]*", c.text[pos:]).group())  # type: ignore[union-attr]
    fixed = f"{stamp.group(1)}T{int(stamp.group(2)):02d}{c.text[pos:end]}Z"
    span = Span(stamp.start(), end)
    return Finding(
        f"Join date and time with 'T', not a space: write {fixed} (Z for UTC, or an "
        f"offset such as +02:00).",
        span,
        (Edit(span, fixed),),
    )


def _colon_operator(c: Context) -> Finding | None:
    pos = c.tok.start
    if c.text[pos] != ":":
        return None
    field = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*$", c.text[:pos])
    if not field:
        return None
    value = re.match(r"\s*(\"[^\"]*\"|'[^']*'|[^\s()]+)", c.text[pos + 1 :])
    shown = value.group(1) if value else '"value"'
    edits = [_spaced(c.text, Span(pos, pos + 1), "=")]
    if value and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", shown):
        start = pos + 1 + value.start(1)
        edits.append(Edit(Span(start, start + len(shown)), f'"{shown}"'))
    if not shown.startswith(("'", '"')):
        shown = f'"{shown}"'
    return Finding(
        f"'field:value' is not the syntax here; write {field.group(1)} = {shown}.",
        Span(pos, pos + 1),
        tuple(edits) if value else (),
    )


def _bad_pair(chars: str, word: str, msg: str) -> Callable[[Context], Finding | None]:
    """A rule for ``chars`` written where the keyword ``word`` belongs (``&&`` for and).

    The two-character spelling's rule comes first in the table.
    """

    def check(c: Context) -> Finding | None:
        pos = c.tok.start
        if not c.text.startswith(chars, pos):
            return None
        span = Span(pos, pos + len(chars))
        return Finding(msg, span, (_spaced(c.text, span, word),))

    return check


def _use_not(c: Context) -> Finding | None:
    pos = c.tok.start
    if c.text[pos] != "!":
        return None
    span = Span(pos, pos + 1)
    rest = c.text[pos + 1 :].lstrip()
    fix = (_spaced(c.text, span, "not"),) if rest[:1] == "(" else ()
    return Finding("'!' is not an operator here; write 'not' (or '!=' for not equal).", span, fix)


def _in_brackets(c: Context) -> Finding | None:
    pos = c.tok.start
    ch = c.text[pos]
    if ch not in "[]":
        return None
    fix: tuple[Edit, ...] = ()
    if ch == "[":
        close = c.text.find("]", pos)
        if close != -1 and "[" not in c.text[pos + 1 : close]:
            fix = (Edit(Span(pos, pos + 1), "("), Edit(Span(close, close + 1), ")"))
    return Finding(
        'Lists are written in parentheses, not brackets: status in ("a", "b").',
        Span(pos, pos + 1),
        fix,
    )


def _unterminated(c: Context) -> Finding | None:
    quote = c.text[c.tok.start]
    if quote not in "\"'":
        return None
    rest = c.text[c.tok.start + 1 :]
    end = len(c.text)
    # One clear repair only when the string runs to the end on one line.
    fix = (Edit(Span(end, end), quote),) if "\n" not in rest and not rest.endswith("\\") else ()
    return Finding(
        f"This string is never closed; end it with a matching {quote}.",
        Span(c.tok.start, end),
        fix,
    )


def _backtick(c: Context) -> Finding | None:
    pos = c.tok.start
    if c.text[pos] != "`":
        return None
    m = re.match(r"`([A-Za-z_][A-Za-z0-9_]*)`", c.text[pos:])
    fix = (Edit(Span(pos, pos + m.end()), m.group(1)),) if m else ()
    return Finding(
        "Backticks are not quotes here; write field names bare and text in double quotes.",
        Span(pos, pos + 1),
        fix,
    )


def _semicolon(c: Context) -> Finding | None:
    pos = c.tok.start
    if c.text[pos] != ";":
        return None
    span = Span(pos, pos + 1)
    fix = (_delete(c.text, span),) if not c.text[pos + 1 :].strip() else ()
    return Finding("A query is one statement; remove the ';'.", span, fix)


def _slash_date(c: Context) -> Finding | None:
    pos = c.tok.start
    if c.text[pos] != "/":
        return None
    lead = re.search(r"[0-9]{1,4}$", c.text[:pos])
    if lead is None:
        return None
    m = re.match(r"([0-9]{1,4})/([0-9]{1,2})/([0-9]{1,4})(?![0-9])", c.text[lead.start() :])
    if m is None:
        return None
    a, b, y = m.groups()
    span = Span(lead.start(), lead.start() + m.end())
    if len(a) == 4:  # year first: 2024/01/31 has one reading
        y, mo, d = a, b, y
        return _iso_finding(c.text[span.start : span.end], span, int(y), int(mo), int(d))
    if len(y) != 4:
        return Finding(
            f"{m.group()!r} is not a date this language reads; write dates in {_ISO_HELP}.",
            span,
        )
    # Day first, then month first; both are common, which is why nothing is guessed.
    readings = dict.fromkeys([(int(y), int(b), int(a)), (int(y), int(a), int(b))])
    valid = [r for r in readings if _exists(*r)]
    if len(valid) == 1:
        return _iso_finding(m.group(), span, *valid[0])
    shown = " or ".join(f"{yy:04d}-{mm:02d}-{dd:02d}" for yy, mm, dd in valid) or "2024-01-31"
    return Finding(
        f"Dates are written in {_ISO_HELP}; {m.group()} could mean {shown}, so write the "
        f"one you mean.",
        span,
    )


def _exists(y: int, mo: int, d: int) -> bool:
    try:
        dt.date(y, mo, d)
    except ValueError:
        return False
    return True


def _iso_finding(written: str, span: Span, y: int, mo: int, d: int) -> Finding:
    if not _exists(y, mo, d):
        return Finding(f"{written!r} is not a date; write dates in {_ISO_HELP}.", span)
    iso = f"{y:04d}-{mo:02d}-{d:02d}"
    return Finding(
        f"Dates are written in {_ISO_HELP}: write {iso}, not {written}.",
        span,
        (Edit(span, iso),),
    )


def _datetime_shape(c: Context) -> Finding | None:
    pos = c.tok.start
    if not re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]", c.text[pos:]):
        return None
    return Finding(
        "This datetime is not ISO 8601; write 2024-01-31T09:30:00Z (a 'T' between "
        "date and time, an optional offset such as +02:00).",
        Span(pos, pos + 10),
    )


def _bad_number(c: Context) -> Finding | None:
    pos = c.tok.start
    if not c.text[pos].isdigit():
        return None
    m = re.match(r"([0-9]+)([A-Za-z_]\w*)", c.text[pos:])
    end = pos + (m.end() if m else 1)
    fix: tuple[Edit, ...] = ()
    if m and m.group(2).lower() in _UNITS and len(m.group(2)) > 1:
        fix = (Edit(Span(pos, end), m.group(1) + _UNITS[m.group(2).lower()]),)
    return Finding(
        f"{c.text[pos:end]!r} is neither a number nor a duration; durations are a whole "
        f"number and one of m, h, d, w (today - 30d); text needs quotes.",
        Span(pos, end),
        fix,
    )


def _unexpected_character(c: Context) -> Finding | None:
    ch = c.text[c.tok.start]
    return Finding(
        f"The character {ch!r} cannot appear here; text values go in double quotes, "
        f'such as "{ch}".',
        c.span,
    )


def _ex(bad: str, fix: str, meaning: str, *, entity: str = "applications") -> Example:
    return Example(bad, fix, meaning, entity)


def _fx(bad: str, fix: str, meaning: str, *, entity: str = "applications") -> Example:
    """An example whose fix the error suggests itself."""
    return Example(bad, fix, meaning, entity, suggested=True)


LEX_HINTS: tuple[Hint, ...] = (
    Hint(
        "sql_statement",
        _sql_statement,
        _ex(
            "SELECT * FROM applications WHERE status = 'active'",
            'status = "active"',
            "A whole SQL statement; write only the filter and clauses.",
        ),
    ),
    Hint(
        "curly_quotes",
        _curly_quotes,
        _fx(
            "status = “active”",
            'status = "active"',
            "Typographic quotes pasted from a document; use straight quotes.",
        ),
    ),
    Hint(
        "invalid_date",
        _space_in_datetime,
        _fx(
            "createdAt > 2024-01-01 10:00",
            "createdAt > 2024-01-01T10:00Z",
            "A date and time joined by a space instead of 'T'.",
        ),
    ),
    Hint(
        "colon_operator",
        _colon_operator,
        _fx('status:"active"', 'status = "active"', "`field:value` search-box syntax."),
    ),
    Hint(
        "use_and",
        _bad_pair("&&", "and", "'&&' is not an operator here; write 'and'."),
        _fx(
            'status = "a" && id = "b"',
            'status = "a" and id = "b"',
            "`&&` or `&` instead of `and`.",
        ),
    ),
    Hint("use_and", _bad_pair("&", "and", "'&' is not an operator here; write 'and'.")),
    Hint(
        "use_or",
        _bad_pair("||", "or", "'||' is not an operator here; write 'or'."),
        _fx(
            'status = "a" || id = "b"',
            'status = "a" or id = "b"',
            "`||` or `|` instead of `or`.",
        ),
    ),
    Hint("use_or", _bad_pair("|", "or", "'|' is not an operator here; write 'or'.")),
    Hint(
        "use_not",
        _use_not,
        _fx('!(status = "a")', 'not (status = "a")', "`!` instead of `not`."),
    ),
    Hint(
        "in_brackets",
        _in_brackets,
        _fx('status in ["a"]', 'status in ("a")', "A list in brackets; lists use parentheses."),
    ),
    Hint(
        "unterminated_string",
        _unterminated,
        _fx(
            'name = "Ann',
            'name = "Ann"',
            "A string whose closing quote is missing.",
            entity="candidates",
        ),
    ),
    Hint(
        "backtick",
        _backtick,
        _fx(
            '`status` = "a"',
            'status = "a"',
            "Backticks around a name; field names are written bare.",
        ),
    ),
    Hint(
        "semicolon",
        _semicolon,
        _fx('status = "a";', 'status = "a"', "A statement separator; a query is one statement."),
    ),
    Hint(
        "invalid_date",
        _slash_date,
        _ex(
            "createdAt > 01/09/2024",
            "createdAt > 2024-09-01",
            "A date not in ISO form; 01/09/2024 could be either day, so nothing is guessed.",
        ),
    ),
    Hint("invalid_date", _datetime_shape),
    Hint(
        "bad_number",
        _bad_number,
        _fx(
            "createdAt > today - 3days",
            "createdAt > today - 3d",
            "A number run into letters that is no duration.",
        ),
    ),
    Hint(
        "unexpected_character",
        _unexpected_character,
        _ex(
            'status = "a" @',
            'status = "a"',
            "A character that has no place in the language.",
        ),
    ),
)


def lex_error(text: str, pos: int, raw: list[RawTok]) -> QuerySyntaxError:
    """The error for the character at ``pos`` that no terminal accepts."""
    tokens = [Tok._make(t) for t in raw]
    c = Context(text, tokens, len(tokens), Tok("ERROR", text[pos], pos, pos + 1))
    for hint in LEX_HINTS:
        found = hint.check(c)
        if found is not None:
            return syntax(text, hint.slug, found.span, found.msg, fix=found.fix)
    raise AssertionError("the last lexing hint always applies")  # pragma: no cover


# --------------------------------------------------------------------------- parsing


def _sql_tokens(c: Context) -> Finding | None:
    first = c.tokens[0] if c.tokens else None
    if first is None or first.type != "_SELECT":
        return None
    if not any(t.type == "NAME" and t.text.lower() == "from" for t in c.tokens):
        return None
    return Finding(_SQL_MSG, Span(first.start, len(c.text)))


def _leading_where(c: Context) -> Finding | None:
    first = c.tokens[0] if c.tokens else None
    if first is None or first.type != "NAME" or first.text.lower() != "where":
        return None
    span = Span(first.start, first.end)
    nxt = c.tokens[1].start if len(c.tokens) > 1 else first.end
    return Finding(
        "Leave out 'where': the query starts with the condition itself, such as "
        'status = "active".',
        span,
        (Edit(Span(first.start, nxt), ""),),
    )


def _triple_equals(c: Context) -> Finding | None:
    prev = c.prev
    if c.kind != "EQ" or prev is None or prev.type not in ("EQ", "NEQ") or prev.end != c.tok.start:
        return None
    written = c.text[prev.start : c.tok.end]
    word = "=" if prev.type == "EQ" else "!="
    span = Span(prev.start, c.tok.end)
    return Finding(
        f"{written!r} is not an operator here; write '{word}' ('=' and '!=' compare values).",
        span,
        (Edit(span, word),),
    )


def _is_value(c: Context) -> Finding | None:
    prev = c.prev
    if prev is None or prev.type != "_IS" or c.kind == "$END":
        return None
    field = c.field()
    fix = (Edit(Span(prev.start, prev.end), "="),) if c.kind in tables.VALUE_START else ()
    return Finding(
        f"'is' only tests for null: write {field} is null or {field} is not null; to "
        f"compare with a value write {field} = {c.tok.text}.",
        c.span,
        fix,
    )


def _relative_time_call(c: Context) -> Finding | None:
    prev = c.prev
    if c.kind != "_LPAR" or prev is None or prev.type not in ("NOW", "TODAY", "YESTERDAY"):
        return None
    word = prev.text.lower()
    close = c.after(1)
    fix: tuple[Edit, ...] = ()
    if close is not None and close.type == "_RPAR":
        fix = (Edit(Span(prev.start, close.end), word),)
    return Finding(
        f"{prev.text} takes no parentheses; write {word} or {word} - 7d (units m, h, d, w).",
        Span(prev.start, c.tok.end),
        fix,
    )


def _no_offset(c: Context) -> Finding | None:
    if c.kind != "NAME" or c.tok.text.lower() != "offset" or not c.expected & {"$END", "_LIMIT"}:
        return None
    return Finding(
        "There is no offset: page with the cursor from the previous page instead "
        '(cursor "..." at the end of the query, or the client\'s iter_search).',
        c.span,
    )


def _in_parentheses(c: Context) -> Finding | None:
    prev = c.prev
    if prev is None or prev.type != "_IN" or c.kind == "_LPAR":
        return None
    fix: tuple[Edit, ...] = ()
    if c.kind in tables.VALUE_START:
        # The list runs over values joined by commas.
        j = c.i
        while j + 2 < len(c.tokens) and c.tokens[j + 1].type == "_COMMA":
            if c.tokens[j + 2].type not in tables.VALUE_START:
                break
            j += 2
        end = c.tokens[j].end
        fix = (Edit(Span(c.tok.start, c.tok.start), "("), Edit(Span(end, end), ")"))
    return Finding(
        f"'in' takes a list in parentheses: {c.field()} in ({c.tok.text}, ...).", c.span, fix
    )


def _sort_by(c: Context) -> Finding | None:
    # `sort by x` after a filter fails on 'sort'; at the start it fails on 'by'.
    for word, nxt in ((c.tok, c.after(1)), (c.prev, c.tok)):
        if word is None or nxt is None or nxt.type != "_BY":
            continue
        if word.type == "NAME" and word.text.lower() in ("sort", "sorted"):
            span = Span(word.start, word.end)
            return Finding(
                f"Write 'order by', not '{word.text} by': order by createdAt desc.",
                span,
                (Edit(span, "order"),),
            )
    return None


def _sort_direction(c: Context) -> Finding | None:
    if c.kind != "NAME" or "_DESC" not in c.expected:
        return None
    word = c.tok.text.lower()
    short = {"descending": "desc", "ascending": "asc", "dsc": "desc", "des": "desc"}.get(word)
    if short is None:
        return None
    return Finding(
        f"Write {short!r}, not {c.tok.text!r}: order by createdAt {short}.",
        c.span,
        (Edit(c.span, short),),
    )


def _trailing_comma(c: Context) -> Finding | None:
    prev = c.prev
    if prev is None or prev.type != "_COMMA" or c.kind not in ("_RPAR", "$END", "_COMMA"):
        return None
    if c.kind == "$END" and "NAME" not in c.expected:
        return None
    if c.kind == "_COMMA":
        return Finding(
            "Remove the extra comma: items of a list are separated by one comma.",
            c.span,
            (Edit(Span(prev.end, c.tok.end), ""),),
        )
    span = Span(prev.start, prev.end)
    where = "before ')'" if c.kind == "_RPAR" else "at the end"
    return Finding(
        f"Remove the comma {where}: a list ends with its last item.",
        span,
        (_delete(c.text, span),),
    )


def _missing_comma(c: Context) -> Finding | None:
    # `in ("a" "b")`: a value where the list wanted ',' or ')'.
    prev = c.prev
    if c.kind not in tables.VALUE_START or prev is None or prev.type not in tables.VALUE_START:
        return None
    if not c.in_list():
        return None
    edits = [Edit(Span(prev.end, prev.end), ",")]
    for a, b in zip(c.tokens[c.i :], c.tokens[c.i + 1 :], strict=False):
        if a.type not in tables.VALUE_START and a.type != "_COMMA":
            break
        if a.type in tables.VALUE_START and b.type in tables.VALUE_START:
            edits.append(Edit(Span(a.end, a.end), ","))
    return Finding(
        f"Separate the values of a list with commas: {c.field()} in ({prev.text}, {c.tok.text}).",
        c.span,
        tuple(edits),
    )


def _unquoted_value(c: Context) -> Finding | None:
    if c.kind != "NAME" or not c.expected & tables.VALUE_START:
        return None
    prev = c.prev
    word = c.tok.text
    op = " " + prev.text if prev is not None and prev.type != "NAME" else " ="
    edits = [Edit(c.span, f'"{word}"')]
    if prev is not None and prev.type in ("_LPAR", "_COMMA"):
        # Inside a list, every bare word is text: quote them all.
        for t in c.tokens[c.i + 1 :]:
            if t.type == "_RPAR":
                break
            if t.type == "NAME":
                edits.append(Edit(Span(t.start, t.end), f'"{t.text}"'))
            elif t.type not in tables.VALUE_START and t.type != "_COMMA":
                break
    return Finding(
        f'{word!r} is not a value: text needs quotes. Did you mean "{word}"? Write '
        f'{c.field()}{op} "{word}".',
        c.span,
        tuple(edits),
    )


def _null_comparison(c: Context) -> Finding | None:
    if c.kind != "_NULL" or not c.expected & tables.VALUE_START:
        return None
    field = c.field()
    prev = c.prev
    fix: tuple[Edit, ...] = ()
    if prev is not None and prev.type in ("EQ", "NEQ"):
        word = "is null" if prev.type == "EQ" else "is not null"
        fix = (Edit(Span(prev.start, c.tok.end), word),)
    return Finding(
        f"Compare with null using 'is': write {field} is null or {field} is not null.",
        c.span,
        fix,
    )


def _trailing_operator(c: Context) -> Finding | None:
    prev = c.prev
    if c.kind != "$END" or prev is None or prev.type not in ("_AND", "_OR", "_NOT"):
        return None
    return Finding(
        f"The query ends after '{prev.text.lower()}'; add a condition after it, or remove it.",
        Span(prev.start, prev.end),
    )


def _missing_paren(c: Context) -> Finding | None:
    if c.kind != "$END" or "_RPAR" not in c.expected:
        return None
    opened: list[int] = []
    for t in c.tokens[: c.i]:
        if t.type == "_LPAR":
            opened.append(t.start)
        elif t.type == "_RPAR" and opened:
            opened.pop()
    at = opened[-1] if opened else 0
    return Finding("A '(' is never closed; add ')' where the group ends.", Span(at, at + 1))


def _empty_in(c: Context) -> Finding | None:
    prev, before = c.prev, c.before(2)
    if c.kind != "_RPAR" or prev is None or prev.type != "_LPAR":
        return None
    if before is None or before.type != "_IN":
        return None
    return Finding(
        "This in list is empty, which no record can match; give at least one value, "
        'such as status in ("active").',
        Span(prev.start, c.tok.end),
    )


def _unbalanced_paren(c: Context) -> Finding | None:
    if c.kind != "_RPAR" or "_RPAR" in c.expected:
        return None
    return Finding(
        "This ')' has no '(' before it to close; remove it.",
        c.span,
        (_delete(c.text, c.span),),
    )


def _limit_range(c: Context) -> Finding | None:
    prev = c.prev
    if prev is None or prev.type != "_LIMIT":
        return None
    return Finding(
        f"'limit' takes a whole number from 1 to 1000, got {c.shown()}; write limit 50.",
        c.span,
    )


def _order_by_field(c: Context) -> Finding | None:
    prev = c.prev
    if prev is not None and prev.type == "_BY" and c.kind != "NAME":
        return Finding(
            f"'order by' needs a field, got {c.shown()}; write order by createdAt desc.",
            c.span,
        )
    if prev is not None and prev.type == "_ORDER":
        return Finding("Write 'order by' followed by a field: order by name.", c.span)
    return None


def _match_list(c: Context) -> Finding | None:
    prev = c.prev
    if c.kind != "_LPAR" or prev is None or prev.type not in ("_LIKE", "_FUZZY", "_KEYWORD"):
        return None
    return Finding(
        f"'{prev.text.lower()}' takes one quoted text, not a list; join alternatives with "
        f'or: name like "A%" or name like "B%".',
        c.span,
    )


def _unexpected_word(c: Context) -> Finding | None:
    if c.kind != "NAME" or not c.expected & {"_AND", "_OR", "$END"}:
        return None
    # The keywords the grammar takes here: and, or and the clause words.
    close = _close(c.tok.text, sorted(w for w, t in tables.KEYWORDS.items() if t in c.expected))
    hint = f" Did you mean '{close[0]}'?" if close else ""
    fix = (Edit(c.span, close[0]),) if len(close) == 1 else ()
    return Finding(
        f"{c.tok.text!r} cannot follow a complete condition.{hint} Join conditions "
        f"with 'and' or 'or'; after the filter come order by, limit and select.",
        c.span,
        fix,
    )


def _expected_operator(c: Context) -> Finding | None:
    if c.kind != "NAME" or not c.expected & tables.OPERATORS:
        return None
    word = c.tok.text.lower()
    symbol = _OPERATOR_WORDS.get(word)
    if symbol is not None:
        hint = f" Did you mean '{symbol}'?"
        fix: tuple[Edit, ...] = (Edit(c.span, symbol),)
    else:
        words = sorted(w for w, t in tables.KEYWORDS.items() if t in tables.OPERATORS)
        close = _close(word, words)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        fix = (Edit(c.span, close[0]),) if len(close) == 1 else ()
    return Finding(
        f"Expected an operator after the field, got {c.tok.text!r}.{hint} Operators: "
        f"{', '.join(tables.OPERATOR_PHRASES)}.",
        c.span,
        fix,
    )


def _keyword_as_field(c: Context) -> Finding | None:
    if c.kind not in _KEYWORD_TERMINALS or "NAME" not in c.expected:
        return None
    fix: tuple[Edit, ...] = ()
    nxt = c.after(1)
    if c.i == 0 and c.kind in ("_AND", "_OR") and nxt is not None:
        fix = (Edit(Span(c.tok.start, nxt.start), ""),)
    return Finding(
        f"{c.tok.text!r} is a keyword, so it cannot start a condition here; expected "
        f"a field name such as status.",
        c.span,
        fix,
    )


_KEYWORD_TERMINALS = frozenset(tables.KEYWORDS.values())


def _bad_date_digits(c: Context) -> Finding | None:
    # 2024-1-5 and 2024-01 lex as numbers and minus signs; the parser fails on a '-'.
    prev = c.prev
    if c.kind != "MINUS" or prev is None or prev.type != "NUMBER" or len(prev.text) != 4:
        return None
    m = re.match(
        r"([0-9]{4})-([0-9]{1,2})(?:-([0-9]{1,2}))?(?![A-Za-z0-9_:.-])", c.text[prev.start :]
    )
    if m is None:
        return None
    span = Span(prev.start, prev.start + m.end())
    y, mo, d = m.groups()
    if d is None:
        return Finding(
            f"{m.group()} is not a date; give the day too, in {_ISO_HELP} (for a whole "
            f"month, write a range: >= {y}-{int(mo):02d}-01 and < the next month's first day).",
            span,
        )
    return _iso_finding(m.group(), span, int(y), int(mo), int(d))


def _unexpected_end(c: Context) -> Finding | None:
    if c.kind != "$END":
        return None
    return Finding(f"The query ends too early; expected {describe_expected(c.expected)}.", c.span)


def _bad_duration(c: Context) -> Finding | None:
    prev = c.prev
    if c.kind != "NUMBER" or prev is None or prev.type not in ("PLUS", "MINUS"):
        return None
    unit = c.after(1)
    fix: tuple[Edit, ...] = ()
    if unit is not None and unit.type == "NAME" and unit.text.lower() in _UNITS:
        # `today - 3 days`: the unit is there, spelled out.
        letter = _UNITS[unit.text.lower()]
        fix = (Edit(Span(c.tok.start, unit.end), c.tok.text + letter),)
    msg = f"A relative time needs a unit: write {c.tok.text}d (m, h, d or w)."
    return Finding(msg, c.span, fix)


def _unexpected_token(c: Context) -> Finding | None:
    return Finding(f"Unexpected {c.shown()}; expected {describe_expected(c.expected)}.", c.span)


PARSE_HINTS: tuple[Hint, ...] = (
    Hint("sql_statement", _sql_tokens),
    Hint(
        "leading_where",
        _leading_where,
        _fx(
            "WHERE status = 'active'",
            "status = 'active'",
            "A leading `where`; the query starts with the condition.",
        ),
    ),
    Hint(
        "triple_equals",
        _triple_equals,
        _fx('status === "a"', 'status = "a"', "`===` or `!==` from JavaScript."),
    ),
    Hint(
        "is_value",
        _is_value,
        _fx(
            'status is "active"',
            'status = "active"',
            "`is` with a value; `is` only tests for null.",
        ),
    ),
    Hint(
        "relative_time_call",
        _relative_time_call,
        _fx(
            "createdAt > now() - 7d",
            "createdAt > now - 7d",
            "`now()`, `today()`: relative times take no parentheses.",
        ),
    ),
    Hint(
        "no_offset",
        _no_offset,
        _ex(
            'status = "a" limit 10 offset 20',
            'status = "a" limit 10',
            "`offset`; page with the cursor instead.",
        ),
    ),
    Hint(
        "in_parentheses",
        _in_parentheses,
        _fx("status in 'a', 'b'", "status in ('a', 'b')", "An `in` list without parentheses."),
    ),
    Hint(
        "sort_by",
        _sort_by,
        _fx(
            'status = "a" sort by createdAt',
            'status = "a" order by createdAt',
            "`sort by` instead of `order by`.",
        ),
    ),
    Hint(
        "sort_direction",
        _sort_direction,
        _fx(
            "order by createdAt descending",
            "order by createdAt desc",
            "`descending` or `ascending` instead of `desc` or `asc`.",
        ),
    ),
    Hint(
        "trailing_comma",
        _trailing_comma,
        _fx(
            'status in ("Spam",)',
            'status in ("Spam")',
            "A comma after the last item of a list.",
        ),
    ),
    Hint(
        "missing_comma",
        _missing_comma,
        _fx(
            'status in ("a" "b")',
            'status in ("a", "b")',
            "Two values of a list with no comma between them.",
        ),
    ),
    Hint(
        "unquoted_value",
        _unquoted_value,
        _fx(
            "status = active",
            'status = "active"',
            "A bare word where a value belongs; text needs quotes.",
        ),
    ),
    Hint(
        "null_comparison",
        _null_comparison,
        _fx("status = null", "status is null", "`= null` instead of `is null`."),
    ),
    Hint(
        "trailing_operator",
        _trailing_operator,
        _ex(
            'status = "a" and',
            'status = "a"',
            "The query ends after `and`, `or` or `not`.",
        ),
    ),
    Hint(
        "missing_paren",
        _missing_paren,
        _ex('(status = "a"', '(status = "a")', "A `(` that is never closed."),
    ),
    Hint(
        "empty_in",
        _empty_in,
        _ex("status in ()", 'status in ("active")', "An empty `in` list, which nothing matches."),
    ),
    Hint(
        "unbalanced_paren",
        _unbalanced_paren,
        _fx('status = "a")', 'status = "a"', "A `)` with no `(` before it."),
    ),
    Hint("limit_range", _limit_range),
    Hint(
        "order_by_field",
        _order_by_field,
        _ex("order by", "order by createdAt desc", "`order by` without a field."),
    ),
    Hint("value_type", _match_list),
    Hint(
        "invalid_date",
        _bad_date_digits,
        _fx(
            "createdAt > 2024-1-5",
            "createdAt > 2024-01-05",
            "A date without two-digit month and day.",
        ),
    ),
    Hint(
        "unexpected_word",
        _unexpected_word,
        _fx(
            'status = "a" adn id = "b"',
            'status = "a" and id = "b"',
            "A word that cannot follow a complete condition.",
        ),
    ),
    Hint(
        "expected_operator",
        _expected_operator,
        _fx('status equals "a"', 'status = "a"', "A field not followed by an operator."),
    ),
    Hint(
        "keyword_as_field",
        _keyword_as_field,
        _fx('and status = "a"', 'status = "a"', "A keyword where a field name belongs."),
    ),
    Hint(
        "unexpected_end",
        _unexpected_end,
        _ex("status", 'status = "active"', "The query stops in the middle of a condition."),
    ),
    Hint(
        "bad_duration",
        _bad_duration,
        _ex("createdAt > today - 30", "createdAt > today - 30d", "A relative time without a unit."),
    ),
    Hint(
        "unexpected_token",
        _unexpected_token,
        _ex('status = "a" = "b"', 'status = "a"', "Anything else out of place."),
    ),
)


def parse_error(text: str, raw: list[RawTok], i: int, expected: frozenset[str]) -> QuerySyntaxError:
    """The error for token ``i`` of ``raw``, which the parser cannot take."""
    tokens = [Tok._make(t) for t in raw]
    tok = tokens[i] if i < len(tokens) else Tok("$END", "", len(text), len(text))
    c = Context(text, tokens, i, tok, expected)
    words = expected_words(expected)
    for hint in PARSE_HINTS:
        found = hint.check(c)
        if found is not None:
            return syntax(text, hint.slug, found.span, found.msg, words, found.fix)
    raise AssertionError("the last parsing hint always applies")  # pragma: no cover
