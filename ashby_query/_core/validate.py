"""Check a query against its entity's schema; resolve and normalise it on the way.

Validation collects every problem and raises one :class:`QueryError`. On success it
returns the canonical AST: field names in their wire spelling, timestamps as UTC
``datetime`` (a date-only bound on ``>``/``>=``/``<``/``<=`` becomes midnight UTC; on
``=``/``!=`` it stays a ``date`` and means the whole day), ``= null`` as ``is null``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from functools import partial
from typing import Any

import attrs

from .ast import And, Condition, Not, Or, Predicate, QueryAST, RelativeTime, SortKey, iter_nodes
from .errors import Edit, Loc, Problem, QueryError, Span
from .lower import fold_day_range
from .schema import ENTITIES, Entity, get_entity, search_types
from .types import (
    ARRAY_OPS,
    COMPARISON_OPS,
    MAX_LIMIT,
    ORDERING_OPS,
    TEXT_OPS,
    FieldType,
    Op,
    op_word,
    wire_key,
)
from .values import (
    UTC,
    DateError,
    looks_like_date,
    midnight,
    parse_iso,
    range_problem,
    shown,
    to_utc,
)
from .walk import all_predicates

__all__ = ["MAX_LIMIT", "op_word", "rebuild", "validate", "wire_key"]

#: How many ``any`` conditions may nest inside one another.
MAX_ANY_DEPTH = 4

_ALLOWED_OPS = {t: t.operators for t in FieldType}

#: True while the Python builder validates: fixes are then shown as builder code
#: (``F.isListed == True``), not as query text (``isListed = true``).
BUILDER_HINTS: ContextVar[bool] = ContextVar("BUILDER_HINTS", default=False)


def _fix(text: str, code: str) -> str:
    """The fix written as query text, or as builder code when the builder validates."""
    return code if BUILDER_HINTS.get() else text


def validate(query: QueryAST, text: str | None = None, *, entity: Entity | None = None) -> QueryAST:
    """Return ``query`` resolved and normalised, or raise :class:`QueryError`.

    ``text`` is the query text the AST was parsed from, for carets in messages.
    ``entity`` checks against that schema (one you built, say) instead of the built-in
    entity that ``query.entity`` names.
    """
    entity = get_entity(query.entity if entity is None else entity)
    problems: list[Problem] = []
    flt = query.filter
    if flt is not None:
        if not isinstance(flt, Condition):
            problems.append(
                Problem(
                    "filter_type",
                    ("query", "filter"),
                    f"The filter must be a condition such as F.status == 'active', "
                    f"got {shown(flt)}.",
                    flt,
                )
            )
            flt = None
        else:
            flt = rebuild(
                flt,
                lambda p, loc: _check_predicate(entity, p, loc, problems),
                quick=_quick_for(entity),
            )
    sort = query.sort
    if sort:
        sort = tuple(_check_sort(entity, i, key, problems) for i, key in enumerate(sort))
    if query.limit is not None:
        _check_limit(query, problems)
    fields = None if query.fields is None else _check_fields(entity, query, problems)
    if query.cursor is not None and (not isinstance(query.cursor, str) or not query.cursor):
        problems.append(
            Problem(
                "cursor_type",
                ("cursor",),
                f"The cursor must be the non-empty string a previous page returned in "
                f"meta.cursor, got {shown(query.cursor)}.",
                query.cursor,
            )
        )
    if problems:
        raise QueryError(problems, text)
    if (
        entity.name == query.entity
        and flt is query.filter
        and fields is query.fields
        and (sort is query.sort or all(a is b for a, b in zip(sort, query.sort, strict=True)))
    ):
        return query  # already canonical
    return QueryAST(
        entity.name,
        flt,
        sort,
        query.limit,
        fields,
        query.cursor,
        query.limit_span,
        query.field_spans,
    )


def rebuild(
    root: Condition,
    leaf: Callable[[Predicate, Loc], Condition],
    loc: Loc = ("query", "filter"),
    *,
    quick: Callable[[Predicate], Condition | None] | None = None,
) -> Condition:
    """Rebuild the tree under ``root`` bottom-up, mapping each predicate through ``leaf``.

    ``leaf`` gets each predicate with its path (``("query", "filter", "and", 1, "eq",
    "status")``). ``And`` and ``Or`` nodes are re-flattened and a whole-day range is
    folded back into ``= date``; a tree ``leaf`` leaves alone comes back as it was.
    ``quick``, when given, is asked first: what it returns stands for ``leaf``'s result,
    and ``None`` sends the predicate on to ``leaf``. It spares the common predicate the
    work of a path, which only a problem needs.
    """
    kind = type(root)
    if kind is Predicate:
        return _one(root, leaf, quick, None, loc)  # type: ignore[arg-type]
    if (kind is And or kind is Or) and all_predicates(root.operands):  # type: ignore[attr-defined]
        return _flat_node(root, leaf, quick, None, loc)  # type: ignore[arg-type]
    # Each frame: node, its parent's path, the keys that lead from there to the node, and
    # whether its children are rebuilt. Paths are parent links (LazyLoc), spelled out only
    # when read, so a deep tree costs no more per node than a shallow one (fold_paths'
    # tuple paths grow with the depth); a predicate that ``quick`` answers makes none. A
    # node whose operands are all predicates is rebuilt in one step, without frames.
    out: list[Condition] = []
    stack: list[tuple[Any, Any, Any, bool]] = [(root, None, loc, False)]
    pop, push = stack.pop, stack.append
    while stack:
        node, parent, keys, done = pop()
        kind = type(node)
        if kind is Predicate:
            out.append(_one(node, leaf, quick, parent, keys))
        elif kind is Not:
            if done:
                operand = out.pop()
            elif type(node.operand) is Predicate:
                operand = _one(node.operand, leaf, quick, parent, (*keys, "not"))
            else:
                push((node, None, None, True))
                push((node.operand, LazyLoc(parent, keys), ("not",), False))
                continue
            out.append(node if operand is node.operand else Not(operand, node.span))
        elif kind is And or kind is Or:
            ops = node.operands
            n = len(ops)
            if done:
                kids = out[-n:]
                del out[-n:]
                if all(k is o for k, o in zip(kids, ops, strict=True)):
                    out.append(_fold_day(node))
                else:
                    out.append(_fold_day(kind.of(*kids, span=node.span)))
            elif all_predicates(ops):
                out.append(_flat_node(node, leaf, quick, parent, keys))
            else:
                key = "and" if kind is And else "or"
                here = LazyLoc(parent, keys)
                push((node, None, None, True))
                for i in range(n - 1, -1, -1):
                    push((ops[i], here, (key, i), False))
        else:
            raise TypeError(f"{shown(node)} is not a condition.")
    return out[0]


_Quick = Callable[[Predicate], Condition | None] | None


def _one(
    p: Predicate,
    leaf: Callable[[Predicate, Loc], Condition],
    quick: _Quick,
    parent: LazyLoc | None,
    keys: Loc,
) -> Condition:
    """Rebuild one predicate; its path is ``keys`` under ``parent`` (a plain tuple at the top)."""
    new = None if quick is None else quick(p)
    if new is None:
        keys = (*keys, wire_key(p.op), p.field)
        new = leaf(p, keys if parent is None else LazyLoc(parent, keys))  # type: ignore[arg-type]
    return new


def _flat_node(
    node: And | Or,
    leaf: Callable[[Predicate, Loc], Condition],
    quick: _Quick,
    parent: LazyLoc | None,
    keys: Loc,
) -> Condition:
    """Rebuild an ``And`` or ``Or`` of predicates in one step: the common shape."""
    kind = type(node)
    key = "and" if kind is And else "or"
    ops: tuple[Predicate, ...] = node.operands  # type: ignore[assignment]
    kids = []
    changed = False
    flat = True  # no kid is an And or Or: nothing to flatten
    for i, o in enumerate(ops):
        new = None if quick is None else quick(o)
        if new is None:
            path = (*keys, key, i, wire_key(o.op), o.field)
            new = leaf(o, path if parent is None else LazyLoc(parent, path))  # type: ignore[arg-type]
            flat = flat and type(new) is not And and type(new) is not Or
        changed = changed or new is not o
        kids.append(new)
    if not changed:
        return _fold_day(node)
    if flat and len(kids) > 1:  # what kind.of would build, without its loop
        return _fold_day(kind(tuple(kids), node.span))
    return _fold_day(kind.of(*kids, span=node.span))


class LazyLoc:
    """A path kept as a link to its parent's: O(1) to extend, spelled out when read."""

    __slots__ = ("_flat", "_keys", "_parent")

    def __init__(self, parent: LazyLoc | None, keys: Loc) -> None:
        self._parent = parent
        self._keys = keys
        self._flat: Loc | None = None

    def child(self, *keys: str | int) -> LazyLoc:
        """This path extended by ``keys``."""
        return LazyLoc(self, keys)

    def with_last(self, key: str | int) -> LazyLoc:
        """The same path with its last key replaced by ``key``."""
        return LazyLoc(self._parent, (*self._keys[:-1], key))

    def flat(self) -> Loc:
        """The path as a plain tuple."""
        if self._flat is None:
            chunks: list[Loc] = []
            link: LazyLoc | None = self
            while link is not None:
                chunks.append(link._keys)
                link = link._parent
            self._flat = tuple(k for chunk in reversed(chunks) for k in chunk)
        return self._flat

    def __iter__(self) -> Iterator[str | int]:
        return iter(self.flat())

    def __len__(self) -> int:
        return len(self.flat())

    def __getitem__(self, index: Any) -> Any:
        return self.flat()[index]


def _child(loc: Loc, key: str | int) -> Loc:
    return loc.child(key) if isinstance(loc, LazyLoc) else (*loc, key)


def _fold_day(node: Condition) -> Condition:
    """Turn ``f >= D and f < D+1`` (midnights) into ``f = D``, its canonical form."""
    kind = type(node)
    if (kind is And or kind is Or) and len(node.operands) == 2:  # type: ignore[attr-defined]
        a, b = node.operands  # type: ignore[attr-defined]
        # Only two predicates on one field can be such a range: most nodes stop here.
        if type(a) is Predicate and type(b) is Predicate and a.field == b.field:
            folded = fold_day_range(kind is And, a, b)
            if folded is not None:
                return attrs.evolve(folded, span=node.span)  # type: ignore[attr-defined]
    return node


def _problem(
    kind: str,
    loc: Loc,
    msg: str,
    value: object,
    span: Span | None,
    fix: tuple[Edit, ...] = (),
    **ctx: object,
) -> Problem:
    return Problem(kind, tuple(loc), msg, value, ctx, span, fix=fix)


#: The operators whose value a string field takes as it is when it is a ``str``.
_STRING_AS_IS = COMPARISON_OPS | TEXT_OPS
_STRING, _TIMESTAMP, _BOOLEAN = FieldType.STRING, FieldType.TIMESTAMP, FieldType.BOOLEAN
_LAST_DAY = dt.date.max


def _quick_for(entity: Entity) -> Callable[[Predicate], Predicate | None]:
    """:func:`_quick` over ``entity``'s field types (made once for each built-in entity)."""
    found = _QUICK.get(entity.name)
    if found is not None and found[0] is entity:
        return found[1]
    return partial(_quick, search_types(entity))


def _quick(types: Mapping[str, FieldType], p: Predicate) -> Predicate | None:
    """What :func:`_check_predicate` returns for the common shapes, or ``None``.

    The shapes: a field under its wire name with a ``str`` on a string field (``in`` a
    tuple of them too), a date or datetime text or a UTC ``datetime`` compared with a
    timestamp field, a ``bool`` compared with a boolean field. Such a predicate has no
    problem to report, so it needs no path. Everything else (other spellings, other
    values, every error) returns ``None`` and takes the general path; the property test
    in ``tests/test_validate.py`` holds the two to the same results.
    """
    field = p.field
    ftype = types.get(field) if type(field) is str else None
    if ftype is None:
        return None
    op, value = p.op, p.value
    kind = type(value)
    if ftype is _STRING:
        if kind is str:
            return p if op in _STRING_AS_IS else None
        if kind is tuple and op is Op.IN and value and all(type(v) is str for v in value):  # type: ignore[union-attr]
            return p
        return None
    if ftype is _TIMESTAMP:
        if op not in COMPARISON_OPS:
            return None
        if kind is str:
            try:
                parsed = parse_iso(value)  # type: ignore[arg-type]
            except DateError:
                return None
            if type(parsed) is dt.date:
                if op in ORDERING_OPS:
                    parsed = midnight(parsed)
                elif parsed == _LAST_DAY:  # a whole day without a next midnight
                    return None
            return Predicate(op, field, parsed, p.span, p.field_span, p.value_spans)
        if kind is dt.datetime and value.tzinfo is UTC:  # type: ignore[union-attr]
            return p
        return None
    if ftype is _BOOLEAN and kind is bool and (op is Op.EQ or op is Op.NEQ):
        return p
    return None


_QUICK = {e.name: (e, partial(_quick, search_types(e))) for e in ENTITIES.values()}


def _check_predicate(entity: Entity, p: Predicate, loc: Loc, problems: list[Problem]) -> Condition:
    wire = entity.resolve(p.field) if isinstance(p.field, str) else None
    if wire is None:
        suggest = len(problems) < _SUGGEST_CAP  # the closest names cost work: cap it
        problems.append(_field_problem(entity, p.field, loc, p.field_span or p.span, suggest))
        return p
    field = entity.searchable[wire]
    loc = loc.with_last(wire) if isinstance(loc, LazyLoc) else (*loc[:-1], wire)
    op, value = p.op, p.value
    if op in (Op.EQ, Op.NEQ) and value is None:
        node = Predicate(Op.IS_NULL, wire, None, p.span, p.field_span, p.value_spans)
        return node if op is Op.EQ else Not(node, p.span)
    if op not in _ALLOWED_OPS[field.type]:
        problems.append(_operator_problem(entity, wire, field.type, op, loc, p.span))
        return p
    span = p.value_spans[0] if p.value_spans else p.span
    if op is Op.IS_NULL:
        new_value: object = None
    elif op is Op.IN:
        new_value = _check_in(wire, field.type, value, loc, p, problems)
    elif op is Op.ANY:
        if isinstance(value, Condition) and _any_depth(value) > MAX_ANY_DEPTH:
            problems.append(
                _problem(
                    "too_deep",
                    loc,
                    f"any on {wire} nests any more than {MAX_ANY_DEPTH} levels deep; "
                    f"no connector field holds arrays that deep, so flatten the condition.",
                    None,
                    span,
                )
            )
        if not isinstance(value, Condition):
            problems.append(
                _problem(
                    "value_type",
                    loc,
                    f"any on {wire} takes a condition on the elements' fields, not "
                    f'{value!r}; write {wire} any (name = "x").',
                    value,
                    span,
                )
            )
        new_value = value
    elif op is Op.ARRAY_CONTAINS:
        if isinstance(value, tuple | list | dict | RelativeTime | Condition) or value is None:
            problems.append(
                _problem(
                    "value_type",
                    loc,
                    f"array_contains on {wire} takes one value, not {value!r}; write {wire} "
                    f'array_contains "x".',
                    value,
                    span,
                )
            )
        new_value = value
    elif op in (Op.LIKE, Op.FUZZY, Op.KEYWORD):
        if not isinstance(value, str):
            problems.append(
                _problem(
                    "value_type",
                    loc,
                    f"{op_word(op)} on {wire} takes a quoted text, not {shown(value)}; write "
                    + _fix(
                        f'{wire} {op_word(op)} "{shown(value)}".',
                        f'F.{wire}.{op.value}("{shown(value)}").',
                    ),
                    value,
                    span,
                )
            )
        new_value = value
    else:
        new_value = _check_scalar(wire, field.type, op, value, loc, span, problems)
    if new_value is value and wire == p.field:
        return p
    return Predicate(op, wire, new_value, p.span, p.field_span, p.value_spans)  # type: ignore[arg-type]


def _any_depth(root: Condition) -> int:
    """How many ``any`` levels sit inside ``root``, counted without recursion."""
    deepest = 0
    stack = [(root, 1)]
    while stack and deepest <= MAX_ANY_DEPTH:
        cond, level = stack.pop()
        deepest = max(deepest, level)
        for node, _ in iter_nodes(cond):
            if type(node) is Predicate and node.op is Op.ANY and isinstance(node.value, Condition):
                stack.append((node.value, level + 1))
    return deepest


#: Closest-name suggestions are worked out for this many problems, then left out.
_SUGGEST_CAP = 10


def _field_problem(
    entity: Entity, name: object, loc: Loc, span: Span | None, suggest: bool = True
) -> Problem:
    if not isinstance(name, str):
        return _problem(
            "unknown_field", loc, f"A field name must be a string, got {shown(name)}.", name, span
        )
    record = entity.resolve_record_field(name)
    if record is not None:
        return _problem(
            "field_not_searchable",
            loc,
            f"{record!r} is a field of {entity.name} records but context_store_search "
            f"cannot filter or sort on it. Searchable fields: "
            f"{', '.join(entity.searchable)}.",
            name,
            span,
            searchable=list(entity.searchable),
        )
    close = entity.closest(name) if suggest else []
    # One close name is the clear repair; the span starts with the name as written.
    fix = (
        (Edit(Span(span.start, span.start + len(name)), close[0]),)
        if span and len(close) == 1
        else ()
    )
    return _problem(
        "unknown_field",
        loc,
        entity.unknown_field_message(name, suggest=suggest),
        name,
        span,
        fix,
        suggestions=close,
        searchable=list(entity.searchable),
    )


def _operator_problem(
    entity: Entity, wire: str, ftype: FieldType, op: Op, loc: Loc, span: Span | None
) -> Problem:
    allowed = ", ".join(op_word(o) for o in Op if o in ftype.operators)
    fix = ""
    if op in ARRAY_OPS:
        arrays = [n for n, f in entity.searchable.items() if f.type is FieldType.ARRAY]
        if arrays:
            fix = f" It works on the array fields of {entity.name}: {', '.join(arrays)}."
        else:
            fix = (
                f" No searchable field of {entity.name} is an array, so {op_word(op)} has "
                f"nothing to act on; to match one of several values write {wire} in "
                f'("a", "b"), and for text inside {wire} write {wire} like "%a%".'
            )
    elif ftype is FieldType.BOOLEAN:
        fix = _fix(
            f" Write {wire} = true or {wire} = false.",
            f" Write F.{wire} == True or F.{wire} == False.",
        )
    elif ftype is FieldType.TIMESTAMP and op in (Op.LIKE, Op.FUZZY, Op.KEYWORD):
        fix = _fix(
            f" Compare with a range instead: {wire} >= 2024-01-01 and {wire} < 2024-02-01.",
            f' Compare with a range instead: (F.{wire} >= "2024-01-01") & '
            f'(F.{wire} < "2024-02-01").',
        )
    return _problem(
        "operator_not_allowed",
        loc,
        f"{op_word(op)!r} cannot be used on {wire}, a {ftype.value} field; it takes "
        f"{allowed}.{fix}",
        op.value,
        span,
        allowed=[o.value for o in Op if o in ftype.operators],
    )


def _check_in(
    wire: str,
    ftype: FieldType,
    value: object,
    loc: Loc,
    p: Predicate,
    problems: list[Problem],
) -> object:
    if not isinstance(value, tuple | list):
        problems.append(
            _problem(
                "value_type",
                loc,
                f"in on {wire} takes a list of values, not {shown(value)}; write "
                + _fix(f'{wire} in ("a", "b").', f'F.{wire}.in_("a", "b").'),
                value,
                p.span,
            )
        )
        return value
    if not value:
        problems.append(
            _problem(
                "empty_in",
                loc,
                f"The in list for {wire} is empty, which no record can match. Give at "
                f"least one value, or drop the condition.",
                value,
                p.span,
            )
        )
        return tuple(value)
    items: list[object] = []
    for i, item in enumerate(value):
        span = p.value_spans[i] if i < len(p.value_spans) else p.span
        if item is None:
            problems.append(
                _problem(
                    "value_type",
                    _child(loc, i),
                    f"null cannot stand in an in list; test it on its own: "
                    f"{wire} in (...) or {wire} is null.",
                    item,
                    span,
                )
            )
            items.append(item)
            continue
        if ftype is FieldType.TIMESTAMP and _is_date_only(item):
            problems.append(
                _problem(
                    "value_type",
                    _child(loc, i),
                    f"in on {wire} compares exact instants, so {item!s} needs a time: "
                    f"write {item!s}T00:00:00Z, or use {wire} = {item!s} for the whole day.",
                    item,
                    span,
                )
            )
            items.append(item)
            continue
        items.append(_check_scalar(wire, ftype, Op.IN, item, _child(loc, i), span, problems))
    return tuple(items)


def _is_date_only(item: object) -> bool:
    if isinstance(item, dt.date) and not isinstance(item, dt.datetime):
        return True
    return isinstance(item, str) and len(item) == 10 and looks_like_date(item)


def _check_scalar(
    wire: str,
    ftype: FieldType,
    op: Op,
    value: object,
    loc: Loc,
    span: Span | None,
    problems: list[Problem],
) -> object:
    if ftype is FieldType.STRING:
        if isinstance(value, str):
            return value
        as_text = (
            "true"
            if value is True
            else "false"
            if value is False
            else value
            if isinstance(value, dt.date)
            else shown(value)
        )
        fix = _fix(
            f'{wire} {op_word(op) if op is not Op.IN else "="} "{as_text}"',
            f'F.{wire} {_PY_OPS.get(op, "==")} "{as_text}"',
        )
        return _type_problem(wire, ftype, value, loc, span, problems, f" Quote it: {fix}.")
    if ftype is FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        hint = ""
        edits: tuple[Edit, ...] = ()
        if isinstance(value, str) and value.lower() in _TRUTHY | _FALSY:
            truthy = value.lower() in _TRUTHY
            word = "true" if truthy else "false"
            hint = _fix(f" Write {wire} = {word}.", f" Write F.{wire} == {truthy}.")
            edits = (Edit(span, word),) if span else ()
        return _type_problem(wire, ftype, value, loc, span, problems, hint, edits)
    # Timestamps.
    if isinstance(value, str) and not looks_like_date(value):
        return _type_problem(
            wire,
            ftype,
            value,
            loc,
            span,
            problems,
            _fix(
                f" For times relative to now write a relative time: {wire} > today - 7d "
                f"(units m, h, d, w; also now and yesterday).",
                f' For times relative to now use RelativeTime: F.{wire} > aq.RelativeTime("today", '
                f'-7, "d") (units m, h, d, w; anchors now, today, yesterday), or a datetime.',
            ),
        )
    if isinstance(value, RelativeTime):
        wrong = value.problem()
        if wrong is not None:
            problems.append(_problem("invalid_date", loc, wrong, value, span))
        return value
    if isinstance(value, dt.date):
        wrong = range_problem(value, whole_day=op in (Op.EQ, Op.NEQ))
        if wrong is not None:
            problems.append(_problem("invalid_date", loc, wrong, value, span))
            return value
    if isinstance(value, dt.datetime):
        return to_utc(value)
    if isinstance(value, dt.date):
        return midnight(value) if op in ORDERING_OPS else value
    if isinstance(value, str) and looks_like_date(value):
        try:
            parsed = parse_iso(value)
            wrong = range_problem(parsed, whole_day=op in (Op.EQ, Op.NEQ))
            if wrong is not None:
                raise DateError(wrong)
        except DateError as exc:
            problems.append(_problem("invalid_date", loc, str(exc), value, span))
            return value
        if not isinstance(parsed, dt.datetime) and op in ORDERING_OPS:
            return midnight(parsed)
        return parsed
    return _type_problem(wire, ftype, value, loc, span, problems, "")


_PY_OPS = {Op.NEQ: "!=", Op.GT: ">", Op.GTE: ">=", Op.LT: "<", Op.LTE: "<="}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TRUTHY = {"true", "yes", "y", "1", "on"}
_FALSY = {"false", "no", "n", "0", "off"}


def _type_problem(
    wire: str,
    ftype: FieldType,
    value: object,
    loc: Loc,
    span: Span | None,
    problems: list[Problem],
    hint: str,
    fix: tuple[Edit, ...] = (),
) -> object:
    problems.append(
        _problem(
            "value_type",
            loc,
            f"{wire} is a {ftype.value} field and takes {ftype.expected}, "
            f"not {shown(value)}.{hint}",
            value,
            span,
            fix,
            expected=ftype.value,
        )
    )
    return value


def _check_sort(entity: Entity, i: int, key: SortKey, problems: list[Problem]) -> SortKey:
    wire = entity.resolve(key.field) if isinstance(key.field, str) else None
    if wire is None:
        problem = _field_problem(entity, key.field, ("query", "sort", i), key.span)
        if problem.type == "field_not_searchable":
            problem = attrs.evolve(
                problem,
                type="sort_not_searchable",
                msg=f"Cannot sort on {shown(key.field)}: only searchable fields sort. "
                f"Searchable fields: {', '.join(entity.searchable)}.",
            )
        problems.append(problem)
        return key
    return key if wire == key.field else SortKey(wire, key.descending, key.span)


def _check_limit(query: QueryAST, problems: list[Problem]) -> None:
    limit = query.limit
    if limit is None:
        return
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        problems.append(
            _problem(
                "limit_range",
                ("limit",),
                f"The limit must be a whole number from 1 to {MAX_LIMIT}, got {shown(limit)}; "
                f"to get more records, follow the cursor page by page.",
                limit,
                query.limit_span,
                min=1,
                max=MAX_LIMIT,
            )
        )


def _check_fields(
    entity: Entity, query: QueryAST, problems: list[Problem]
) -> tuple[tuple[str, ...], ...] | None:
    if query.fields is None:
        return None
    if not query.fields:
        problems.append(
            _problem(
                "fields_type",
                ("fields",),
                "The field selection is empty; name at least one field, or leave the "
                "selection out to get every field.",
                query.fields,
                None,
            )
        )
        return query.fields
    out = []
    for i, path in enumerate(query.fields):
        span = query.field_spans[i] if i < len(query.field_spans) else None
        if (
            not isinstance(path, tuple)
            or not path
            or not all(isinstance(k, str) and _IDENT.fullmatch(k) for k in path)
        ):
            problems.append(
                _problem(
                    "fields_type",
                    ("fields", i),
                    f"A selected field must be a name such as 'id' or a dotted path such "
                    f"as 'candidate.name' (letters, digits and _), got {shown(path)}.",
                    path,
                    span,
                )
            )
            continue
        head = entity.resolve_record_field(path[0])
        if head is None:
            close = entity.closest(path[0], entity.record_fields)
            hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            problems.append(
                _problem(
                    "unknown_field",
                    ("fields", i),
                    f"{shown(path[0])} is not a field of {entity.name} records, so it cannot be "
                    f"selected.{hint} Fields: {', '.join(entity.record_fields)}.",
                    ".".join(path),
                    span,
                    suggestions=close,
                )
            )
            continue
        out.append((head, *path[1:]))
    resolved = tuple(out)
    return query.fields if resolved == query.fields else resolved
