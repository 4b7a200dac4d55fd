"""The in-memory engine: run a query over records you already hold.

A query is compiled once into a predicate (nested closures), then applied per record.
One meaning per operator, documented in ``docs/engine.md``:

- A field that is missing or ``null`` matches no comparison, ``in``, ``like``, ``fuzzy``
  or ``keyword`` (``!=`` included): test it with ``is null``. ``not`` is the plain
  complement, so ``not status = "a"`` does match a null status.
- Strings compare exactly, case-sensitively, by code point. ``like`` is case-sensitive
  too, as in SQL: ``%`` matches any run of characters, ``\\%`` a literal percent, ``_``
  is itself. (So ``like "ann"`` and ``= "ann"`` agree, which the 2026 dialect relies on.)
- ``fuzzy``: every word of the text is the start of some word of the field, in any order,
  ignoring case and punctuation. ``keyword``: at least one word of the text is a word of
  the field, ignoring case.
- Timestamps are parsed, so ``2024-01-01T10:00:00+02:00`` equals ``2024-01-01T08:00:00Z``;
  a value that is not an ISO 8601 timestamp matches nothing.
- A value of the wrong type (a number where text is expected) matches nothing.
- Sorting puts missing and null values last, whatever the direction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .._core.ast import And, Condition, Not, Or, Predicate, QueryAST, RelativeTime
from .._core.types import FieldType, Op
from .._core.values import UTC, Clock, like_matcher, like_segments, midnight, now_utc, to_utc

__all__ = ["compile_predicate", "evaluate_ast", "project"]

Record = Mapping[str, Any]
Pred = Callable[[Record], bool]

_DEEP = 200


def parse_timestamp(value: object) -> dt.datetime | None:
    """Read a record's timestamp; ``None`` if it is not one."""
    if isinstance(value, dt.datetime):
        try:
            return to_utc(value)
        except OverflowError:  # an aware time past either end of what UTC can hold
            return None
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed


def like_regex(pattern: str) -> re.Pattern[str]:
    """The regular expression a like pattern stands for (case-sensitive, whole value)."""
    parts = [".*" if seg is None else re.escape(seg) for seg in like_segments(pattern)]
    return re.compile("".join(parts), re.DOTALL)


_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _leaf(p: Predicate, now: dt.datetime) -> Pred:
    f, op, v = p.field, p.op, p.value
    if op is Op.IS_NULL:
        return lambda r: r.get(f) is None
    if isinstance(v, RelativeTime):
        v = v.resolve(now)
        if op in (Op.GT, Op.GTE, Op.LT, Op.LTE) and not isinstance(v, dt.datetime):
            v = midnight(v)
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        # = or != a date: the whole day, as the compiler writes it.
        lo, hi = midnight(v), midnight(v + dt.timedelta(days=1))
        if op is Op.EQ:

            def day(r: Record) -> bool:
                t = parse_timestamp(r.get(f))
                return t is not None and lo <= t < hi

            return day

        def not_day(r: Record) -> bool:
            t = parse_timestamp(r.get(f))
            return t is not None and (t < lo or t >= hi)

        return not_day
    if isinstance(v, dt.datetime):
        return _timestamp_leaf(f, op, v)
    if op is Op.IN:
        assert isinstance(v, tuple)
        if v and all(isinstance(x, dt.datetime) for x in v):
            instants = frozenset(v)

            def in_time(r: Record) -> bool:
                t = parse_timestamp(r.get(f))
                return t is not None and t in instants

            return in_time
        if all(isinstance(x, bool) for x in v):
            flags = tuple(v)
            return lambda r: any(r.get(f) is x for x in flags)
        members = frozenset(x for x in v if isinstance(x, str))
        return lambda r: type(r.get(f)) is str and r.get(f) in members
    if op is Op.LIKE:
        assert isinstance(v, str)
        like = like_matcher(v)  # linear time: no backtracking regex
        return lambda r: type(r.get(f)) is str and like(r[f])
    if op is Op.FUZZY:
        assert isinstance(v, str)
        wanted = _words(v)

        def fuzzy(r: Record) -> bool:
            value = r.get(f)
            if type(value) is not str:
                return False
            have = _words(value)
            return all(any(h.startswith(w) for h in have) for w in wanted)

        return fuzzy
    if op is Op.KEYWORD:
        assert isinstance(v, str)
        wanted_set = frozenset(_words(v))

        def keyword(r: Record) -> bool:
            value = r.get(f)
            return type(value) is str and not wanted_set.isdisjoint(_words(value))

        return keyword
    if isinstance(v, bool):
        if op is Op.EQ:
            return lambda r: r.get(f) is v
        return lambda r: isinstance(r.get(f), bool) and r.get(f) is not v
    return _string_leaf(f, op, v)


def _string_leaf(f: str, op: Op, v: object) -> Pred:
    if op is Op.EQ:
        return lambda r: r.get(f) == v and type(r.get(f)) is str
    if op is Op.NEQ:
        return lambda r: type(r.get(f)) is str and r[f] != v
    if op is Op.GT:
        return lambda r: type(r.get(f)) is str and r[f] > v
    if op is Op.GTE:
        return lambda r: type(r.get(f)) is str and r[f] >= v
    if op is Op.LT:
        return lambda r: type(r.get(f)) is str and r[f] < v
    return lambda r: type(r.get(f)) is str and r[f] <= v


_CMP: dict[Op, Callable[[dt.datetime, dt.datetime], bool]] = {
    Op.EQ: lambda a, b: a == b,
    Op.NEQ: lambda a, b: a != b,
    Op.GT: lambda a, b: a > b,
    Op.GTE: lambda a, b: a >= b,
    Op.LT: lambda a, b: a < b,
    Op.LTE: lambda a, b: a <= b,
}


def _timestamp_leaf(f: str, op: Op, v: dt.datetime) -> Pred:
    v = to_utc(v)
    if op is Op.GT:

        def gt(r: Record) -> bool:
            t = parse_timestamp(r.get(f))
            return t is not None and t > v

        return gt
    if op is Op.LT:

        def lt(r: Record) -> bool:
            t = parse_timestamp(r.get(f))
            return t is not None and t < v

        return lt
    cmp = _CMP[op]

    def compare(r: Record) -> bool:
        t = parse_timestamp(r.get(f))
        return t is not None and cmp(t, v)

    return compare


def _all(preds: Sequence[Pred]) -> Pred:
    if len(preds) == 2:
        a, b = preds
        return lambda r: a(r) and b(r)
    if len(preds) == 3:
        a, b, c = preds
        return lambda r: a(r) and b(r) and c(r)

    def every(r: Record) -> bool:
        for p in preds:  # noqa: SIM110 - a plain loop is faster than all() on a generator
            if not p(r):
                return False
        return True

    return every


def _any(preds: Sequence[Pred]) -> Pred:
    if len(preds) == 2:
        a, b = preds
        return lambda r: a(r) or b(r)

    def some(r: Record) -> bool:
        for p in preds:  # noqa: SIM110 - a plain loop is faster than any() on a generator
            if p(r):
                return True
        return False

    return some


def compile_predicate(root: Condition | None, now: Clock = None) -> Pred:
    """Return a function ``record -> bool`` for a validated condition tree.

    Built bottom-up without recursion. Trees deeper than a couple of hundred levels get
    an iterative evaluator instead of nested closures, so no depth meets the recursion
    limit when records are tested.
    """
    if root is None:
        return lambda r: True
    at = now_utc(now)
    if depth(root) > _DEEP:
        return _iterative(root, at)
    out: list[Pred] = []
    stack: list[tuple[Condition, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if isinstance(node, Predicate):
            out.append(_leaf(node, at))
        elif isinstance(node, Not):
            if done:
                inner = out.pop()
                out.append(lambda r, inner=inner: not inner(r))  # type: ignore[misc]
            else:
                stack.append((node, True))
                stack.append((node.operand, False))
        elif isinstance(node, And | Or):
            n = len(node.operands)
            if done:
                kids = out[-n:]
                del out[-n:]
                out.append(_all(kids) if isinstance(node, And) else _any(kids))
            else:
                stack.append((node, True))
                stack.extend((o, False) for o in reversed(node.operands))
    return out[0]


def depth(root: Condition) -> int:
    """How many levels deep a condition tree is (a lone predicate is 1)."""
    deepest = 0
    stack = [(root, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if isinstance(node, Not):
            stack.append((node.operand, d + 1))
        elif isinstance(node, And | Or):
            stack.extend((o, d + 1) for o in node.operands)
    return deepest


def _iterative(root: Condition, at: dt.datetime) -> Pred:
    leaves: dict[int, Pred] = {}
    stack: list[Condition] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Predicate):
            leaves[id(node)] = _leaf(node, at)
        elif isinstance(node, Not):
            stack.append(node.operand)
        elif isinstance(node, And | Or):
            stack.extend(node.operands)

    def run(r: Record) -> bool:
        results: list[bool] = []
        work: list[tuple[Condition, bool]] = [(root, False)]
        while work:
            node, done = work.pop()
            if isinstance(node, Predicate):
                results.append(leaves[id(node)](r))
            elif isinstance(node, Not):
                if done:
                    results.append(not results.pop())
                else:
                    work.append((node, True))
                    work.append((node.operand, False))
            elif isinstance(node, And | Or):
                n = len(node.operands)
                if done:
                    kids = results[-n:]
                    del results[-n:]
                    results.append(all(kids) if isinstance(node, And) else any(kids))
                else:
                    work.append((node, True))
                    work.extend((o, False) for o in reversed(node.operands))
        return results[0]

    return run


def _sort_value(field: str, ftype: FieldType) -> Callable[[Record], Any]:
    """The sort value of a record's field, or ``None`` when missing, null or mistyped."""
    if ftype is FieldType.TIMESTAMP:
        return lambda r: parse_timestamp(r.get(field))
    kind = bool if ftype is FieldType.BOOLEAN else str
    return lambda r: r.get(field) if type(r.get(field)) is kind else None


def evaluate_ast(
    query: QueryAST,
    records: Iterable[Record],
    types: Mapping[str, FieldType],
    now: Clock = None,
) -> list[Record]:
    """Filter, then sort, then limit, then project ``records`` by a validated query.

    ``types`` gives each searchable field's type, for sorting.
    """
    pred = compile_predicate(query.filter, now)
    out = [r for r in records if pred(r)]
    for key in reversed(query.sort):
        value = _sort_value(key.field, types.get(key.field, FieldType.STRING))
        keyed = [(value(r), r) for r in out]
        present = [(v, r) for v, r in keyed if v is not None]
        present.sort(key=lambda vr: vr[0], reverse=key.descending)
        out = [r for _, r in present] + [r for v, r in keyed if v is None]
    if query.limit is not None:
        out = out[: query.limit]
    if query.fields is not None:
        out = [project(r, query.fields) for r in out]
    return out


def project(record: Record, paths: Sequence[tuple[str, ...]]) -> dict[str, Any]:
    """Keep only ``paths`` of ``record`` (``("candidate", "name")`` keeps that leaf)."""
    out: dict[str, Any] = {}
    for path in paths:
        src: Any = record
        for key in path:
            if not isinstance(src, Mapping) or key not in src:
                break
            src = src[key]
        else:
            dst = out
            for key in path[:-1]:
                dst = dst.setdefault(key, {})
            dst[path[-1]] = src
    return out
