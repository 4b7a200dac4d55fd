"""Build AST nodes as the parser reduces: one small method per grammar alias."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from .._core.ast import And, Condition, Not, Or, Predicate, QueryAST, RelativeTime, SortKey
from .._core.errors import Problem, QueryError, Span
from .._core.types import Op
from .lexer import RawTok, unescape

__all__ = ["Bounds", "Builder", "Val"]


class _Chain:
    """The operands of an ``and`` or ``or`` run read so far, and the run's span."""

    __slots__ = ("items", "kind", "span")

    def __init__(self, kind: type[And] | type[Or], items: list[Condition], span: Span) -> None:
        self.kind = kind
        self.items = items
        self.span = span

    @classmethod
    def extend(
        cls, kind: type[And] | type[Or], left: object, right: Condition, span: Span
    ) -> _Chain:
        if type(left) is _Chain and left.kind is kind:
            left.items.append(right)
            left.span = span
            return left
        return cls(kind, [_done(left), right], span)


def _done(node: object) -> Condition:
    """The condition ``node`` stands for, building a gathered chain's node once."""
    if type(node) is _Chain:
        return node.kind.of(*node.items, span=node.span)
    return node  # type: ignore[return-value]


#: A literal value with its span and kind, before it becomes part of a predicate.
Val = tuple[object, Span, str]


# Builds a named tuple without its Python-level __new__: these run once per token.
_new = tuple.__new__


def _compare(op: Op) -> Callable[[Builder, list[Any], Span], Predicate]:
    """The reduce callback for ``field <op> value``; the value is the last child."""

    def reduce(self: Builder, c: list[Any], s: Span) -> Predicate:
        field: RawTok = c[0]
        val: Val = c[-1]
        return Predicate(op, field[1], val[0], s, _new(Span, field[2:]), (val[1],))  # type: ignore[arg-type]

    reduce.__name__ = reduce.__qualname__ = op.name.lower()
    return reduce


class Bounds(Protocol):
    """The bounds the builder checks as it reduces (``parser.Limits`` has them)."""

    @property
    def max_in(self) -> int: ...

    @property
    def max_string(self) -> int: ...

    @property
    def max_digits(self) -> int: ...


class Builder:
    """Reduce callbacks, looked up by the rule's alias (``eq``, ``in_``, ``query``, ...)."""

    __slots__ = ("clauses", "entity", "limits", "max_in", "max_string", "text")

    def __init__(self, text: str, entity: str, limits: Bounds) -> None:
        self.text = text
        self.entity = entity
        self.limits = limits
        # Read on every value: kept here rather than looked up through limits each time.
        self.max_in = limits.max_in
        self.max_string = limits.max_string
        self.clauses: dict[str, Any] = {}

    def _bound(self, slug: str, what: str, size: int, bound: str, span: Span) -> QueryError:
        limit = getattr(self.limits, bound)
        return QueryError(
            [
                Problem(
                    slug,
                    (),
                    f"This {what} is {size} characters long, over the bound of {limit}; "
                    f"shorten it, or raise the bound with Limits({bound}=...).",
                    size,
                    {bound: limit},
                    span,
                )
            ],
            self.text,
        )

    def _digits(self, tok: RawTok) -> str:
        """The token's text, if its digits are within ``Limits.max_digits``."""
        if len(tok[1]) > self.limits.max_digits:
            raise self._bound(
                "number_too_long", "number", len(tok[1]), "max_digits", Span(tok[2], tok[3])
            )
        return tok[1]

    # Conditions -----------------------------------------------------------
    # A run of "and" (or "or") gathers in a _Chain and becomes one node when something
    # else takes it, so a chain of n terms costs O(n), not O(n^2) re-flattening.
    def or_(self, c: list[Any], s: Span) -> _Chain:
        return _Chain.extend(Or, c[0], _done(c[1]), s)

    def and_(self, c: list[Any], s: Span) -> _Chain:
        return _Chain.extend(And, c[0], _done(c[1]), s)

    def not_(self, c: list[Any], s: Span) -> Condition:
        return Not(_done(c[0]), s)

    def group(self, c: list[Any], s: Span) -> Condition:
        return _done(c[0])

    # field OP value: c[1] is the operator token. One method per operator, each made by
    # _compare (a reduction is one call, not two).
    eq = _compare(Op.EQ)
    neq = _compare(Op.NEQ)
    gt = _compare(Op.GT)
    gte = _compare(Op.GTE)
    lt = _compare(Op.LT)
    lte = _compare(Op.LTE)

    def in_(self, c: list[Any], s: Span) -> Predicate:
        field: RawTok = c[0]
        vals: list[Val] = c[1]
        return Predicate(
            Op.IN,
            field[1],
            tuple([v[0] for v in vals]),
            s,
            _new(Span, field[2:]),
            tuple([v[1] for v in vals]),
        )

    def not_in(self, c: list[Any], s: Span) -> Condition:
        return Not(self.in_(c, s), s)

    # field KEYWORD value: the keyword is filtered out, so the value is c[1].
    like = _compare(Op.LIKE)
    fuzzy = _compare(Op.FUZZY)
    keyword = _compare(Op.KEYWORD)
    array_contains = _compare(Op.ARRAY_CONTAINS)

    def not_like(self, c: list[Any], s: Span) -> Condition:
        return Not(self.like(c, s), s)

    def any_(self, c: list[Any], s: Span) -> Predicate:
        field: RawTok = c[0]
        inner: Any = _done(c[1])
        return Predicate(Op.ANY, field[1], inner, s, Span(field[2], field[3]))

    def is_null(self, c: list[Any], s: Span) -> Predicate:
        field: RawTok = c[0]
        return Predicate(Op.IS_NULL, field[1], None, s, Span(field[2], field[3]))

    def is_not_null(self, c: list[Any], s: Span) -> Condition:
        return Not(self.is_null(c, s), s)

    def between(self, c: list[Any], s: Span) -> Condition:
        field: RawTok = c[0]
        fs = Span(field[2], field[3])
        lo = Predicate(Op.GTE, field[1], c[1][0], s, fs, (c[1][1],))
        hi = Predicate(Op.LTE, field[1], c[2][0], s, fs, (c[2][1],))
        return And((lo, hi), s)

    # Values ---------------------------------------------------------------
    def values(self, c: list[Any], s: Span) -> list[Val]:
        return [c[0]]

    def values_more(self, c: list[Any], s: Span) -> list[Val]:
        vals: list[Val] = c[0]
        vals.append(c[1])
        if len(vals) > self.max_in:
            raise QueryError(
                [
                    Problem(
                        "in_too_large",
                        (),
                        f"This in list has more than {self.limits.max_in} values; split the "
                        f"query, or raise the bound with Limits(max_in=...).",
                        len(vals),
                        {"max_in": self.limits.max_in},
                        c[1][1],
                    )
                ],
                self.text,
            )
        return vals

    def string(self, c: list[Any], s: Span) -> Val:
        text: str = c[0][1]
        if len(text) - 2 > self.max_string:
            raise self._bound("string_too_long", "string", len(text) - 2, "max_string", s)
        return (unescape(text) if "\\" in text else text[1:-1], s, "string")

    def number(self, c: list[Any], s: Span) -> Val:
        text = self._digits(c[0])
        return (float(text) if "." in text else int(text), s, "number")

    def true(self, c: list[Any], s: Span) -> Val:
        return (True, s, "bool")

    def false(self, c: list[Any], s: Span) -> Val:
        return (False, s, "bool")

    def date(self, c: list[Any], s: Span) -> Val:
        tok: RawTok = c[0]
        # Kept as text; validation reads it strictly and reports impossible dates.
        return (tok[1], s, "date")

    def datetime(self, c: list[Any], s: Span) -> Val:
        tok: RawTok = c[0]
        return (tok[1], s, "date")

    def rel(self, c: list[Any], s: Span) -> Val:
        return (RelativeTime(c[0][1].lower()), s, "rel")

    def _rel(self, c: list[Any], s: Span, sign: int) -> Val:
        dur = self._digits(c[2])
        return (RelativeTime(c[0][1].lower(), sign * int(dur[:-1]), dur[-1]), s, "rel")

    def rel_plus(self, c: list[Any], s: Span) -> Val:
        return self._rel(c, s, 1)

    def rel_minus(self, c: list[Any], s: Span) -> Val:
        return self._rel(c, s, -1)

    # Clauses --------------------------------------------------------------
    def _clause(self, name: str, value: object, s: Span) -> None:
        if name in self.clauses:
            from .hints import syntax  # error paths only

            raise syntax(self.text, "duplicate_clause", s, f"'{name}' appears twice; give it once.")
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
        return SortKey(c[0][1], False, s)

    def sort_desc(self, c: list[Any], s: Span) -> SortKey:
        return SortKey(c[0][1], True, s)

    def limit(self, c: list[Any], s: Span) -> None:
        tok: RawTok = c[0]
        span = Span(tok[2], tok[3])
        text = self._digits(tok)
        if "." in text:
            from .hints import syntax

            raise syntax(
                self.text,
                "limit_range",
                span,
                f"The limit must be a whole number from 1 to 1000, got {text}.",
            )
        self._clause("limit", (int(text), span), s)

    def select(self, c: list[Any], s: Span) -> None:
        self._clause("select", tuple(c[0]), s)

    def paths(self, c: list[Any], s: Span) -> list[tuple[tuple[str, ...], Span]]:
        return [c[0]]

    def paths_more(self, c: list[Any], s: Span) -> list[tuple[tuple[str, ...], Span]]:
        paths: list[tuple[tuple[str, ...], Span]] = c[0]
        paths.append(c[1])
        return paths

    def path(self, c: list[Any], s: Span) -> tuple[tuple[str, ...], Span]:
        return ((c[0][1],), s)

    def path_more(self, c: list[Any], s: Span) -> tuple[tuple[str, ...], Span]:
        return ((*c[0][0], c[1][1]), s)

    def cursor(self, c: list[Any], s: Span) -> None:
        self._clause("cursor", c[0][0], s)

    def query(self, c: list[Any], s: Span) -> QueryAST:
        flt = _done(c[0]) if c and c[0] is not None else None  # clauses reduce to None
        cl = self.clauses
        if not cl:
            return QueryAST(self.entity, flt)
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
