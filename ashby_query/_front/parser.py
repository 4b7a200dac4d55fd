"""Parse query text into the AST.

The language is defined once, in ``grammar/query.lark``. Lark compiles that grammar into
LALR(1) tables; this module drives those tables with a lean loop of its own, building
AST nodes as it reduces, and lexes with one regular expression assembled from the
grammar's terminals. The tables are cached on disk (keyed by the grammar's hash), so a
warm process never imports Lark at all. No Lark exception, terminal name or traceback
reaches a user: every failure is a :class:`QuerySyntaxError` or :class:`QueryError`.
"""

from __future__ import annotations

import difflib
import operator
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import attrs

from .._core.ast import And, Condition, Not, Or, Predicate, QueryAST, RelativeTime, SortKey
from .._core.errors import Problem, QueryError, QuerySyntaxError, Span
from .._core.types import Op

__all__ = ["DEFAULT_LIMITS", "Limits", "parse_condition_text", "parse_text"]

_TABLE_VERSION = "1"


@attrs.frozen
class Limits:
    """Bounds on query text, so hostile or runaway input fails fast and cleanly.

    ``max_length`` characters of text, ``max_depth`` levels of parentheses and ``not``
    around a condition, ``max_in`` values in one ``in`` list.
    """

    max_length: int = 65_536
    max_depth: int = 64
    max_in: int = 1_000


DEFAULT_LIMITS = Limits()


# --------------------------------------------------------------------------- tables


def _grammar_text() -> str:
    from importlib import resources

    try:
        return resources.files("ashby_query").joinpath("_grammar/query.lark").read_text("utf-8")
    except (FileNotFoundError, ModuleNotFoundError, NotADirectoryError):
        # A source checkout: the grammar sits at the top of the repository.
        return (Path(__file__).resolve().parents[2] / "grammar" / "query.lark").read_text("utf-8")


def _cache_dir() -> Path:
    env = os.environ.get("ASHBY_QUERY_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or (
        os.environ.get("LOCALAPPDATA") if sys.platform == "win32" else None
    )
    return Path(base or Path.home() / ".cache") / "ashby-query"


def _build_tables(grammar: str) -> dict[str, Any]:
    """Compile the grammar with Lark and keep only plain data: terminals and tables."""
    from lark import Lark
    from lark.parsers.lalr_analysis import Shift

    lark = Lark(grammar, parser="lalr", lexer="basic")
    pt = lark.parser.parser.parser.parse_table
    rules = list(lark.rules)
    index = {id(r): i for i, r in enumerate(rules)}
    states: dict[str, dict[str, int]] = {}
    for state, actions in pt.states.items():
        row = {}
        for sym, (action, arg) in actions.items():
            row[sym] = arg if action is Shift else -1 - index[id(arg)]
        states[str(state)] = row
    keywords: dict[str, str] = {}
    regex_terms = []
    name_re = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
    terms = sorted(
        lark.terminals,
        key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name),
    )
    for t in terms:
        if t.pattern.type == "str" and name_re.match(t.pattern.value):
            keywords[t.pattern.value.lower()] = t.name
        else:
            regex_terms.append((t.name, t.pattern.to_regexp()))
    rule_rows = []
    for r in rules:
        keep = [
            i
            for i, s in enumerate(r.expansion)
            if not (s.is_term and (getattr(s, "filter_out", False) or s.name.startswith("_")))
        ]
        inline = [i for i, s in enumerate(r.expansion) if not s.is_term and s.name.startswith("_")]
        nest = sum(1 for s in r.expansion if s.is_term and s.name in ("_LPAR", "_NOT"))
        rule_rows.append(
            {
                "origin": r.origin.name,
                "name": r.alias or r.origin.name,
                "size": len(r.expansion),
                "keep": keep,
                "inline": inline,
                "expand1": bool(r.options.expand1),
                "nest": nest,
            }
        )
    return {
        "version": _TABLE_VERSION,
        "states": states,
        "start": pt.start_states["start"],
        "end": pt.end_states["start"],
        "rules": rule_rows,
        "keywords": keywords,
        "terminals": regex_terms,
        "ignore": list(lark.ignore_tokens),
    }


def _load_tables() -> dict[str, Any]:
    # Imported here: only the first parse in a process needs them.
    import hashlib
    import json
    import tempfile

    grammar = _grammar_text()
    key = hashlib.sha256((_TABLE_VERSION + grammar).encode()).hexdigest()[:16]
    path = _cache_dir() / f"tables-{key}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        if data.get("version") == _TABLE_VERSION:
            return data
    except (OSError, ValueError):
        pass
    data = _build_tables(grammar)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, path)
    except OSError:
        pass  # An unwritable cache only costs the next process a rebuild.
    return data


def first_chars(regex: str) -> frozenset[str] | None:
    """The ASCII characters a match of ``regex`` can start with; ``None`` if unknown.

    Read off the regular expression's parse tree, so lexer ordering can follow the
    grammar's own terminals instead of a hand-kept list.
    """
    try:
        from re import _constants as c
        from re import _parser as sre

        tree = sre.parse(regex)
    except Exception:  # any surprise means: do not reorder
        return None
    ascii_ = [chr(i) for i in range(128)]
    categories = {
        c.CATEGORY_DIGIT: set("0123456789"),
        c.CATEGORY_WORD: {ch for ch in ascii_ if ch.isalnum() or ch == "_"},
        c.CATEGORY_SPACE: set(" \t\n\r\f\v"),
    }

    def seq(items: Any) -> tuple[set[str] | None, bool]:
        out: set[str] = set()
        for op, av in items:
            first, nullable = item(op, av)
            if first is None:
                return None, False
            out |= first
            if not nullable:
                return out, False
        return out, True

    def item(op: Any, av: Any) -> tuple[set[str] | None, bool]:
        if op is c.LITERAL:
            ch = chr(av)
            return {ch, ch.swapcase()}, False
        if op is c.IN:
            chars: set[str] = set()
            for kind, val in av:
                if kind is c.LITERAL:
                    chars |= {chr(val), chr(val).swapcase()}
                elif kind is c.RANGE:
                    chars |= {chr(i) for i in range(val[0], min(val[1], 127) + 1)}
                elif kind is c.CATEGORY and val in categories:
                    chars |= categories[val]
                else:
                    return None, False
            return chars, False
        if op is c.SUBPATTERN:
            return seq(av[-1])
        if op is c.BRANCH:
            total: set[str] = set()
            nullable = False
            for branch in av[1]:
                first, n = seq(branch)
                if first is None:
                    return None, False
                total |= first
                nullable = nullable or n
            return total, nullable
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            first, n = seq(av[2])
            return first, n or av[0] == 0
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            return set(), True
        return None, False

    first, _ = seq(tree)
    return None if first is None else frozenset(first)


# Tokens that come often, to be tried first where the grammar allows it.
_FREQUENT = ("NAME", "STRING", "_LPAR", "_RPAR", "_COMMA", "EQ")


def lexer_order(terminals: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Order terminals for one alternation: Lark's priority order wherever two terminals
    can start with the same character, frequent tokens first everywhere else."""
    firsts = [first_chars(rx) for _, rx in terminals]
    if any(f is None for f in firsts):
        return list(terminals)
    # Terminals that can start alike form a group; a group keeps its members' order.
    group = list(range(len(terminals)))

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for i in range(len(terminals)):
        for j in range(i):
            if firsts[i] & firsts[j]:  # type: ignore[operator]
                group[root(i)] = root(j)
    rank = {name: k for k, name in enumerate(_FREQUENT)}

    def key(i: int) -> tuple[int, int]:
        members = [k for k in range(len(terminals)) if root(k) == root(i)]
        best = min(rank.get(terminals[k][0], len(rank)) for k in members)
        return best, root(i)

    order = sorted(range(len(terminals)), key=lambda i: (*key(i), i))
    return [terminals[i] for i in order]


class _Machine:
    """The compiled tables, in the shapes the hot loop wants."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.states: list[dict[str, int]] = [{} for _ in data["states"]]
        for k, row in data["states"].items():
            self.states[int(k)] = row
        self.start: int = data["start"]
        self.end: int = data["end"]
        self.keywords: dict[str, str] = data["keywords"]
        self.ignore = frozenset(data["ignore"])
        ignore = [rx for name, rx in data["terminals"] if name in self.ignore]
        ordered = lexer_order([(n, rx) for n, rx in data["terminals"] if n not in self.ignore])
        alts = "|".join(f"(?P<{name}>{rx})" for name, rx in ordered)
        skip = "(?:" + "|".join(ignore) + ")?" if ignore else ""
        # Every non-blank position starts a token or an ERROR, so nothing is skipped.
        self.scanner = re.compile(f"{skip}(?:{alts}|(?P<ERROR>[^ \\t\\r\\n]))").finditer
        rows = data["rules"]
        # Unit rules that only pass their one child up need no work but a goto.
        self.passthrough = [
            r["size"] == 1
            and r["expand1"]
            and r["name"] == r["origin"]
            and len(r["keep"]) == 1
            and not r["inline"]
            and not r["nest"]
            for r in rows
        ]
        self.rules: list[tuple[str, str, int, tuple[int, ...], bool, bool, int]] = [
            (
                r["origin"],
                r["name"],
                r["size"],
                tuple(r["keep"]),
                bool(r["inline"]),
                r["expand1"],
                r["nest"],
            )
            for r in data["rules"]
        ]
        self.inline_at = [tuple(r["inline"]) for r in data["rules"]]
        self.chains: dict[tuple[int, int, str], int] = {}
        # Per rule, everything a reduction needs, worked out once.
        self.plans: list[tuple[str, int, Any, Any, int, int]] = []
        for origin, name, size, keep, _inline_kids, expand1, nest in self.rules:
            if origin.startswith("_"):
                mode = _HELPER
            elif expand1 and name == origin:
                mode = _EXPAND1
            else:
                mode = _CALL
            func = getattr(_Builder, name, None)
            self.plans.append((origin, size, _picker(keep, size), func, mode, nest))


_MACHINE: _Machine | None = None


def _machine() -> _Machine:
    global _MACHINE
    if _MACHINE is None:
        _MACHINE = _Machine(_load_tables())
    return _MACHINE


# --------------------------------------------------------------------------- lexing

_WORDS = {
    "_OR": "'or'",
    "_AND": "'and'",
    "_NOT": "'not'",
    "_IN": "'in'",
    "_LIKE": "'like'",
    "_FUZZY": "'fuzzy'",
    "_KEYWORD": "'keyword'",
    "_ARRAY_CONTAINS": "'array_contains'",
    "_ANY": "'any'",
    "_IS": "'is'",
    "_NULL": "'null'",
    "_BETWEEN": "'between'",
    "TRUE": "true",
    "FALSE": "false",
    "_ORDER": "'order by'",
    "_BY": "'by'",
    "_ASC": "'asc'",
    "_DESC": "'desc'",
    "_LIMIT": "'limit'",
    "_SELECT": "'select'",
    "_CURSOR": "'cursor'",
    "NOW": "now",
    "TODAY": "today",
    "YESTERDAY": "yesterday",
    "_LPAR": "'('",
    "_RPAR": "')'",
    "_COMMA": "','",
    "_DOT": "'.'",
    "EQ": "'='",
    "NEQ": "'!='",
    "GTE": "'>='",
    "LTE": "'<='",
    "GT": "'>'",
    "LT": "'<'",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "DATETIME": "a datetime",
    "DATE": "a date",
    "DURATION": "a duration such as 30d",
    "NUMBER": "a number",
    "STRING": "a quoted string",
    "NAME": "a field name",
    "$END": "the end of the query",
}

_BAD_CHARS = {
    "&&": ("use_and", "'&&' is not an operator here; write 'and'."),
    "||": ("use_or", "'||' is not an operator here; write 'or'."),
    "&": ("use_and", "'&' is not an operator here; write 'and'."),
    "|": ("use_or", "'|' is not an operator here; write 'or'."),
    "!": ("use_not", "'!' is not an operator here; write 'not' (or '!=' for not equal)."),
    "[": (
        "in_brackets",
        'Lists are written in parentheses, not brackets: status in ("a", "b").',
    ),
    "]": (
        "in_brackets",
        'Lists are written in parentheses, not brackets: status in ("a", "b").',
    ),
    '"': ("unterminated_string", 'This string is never closed; end it with a matching ".'),
    "'": ("unterminated_string", "This string is never closed; end it with a matching '."),
    "`": (
        "backtick",
        "Backticks are not quotes here; write field names bare and text in double quotes.",
    ),
    ";": ("semicolon", "A query is one statement; remove the ';'."),
}


def _syntax(
    text: str,
    kind: str,
    start: int,
    end: int,
    msg: str,
    expected: tuple[str, ...] = (),
    **ctx: Any,
) -> QuerySyntaxError:
    fragment = text[start:end]
    return QuerySyntaxError(
        [Problem(kind, (), msg, fragment, ctx, Span(start, max(end, start)))],
        text,
        expected,
    )


def _lex(text: str, m: _Machine) -> list[_Tok]:
    """Return the tokens of ``text``; whitespace is skipped inside the regex."""
    tokens: list[_Tok] = []
    append = tokens.append
    new = tuple.__new__
    keywords = m.keywords
    for mo in m.scanner(text):
        kind = mo.lastgroup
        word = mo.group(kind)  # type: ignore[arg-type]
        end = mo.end()
        if kind == "NAME":
            kind = keywords.get(word.lower(), "NAME")
        elif kind == "ERROR":
            raise _lex_error(text, end - 1)
        append(new(_Tok, (kind, word, end - len(word), end)))
    return tokens


def _sql_statement(text: str) -> QuerySyntaxError | None:
    if re.match(r"\s*select\b", text, re.I) and re.search(r"\bfrom\b", text, re.I):
        start = len(text) - len(text.lstrip())
        return _syntax(
            text,
            "sql_statement",
            start,
            len(text),
            "This is a SQL statement; write only the filter and clauses, such as "
            'status = "active" order by createdAt desc limit 20 (the entity is chosen '
            "separately, and 'select id, name' at the end picks fields).",
        )
    return None


def _lex_error(text: str, pos: int) -> QuerySyntaxError:
    sql = _sql_statement(text)
    if sql is not None:
        return sql
    if text[pos] == ":":
        before = text[:pos]
        stamp = re.search(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ ]+([0-9]{1,2})$", before)
        if stamp:
            start = stamp.start()
            end = pos + len(re.match(r":[0-9:.]*", text[pos:]).group())  # type: ignore[union-attr]
            fixed = f"{stamp.group(1)}T{int(stamp.group(2)):02d}{text[pos:end]}"
            return _syntax(
                text,
                "invalid_date",
                start,
                end,
                f"Join date and time with 'T', not a space: write {fixed}Z (Z for UTC, or "
                f"an offset such as +02:00).",
            )
        field = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*$", before)
        if field:
            value = re.match(r"\s*(\"[^\"]*\"|'[^']*'|[^\s()]+)", text[pos + 1 :])
            shown = value.group(1) if value else '"value"'
            if not shown.startswith(("'", '"')):
                shown = f'"{shown}"'
            return _syntax(
                text,
                "colon_operator",
                pos,
                pos + 1,
                f"'field:value' is not the syntax here; write {field.group(1)} = {shown}.",
            )
    two = text[pos : pos + 2]
    for probe in (two, text[pos]):
        if probe in _BAD_CHARS:
            kind, msg = _BAD_CHARS[probe]
            end = len(text) if kind == "unterminated_string" else pos + len(probe)
            return _syntax(text, kind, pos, end, msg)
    if re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]", text[pos:]):
        return _syntax(
            text,
            "invalid_date",
            pos,
            pos + 10,
            "This datetime is not ISO 8601; write 2024-01-31T09:30:00Z (a 'T' between "
            "date and time, an optional offset such as +02:00).",
        )
    if text[pos].isdigit():
        m = re.match(r"[0-9]+[A-Za-z_]\w*", text[pos:])
        end = pos + (m.end() if m else 1)
        return _syntax(
            text,
            "bad_number",
            pos,
            end,
            f"{text[pos:end]!r} is neither a number nor a duration; durations are a whole "
            f"number and one of m, h, d, w (today - 30d); text needs quotes.",
        )
    ch = text[pos]
    return _syntax(
        text,
        "unexpected_character",
        pos,
        pos + 1,
        f"The character {ch!r} cannot appear here; text values go in quotes, such as "
        f'name = "{ch}".',
    )


# --------------------------------------------------------------------------- building


def _unescape(raw: str) -> str:
    body = raw[1:-1]
    if "\\" not in body:
        return body
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "\\\"'":
                out.append(nxt)
            elif nxt == "n":
                out.append("\n")
            elif nxt == "t":
                out.append("\t")
            elif nxt == "r":
                out.append("\r")
            elif nxt == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", body[i + 2 : i + 6]):
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
                continue
            else:
                # Unknown escapes keep their backslash: like patterns use \% and \_.
                out.append(c)
                out.append(nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


class _Tok(NamedTuple):
    """A token: its type, its text and where it sits."""

    type: str
    text: str
    start: int
    end: int


class _Val:
    """A literal value with its span, before it becomes part of a predicate."""

    __slots__ = ("kind", "span", "value")

    def __init__(self, value: object, span: Span, kind: str) -> None:
        self.value = value
        self.span = span
        self.kind = kind


class _Builder:
    """Reduce callbacks: one small method per grammar alias."""

    def __init__(self, text: str, entity: str, limits: Limits) -> None:
        self.text = text
        self.entity = entity
        self.limits = limits
        self.clauses: dict[str, Any] = {}

    # Conditions -----------------------------------------------------------
    def or_(self, c: list[Any], s: Span) -> Condition:
        return Or.of(c[0], c[1], span=s)

    def and_(self, c: list[Any], s: Span) -> Condition:
        return And.of(c[0], c[1], span=s)

    def not_(self, c: list[Any], s: Span) -> Condition:
        return Not(c[0], s)

    def group(self, c: list[Any], s: Span) -> Condition:
        node: Condition = c[0]
        return node

    def _pred(self, op: Op, c: list[Any], s: Span) -> Predicate:
        field: _Tok = c[0]
        val: _Val = c[-1]  # c[1] is the operator token
        if val.kind == "null":
            raise self._null_hint(field, val)
        return Predicate(op, field.text, val.value, s, Span(field.start, field.end), (val.span,))  # type: ignore[arg-type]

    def _null_hint(self, field: _Tok, val: _Val) -> QuerySyntaxError:
        return _syntax(
            self.text,
            "null_comparison",
            val.span.start,
            val.span.end,
            f"Compare with null using 'is': write {field.text} is null or "
            f"{field.text} is not null.",
        )

    def eq(self, c: list[Any], s: Span) -> Predicate:
        return self._pred(Op.EQ, c, s)

    def neq(self, c: list[Any], s: Span) -> Predicate:
        return self._pred(Op.NEQ, c, s)

    def gt(self, c: list[Any], s: Span) -> Predicate:
        return self._pred(Op.GT, c, s)

    def gte(self, c: list[Any], s: Span) -> Predicate:
        return self._pred(Op.GTE, c, s)

    def lt(self, c: list[Any], s: Span) -> Predicate:
        return self._pred(Op.LT, c, s)

    def lte(self, c: list[Any], s: Span) -> Predicate:
        return self._pred(Op.LTE, c, s)

    def in_(self, c: list[Any], s: Span) -> Predicate:
        field: _Tok = c[0]
        vals: list[_Val] = c[1]
        return Predicate(
            Op.IN,
            field.text,
            tuple(v.value for v in vals),
            s,
            Span(field.start, field.end),
            tuple(v.span for v in vals),
        )

    def not_in(self, c: list[Any], s: Span) -> Condition:
        return Not(self.in_(c, s), s)

    def _match(self, op: Op, c: list[Any], s: Span) -> Predicate:
        field: _Tok = c[0]
        val: _Val = c[1]
        return Predicate(op, field.text, val.value, s, Span(field.start, field.end), (val.span,))  # type: ignore[arg-type]

    def like(self, c: list[Any], s: Span) -> Predicate:
        return self._match(Op.LIKE, c, s)

    def not_like(self, c: list[Any], s: Span) -> Condition:
        return Not(self._match(Op.LIKE, c, s), s)

    def fuzzy(self, c: list[Any], s: Span) -> Predicate:
        return self._match(Op.FUZZY, c, s)

    def keyword(self, c: list[Any], s: Span) -> Predicate:
        return self._match(Op.KEYWORD, c, s)

    def array_contains(self, c: list[Any], s: Span) -> Predicate:
        return self._match(Op.ARRAY_CONTAINS, c, s)

    def any_(self, c: list[Any], s: Span) -> Predicate:
        field: _Tok = c[0]
        return Predicate(Op.ANY, field.text, c[1], s, Span(field.start, field.end))

    def is_null(self, c: list[Any], s: Span) -> Predicate:
        field: _Tok = c[0]
        return Predicate(Op.IS_NULL, field.text, None, s, Span(field.start, field.end))

    def is_not_null(self, c: list[Any], s: Span) -> Condition:
        return Not(self.is_null(c, s), s)

    def between(self, c: list[Any], s: Span) -> Condition:
        field: _Tok = c[0]
        for v in c[1:]:
            if v.kind == "null":
                raise self._null_hint(field, v)
        fs = Span(field.start, field.end)
        lo = Predicate(Op.GTE, field.text, c[1].value, s, fs, (c[1].span,))
        hi = Predicate(Op.LTE, field.text, c[2].value, s, fs, (c[2].span,))
        return And((lo, hi), s)

    # Values ---------------------------------------------------------------
    def values(self, c: list[Any], s: Span) -> list[_Val]:
        return [c[0]]

    def values_more(self, c: list[Any], s: Span) -> list[_Val]:
        vals: list[_Val] = c[0]
        vals.append(c[1])
        if len(vals) > self.limits.max_in:
            raise QueryError(
                [
                    Problem(
                        "in_too_large",
                        (),
                        f"This in list has more than {self.limits.max_in} values; split the "
                        f"query, or raise the bound with "
                        f"Limits(max_in=...).",
                        len(vals),
                        {"max_in": self.limits.max_in},
                        c[1].span,
                    )
                ],
                self.text,
            )
        return vals

    def string(self, c: list[Any], s: Span) -> _Val:
        tok: _Tok = c[0]
        return _Val(_unescape(tok.text), s, "string")

    def number(self, c: list[Any], s: Span) -> _Val:
        tok: _Tok = c[0]
        text = tok.text
        return _Val(float(text) if "." in text else int(text), s, "number")

    def true(self, c: list[Any], s: Span) -> _Val:
        return _Val(True, s, "bool")

    def false(self, c: list[Any], s: Span) -> _Val:
        return _Val(False, s, "bool")

    def date(self, c: list[Any], s: Span) -> _Val:
        tok: _Tok = c[0]
        # Kept as text; validation reads it strictly and reports impossible dates.
        return _Val(tok.text, s, "date")

    def datetime(self, c: list[Any], s: Span) -> _Val:
        tok: _Tok = c[0]
        return _Val(tok.text, s, "date")

    def rel(self, c: list[Any], s: Span) -> _Val:
        return _Val(RelativeTime(c[0].text.lower()), s, "rel")

    def _rel(self, c: list[Any], s: Span, sign: int) -> _Val:
        dur: str = c[2].text
        return _Val(RelativeTime(c[0].text.lower(), sign * int(dur[:-1]), dur[-1]), s, "rel")

    def rel_plus(self, c: list[Any], s: Span) -> _Val:
        return self._rel(c, s, 1)

    def rel_minus(self, c: list[Any], s: Span) -> _Val:
        return self._rel(c, s, -1)

    # Clauses --------------------------------------------------------------
    def _clause(self, name: str, value: object, s: Span) -> None:
        if name in self.clauses:
            raise _syntax(
                self.text,
                "duplicate_clause",
                s.start,
                s.end,
                f"'{name}' appears twice; give it once.",
            )
        self.clauses[name] = (value, s)

    def order_by(self, c: list[Any], s: Span) -> None:
        self._clause("order by", tuple(c[0]), s)

    def sort_keys(self, c: list[Any], s: Span) -> list[SortKey]:
        return [c[0]]

    def sort_keys_more(self, c: list[Any], s: Span) -> list[SortKey]:
        keys: list[SortKey] = c[0]
        keys.append(c[1])
        return keys

    def sort_asc(self, c: list[Any], s: Span) -> SortKey:
        return SortKey(c[0].text, False, s)

    def sort_desc(self, c: list[Any], s: Span) -> SortKey:
        return SortKey(c[0].text, True, s)

    def limit(self, c: list[Any], s: Span) -> None:
        tok: _Tok = c[0]
        if "." in tok.text:
            raise _syntax(
                self.text,
                "limit_range",
                tok.start,
                tok.end,
                f"The limit must be a whole number from 1 to 1000, got {tok.text}.",
            )
        self._clause("limit", (int(tok.text), Span(tok.start, tok.end)), s)

    def select(self, c: list[Any], s: Span) -> None:
        self._clause("select", tuple(c[0]), s)

    def paths(self, c: list[Any], s: Span) -> list[tuple[tuple[str, ...], Span]]:
        return [c[0]]

    def paths_more(self, c: list[Any], s: Span) -> list[tuple[tuple[str, ...], Span]]:
        paths: list[tuple[tuple[str, ...], Span]] = c[0]
        paths.append(c[1])
        return paths

    def path(self, c: list[Any], s: Span) -> tuple[tuple[str, ...], Span]:
        return ((c[0].text,), s)

    def path_more(self, c: list[Any], s: Span) -> tuple[tuple[str, ...], Span]:
        return ((*c[0][0], c[1].text), s)

    def cursor(self, c: list[Any], s: Span) -> None:
        self._clause("cursor", c[0].value, s)

    def query(self, c: list[Any], s: Span) -> QueryAST:
        flt = c[0] if c and isinstance(c[0], Condition) else None
        cl = self.clauses
        limit = cl.get("limit")
        select = cl.get("select")
        return QueryAST(
            self.entity,
            flt,
            cl["order by"][0] if "order by" in cl else (),
            limit[0][0] if limit else None,
            tuple(p for p, _ in select[0]) if select else None,
            cl["cursor"][0] if "cursor" in cl else None,
            limit[0][1] if limit else None,
            tuple(sp for _, sp in select[0]) if select else (),
        )


# --------------------------------------------------------------------------- driving


def parse_text(text: str, entity: str, limits: Limits | None = None) -> QueryAST:
    """Parse ``text`` into an unvalidated AST for ``entity``; syntax errors raise here."""
    limits = limits or DEFAULT_LIMITS
    if not isinstance(text, str):
        raise QueryError(
            [
                Problem(
                    "text_type",
                    (),
                    f"Query text must be a string, got {type(text).__name__}.",
                    text,
                )
            ]
        )
    if len(text) > limits.max_length:
        raise QueryError(
            [
                Problem(
                    "too_long",
                    (),
                    f"The query is {len(text)} characters long, over the bound of "
                    f"{limits.max_length}; shorten it, or raise the bound with "
                    f"Limits(max_length=...).",
                    len(text),
                    {"max_length": limits.max_length},
                )
            ]
        )
    m = _machine()
    tokens = _lex(text, m)
    builder = _Builder(text, entity, limits)
    result = _drive(text, tokens, m, builder, limits)
    assert isinstance(result, QueryAST)
    return result


def parse_condition_text(text: str, entity: str) -> QueryAST:
    """Parse text holding only a filter (for ``Query.where("...")``)."""
    ast = parse_text(text, entity)
    if ast.sort or ast.limit is not None or ast.fields is not None or ast.cursor:
        raise QueryError(
            [
                Problem(
                    "clause_in_where",
                    (),
                    "where() takes a condition only; use order_by(), limit() and "
                    "select() for the rest.",
                    text,
                )
            ],
            text,
        )
    return ast


def _drive(
    text: str,
    tokens: list[_Tok],
    m: _Machine,
    builder: _Builder,
    limits: Limits,
) -> object:
    states = m.states
    rules = m.rules
    plans = m.plans
    passthrough = m.passthrough
    chains = m.chains
    inline_at = m.inline_at
    state_stack = [m.start]
    values: list[Any] = []
    starts: list[int] = []
    ends: list[int] = []
    depth = 0
    max_depth = limits.max_depth
    end_pos = len(text)
    tokens.append(_Tok("$END", "", end_pos, end_pos))
    i = 0
    tok = tokens[0]
    kind, _, tstart, tend = tok
    while True:
        action = states[state_stack[-1]].get(kind)
        if action is None:
            tokens.pop()
            raise _parse_error(text, tokens, i, state_stack, values, m)
        if action >= 0:
            if kind == "_LPAR" or kind == "_NOT":
                depth += 1
                if depth > max_depth:
                    raise _too_deep(text, depth, max_depth, tstart, tend)
            state_stack.append(action)
            values.append(tok)
            starts.append(tstart)
            ends.append(tend)
            i += 1
            tok = tokens[i]
            kind, _, tstart, tend = tok
            continue
        ridx = -1 - action
        if passthrough[ridx]:
            # A chain of unit reductions (predicate -> atom -> not_expr -> ...) only moves
            # the top state; where it ends depends on the state below, the state on top
            # and the lookahead, so it is worked out once and remembered.
            key = (state_stack[-2], state_stack[-1], kind)
            top = chains.get(key)
            if top is None:
                top = chains[key] = _unit_chain(m, state_stack[-2], ridx, kind)
            state_stack[-1] = top
            continue
        origin, size, pick, func, mode, nest = plans[ridx]
        if size:
            kids = values[-size:]
            span = Span(starts[-size], ends[-1])
            del values[-size:], starts[-size:], ends[-size:], state_stack[-size:]
        else:
            kids = []
            span = Span(tstart, tstart)
        depth -= nest
        if mode == _HELPER:
            value: Any = _inline(kids, inline_at[ridx], rules[ridx][3])
        else:
            if rules[ridx][4]:
                children = _inline(kids, inline_at[ridx], rules[ridx][3])
            else:
                children = kids if pick is None else pick(kids)
            if mode == _CALL:
                value = func(builder, children, span)
            elif len(children) == 1:
                value = children[0]
            else:
                value = func(builder, children, span)
        if origin == "start" and len(state_stack) == 1 and kind == "$END":
            return value
        state_stack.append(states[state_stack[-1]][origin])
        values.append(value)
        starts.append(span.start)
        ends.append(span.end)


_CALL, _EXPAND1, _HELPER = 0, 1, 2


def _inline(kids: list[Any], inline: tuple[int, ...], keep: tuple[int, ...]) -> list[Any]:
    """Children of a rule whose ``_helper`` children are spliced in (EBNF repeats)."""
    out: list[Any] = []
    for j, kid in enumerate(kids):
        if j in inline:
            out.extend(kid)
        elif j in keep:
            out.append(kid)
    return out


def _picker(keep: tuple[int, ...], size: int) -> Callable[[list[Any]], Any] | None:
    """How to pick the kept children out of a reduction's values; None keeps them all."""
    if keep == tuple(range(size)):
        return None
    if len(keep) == 1:
        j = keep[0]
        return lambda kids: (kids[j],)
    return operator.itemgetter(*keep)


def _unit_chain(m: _Machine, below: int, ridx: int, kind: str) -> int:
    """Follow unit reductions from rule ``ridx`` with lookahead ``kind``; the final state."""
    while True:
        top = m.states[below][m.rules[ridx][0]]
        action = m.states[top].get(kind)
        if action is None or action >= 0 or not m.passthrough[-1 - action]:
            return top
        ridx = -1 - action


def _too_deep(text: str, depth: int, max_depth: int, start: int, end: int) -> QueryError:
    return QueryError(
        [
            Problem(
                "too_deep",
                (),
                f"The query nests parentheses and 'not' more than {max_depth} levels deep; "
                f"flatten it, or raise the bound with Limits(max_depth=...).",
                depth,
                {"max_depth": max_depth},
                Span(start, end),
            )
        ],
        text,
    )


# --------------------------------------------------------------------------- errors

_KEYWORD_TYPES = {
    "_OR",
    "_AND",
    "_NOT",
    "_IN",
    "_LIKE",
    "_FUZZY",
    "_KEYWORD",
    "_ARRAY_CONTAINS",
    "_ANY",
    "_IS",
    "_NULL",
    "_BETWEEN",
    "TRUE",
    "FALSE",
    "_ORDER",
    "_BY",
    "_ASC",
    "_DESC",
    "_LIMIT",
    "_SELECT",
    "_CURSOR",
    "NOW",
    "TODAY",
    "YESTERDAY",
}
_VALUE_TYPES = {"STRING", "NUMBER", "TRUE", "FALSE", "DATE", "DATETIME", "NOW"}
_OPERATOR_TYPES = {"EQ", "NEQ", "GT", "GTE", "LT", "LTE", "_IN", "_LIKE", "_IS"}


def _describe(expected: list[str]) -> str:
    words = []
    for e in expected:
        w = _WORDS.get(e, e)
        if w not in words:
            words.append(w)
    if "'order by'" in words and "'by'" in words:
        words.remove("'by'")
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _parse_error(
    text: str,
    tokens: list[_Tok],
    i: int,
    state_stack: list[int],
    values: list[Any],
    m: _Machine,
) -> QuerySyntaxError:
    expected = sorted(m.states[state_stack[-1]])
    if i < len(tokens):
        kind, tok_text, start, end = tokens[i]
    else:
        kind, tok_text, start, end = "$END", "", len(text), len(text)
    prev = tokens[i - 1] if i > 0 else None
    words = tuple(_WORDS.get(e, e) for e in expected)
    exp = set(expected)
    shown = repr(tok_text) if kind != "$END" else "the end of the query"

    def err(kind_: str, msg: str, s: int = start, e: int = end) -> QuerySyntaxError:
        return _syntax(text, kind_, s, e, msg, words)

    first = tokens[0] if tokens else None
    if (
        first is not None
        and first.type == "_SELECT"
        and any(t.type == "NAME" and t.text.lower() == "from" for t in tokens)
    ):
        return err(
            "sql_statement",
            "This is a SQL statement; write only the filter and clauses, such as "
            'status = "active" order by createdAt desc limit 20 (the entity is chosen '
            "separately, and 'select id, name' at the end picks fields).",
            first.start,
            len(text),
        )
    if first is not None and first.type == "NAME" and first.text.lower() == "where":
        return err(
            "leading_where",
            "Leave out 'where': the query starts with the condition itself, such as "
            'status = "active".',
            first.start,
            first.end,
        )
    if prev is not None and prev.type == "_IS" and kind != "$END":
        field = prev_field(tokens, i)
        return err(
            "is_value",
            f"'is' only tests for null: write {field} is null or {field} is not null; to "
            f"compare with a value write {field} = {tok_text}.",
        )
    if kind == "_LPAR" and prev is not None and prev.type in ("NOW", "TODAY", "YESTERDAY"):
        return err(
            "relative_time_call",
            f"{prev.text} takes no parentheses; write {prev.text.lower()} or "
            f"{prev.text.lower()} - 7d (units m, h, d, w).",
            prev.start,
            end,
        )
    if kind == "NAME" and tok_text.lower() == "offset" and exp & {"$END", "_LIMIT"}:
        return err(
            "no_offset",
            "There is no offset: page with the cursor from the previous page instead "
            '(cursor "..." at the end of the query, or the client\'s iter_search).',
        )
    if prev is not None and prev.type == "_IN" and kind != "_LPAR":
        field = prev_field(tokens, i)
        return err(
            "in_parentheses",
            f"'in' takes a list in parentheses: {field} in ({tok_text}, ...).",
        )
    if kind == "NAME" and exp & _VALUE_TYPES:
        field = prev_field(tokens, i)
        return err(
            "unquoted_value",
            f"{tok_text!r} is not a value: text needs quotes. Did you mean "
            f'"{tok_text}"? Write {field}{_op_text(prev)} "{tok_text}".',
        )
    if kind == "_NULL" and exp & _VALUE_TYPES:
        field = prev_field(tokens, i)
        return err(
            "null_comparison",
            f"Compare with null using 'is': write {field} is null or {field} is not null.",
        )
    if kind == "$END" and prev is not None and prev[0] in ("_AND", "_OR", "_NOT"):
        word = prev[1].lower()
        return err(
            "trailing_operator",
            f"The query ends after '{word}'; add a condition after it, or remove it.",
            prev[2],
            prev[3],
        )
    if kind == "$END" and "_RPAR" in exp:
        opened = _unclosed_paren(tokens, i)
        return err(
            "missing_paren",
            "A '(' is never closed; add ')' where the group ends.",
            opened,
            opened + 1,
        )
    after_in = i >= 2 and tokens[i - 2][0] == "_IN"
    if kind == "_RPAR" and prev is not None and prev[0] == "_LPAR" and after_in:
        return err(
            "empty_in",
            "This in list is empty, which no record can match; give at least one value, "
            'such as status in ("active").',
            prev[2],
            end,
        )
    if kind == "_RPAR" and "_RPAR" not in exp:
        return err("unbalanced_paren", "This ')' has no '(' before it to close; remove it.")
    if prev is not None and prev[0] == "_LIMIT":
        return err(
            "limit_range",
            f"'limit' takes a whole number from 1 to 1000, got {shown}; write limit 50.",
        )
    if prev is not None and prev[0] == "_BY" and kind != "NAME":
        return err(
            "order_by_field",
            f"'order by' needs a field, got {shown}; write order by createdAt desc.",
        )
    if prev is not None and prev[0] == "_ORDER":
        return err("order_by_field", "Write 'order by' followed by a field: order by name.")
    if kind == "_LPAR" and prev is not None and prev[0] in ("_LIKE", "_FUZZY", "_KEYWORD"):
        return err(
            "value_type",
            f"'{prev[1].lower()}' takes one quoted text, not a list; join alternatives with "
            f'or: name like "A%" or name like "B%".',
        )
    if kind == "NAME" and exp & {"_AND", "_OR", "$END"}:
        close = difflib.get_close_matches(
            tok_text.lower(), ["and", "or", "order", "limit", "select", "not"], n=1
        )
        hint = f" Did you mean '{close[0]}'?" if close else ""
        return err(
            "unexpected_word",
            f"{tok_text!r} cannot follow a complete condition.{hint} Join conditions "
            f"with 'and' or 'or'; after the filter come order by, limit and select.",
        )
    if kind == "NAME" and exp & _OPERATOR_TYPES:
        close = difflib.get_close_matches(
            tok_text.lower(), ["in", "like", "fuzzy", "keyword", "is", "between", "not"], n=1
        )
        hint = f" Did you mean '{close[0]}'?" if close else ""
        return err(
            "expected_operator",
            f"Expected an operator after the field, got {tok_text!r}.{hint} Operators: "
            f"=, !=, >, >=, <, <=, in, not in, like, not like, fuzzy, keyword, is null, "
            f"between.",
        )
    if kind in _KEYWORD_TYPES and "NAME" in exp:
        return err(
            "keyword_as_field",
            f"{tok_text!r} is a keyword, so it cannot start a condition here; expected "
            f"a field name such as status.",
        )
    if kind == "$END":
        return err("unexpected_end", f"The query ends too early; expected {_describe(expected)}.")
    if kind == "NUMBER" and prev is not None and prev[0] in ("PLUS", "MINUS"):
        return err(
            "bad_duration",
            f"A relative time needs a unit: write {tok_text}d (m, h, d or w).",
        )
    return err(
        "unexpected_token",
        f"Unexpected {shown}; expected {_describe(expected)}.",
    )


def prev_field(tokens: list[_Tok], i: int) -> str:
    """The field name nearest before token ``i``, for hints."""
    for j in range(i - 1, -1, -1):
        if tokens[j][0] == "NAME":
            return tokens[j][1]
    return "field"


def _op_text(prev: tuple[str, str, int, int] | None) -> str:
    if prev is None:
        return " ="
    return " " + prev[1] if prev[0] != "NAME" else " ="


def _unclosed_paren(tokens: list[_Tok], i: int) -> int:
    opened: list[int] = []
    for kind, _, start, _ in tokens[:i]:
        if kind == "_LPAR":
            opened.append(start)
        elif kind == "_RPAR" and opened:
            opened.pop()
    return opened[-1] if opened else 0
