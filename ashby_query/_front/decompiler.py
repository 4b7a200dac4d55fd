"""Read ``context_store_search`` params back into the AST.

Accepts what the compiler writes in either dialect, and the hand-written forms the SDK's
guidance allows: several operator keys in one object, or several fields under one
operator, mean the AND of their parts. Structure that cannot be read raises
:class:`QueryError` naming the JSON path of the bad part; nothing is silently dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.ast import And, Condition, Not, Or, Predicate, QueryAST, SortKey
from .._core.errors import Loc, Problem, QueryError
from .._core.types import Op
from .._core.values import escape_like
from .._core.walk import Branch, reduce_tree
from .bounds import check_params
from .parser import Limits

__all__ = ["decompile"]

_FIELD_OPS = {
    "eq": Op.EQ,
    "neq": Op.NEQ,
    "gt": Op.GT,
    "gte": Op.GTE,
    "lt": Op.LT,
    "lte": Op.LTE,
    "in": Op.IN,
    "like": Op.LIKE,
    "fuzzy": Op.FUZZY,
    "keyword": Op.KEYWORD,
}
_PATTERN_OPS = {
    "startswith": lambda s: escape_like(s) + "%",
    "endswith": lambda s: "%" + escape_like(s),
    "contains": lambda s: "%" + escape_like(s) + "%",
}
_ARRAY_OPS = {"array_contains": Op.ARRAY_CONTAINS, "any": Op.ANY}
_KNOWN = [*_FIELD_OPS, "not", "and", "or", *_PATTERN_OPS, *_ARRAY_OPS]


def _bad(kind: str, loc: Loc, msg: str, value: object) -> QueryError:
    return QueryError([Problem(kind, loc, msg, value)])


def decompile(params: object, entity: str, limits: Limits | None = None) -> QueryAST:
    """Return the (unvalidated) AST for a params object within ``limits``."""
    check_params(params, limits)
    if not isinstance(params, Mapping):
        raise _bad(
            "malformed_json",
            (),
            f'params must be a JSON object such as {{"query": {{"filter": ...}}}}, got '
            f"{type(params).__name__} {params!r:.80}.",
            params,
        )
    extra = [k for k in params if k not in ("query", "limit", "fields", "cursor")]
    if extra:
        hint = ""
        if any(k in ("filter", "sort") for k in extra):
            hint = ' Put filter and sort inside "query": {"query": {"filter": ...}}.'
        raise _bad(
            "unknown_key",
            (extra[0],),
            f"params has an unknown key {extra[0]!r}; it takes query, limit, fields "
            f"and cursor.{hint}",
            extra[0],
        )
    if "query" not in params:
        raise _bad(
            "missing_query",
            ("query",),
            'params has no "query"; a search needs one, even {"query": {}} for every record.',
            None,
        )
    query = params["query"]
    if not isinstance(query, Mapping):
        raise _bad(
            "malformed_json", ("query",), f'"query" must be an object, got {query!r:.80}.', query
        )
    extra = [k for k in query if k not in ("filter", "sort")]
    if extra:
        raise _bad(
            "unknown_key",
            ("query", extra[0]),
            f'"query" has an unknown key {extra[0]!r}; it takes filter and sort. limit, '
            f"fields and cursor sit beside query, not inside it.",
            extra[0],
        )
    flt = None
    if "filter" in query:
        flt = decompile_condition(query["filter"], ("query", "filter"))
    sort = _sort(query.get("sort", []))
    fields = _fields(params["fields"]) if "fields" in params else None
    limit = params.get("limit")
    cursor = params.get("cursor")
    return QueryAST(entity, flt, sort, limit, fields, cursor)


def decompile_condition(root: object, loc: Loc) -> Condition:
    """Return the AST for one JSON condition object; iterative, so depth is no issue.

    ``and`` and ``or`` come back as written, not yet flattened: validation flattens them,
    and folds the compiler's whole-day ranges back into ``= date`` on the way.
    """
    return reduce_tree(root, _step, loc)


def _step(obj: object, path: Loc) -> Condition | Branch[object, Condition]:
    if isinstance(obj, Condition | Branch):
        return obj  # a predicate read from an operator's body, or an and/or/not to join
    if not isinstance(obj, Mapping) or not obj:
        raise _bad(
            "malformed_json",
            path,
            f"A condition must be a non-empty object such as "
            f'{{"eq": {{"status": "active"}}}}, got {obj!r:.80}.',
            obj,
        )
    # Each key yields conditions; several in one object are ANDed.
    children: list[tuple[object, Loc]] = []
    for key, body in obj.items():
        kpath = (*path, key)
        if key in ("and", "or"):
            if not isinstance(body, list) or not body:
                raise _bad(
                    "malformed_json",
                    kpath,
                    f'"{key}" takes a non-empty list of conditions, got {body!r:.80}; '
                    f"an empty {key} has no agreed meaning, so leave it out.",
                    body,
                )
            kids = [(b, (*kpath, i)) for i, b in enumerate(body)]
            children.append((Branch(kids, _JOIN[key]), kpath))
        elif key == "not":
            children.append((Branch([(body, kpath)], _negate), kpath))
        elif key in _FIELD_OPS or key in _PATTERN_OPS or key in _ARRAY_OPS:
            children.extend(_predicates(key, body, kpath))
        else:
            raise _bad(
                "unknown_operator",
                kpath,
                f"{key!r} is not a known operator; operators: {', '.join(_KNOWN)}.",
                key,
            )
    if len(children) == 1 and not isinstance(children[0][0], Branch):
        return children[0][0]  # type: ignore[return-value]
    return Branch(children, _and_parts)


def _join(cls: type[And] | type[Or]) -> Any:
    def join(kids: list[Condition]) -> Condition:
        return kids[0] if len(kids) == 1 else cls(tuple(kids))

    return join


def _negate(kids: list[Condition]) -> Condition:
    return Not(kids[0])


def _and_parts(kids: list[Condition]) -> Condition:
    return kids[0] if len(kids) == 1 else And(tuple(kids))


_JOIN = {"and": _join(And), "or": _join(Or)}


def _any_of(field: str) -> Any:
    def join(kids: list[Condition]) -> Condition:
        return Predicate(Op.ANY, field, kids[0])  # type: ignore[arg-type]

    return join


def _predicates(key: str, body: object, path: Loc) -> list[tuple[object, Loc]]:
    if not isinstance(body, Mapping) or not body:
        raise _bad(
            "malformed_json",
            path,
            f'"{key}" takes an object of field: value, such as {{"{key}": '
            f'{{"status": "active"}}}}, got {body!r:.80}.',
            body,
        )
    preds: list[tuple[object, Loc]] = []
    for field, value in body.items():
        fpath = (*path, field)
        if key in _PATTERN_OPS:
            if not isinstance(value, str):
                raise _bad(
                    "value_type", fpath, f'"{key}" takes a string, got {value!r:.80}.', value
                )
            preds.append((Predicate(Op.LIKE, field, _PATTERN_OPS[key](value)), fpath))
            continue
        if key == "any":
            # The nested condition is walked by the same loop, not by a nested call.
            preds.append((Branch([(value, fpath)], _any_of(field)), fpath))
            continue
        if key == "array_contains":
            if isinstance(value, list | dict) or value is None:
                raise _bad(
                    "malformed_json",
                    fpath,
                    f'"array_contains" takes a single value, got {value!r:.80}.',
                    value,
                )
            preds.append((Predicate(Op.ARRAY_CONTAINS, field, value), fpath))
            continue
        op = _FIELD_OPS[key]
        if op is Op.IN:
            if not isinstance(value, list):
                raise _bad(
                    "malformed_json",
                    fpath,
                    f'"in" takes a list of values, got {value!r:.80}.',
                    value,
                )
            value = tuple(value)
        elif isinstance(value, list | dict):
            raise _bad(
                "malformed_json",
                fpath,
                f'"{key}" takes a single value, got {value!r:.80}.',
                value,
            )
        preds.append((Predicate(op, field, value), fpath))
    return preds


def _sort(sort: object) -> tuple[SortKey, ...]:
    if not isinstance(sort, list):
        raise _bad(
            "malformed_json",
            ("query", "sort"),
            f'"sort" must be a list such as [{{"createdAt": "desc"}}], got {sort!r:.80}.',
            sort,
        )
    keys = []
    for i, item in enumerate(sort):
        if not isinstance(item, Mapping) or not item:
            raise _bad(
                "malformed_json",
                ("query", "sort", i),
                f'A sort key must be an object such as {{"createdAt": "desc"}}, got {item!r:.80}.',
                item,
            )
        for field, direction in item.items():
            if not isinstance(direction, str) or direction.lower() not in ("asc", "desc"):
                raise _bad(
                    "malformed_json",
                    ("query", "sort", i, field),
                    f'A sort direction must be "asc" or "desc", got {direction!r:.80}.',
                    direction,
                )
            keys.append(SortKey(field, direction.lower() == "desc"))
    return tuple(keys)


def _fields(fields: object) -> tuple[tuple[str, ...], ...]:
    if not isinstance(fields, list):
        raise _bad(
            "malformed_json",
            ("fields",),
            f'"fields" must be a list of paths such as [["id"], ["candidate", "name"]] '
            f'or ["id", "candidate.name"], got {fields!r:.80}.',
            fields,
        )
    out = []
    for i, path in enumerate(fields):
        if isinstance(path, str) and path:
            out.append(tuple(path.split(".")))
        elif isinstance(path, list) and path and all(isinstance(k, str) for k in path):
            out.append(tuple(path))
        else:
            raise _bad(
                "malformed_json",
                ("fields", i),
                f'A field path must be a list of keys such as ["candidate", "name"] or a '
                f'dotted string such as "candidate.name", got {path!r:.80}.',
                path,
            )
    return tuple(out)
