"""Print an AST as canonical query text.

Keywords in lower case, one space around operators, parentheses only where precedence
needs them (from the table below), strings in double quotes with the same escapes the
parser reads. ``parse(format(q)) == q`` for every valid query, and formatting is
idempotent. The printer is a table of handlers for the one walk (``_core/walk.py``), so
deep trees print without recursion.
"""

from __future__ import annotations

import datetime as dt

from .._core.ast import And, Condition, Not, Or, Predicate, QueryAST, RelativeTime
from .._core.types import OP_SYMBOLS, ORDERING_OPS, Op
from .._core.values import format_wire, midnight
from .._core.walk import fold

__all__ = ["format_condition", "format_query", "format_value"]

#: Binding strength: a child weaker than its parent needs parentheses.
PRECEDENCE: dict[type, int] = {Or: 1, And: 2, Not: 3, Predicate: 4}

_ESCAPES = {'"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_ESCAPABLE = set("\\\"'ntru")


def quote(text: str) -> str:
    r"""Return ``text`` as a double-quoted string literal the parser reads back.

    A backslash before a character that is no escape (``\%`` in a like pattern) is
    printed as it is; every other backslash is doubled.

    >>> print(quote('say "hi"'))
    "say \"hi\""
    """
    out = []
    n = len(text)
    for i, c in enumerate(text):
        if c == "\\":
            nxt = text[i + 1] if i + 1 < n else ""
            # Kept single only where the next character prints as itself and is no escape.
            single = nxt and nxt not in _ESCAPABLE and _plain(nxt)
            out.append("\\" if single else "\\\\")
        elif c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif not _plain(c):
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _plain(c: str) -> bool:
    """Whether ``c`` prints as itself inside a string literal."""
    o = ord(c)
    return c not in _ESCAPES and o >= 32 and not 0x7F <= o < 0xA0 and c not in "\u2028\u2029"


def format_value(value: object, op: Op | None = None) -> str:
    """Return the text form of one literal value."""
    if isinstance(value, str):
        return quote(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, dt.datetime):
        if op in ORDERING_OPS and value == midnight(value.date()):
            return value.date().isoformat()
        return format_wire(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, RelativeTime):
        if value.amount == 0 and value.unit == "d":
            return value.anchor
        sign = "-" if value.amount < 0 else "+"
        return f"{value.anchor} {sign} {abs(value.amount)}{value.unit}"
    if isinstance(value, tuple | list):
        return "(" + ", ".join(format_value(v, op) for v in value) + ")"
    if isinstance(value, Condition):  # the nested condition of any
        return f"({format_condition(value)})"
    return repr(value)


def _predicate(p: Predicate, negated: bool = False) -> str:
    op = p.op
    if op is Op.IS_NULL:
        return f"{p.field} is {'not ' if negated else ''}null"
    if op is Op.IN:
        return f"{p.field} {'not ' if negated else ''}in {format_value(p.value, op)}"
    if op is Op.LIKE:
        return f"{p.field} {'not ' if negated else ''}like {format_value(p.value, op)}"
    if op in OP_SYMBOLS:
        text = f"{p.field} {OP_SYMBOLS[op]} {format_value(p.value, op)}"
    else:
        text = f"{p.field} {op.value} {format_value(p.value, op)}"
    return f"not {text}" if negated else text


def format_condition(root: Condition) -> str:
    """Return the canonical text of a condition tree."""

    def not_(node: Not, text: str) -> str:
        inner = node.operand
        if isinstance(inner, Predicate) and inner.op in (Op.IS_NULL, Op.IN, Op.LIKE):
            return _predicate(inner, negated=True)
        return "not " + (f"({text})" if isinstance(inner, And | Or) else text)

    def join(node: And | Or, parts: list[str]) -> str:
        level = PRECEDENCE[type(node)]
        wrapped = [
            f"({t})" if PRECEDENCE.get(type(o), 4) < level else t
            for o, t in zip(node.operands, parts, strict=True)
        ]
        return (" and " if isinstance(node, And) else " or ").join(wrapped)

    return fold(root, leaf=_predicate, not_=not_, and_=join, or_=join)


def format_query(query: QueryAST) -> str:
    """Return the canonical text of a whole query (the entity is not part of it)."""
    parts = []
    if query.filter is not None:
        parts.append(format_condition(query.filter))
    if query.sort:
        keys = ", ".join(f"{k.field}{' desc' if k.descending else ''}" for k in query.sort)
        parts.append(f"order by {keys}")
    if query.limit is not None:
        parts.append(f"limit {query.limit}")
    if query.fields is not None:
        parts.append("select " + ", ".join(".".join(p) for p in query.fields))
    if query.cursor is not None:
        parts.append(f"cursor {quote(query.cursor)}")
    return " ".join(parts)
