"""Compile a validated AST to ``context_store_search`` params, in one of two dialects.

- ``reference`` (the default): the operator set of the connector's API reference,
  ``eq neq gt gte lt lte in like fuzzy keyword not and or``.
- ``2026``: later SDK releases, which drop ``like`` for ``startswith`` / ``endswith`` /
  ``contains``. ``like "Ann%"``, ``"%son"``, ``"%ann%"`` and ``"ann"`` map to
  ``startswith`` / ``endswith`` / ``contains`` / ``eq``; any other pattern is an error.

Each condition object holds one operator and one field. The walk is iterative, so a
5,000-term ``or`` or a deeply nested ``not`` compiles without touching the recursion limit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import attrs

from .._core.ast import And, Condition, Not, Or, Predicate, QueryAST, RelativeTime
from .._core.errors import Loc, Problem, QueryError
from .._core.types import ORDERING_OPS, Op
from .._core.validate import wire_key
from .._core.values import Clock, format_wire, like_segments, midnight, now_utc

__all__ = ["DIALECT_2026", "REFERENCE", "Dialect", "compile_ast", "get_dialect"]


@attrs.frozen
class Dialect:
    """A target for the compiler: which operators exist and how ``fields`` is written.

    ``fields_style`` is ``"paths"`` (``[["id"], ["candidate", "name"]]``, as the SDK
    types it) or ``"dotted"`` (``["id", "candidate.name"]``). Make a variant with
    ``attrs.evolve(REFERENCE, fields_style="dotted")``.
    """

    name: str
    has_like: bool = True
    fields_style: Literal["paths", "dotted"] = "paths"

    def __attrs_post_init__(self) -> None:
        if self.fields_style not in ("paths", "dotted"):
            raise ValueError(
                f"fields_style must be 'paths' or 'dotted', got {self.fields_style!r}."
            )


REFERENCE = Dialect("reference")
DIALECT_2026 = Dialect("2026", has_like=False)
_DIALECTS = {"reference": REFERENCE, "2026": DIALECT_2026}


def get_dialect(dialect: str | Dialect | None) -> Dialect:
    """Return the :class:`Dialect` for ``dialect``: ``"reference"``, ``"2026"`` or one."""
    if dialect is None:
        return REFERENCE
    if isinstance(dialect, Dialect):
        return dialect
    found = _DIALECTS.get(str(dialect).lower())
    if found is None:
        raise QueryError(
            [
                Problem(
                    "unknown_dialect",
                    ("dialect",),
                    f"{dialect!r} is not a dialect; use 'reference' (the default) or '2026'.",
                    dialect,
                )
            ]
        )
    return found


def compile_ast(
    query: QueryAST, dialect: str | Dialect | None = None, now: Clock = None
) -> dict[str, Any]:
    """Return the params object for a validated ``query``."""
    d = get_dialect(dialect)
    inner: dict[str, Any] = {}
    if query.filter is not None:
        inner["filter"] = compile_condition(query.filter, d, now)
    if query.sort:
        inner["sort"] = [{k.field: "desc" if k.descending else "asc"} for k in query.sort]
    params: dict[str, Any] = {"query": inner}
    if query.limit is not None:
        params["limit"] = query.limit
    if query.fields is not None:
        if d.fields_style == "dotted":
            params["fields"] = [".".join(p) for p in query.fields]
        else:
            params["fields"] = [list(p) for p in query.fields]
    if query.cursor is not None:
        params["cursor"] = query.cursor
    return params


def compile_condition(
    root: Condition, dialect: Dialect = REFERENCE, now: Clock = None
) -> dict[str, Any]:
    """Return the JSON filter object for one condition tree."""
    clock = _Clock(now)
    problems: list[Problem] = []
    out: list[dict[str, Any]] = []
    stack: list[tuple[Condition, Loc, bool]] = [(root, ("query", "filter"), False)]
    while stack:
        node, path, done = stack.pop()
        if isinstance(node, Predicate):
            out.append(_leaf(node, dialect, clock, path, problems))
        elif isinstance(node, Not):
            operand = node.operand
            if isinstance(operand, Predicate) and operand.op is Op.IS_NULL:
                out.append({"neq": {operand.field: None}})
            elif done:
                out.append({"not": out.pop()})
            else:
                stack.append((node, path, True))
                stack.append((operand, (*path, "not"), False))
        elif isinstance(node, And | Or):
            key = "and" if isinstance(node, And) else "or"
            n = len(node.operands)
            if done:
                kids = out[-n:]
                del out[-n:]
                out.append({key: kids})
            else:
                stack.append((node, path, True))
                for i in range(n - 1, -1, -1):
                    stack.append((node.operands[i], (*path, key, i), False))
        else:
            raise TypeError(f"{node!r} is not a condition.")
    if problems:
        raise QueryError(problems)
    return out[0]


class _Clock:
    """Reads the caller's clock once, on first need, so one compile sees one instant."""

    __slots__ = ("_now", "_value")

    def __init__(self, now: Clock) -> None:
        self._now = now
        self._value: dt.datetime | None = None

    def __call__(self) -> dt.datetime:
        if self._value is None:
            self._value = now_utc(self._now)
        return self._value


def _wire(value: object) -> object:
    if isinstance(value, dt.date):
        return format_wire(value)
    return value


def _leaf(
    p: Predicate,
    dialect: Dialect,
    clock: _Clock,
    path: Loc,
    problems: list[Problem],
) -> dict[str, Any]:
    op, field, value = p.op, p.field, p.value
    if op is Op.IS_NULL:
        return {"eq": {field: None}}
    if isinstance(value, RelativeTime):
        value = value.resolve(clock())
        if op in ORDERING_OPS and not isinstance(value, dt.datetime):
            value = midnight(value)
    if op in (Op.EQ, Op.NEQ) and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        lo, hi = format_wire(value), format_wire(value + dt.timedelta(days=1))
        if op is Op.EQ:
            return {"and": [{"gte": {field: lo}}, {"lt": {field: hi}}]}
        return {"or": [{"lt": {field: lo}}, {"gte": {field: hi}}]}
    if op is Op.IN:
        assert isinstance(value, tuple)
        return {"in": {field: [_wire(v) for v in value]}}
    if op is Op.LIKE and not dialect.has_like:
        assert isinstance(value, str)
        mapped = like_to_2026(value)
        if mapped is None:
            problems.append(
                Problem(
                    "dialect_unsupported",
                    (*path, "like", field),
                    f"The pattern {value!r} has no exact equivalent in the {dialect.name} "
                    f"dialect, which only has startswith ('Ann%'), endswith ('%son'), "
                    f"contains ('%ann%') and eq ('ann'). Rewrite it in one of those "
                    f"forms, use fuzzy for approximate text, or compile for the "
                    f"reference dialect.",
                    value,
                    span=p.span,
                )
            )
            return {}
        return {mapped[0]: {field: mapped[1]}}
    return {wire_key(op): {field: _wire(value)}}


def like_to_2026(pattern: str) -> tuple[str, str] | None:
    """Return the 2026 operator and value for a like pattern, or ``None`` if none fits."""
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
