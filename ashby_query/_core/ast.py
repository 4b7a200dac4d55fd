"""The one query AST that every front end builds and every back end reads.

Nodes are frozen attrs value objects. Source spans ride along for error messages but take
no part in equality, so a query typed as text equals the same query built in Python.
``And`` and ``Or`` are n-ary and kept flat: an ``And`` never holds an ``And``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import Any, TypeAlias

import attrs

from .errors import Span
from .types import Op

__all__ = [
    "Anchor",
    "And",
    "Condition",
    "Not",
    "Or",
    "Predicate",
    "QueryAST",
    "RelativeTime",
    "SortKey",
    "Unit",
    "Value",
]

_BOOL_MESSAGE = (
    "A condition has no truth value, so Python's 'and', 'or', 'not' and chained "
    "comparisons such as '1 < F.x < 3' cannot combine conditions. Use & for and, | for "
    "or and ~ for not, with parentheses: (F.status == 'active') & (F.name.like('A%')), "
    "or the functions and_(), or_() and not_()."
)


class Anchor(enum.StrEnum):
    """What a :class:`RelativeTime` counts from."""

    NOW = "now"
    TODAY = "today"
    YESTERDAY = "yesterday"

    def __repr__(self) -> str:
        return repr(self.value)


class Unit(enum.StrEnum):
    """The unit of a :class:`RelativeTime` offset: minutes, hours, days, weeks."""

    MINUTES = "m"
    HOURS = "h"
    DAYS = "d"
    WEEKS = "w"

    def __repr__(self) -> str:
        return repr(self.value)


def _member(kind: type[Any], what: str, value: object) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in kind)
        raise ValueError(
            f"A relative time's {what} must be one of {allowed}, got {value!r}."
        ) from None


def _anchor(value: object) -> Anchor:
    return _member(Anchor, "anchor", value)  # type: ignore[no-any-return]


def _unit(value: object) -> Unit:
    return _member(Unit, "unit", value)  # type: ignore[no-any-return]


@attrs.frozen
class RelativeTime:
    """A time relative to the clock: ``now``, ``today`` or ``yesterday``, plus an offset.

    ``amount`` is signed; ``unit`` is ``m`` (minutes), ``h``, ``d`` or ``w``. It is
    resolved when the query is compiled or evaluated, against a clock the caller can pass.
    ``anchor`` and ``unit`` take the strings or :class:`Anchor` / :class:`Unit` members.
    """

    anchor: Anchor = attrs.field(converter=_anchor)
    amount: int = 0
    unit: Unit = attrs.field(default=Unit.DAYS, converter=_unit)

    def resolve(self, now: dt.datetime) -> dt.date | dt.datetime:
        """Return the date or UTC datetime this stands for at ``now``.

        ``today`` and ``yesterday`` give dates (whole days) unless the offset is in
        minutes or hours.

        >>> import datetime as dt
        >>> now = dt.datetime(2024, 3, 10, 15, 0, tzinfo=dt.timezone.utc)
        >>> RelativeTime("today", -30, "d").resolve(now)
        datetime.date(2024, 2, 9)
        >>> RelativeTime("now", -2, "h").resolve(now)
        datetime.datetime(2024, 3, 10, 13, 0, tzinfo=datetime.timezone.utc)
        """
        now = now.astimezone(dt.UTC) if now.tzinfo else now.replace(tzinfo=dt.UTC)
        delta = dt.timedelta(**{_UNITS[self.unit]: self.amount})
        if self.anchor == "now":
            return now + delta
        day = now.date() - dt.timedelta(days=1 if self.anchor == "yesterday" else 0)
        if self.unit in ("d", "w"):
            return day + delta
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + delta


_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

Value: TypeAlias = (
    str | bool | int | float | dt.date | dt.datetime | RelativeTime | tuple[object, ...] | None
)


class Condition:
    """Base of every filter node: combine with ``&``, ``|`` and ``~``."""

    __slots__ = ()

    def __and__(self, other: Condition) -> Condition:
        if not isinstance(other, Condition):
            return NotImplemented
        return And.of(self, other)

    def __or__(self, other: Condition) -> Condition:
        if not isinstance(other, Condition):
            return NotImplemented
        return Or.of(self, other)

    def __invert__(self) -> Condition:
        return Not(self)

    def __bool__(self) -> bool:
        raise TypeError(_BOOL_MESSAGE)


@attrs.frozen
class Predicate(Condition):
    """One operator applied to one field: ``status = "active"``, ``id in (...)``.

    ``value`` is a tuple for ``Op.IN`` and ``None`` for ``Op.IS_NULL``.
    """

    op: Op
    field: str
    value: Value = None
    span: Span | None = attrs.field(default=None, eq=False, repr=False)
    field_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    value_spans: tuple[Span, ...] = attrs.field(default=(), eq=False, repr=False)


@attrs.frozen
class Not(Condition):
    """The negation of one condition."""

    operand: Condition
    span: Span | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class And(Condition):
    """All of two or more conditions. Build with :meth:`of` to keep it flat."""

    operands: tuple[Condition, ...]
    span: Span | None = attrs.field(default=None, eq=False, repr=False)

    @classmethod
    def of(cls, *operands: Condition, span: Span | None = None) -> Condition:
        """Return the flat AND of ``operands``; one operand is returned as it is."""
        return _flat(cls, operands, span)


@attrs.frozen
class Or(Condition):
    """Any of two or more conditions. Build with :meth:`of` to keep it flat."""

    operands: tuple[Condition, ...]
    span: Span | None = attrs.field(default=None, eq=False, repr=False)

    @classmethod
    def of(cls, *operands: Condition, span: Span | None = None) -> Condition:
        """Return the flat OR of ``operands``; one operand is returned as it is."""
        return _flat(cls, operands, span)


def _flat(cls: type[And] | type[Or], operands: Iterable[Condition], span: Span | None) -> Condition:
    flat: list[Condition] = []
    for op in operands:
        if type(op) is cls:
            flat.extend(op.operands)
        else:
            flat.append(op)
    if len(flat) == 1:
        return flat[0]
    if not flat:
        raise ValueError(f"{cls.__name__} needs at least one condition.")
    return cls(tuple(flat), span)


@attrs.frozen
class SortKey:
    """One sort key: a field and a direction."""

    field: str
    descending: bool = False
    span: Span | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class QueryAST:
    """A whole query: entity, optional filter, sort keys, limit, field selection, cursor.

    ``fields`` holds paths (``("candidate", "name")``); ``None`` means all fields.
    """

    entity: str
    filter: Condition | None = None
    sort: tuple[SortKey, ...] = ()
    limit: int | None = None
    fields: tuple[tuple[str, ...], ...] | None = None
    cursor: str | None = None
    limit_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    field_spans: tuple[Span, ...] = attrs.field(default=(), eq=False, repr=False)


def iter_nodes(root: Condition) -> Iterable[tuple[Condition, tuple[str | int, ...]]]:
    """Yield every node under ``root`` with its wire path, depth first, without recursion.

    The path mirrors the compiled JSON: ``("and", 1, "not")``.
    """
    stack: list[tuple[Condition, tuple[str | int, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        yield node, path
        if isinstance(node, Not):
            stack.append((node.operand, (*path, "not")))
        elif isinstance(node, And | Or):
            key = "and" if isinstance(node, And) else "or"
            for i in range(len(node.operands) - 1, -1, -1):
                stack.append((node.operands[i], (*path, key, i)))
