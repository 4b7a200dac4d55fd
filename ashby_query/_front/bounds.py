"""Bounds on queries that arrive already built: params JSON and builder conditions.

Text is bounded by the parser as it reads it (:class:`Limits`). A params object or a
builder tree arrives whole, so it is measured here first, with one explicit stack and no
recursion, before any other code walks it. The same :class:`Limits` apply:

- ``max_string`` bounds every string (``max_length`` where a ``Limits`` has no
  ``max_string``), and ``max_length`` the number of values in the whole query (each value
  costs at least one character of text);
- ``max_depth`` bounds the nesting of ``and``, ``or`` and ``not``: text within
  ``max_depth`` levels of parentheses and ``not`` compiles to at most
  ``2 * max_depth + 4`` such levels, so that is the bound here;
- ``max_in`` bounds every ``in`` list;
- a number may have at most ``max_digits`` digits (:data:`MAX_DIGITS` where a
  ``Limits`` has no ``max_digits``).

Paths to the offending part are kept as parent links and spelled out only for the
error, so measuring stays linear in the size of the input whatever its shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.ast import And, Condition, Not, Or, Predicate, QueryAST, RelativeTime
from .._core.errors import Loc, Problem, QueryError
from .._core.values import shown
from .parser import DEFAULT_LIMITS, Limits

__all__ = ["MAX_DIGITS", "check_condition", "check_params", "check_query"]

#: The most digits a number in a query may have, unless ``Limits.max_digits`` says. The
#: only number a query takes is a ``limit`` (at most 1000) or a relative time's offset;
#: Python refuses to print an integer of more than 4,300 digits at all.
MAX_DIGITS = 100

_Link = tuple[Any, str | int] | None


def _loc(link: _Link, base: Loc = ()) -> Loc:
    keys: list[str | int] = []
    while link is not None:
        link, key = link
        keys.append(key)
    return (*base, *reversed(keys))


def _fail(kind: str, link: _Link, msg: str, base: Loc = (), **ctx: object) -> QueryError:
    return QueryError([Problem(kind, _loc(link, base), msg, None, ctx)])


def _key(link: _Link) -> str | int | None:
    return None if link is None else link[1]


def _depth_bound(limits: Limits) -> int:
    return 2 * limits.max_depth + 4


def _scalar(value: object, link: _Link, limits: Limits, base: Loc, what: str) -> None:
    """Check the length of one string or number."""
    if isinstance(value, str) and len(value) > _max_string(limits):
        bound, name = _max_string(limits), _STRING_BOUND
        raise _fail(
            "too_long",
            link,
            f"{what} holds a string of {len(value):,} characters, starting "
            f"{shown(value)}, over the bound of {bound:,}; shorten it, or "
            f"raise the bound with Limits({name}=...).",
            base,
            **{name: bound},
        )
    if isinstance(value, int) and not isinstance(value, bool):
        digits = _max_digits(limits)
        if value.bit_length() > 4 * digits or abs(value) >= 10**digits:  # cheap test first
            raise _fail(
                "too_long",
                link,
                f"{what} holds a number of more than {digits} digits, {shown(value)}; no "
                f"query takes one that large.",
                base,
                max_digits=digits,
            )


# The parser's Limits gained max_string and max_digits; older ones have neither.
_STRING_BOUND = "max_string" if hasattr(DEFAULT_LIMITS, "max_string") else "max_length"


def _max_string(limits: Limits) -> int:
    return int(getattr(limits, _STRING_BOUND))


def _max_digits(limits: Limits) -> int:
    return int(getattr(limits, "max_digits", MAX_DIGITS))


def _too_many(what: str, link: _Link, limits: Limits, base: Loc) -> QueryError:
    return _fail(
        "too_large",
        link,
        f"{what} holds more than {limits.max_length:,} values in all; split the query, "
        f"or raise the bound with Limits(max_length=...).",
        base,
        max_length=limits.max_length,
    )


def _too_deep(what: str, link: _Link, bound: int, limits: Limits, base: Loc) -> QueryError:
    return _fail(
        "too_deep",
        link,
        f"{what} nests more than {bound} levels deep (the most that text within "
        f"max_depth={limits.max_depth} can give); flatten it, or raise the bound with "
        f"Limits(max_depth=...).",
        base,
        max_depth=limits.max_depth,
    )


def _long_list(what: str, n: int, link: _Link, limits: Limits, base: Loc) -> QueryError:
    return _fail(
        "in_too_large",
        link,
        f"{what} holds a list of {n:,} values, over the bound of {limits.max_in:,}; "
        f"split it, or raise the bound with Limits(max_in=...).",
        base,
        max_in=limits.max_in,
    )


_JOINS = frozenset({"and", "or", "not"})


def check_params(params: object, limits: Limits | None = None) -> None:
    """Raise :class:`QueryError` if a params object is larger than ``limits`` allow.

    Walks any nesting of dicts and lists iteratively, so a hostile object (a list
    nested 100,000 deep, a 100,000-deep ``not`` chain) is refused at once.

    >>> check_params({"query": {"filter": {"eq": {"status": "active"}}}})
    >>> deep: dict = {"eq": {"id": "x"}}
    >>> for _ in range(1000):
    ...     deep = {"not": deep}
    >>> check_params({"query": {"filter": deep}})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ashby_query.QueryError: The params object nests more than 132 levels deep ...
    """
    lim = limits or DEFAULT_LIMITS
    what = "The params object"
    cond_bound = _depth_bound(lim)
    raw_bound = 2 * cond_bound + 8
    budget = lim.max_length
    # Each frame: value, link to its parent, container depth, condition depth.
    stack: list[tuple[object, _Link, int, int]] = [(params, None, 0, 0)]
    while stack:
        obj, link, raw, cond = stack.pop()
        if raw > raw_bound or cond > cond_bound:
            raise _too_deep(what, link, cond_bound, lim, ())
        if isinstance(obj, Mapping):
            budget -= len(obj)
            if budget < 0:
                raise _too_many(what, link, lim, ())
            for key, value in obj.items():
                _scalar(key, link, lim, (), what)
                step = 1 if key in _JOINS else 0
                stack.append((value, (link, key), raw + 1, cond + step))
        elif isinstance(obj, list | tuple):
            # A list straight under "in": {"in": {"field": [...]}}.
            if len(obj) > lim.max_in and link is not None and _key(link[0]) == "in":
                raise _long_list(what, len(obj), link, lim, ())
            budget -= len(obj)
            if budget < 0:
                raise _too_many(what, link, lim, ())
            stack.extend((v, (link, i), raw + 1, cond) for i, v in enumerate(obj))
        else:
            _scalar(obj, link, lim, (), what)


def check_condition(
    root: object, limits: Limits | None = None, loc: Loc = ("query", "filter")
) -> None:
    """Raise :class:`QueryError` if a condition tree is larger than ``limits`` allow.

    Also refuses anything in the tree that is not a condition, so later walks meet only
    ``Predicate``, ``Not``, ``And`` and ``Or``.

    >>> from ashby_query import F
    >>> cond = F.name == "x"
    >>> for _ in range(1000):
    ...     cond = ~cond
    >>> check_condition(cond)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ashby_query.QueryError: The condition nests more than 132 levels deep ...
    """
    lim = limits or DEFAULT_LIMITS
    what = "The condition"
    bound = _depth_bound(lim)
    budget = lim.max_length
    stack: list[tuple[object, _Link, int]] = [(root, None, 0)]
    while stack:
        node, link, depth = stack.pop()
        budget -= 1
        if budget < 0:
            raise _too_many(what, link, lim, loc)
        if isinstance(node, Predicate):
            if isinstance(node.value, Condition):  # any: a condition on array elements
                if depth >= bound:
                    raise _too_deep(what, link, bound, lim, loc)
                _scalar(node.field, link, lim, loc, what)
                stack.append((node.value, (link, node.field), depth + 1))
                continue
            _value(node, link, lim, loc, what)
        elif isinstance(node, Not | And | Or):
            if depth >= bound:
                raise _too_deep(what, link, bound, lim, loc)
            if isinstance(node, Not):
                stack.append((node.operand, (link, "not"), depth + 1))
                continue
            key = "and" if isinstance(node, And) else "or"
            ops = node.operands
            if not isinstance(ops, tuple | list) or len(ops) > budget:
                raise _too_many(what, link, lim, loc)
            stack.extend((o, ((link, key), i), depth + 1) for i, o in enumerate(ops))
        else:
            raise _fail(
                "filter_type",
                link,
                f"A filter is built of conditions such as F.status == 'active', joined "
                f"with &, | and ~; it holds {shown(node)}, which is none.",
                loc,
            )


def _value(p: Predicate, link: _Link, lim: Limits, loc: Loc, what: str) -> None:
    _scalar(p.field, link, lim, loc, what)
    value = p.value
    if isinstance(value, RelativeTime):
        value = value.amount
    if isinstance(value, tuple | list | set | frozenset):
        if len(value) > lim.max_in:
            raise _long_list(what, len(value), link, lim, loc)
        for item in value:
            if isinstance(item, RelativeTime):
                item = item.amount
            if isinstance(item, tuple | list | set | frozenset | Mapping):
                raise _fail(
                    "value_type",
                    link,
                    f"{what} holds a list inside a list of values, {shown(item)}; an in "
                    f"list takes plain values such as 'a' or 2024-01-31.",
                    loc,
                )
            _scalar(item, link, lim, loc, what)
    else:
        _scalar(value, link, lim, loc, what)


def check_query(query: QueryAST, limits: Limits | None = None, *, with_filter: bool = True) -> None:
    """Raise :class:`QueryError` if any part of a built query is larger than ``limits`` allow.

    ``with_filter=False`` leaves the filter out, for a filter already checked.
    """
    lim = limits or DEFAULT_LIMITS
    what = "The query"
    if with_filter and query.filter is not None:
        check_condition(query.filter, lim)
    _scalar(query.limit, None, lim, ("limit",), what)
    _scalar(query.cursor, None, lim, ("cursor",), what)
    for i, key in enumerate(query.sort):
        _scalar(key.field, None, lim, ("query", "sort", i), what)
    if query.fields is not None:
        for i, path in enumerate(query.fields):
            if isinstance(path, tuple | list):
                for part in path:
                    _scalar(part, None, lim, ("fields", i), what)
            else:
                _scalar(path, None, lim, ("fields", i), what)
