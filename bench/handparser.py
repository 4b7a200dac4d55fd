"""A small hand-written recursive-descent parser: the floor the real parser is measured against.

It reads the subset of the language the parse workloads use (comparisons, ``in``,
``like``, ``is null``, ``not``, ``and``, ``or``, parentheses; strings, numbers, dates)
and builds the same AST, spans included, as ``ashby_query``'s parser. It does no
validation, no limits and no error recovery: it is a reference for speed, not a parser
to use. Recursion is fine here because the bench controls its input.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ashby_query._core.ast import And, Condition, Not, Or, Predicate, QueryAST
from ashby_query._core.errors import Span
from ashby_query._core.types import Op

_TOKEN = re.compile(
    r"\s*(?:(?P<STRING>\"[^\"\\\n]*(?:\\.[^\"\\\n]*)*\")"
    r"|(?P<DATE>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"|(?P<NUMBER>[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<NAME>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<OP>==|!=|<>|>=|<=|[=<>(),]))"
)
_OPS = {
    "=": Op.EQ,
    "==": Op.EQ,
    "!=": Op.NEQ,
    "<>": Op.NEQ,
    ">": Op.GT,
    ">=": Op.GTE,
    "<": Op.LT,
    "<=": Op.LTE,
}


class HandParser:
    """Parse one text; ``parse`` returns its ``QueryAST``."""

    def __init__(self, text: str, entity: str) -> None:
        self.entity = entity
        toks = []
        pos = 0
        end = len(text.rstrip())
        match = _TOKEN.match
        while pos < end:
            mo = match(text, pos)
            if mo is None:
                raise SyntaxError(f"bad character at {pos}")
            kind = mo.lastgroup
            word = mo.group(kind)  # type: ignore[arg-type]
            pos = mo.end()
            if kind == "NAME":
                low = word.lower()
                if low in ("and", "or", "not", "in", "like", "is", "null"):
                    kind = low
            toks.append((kind, word, pos - len(word), pos))
        toks.append(("EOF", "", end, end))
        self.toks = toks
        self.i = 0

    def parse(self) -> QueryAST:
        return QueryAST(self.entity, self.or_expr())

    def or_expr(self) -> Condition:
        return self.chain("or", Or, self.and_expr)

    def and_expr(self) -> Condition:
        return self.chain("and", And, self.not_expr)

    def chain(
        self, word: str, cls: type[And] | type[Or], term: Callable[[], Condition]
    ) -> Condition:
        """A run of ``term`` joined by ``word``, gathered into one node."""
        first = term()
        if self.toks[self.i][0] != word:
            return first
        items = [first]
        while self.toks[self.i][0] == word:
            self.i += 1
            items.append(term())
        return cls.of(*items, span=Span(first.span.start, items[-1].span.end))  # type: ignore[attr-defined]

    def not_expr(self) -> Condition:
        tok = self.toks[self.i]
        if tok[0] == "not":
            self.i += 1
            inner = self.not_expr()
            return Not(inner, Span(tok[2], inner.span.end))  # type: ignore[attr-defined]
        if tok[1] == "(":
            self.i += 1
            inner = self.or_expr()
            self.i += 1  # the ")"
            return inner
        return self.predicate()

    def value(self) -> tuple[object, Span]:
        kind, word, start, end = self.toks[self.i]
        self.i += 1
        if kind == "STRING":
            return word[1:-1], Span(start, end)
        if kind == "NUMBER":
            return (float(word) if "." in word else int(word)), Span(start, end)
        return word, Span(start, end)

    def predicate(self) -> Condition:
        _, name, fstart, fend = self.toks[self.i]
        fspan = Span(fstart, fend)
        kind, word = self.toks[self.i + 1][:2]
        self.i += 2
        if kind == "OP":
            val, vspan = self.value()
            return Predicate(_OPS[word], name, val, Span(fstart, vspan.end), fspan, (vspan,))  # type: ignore[arg-type]
        if kind == "in":
            self.i += 1  # the "("
            vals = []
            spans = []
            while True:
                val, vspan = self.value()
                vals.append(val)
                spans.append(vspan)
                sep = self.toks[self.i]
                self.i += 1
                if sep[1] == ")":
                    break
            return Predicate(Op.IN, name, tuple(vals), Span(fstart, sep[3]), fspan, tuple(spans))
        if kind == "like":
            val, vspan = self.value()
            return Predicate(Op.LIKE, name, val, Span(fstart, vspan.end), fspan, (vspan,))  # type: ignore[arg-type]
        if kind == "is":
            self.i += 1  # "null"
            return Predicate(Op.IS_NULL, name, None, Span(fstart, self.toks[self.i - 1][3]), fspan)
        raise SyntaxError(f"unexpected {word!r}")


def hand_parse(text: str, entity: str) -> QueryAST:
    """Parse ``text`` with the hand-written reference parser."""
    return HandParser(text, entity).parse()
