"""Lowering: the one pass between validation and the back ends that fixes a query's meaning.

A validated query still says things in the user's terms. Lowering rewrites them into
plain comparisons, once, so that no back end interprets them on its own:

- a relative time (``today - 30d``) becomes the instant it stands for, read from one
  clock once per query (a whole day on ``>``/``<`` counts from its midnight UTC);
- ``f = 2024-01-31`` becomes ``f >= 2024-01-31T00:00:00Z and f < 2024-02-01T00:00:00Z``,
  and ``!=`` its complement (or, with ``whole_day=False``, the midnight instant);
- a like pattern keeps its text (it goes on the wire as written); what it means for
  the 2026 operators is decided here once, by :func:`like_operator`.

The lowered tree keeps the shape of the original: a whole-day range is an ``And`` (or
``Or``) of two predicates in the place of the ``=`` it replaces, which is how the
compiler writes it and how :func:`fold_day_range` recognises it again.
"""

from __future__ import annotations

import datetime as dt

import attrs

from .ast import And, Condition, Not, Or, Predicate, QueryAST, RelativeTime, iter_nodes
from .types import ORDERING_OPS, Op
from .values import (
    Clock,
    DateError,
    like_segments,
    looks_like_date,
    midnight,
    now_utc,
    parse_iso,
    to_utc,
)
from .walk import fold

__all__ = [
    "LazyClock",
    "fold_day_range",
    "has_relative",
    "like_operator",
    "lower",
    "lower_condition",
    "lower_predicate",
]


class LazyClock:
    """Reads the caller's clock once, on first need, so one query sees one instant."""

    __slots__ = ("_now", "_value")

    def __init__(self, now: Clock) -> None:
        self._now = now
        self._value: dt.datetime | None = None

    def __call__(self) -> dt.datetime:
        if self._value is None:
            self._value = now_utc(self._now)
        return self._value


def lower(query: QueryAST, now: Clock = None, *, whole_day: bool = True) -> QueryAST:
    """Return ``query`` (validated) with its filter lowered; see the module docstring.

    >>> import datetime as dt
    >>> from ashby_query import parse
    >>> q = parse("createdAt > today - 1d", "applications").ast
    >>> lower(q, dt.datetime(2024, 3, 10, 15, tzinfo=dt.UTC)).filter.value
    datetime.datetime(2024, 3, 9, 0, 0, tzinfo=datetime.timezone.utc)
    """
    if query.filter is None:
        return query
    flt = lower_condition(query.filter, now, whole_day=whole_day)
    return query if flt is query.filter else attrs.evolve(query, filter=flt)


def lower_condition(root: Condition, now: Clock = None, *, whole_day: bool = True) -> Condition:
    """Return the lowered form of one validated condition tree.

    ``now`` may be a :class:`LazyClock` already read, to lower at the same instant.
    """
    clock = now if isinstance(now, LazyClock) else LazyClock(now)

    def leaf(p: Predicate) -> Condition:
        return lower_predicate(p, clock, whole_day)

    def not_(node: Not, operand: Condition) -> Condition:
        return node if operand is node.operand else Not(operand, node.span)

    def join(node: And | Or, kids: list[Condition]) -> Condition:
        if all(a is b for a, b in zip(kids, node.operands, strict=True)):
            return node
        return type(node)(tuple(kids), node.span)  # kept unflattened: the ranges stay whole

    return fold(root, leaf=leaf, not_=not_, and_=join, or_=join)


def has_relative(root: Condition | None, anchor: str | None = None) -> bool:
    """Whether ``root`` holds a relative time (with ``anchor``, one from that anchor), so
    lowering it reads the clock; the conditions inside ``any`` count too. No recursion."""
    todo = [] if root is None else [root]
    while todo:
        for node, _ in iter_nodes(todo.pop()):
            if type(node) is not Predicate:
                continue
            value = node.value
            if node.op is Op.ANY and isinstance(value, Condition):
                todo.append(value)
                continue
            values = value if isinstance(value, tuple) else (value,)
            if any(
                isinstance(v, RelativeTime) and (anchor is None or v.anchor == anchor)
                for v in values
            ):
                return True
    return False


#: Value types that lowering never changes (a date is not among them: it is a day).
PLAIN_TYPES = frozenset({str, bool, int, float, dt.datetime, type(None)})


def lower_predicate(p: Predicate, clock: LazyClock, whole_day: bool = True) -> Condition:
    """Return the lowered form of one predicate: itself, another, or a whole-day range.

    The back ends' walks call it per predicate; :func:`lower_condition` maps a tree.
    """
    op, value = p.op, p.value
    if op is Op.IS_NULL or type(value) in PLAIN_TYPES:
        return p
    if op is Op.ANY and isinstance(value, Condition):
        # The condition on each element, lowered at the same clock reading. (Nested
        # "any" recurses once per level, as deep as Limits.max_depth lets text nest.)
        inner = lower_condition(value, clock, whole_day=whole_day)
        if inner is value:
            return p
        return Predicate(op, p.field, inner, p.span, p.field_span, p.value_spans)
    # A tuple is an in list; set(map(type, ...)) sorts its items out in C.
    if type(value) is tuple and set(map(type, value)) <= PLAIN_TYPES:
        return p
    if isinstance(value, RelativeTime):
        value = _instant_or_day(value.resolve(clock()), op)
    elif (
        op is Op.IN and isinstance(value, tuple) and any(isinstance(v, RelativeTime) for v in value)
    ):
        at = clock()
        value = tuple(
            midnight_of(v.resolve(at)) if isinstance(v, RelativeTime) else v for v in value
        )
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        if op in (Op.EQ, Op.NEQ) and whole_day:
            return _day_range(p, value)
        value = midnight(value)
    if value is p.value or (type(value) is type(p.value) and value == p.value):
        return p
    return Predicate(op, p.field, value, p.span, p.field_span, p.value_spans)


def midnight_of(value: dt.date | dt.datetime) -> dt.datetime:
    """Return ``value`` as an instant: a date is its midnight UTC."""
    return value if isinstance(value, dt.datetime) else midnight(value)


def _instant_or_day(value: dt.date | dt.datetime, op: Op) -> dt.date | dt.datetime:
    return midnight_of(value) if op in ORDERING_OPS else value


def _day_range(p: Predicate, day: dt.date) -> Condition:
    lo, hi = midnight(day), midnight(day + dt.timedelta(days=1))
    f, s = p.field, p.span
    if p.op is Op.EQ:
        return And((Predicate(Op.GTE, f, lo, s), Predicate(Op.LT, f, hi, s)), s)
    return Or((Predicate(Op.LT, f, lo, s), Predicate(Op.GTE, f, hi, s)), s)


def like_operator(pattern: str) -> tuple[str, str] | None:
    """Return the 2026 operator and value for a like pattern, or ``None`` if none fits.

    >>> like_operator("Ann%"), like_operator("%son"), like_operator("%nn%"), like_operator("a%b")
    (('startswith', 'Ann'), ('endswith', 'son'), ('contains', 'nn'), None)
    """
    seg = like_segments(pattern)
    if len(seg) == 1 and seg[0] is not None:
        return "eq", seg[0]
    if len(seg) == 2 and seg[0] is not None and seg[1] is None:
        return "startswith", seg[0]
    if len(seg) == 2 and seg[0] is None and seg[1] is not None:
        return "endswith", seg[1]
    if len(seg) == 3 and seg[0] is None and seg[2] is None and seg[1] is not None:
        return "contains", seg[1]
    return None


def fold_day_range(is_and: bool, a: Condition, b: Condition) -> Predicate | None:
    """Return ``f = D`` (or ``f != D``) if ``a``, ``b`` are the range lowering writes.

    Lowering writes ``f = D`` as ``f >= D and f < D+1`` and ``f != D`` as
    ``f < D or f >= D+1``, bounds at midnight UTC; values may be datetimes or wire text.
    Validation uses this to give such a range its canonical form back.
    """
    if not (isinstance(a, Predicate) and isinstance(b, Predicate) and a.field == b.field):
        return None
    if (a.op, b.op) != ((Op.GTE, Op.LT) if is_and else (Op.LT, Op.GTE)):
        return None
    lo, hi = _instant(a.value), _instant(b.value)
    if lo is None or hi is None:
        return None
    day = lo.date()
    if lo != midnight(day) or hi != midnight(day + dt.timedelta(days=1)):
        return None
    return Predicate(Op.EQ if is_and else Op.NEQ, a.field, day)


def _instant(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return to_utc(value)
    if isinstance(value, str) and len(value) > 10 and looks_like_date(value):
        try:
            parsed = parse_iso(value)
        except DateError:
            return None
        return parsed if isinstance(parsed, dt.datetime) else None
    return None
