"""Compile a validated AST to ``context_store_search`` params, in one of two dialects.

- ``reference`` (the default): the operator set of the connector's API reference,
  ``eq neq gt gte lt lte in like fuzzy keyword not and or``.
- ``2026``: exactly the operator set of ``airbyte-agent-sdk`` 0.1.380,
  ``eq neq gt gte lt lte in startswith endswith fuzzy keyword contains array_contains
  not and or any``. It has no ``like``: ``like "Ann%"``, ``"%son"``, ``"%ann%"`` and
  ``"ann"`` map to ``startswith`` / ``endswith`` / ``contains`` / ``eq``; any other
  pattern is an error.

The query is lowered (relative times, whole days, like patterns: see
``_core/lower.py``) and compiled in one walk, a table of handlers: each predicate is
lowered as the walk reaches it. Each condition object holds one operator and one field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import attrs

from .._core.ast import And, Condition, Not, Or, Predicate, QueryAST, iter_nodes
from .._core.errors import Problem, QueryError
from .._core.lower import LazyClock, like_operator, lower_condition, lower_predicate
from .._core.types import Op, wire_key
from .._core.values import Clock, format_wire
from .._core.walk import fold

__all__ = ["DIALECT_2026", "REFERENCE", "Dialect", "compile_ast", "get_dialect"]

FieldsStyle = Literal["paths", "dotted"]

#: The operator keys of the connector's API reference.
REFERENCE_OPERATORS = frozenset(
    {"eq", "neq", "gt", "gte", "lt", "lte", "in", "like", "fuzzy", "keyword", "not", "and", "or"}
)
#: The operator keys of airbyte-agent-sdk 0.1.380, for all five searchable entities.
SDK_2026_OPERATORS = frozenset(
    {"eq", "neq", "gt", "gte", "lt", "lte", "in", "startswith", "endswith", "fuzzy"}
    | {"keyword", "contains", "array_contains", "not", "and", "or", "any"}
)


@attrs.frozen
class Dialect:
    """A target for the compiler: which operators exist and how ``fields`` is written.

    ``fields_style`` is ``"paths"`` (``[["id"], ["candidate", "name"]]``, as the SDK
    types it) or ``"dotted"`` (``["id", "candidate.name"]``). ``operators`` is the set
    of JSON operator keys the target accepts. Make a variant with
    ``attrs.evolve(REFERENCE, fields_style="dotted")``.
    """

    name: str
    has_like: bool = True
    fields_style: FieldsStyle = "paths"
    operators: frozenset[str] = REFERENCE_OPERATORS

    def __attrs_post_init__(self) -> None:
        if self.fields_style not in ("paths", "dotted"):
            raise ValueError(
                f"fields_style must be 'paths' or 'dotted', got {self.fields_style!r}."
            )


REFERENCE = Dialect("reference")
DIALECT_2026 = Dialect("2026", has_like=False, operators=SDK_2026_OPERATORS)
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


#: Operators whose value goes on the wire as it is (a datetime in its wire form).
_AS_IS: dict[Op, str] = {op: wire_key(op) for op in Op if op not in (Op.IS_NULL, Op.IN, Op.ANY)}
_AS_IS_NO_LIKE: dict[Op, str] = {op: key for op, key in _AS_IS.items() if op is not Op.LIKE}
#: The types of in-list items that go on the wire as they are.
_WIRE_AS_IS = frozenset({str, bool, int, float})


def compile_condition(
    root: Condition, dialect: Dialect = REFERENCE, now: Clock = None
) -> dict[str, Any]:
    """Return the JSON filter object for one condition tree."""
    problems: list[tuple[Predicate, Problem]] = []
    clock = LazyClock(now)
    operators = dialect.operators
    as_is = _AS_IS if dialect.has_like else _AS_IS_NO_LIKE

    def leaf(p: Predicate) -> dict[str, Any]:
        # The common shapes first: a plain value, a datetime, an in list of plain
        # values; lowering leaves each as it is.
        value = p.value
        kind = type(value)
        if kind is str or kind is bool or kind is int or kind is float or kind is dt.datetime:
            key = as_is.get(p.op)
            if key is not None and key in operators:
                return {key: {p.field: format_wire(value) if kind is dt.datetime else value}}  # type: ignore[arg-type]
        elif kind is tuple and p.op is Op.IN and set(map(type, value)) <= _WIRE_AS_IS:  # type: ignore[arg-type]
            return {"in": {p.field: list(value)}}  # type: ignore[arg-type]
        lowered = lower_predicate(p, clock)
        if type(lowered) is Predicate:
            return _leaf(lowered, dialect, problems, now)
        return fold(lowered, leaf=lowered_leaf, not_=_not, and_=_and, or_=_or)  # a whole day

    def lowered_leaf(p: Predicate) -> dict[str, Any]:
        return _leaf(p, dialect, problems, now)

    try:
        out = fold(root, leaf=leaf, not_=_not, and_=_and, or_=_or)
        if not problems:
            return out
    except QueryError:
        pass
    # Something is wrong: take the road of two walks, lowering the whole tree (at the
    # same instant) before compiling it, so the errors and their order are those of
    # that road, and the lowered tree's paths name the problems.
    problems.clear()
    lowered = lower_condition(root, clock)
    out = fold(lowered, leaf=lowered_leaf, not_=_not, and_=_and, or_=_or)
    if problems:
        # Paths are worked out only for an error message, from the node each problem names.
        paths = {id(node): path for node, path in iter_nodes(lowered)}
        raise QueryError(
            attrs.evolve(problem, loc=("query", "filter", *paths[id(node)], *problem.loc))
            for node, problem in problems
        )
    return out


def _not(node: Not, inner: dict[str, Any]) -> dict[str, Any]:
    operand = node.operand
    if isinstance(operand, Predicate) and operand.op is Op.IS_NULL:
        return {"neq": {operand.field: None}}
    return {"not": inner}


def _and(_node: And, kids: list[dict[str, Any]]) -> dict[str, Any]:
    return {"and": kids}


def _or(_node: Or, kids: list[dict[str, Any]]) -> dict[str, Any]:
    return {"or": kids}


def _wire(value: object) -> object:
    if isinstance(value, dt.date):
        return format_wire(value)
    return value


def _leaf(
    p: Predicate, dialect: Dialect, problems: list[tuple[Predicate, Problem]], now: Clock
) -> dict[str, Any]:
    op, field, value = p.op, p.field, p.value
    if op is Op.IS_NULL:
        return {"eq": {field: None}}
    if op is Op.IN:
        assert isinstance(value, tuple)
        return {"in": {field: [_wire(v) for v in value]}}
    if op is Op.LIKE and not dialect.has_like:
        assert isinstance(value, str)
        mapped = like_operator(value)
        if mapped is None:
            problems.append(
                (
                    p,
                    Problem(
                        "dialect_unsupported",
                        ("like", field),
                        f"The pattern {value!r} has no exact equivalent in the {dialect.name} "
                        f"dialect, which only has startswith ('Ann%'), endswith ('%son'), "
                        f"contains ('%ann%') and eq ('ann'). Rewrite it in one of those "
                        f"forms, use fuzzy for approximate text, or compile for the "
                        f"reference dialect.",
                        value,
                        span=p.span,
                    ),
                )
            )
            return {}
        return {mapped[0]: {field: mapped[1]}}
    key = wire_key(op)
    if key not in dialect.operators:
        problems.append(
            (
                p,
                Problem(
                    "dialect_unsupported",
                    (key, field),
                    f"The {dialect.name} dialect has no {key!r} operator; compile for a "
                    f"dialect that has it, such as '2026'.",
                    key,
                    span=p.span,
                ),
            )
        )
        return {}
    if op is Op.ANY:
        assert isinstance(value, Condition)
        return {"any": {field: compile_condition(value, dialect, now)}}
    return {key: {field: _wire(value)}}
