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

from .errors import Problem, QueryError, Span
from .types import Op
from .values import shown

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
        try:
            now = now.astimezone(dt.UTC) if now.tzinfo else now.replace(tzinfo=dt.UTC)
            delta = dt.timedelta(**{_UNITS[self.unit]: self.amount})
            if self.anchor == "now":
                value: dt.date = now + delta
            else:
                day = now.date() - dt.timedelta(days=1 if self.anchor == "yesterday" else 0)
                if self.unit in ("d", "w"):
                    value = day + delta
                else:
                    value = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + delta
            day_of = value.date() if isinstance(value, dt.datetime) else value
            inside = _FIRST_DAY < day_of < _LAST_DAY
        except (OverflowError, ValueError):
            inside = False
        if not inside:
            raise QueryError(
                [
                    Problem(
                        "invalid_date",
                        (),
                        f"{self.text()} at {now.isoformat()} falls outside the days a "
                        f"relative time may reach, {_FIRST_DAY + dt.timedelta(days=1)} to "
                        f"{_LAST_DAY - dt.timedelta(days=1)}; use a smaller offset or a "
                        f"clock inside that range.",
                        self.text(),
                    )
                ]
            )
        return value

    def text(self) -> str:
        """How the query text writes this relative time.

        >>> RelativeTime("today", -30, "d").text()
        'today - 30d'
        """
        if not self.amount:
            return self.anchor
        n = abs(self.amount)
        return f"{self.anchor} {'-' if self.amount < 0 else '+'} {shown(n)}{self.unit}"

    def problem(self) -> str | None:
        """Say what is wrong with this relative time, or return ``None`` if nothing is.

        The offset may be at most the span of representable dates (3,652,058 days, or
        that many minutes, hours or weeks' worth): a larger one can never resolve.

        >>> RelativeTime("today", -99_999_999, "d").problem() is not None
        True
        """
        if self.anchor not in ("now", "today", "yesterday"):
            return f"A relative time starts at now, today or yesterday, not {self.anchor!r}."
        if self.unit not in _UNITS:
            return f"A relative time's unit is m, h, d or w, not {self.unit!r}."
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            return f"A relative time's offset is a whole number, not {type(self.amount).__name__}."
        bound = _MAX_OFFSET[self.unit]
        if abs(self.amount) > bound:
            return (
                f"The offset of {self.text()} is too large: at most {bound:,}{self.unit} "
                f"(the span of dates from 0001-01-01 to 9999-12-31) can ever resolve to a "
                f"date."
            )
        return None


_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_SPAN_DAYS = (dt.date.max - dt.date.min).days
_MAX_OFFSET = {"m": _SPAN_DAYS * 1440, "h": _SPAN_DAYS * 24, "d": _SPAN_DAYS, "w": _SPAN_DAYS // 7}
# A relative time keeps a day's margin from both ends, so a whole day (``= today``) and
# a bound at midnight are always representable.
_FIRST_DAY = dt.date.min
_LAST_DAY = dt.date.max

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


# Conditions compare, hash and print with these loops instead of attrs' generated
# methods, which recurse once per level (an ``any`` predicate holds a condition too): a
# tree of any depth is safe to ==, hash() and repr(). The results match what attrs would
# give (spans take no part).


def _tree_eq(self: Condition, other: object) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented  # type: ignore[no-any-return]
    stack: list[tuple[Any, Any]] = [(self, other)]
    while stack:
        x, y = stack.pop()
        if x is y:
            continue
        cls = x.__class__
        if cls is not y.__class__:
            return False
        if cls is Predicate:
            if x.op is not y.op or x.field != y.field:
                return False
            xv, yv = x.value, y.value
            if isinstance(xv, Condition) and isinstance(yv, Condition):
                stack.append((xv, yv))
            elif not (xv is yv or xv == yv):
                return False
        elif cls is Not:
            stack.append((x.operand, y.operand))
        elif cls is And or cls is Or:
            if len(x.operands) != len(y.operands):
                return False
            stack.extend(zip(x.operands, y.operands, strict=True))
        elif x != y:
            return False
    return True


def _tree_hash(self: Condition) -> int:
    hashes: list[int] = []
    stack: list[tuple[Any, bool]] = [(self, False)]
    while stack:
        node, done = stack.pop()
        cls = node.__class__
        if cls is Predicate:
            if done:
                hashes.append(hash((cls.__name__, node.op, node.field, hashes.pop())))
            elif isinstance(node.value, Condition):
                stack.append((node, True))
                stack.append((node.value, False))
            else:
                hashes.append(hash((cls.__name__, node.op, node.field, node.value)))
        elif cls is Not:
            if done:
                hashes.append(hash((cls.__name__, hashes.pop())))
            else:
                stack.append((node, True))
                stack.append((node.operand, False))
        elif cls is And or cls is Or:
            n = len(node.operands)
            if done:
                kids = tuple(hashes[-n:]) if n else ()
                del hashes[len(hashes) - n :]
                hashes.append(hash((cls.__name__, kids)))
            else:
                stack.append((node, True))
                stack.extend((o, False) for o in node.operands)
        else:
            hashes.append(hash(node))
    return hashes[0]


def _tree_repr(self: Condition) -> str:
    parts: list[str] = []
    stack: list[Any] = [self]
    while stack:
        item = stack.pop()
        cls = item.__class__
        if cls is str:
            parts.append(item)
        elif cls is Predicate:
            value = item.value
            head = f"Predicate(op={item.op!r}, field={item.field!r}, value="
            if isinstance(value, Condition):
                parts.append(head)
                stack.append(")")
                stack.append(value)
            else:
                # A value Python cannot print (an integer of more than 4,300 digits) is
                # shown cut to size instead of raising.
                try:
                    shown_value = repr(value)
                except ValueError:
                    shown_value = shown(value)
                parts.append(f"{head}{shown_value})")
        elif cls is Not:
            parts.append("Not(operand=")
            stack.append(")")
            stack.append(item.operand)
        elif cls is And or cls is Or:
            ops = item.operands
            parts.append(f"{cls.__name__}(operands=(")
            stack.append(",))" if len(ops) == 1 else "))")
            for i in range(len(ops) - 1, -1, -1):
                stack.append(ops[i])
                if i:
                    stack.append(", ")
        else:
            parts.append(repr(item))
    return "".join(parts)


@attrs.frozen(eq=False, repr=False)
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

    __eq__ = _tree_eq
    __hash__ = _tree_hash
    __repr__ = _tree_repr


@attrs.frozen(eq=False, repr=False)
class Not(Condition):
    """The negation of one condition."""

    operand: Condition
    span: Span | None = attrs.field(default=None, eq=False, repr=False)

    __eq__ = _tree_eq
    __hash__ = _tree_hash
    __repr__ = _tree_repr


@attrs.frozen(eq=False, repr=False)
class And(Condition):
    """All of two or more conditions. Build with :meth:`of` to keep it flat."""

    operands: tuple[Condition, ...]
    span: Span | None = attrs.field(default=None, eq=False, repr=False)

    __eq__ = _tree_eq
    __hash__ = _tree_hash
    __repr__ = _tree_repr

    @classmethod
    def of(cls, *operands: Condition, span: Span | None = None) -> Condition:
        """Return the flat AND of ``operands``; one operand is returned as it is."""
        return _flat(cls, operands, span)


@attrs.frozen(eq=False, repr=False)
class Or(Condition):
    """Any of two or more conditions. Build with :meth:`of` to keep it flat."""

    operands: tuple[Condition, ...]
    span: Span | None = attrs.field(default=None, eq=False, repr=False)

    __eq__ = _tree_eq
    __hash__ = _tree_hash
    __repr__ = _tree_repr

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


def iter_tree(root: Condition) -> Iterable[Condition]:
    """Yield every node under ``root``, depth first, without recursion or paths.

    Linear in the size of the tree whatever its depth (a path per node is not).
    """
    stack: list[Condition] = [root]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Not):
            stack.append(node.operand)
        elif isinstance(node, And | Or):
            stack.extend(reversed(node.operands))
