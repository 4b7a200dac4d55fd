"""The in-memory engine: run a query over records you already hold.

A query is validated, then lowered (relative times resolved, whole days turned into
ranges, see ``_core/lower.py``), then compiled once into a predicate (nested closures)
applied per record. What each operator means is set by one :class:`Semantics` object,
shared with ``FakeAshby``; the defaults follow the SDK's documentation:

- A field that is missing or ``null`` matches no comparison, ``in``, ``like``, ``fuzzy``
  or ``keyword`` (``!=`` included, unless ``nulls="neq_matches"``): test it with
  ``is null``. ``not`` is the plain complement, so ``not status = "a"`` does match a
  null status.
- ``=``, ``!=``, ``in`` and the orderings compare strings by code point, with case
  (``eq_case`` switches ``=``, ``!=``, ``in``).
- ``like``: ``%`` matches any run of characters, ``\\%`` a literal percent, ``_`` is
  itself (``like_underscore``); case is ignored (``like_case``), as the SDK documents for
  ``startswith``, ``endswith`` and ``contains``, which the 2026 dialect writes for it. A
  pattern with no wildcard is one exact value and compares as ``=`` does (the 2026
  dialect sends it as ``eq``).
- ``fuzzy``: each word of the text starts a word of the field, in the same order,
  ignoring case and punctuation. ``keyword``: at least one word of the text is a word of
  the field, ignoring case.
- ``array_contains``: the array holds the value; ``any``: some element (an object)
  matches the nested condition.
- Timestamps are read strictly (``read_timestamp``), so ``2024-01-01T10:00:00+02:00``
  equals ``2024-01-01T08:00:00Z``; a value that is not an ISO 8601 timestamp matches
  nothing.
- A value of the wrong type (a number where text is expected) matches nothing.
- Sorting puts missing and null values last, whatever the direction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .._core.ast import Condition, Predicate, QueryAST
from .._core.lower import lower_condition
from .._core.semantics import DEFAULT_SEMANTICS, Semantics
from .._core.types import FieldType, Op
from .._core.values import ANY, ONE, Clock, like_matcher, like_segments, like_tokens, read_timestamp
from .._core.walk import fold

__all__ = ["compile_predicate", "evaluate_ast", "project"]

Record = Mapping[str, Any]
Pred = Callable[[Record], bool]

_DEEP = 200

#: Kept for callers of the old name: records are read by the one strict reader.
parse_timestamp = read_timestamp


def like_regex(pattern: str, semantics: Semantics = DEFAULT_SEMANTICS) -> re.Pattern[str]:
    """The regular expression a like pattern stands for (whole value)."""
    wildcard = semantics.like_underscore == "wildcard"
    regex = {ANY: ".*", ONE: "."}
    parts = [regex.get(kind) or re.escape(c) for kind, c in like_tokens(pattern, wildcard)]
    if semantics.like_mode == "substring":
        parts = [".*", *parts, ".*"]
    flags = re.DOTALL | (re.IGNORECASE if semantics.like_case == "insensitive" else 0)
    return re.compile("".join(parts), flags)


_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _exact(pattern: str, sem: Semantics) -> bool:
    """Whether a like pattern holds no wildcard, so it stands for one exact value."""
    segments = like_segments(pattern)
    if len(segments) > 1 or (segments and segments[0] is None):
        return False
    return sem.like_underscore == "literal" or "_" not in pattern.replace("\\_", "")


def _in_order(wanted: list[str], have: list[str]) -> bool:
    j = 0
    for w in wanted:
        while j < len(have) and not have[j].startswith(w):
            j += 1
        if j == len(have):
            return False
        j += 1
    return True


def _any_order(wanted: list[str], have: list[str]) -> bool:
    return all(any(h.startswith(w) for h in have) for w in wanted)


def _leaf(p: Predicate, sem: Semantics) -> Pred:
    f, op, v = p.field, p.op, p.value
    if op is Op.IS_NULL:
        return lambda r: r.get(f) is None
    if op is Op.ANY:
        inner = compile_predicate(v, semantics=sem)  # type: ignore[arg-type]

        def any_element(r: Record) -> bool:
            items = r.get(f)
            return isinstance(items, list) and any(
                isinstance(x, Mapping) and inner(x) for x in items
            )

        return any_element
    if op is Op.ARRAY_CONTAINS:
        return lambda r: isinstance(r.get(f), list) and v in r[f]
    pred = _value_leaf(f, op, v, sem)
    if op is Op.NEQ and sem.nulls == "neq_matches":
        return lambda r: r.get(f) is None or pred(r)
    return pred


def _value_leaf(f: str, op: Op, v: Any, sem: Semantics) -> Pred:
    if isinstance(v, dt.datetime):
        return _timestamp_leaf(f, op, v)
    if op is Op.IN:
        assert isinstance(v, tuple)
        if v and all(isinstance(x, dt.datetime) for x in v):
            instants = frozenset(v)

            def in_time(r: Record) -> bool:
                t = read_timestamp(r.get(f))
                return t is not None and t in instants

            return in_time
        if all(isinstance(x, bool) for x in v):
            flags = tuple(v)
            return lambda r: any(r.get(f) is x for x in flags)
        if sem.eq_case == "insensitive":
            folded = frozenset(x.casefold() for x in v if isinstance(x, str))
            return lambda r: type(r.get(f)) is str and r[f].casefold() in folded
        members = frozenset(x for x in v if isinstance(x, str))
        return lambda r: type(r.get(f)) is str and r.get(f) in members
    if op is Op.LIKE and sem.like_mode == "pattern" and _exact(v, sem):
        # No wildcard: an exact value, compared as = compares it (the 2026 dialect sends eq).
        return _value_leaf(f, Op.EQ, like_segments(v)[0] if v else v, sem)
    if op is Op.LIKE:
        like = like_matcher(  # linear time: no backtracking regex
            v,
            ignore_case=sem.like_case == "insensitive",
            underscore_wildcard=sem.like_underscore == "wildcard",
            substring=sem.like_mode == "substring",
        )
        return lambda r: type(r.get(f)) is str and like(r[f])
    if op is Op.FUZZY:
        wanted = _words(v)
        matches = _in_order if sem.fuzzy == "ordered_words" else _any_order

        def fuzzy(r: Record) -> bool:
            value = r.get(f)
            return type(value) is str and matches(wanted, _words(value))

        return fuzzy
    if op is Op.KEYWORD:
        wanted_set = frozenset(_words(v))

        def keyword(r: Record) -> bool:
            value = r.get(f)
            return type(value) is str and not wanted_set.isdisjoint(_words(value))

        return keyword
    if isinstance(v, bool):
        if op is Op.EQ:
            return lambda r: r.get(f) is v
        return lambda r: isinstance(r.get(f), bool) and r.get(f) is not v
    if sem.eq_case == "insensitive" and op in (Op.EQ, Op.NEQ) and isinstance(v, str):
        cf = v.casefold()
        if op is Op.EQ:
            return lambda r: type(r.get(f)) is str and r[f].casefold() == cf
        return lambda r: type(r.get(f)) is str and r[f].casefold() != cf
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
    if op is Op.GT:

        def gt(r: Record) -> bool:
            t = read_timestamp(r.get(f))
            return t is not None and t > v

        return gt
    if op is Op.LT:

        def lt(r: Record) -> bool:
            t = read_timestamp(r.get(f))
            return t is not None and t < v

        return lt
    cmp = _CMP[op]

    def compare(r: Record) -> bool:
        t = read_timestamp(r.get(f))
        return t is not None and cmp(t, v)

    return compare


def _all(_node: object, preds: Sequence[Pred]) -> Pred:
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


def _any(_node: object, preds: Sequence[Pred]) -> Pred:
    if len(preds) == 2:
        a, b = preds
        return lambda r: a(r) or b(r)

    def some(r: Record) -> bool:
        for p in preds:  # noqa: SIM110 - a plain loop is faster than any() on a generator
            if p(r):
                return True
        return False

    return some


def _negate(_node: object, inner: Pred) -> Pred:
    return lambda r: not inner(r)


def compile_predicate(
    root: Condition | None, now: Clock = None, semantics: Semantics | None = None
) -> Pred:
    """Return a function ``record -> bool`` for a validated condition tree.

    The tree is lowered first (``now`` is the clock for relative times), then built
    bottom-up by the one walk. Trees deeper than a couple of hundred levels get an
    evaluator that walks the tree per record instead of nested closures, so no depth
    meets the recursion limit when records are tested.
    """
    if root is None:
        return lambda r: True
    sem = DEFAULT_SEMANTICS if semantics is None else semantics
    root = lower_condition(root, now, whole_day=sem.date_only == "whole_day")
    deep = depth(root)
    if deep > _DEEP:
        return _iterative(root, sem)
    if deep <= _GEN_DEPTH:
        generated = _generated(root, sem)
        if generated is not None:
            return generated
    return _closures(root, sem)


def _closures(root: Condition, sem: Semantics) -> Pred:
    """The predicate as nested closures, one per node (for trees too big to generate)."""
    return fold(root, leaf=lambda p: _leaf(p, sem), not_=_negate, and_=_all, or_=_any)


# Generated predicates ---------------------------------------------------------------
# A tree of moderate size becomes one Python function: `and`, `or` and `not` are Python's
# own operators, and the common leaves are inlined, so a record costs about what a
# hand-written lambda does. The source holds only generated names (_f0, _v0, _x0, _L0,
# ...) and fixed operators: every field name, value and leaf function is bound as a
# closure constant of the function, never written into the source as text. One source
# (a shape of tree) is compiled once and reused for every query of that shape.
_GEN_DEPTH = 40  # well under the compiler's nesting limit (200 parentheses)
_GEN_NODES = 256
_CMP_SRC = {Op.EQ: "==", Op.NEQ: "!=", Op.GT: ">", Op.GTE: ">=", Op.LT: "<", Op.LTE: "<="}
_MAKERS: dict[str, Callable[..., Pred]] = {}
_PREFIX = re.compile(r"[^%_\\\\]+%")


class _Gen:
    """Collects the bound names while a tree is written out as one expression."""

    def __init__(self, sem: Semantics) -> None:
        self.sem = sem
        self.names: list[str] = []
        self.values: list[object] = []
        self.nodes = 0

    def bind(self, kind: str, value: object) -> str:
        name = f"_{kind}{len(self.values)}"
        self.names.append(name)
        self.values.append(value)
        return name

    def leaf(self, p: Predicate) -> str:
        self.nodes += 1
        sem, f, op, v = self.sem, p.field, p.op, p.value
        if op is Op.IS_NULL:
            return f"r.get({self.bind('f', f)}) is None"
        if (op is Op.NEQ and sem.nulls == "neq_matches") or (
            op not in _CMP_SRC and op is not Op.LIKE
        ):
            return f"{self.bind('L', _leaf(p, sem))}(r)"
        x = self.bind("x", None)  # a local the walrus sets: its bound default is unused
        get = f"({x} := r.get({self.bind('f', f)}))"
        if op is Op.LIKE:
            if sem.like_mode == "pattern" and _exact(v, sem):  # type: ignore[arg-type]
                return f"{self.bind('L', _leaf(p, sem))}(r)"
            if sem.like_mode == "pattern" and _PREFIX.fullmatch(v):  # type: ignore[arg-type]
                # "Ann%": one anchored match of the literal, as like_matcher's head test.
                lit = str(v)[:-1]
                if sem.like_case == "insensitive":
                    head = re.compile(re.escape(lit), re.DOTALL | re.IGNORECASE).match
                    return f"(type{get} is str and {self.bind('m', head)}({x}) is not None)"
                return f"(type{get} is str and {x}.startswith({self.bind('v', lit)}))"
            like = like_matcher(
                v,  # type: ignore[arg-type]
                ignore_case=sem.like_case == "insensitive",
                underscore_wildcard=sem.like_underscore == "wildcard",
                substring=sem.like_mode == "substring",
            )
            return f"(type{get} is str and {self.bind('m', like)}({x}))"
        if isinstance(v, dt.datetime):
            read, tv = self.bind("R", read_timestamp), self.bind("v", v)
            stamp = f"({x} := {read}(r.get({self.bind('f', f)})))"
            return f"({stamp} is not None and {x} {_CMP_SRC[op]} {tv})"
        if isinstance(v, bool) or (
            sem.eq_case == "insensitive" and op in (Op.EQ, Op.NEQ) and isinstance(v, str)
        ):
            return f"{self.bind('L', _leaf(p, sem))}(r)"
        if op is Op.EQ:  # the cheap test first: most records differ
            return f"({get} == {self.bind('v', v)} and type({x}) is str)"
        return f"(type{get} is str and {x} {_CMP_SRC[op]} {self.bind('v', v)})"

    def not_(self, _node: object, inner: str) -> str:
        self.nodes += 1
        return f"(not {inner})"

    def and_(self, _node: object, parts: Sequence[str]) -> str:
        self.nodes += 1
        return "(" + " and ".join(parts) + ")"

    def or_(self, _node: object, parts: Sequence[str]) -> str:
        self.nodes += 1
        return "(" + " or ".join(parts) + ")"


def _generated(root: Condition, sem: Semantics) -> Pred | None:
    """One generated function for ``root``, or ``None`` when the tree is too big."""
    gen = _Gen(sem)
    body = fold(root, leaf=gen.leaf, not_=gen.not_, and_=gen.and_, or_=gen.or_)
    if gen.nodes > _GEN_NODES:
        return None
    # Every part of the body is a bool already (comparisons, `is`, `not`, leaf calls).
    source = (
        f"def _make({', '.join(gen.names)}):\n"
        f"    def match(r):\n"
        f"        return {body}\n"
        f"    return match\n"
    )
    make = _MAKERS.get(source)
    if make is None:
        space: dict[str, Any] = {}
        exec(compile(source, "<ashby_query predicate>", "exec"), space)
        make = space["_make"]
        if len(_MAKERS) >= 256:
            _MAKERS.clear()
        _MAKERS[source] = make
    return make(*gen.values)


def depth(root: Condition) -> int:
    """How many levels deep a condition tree is (a lone predicate is 1).

    >>> from ashby_query import F
    >>> depth((F.a == 1) & ~(F.b == 2))
    3
    """
    return fold(
        root,
        leaf=lambda p: 1,
        not_=lambda n, d: d + 1,
        and_=lambda n, ds: max(ds) + 1,
        or_=lambda n, ds: max(ds) + 1,
    )


def _iterative(root: Condition, sem: Semantics) -> Pred:
    leaves: dict[int, Pred] = {}

    def build(p: Predicate) -> None:
        leaves[id(p)] = _leaf(p, sem)

    fold(root, leaf=build, not_=_ignore, and_=_ignore, or_=_ignore)

    def run(r: Record) -> bool:
        return fold(
            root,
            leaf=lambda p: leaves[id(p)](r),
            not_=lambda n, b: not b,
            and_=lambda n, bs: all(bs),
            or_=lambda n, bs: any(bs),
        )

    return run


def _ignore(*_args: object) -> None:
    return None


def _sort_value(field: str, ftype: FieldType) -> Callable[[Record], Any]:
    """The sort value of a record's field, or ``None`` when missing, null or mistyped."""
    if ftype is FieldType.TIMESTAMP:
        return lambda r: read_timestamp(r.get(field))
    kind = bool if ftype is FieldType.BOOLEAN else str
    return lambda r: r.get(field) if type(r.get(field)) is kind else None


def evaluate_ast(
    query: QueryAST,
    records: Iterable[Record],
    types: Mapping[str, FieldType],
    now: Clock = None,
    semantics: Semantics | None = None,
) -> list[Record]:
    """Filter, then sort, then limit, then project ``records`` by a validated query.

    ``types`` gives each searchable field's type, for sorting.
    """
    pred = compile_predicate(query.filter, now, semantics)
    out: list[Record] = list(filter(pred, records))  # filter runs the loop in C
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
