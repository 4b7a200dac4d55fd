"""The in-memory engine: run a query over records you already hold.

A query is validated, then lowered (relative times resolved, whole days turned into
ranges, see ``_core/lower.py``), then compiled into one generated Python function (nested
closures for a big tree, a walk per record for a deep one) applied per record. A filter
without relative times is compiled once per semantics and kept; one with ``today`` is
compiled at each call, against that call's clock. What each operator means is set by
one :class:`Semantics` object, shared with ``FakeAshby``; the defaults follow the SDK's
documentation:

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
from types import CodeType, FunctionType
from typing import Any, Protocol, cast

from .._core.ast import Condition, Predicate, QueryAST
from .._core.lower import has_relative, lower_condition
from .._core.semantics import DEFAULT_SEMANTICS, Semantics
from .._core.types import FieldType, Op
from .._core.values import (
    ANY,
    ONE,
    Clock,
    like_matcher,
    like_segments,
    like_tokens,
    now_utc,
    read_timestamp,
)
from .._core.walk import fold

__all__ = ["Matcher", "compile_matcher", "compile_predicate", "evaluate_ast", "project"]

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
        return _always
    return _compiled(root, now, semantics).match


def _always(_record: Record) -> bool:
    return True


class _Compiled:
    """One filter compiled for one ``Semantics``: per record, over rows, as ``matches``."""

    __slots__ = ("made", "other", "pred", "root")

    def __init__(self, root: Condition, made: _Made | None, pred: Pred | None, other: Matcher):
        self.root = root  # held, so the id() keying the cache cannot be reused meanwhile
        self.made = made  # the generated functions, or None for a big or deep tree
        self.pred = pred  # the closures or the iterative evaluator when nothing is generated
        self.other = other

    @property
    def match(self) -> Pred:
        if self.made is not None:
            return cast("Pred", self.made.function("match"))
        assert self.pred is not None
        return self.pred

    def select(self, rows: Iterable[Record]) -> list[Record]:
        if self.made is not None:
            return cast("list[Record]", self.made.function("select")(rows))
        return list(filter(self.pred, rows))  # the loop in C

    @property
    def matches(self) -> Matcher:
        """``Query.matches``: right for the default semantics and a fixed filter only."""
        if self.made is not None:
            return cast("Matcher", self.made.function("matches"))
        pred, other = self.pred, self.other
        assert pred is not None

        def matches(record: Record, now: Clock = None, semantics: Semantics | None = None) -> bool:
            if semantics is None:  # no clock changes a filter without relative times
                return pred(record)
            return other(record, now, semantics)

        return matches


# Compiled filters by (id(root), semantics), for trees without relative times only:
# queries are immutable and lowering such a tree never reads the clock, so the result
# depends on the tree and the semantics alone. A tree with `today` or `now` is compiled
# on every call, so each call reads the clock afresh. (Keyed by identity: hashing a tree
# would recurse on deep ones.)
_CACHE: dict[tuple[int, Semantics | None], _Compiled] = {}
_CACHE_SIZE = 256


def _compiled(
    root: Condition,
    now: Clock,
    semantics: Semantics | None,
    daily: bool | None = None,
    once: bool = False,
) -> _Compiled:
    """``root`` compiled for ``semantics``, from the cache where the clock cannot change it.

    ``daily``: whether ``root``'s relative times all count from today or yesterday
    (worked out here when not given). ``once``: for one record only.
    """
    key = (id(root), semantics)  # None, not the default's value: no hashing per call
    found = _CACHE.get(key)
    if found is not None and found.root is root:
        return found
    read: list[bool] = []

    def clock() -> dt.datetime:  # lowering reads it once, and only for a relative time
        read.append(True)
        return now_utc(now)

    sem = DEFAULT_SEMANTICS if semantics is None else semantics
    lowered = lower_condition(root, clock, whole_day=sem.date_only == "whole_day")
    if read:
        # A relative time: the function depends on what this call's clock made of the
        # tree, which for "today - 7d" stays the same all day: keyed on the lowered tree.
        # "now" moves on every call, so such a tree is not kept.
        if has_relative(root, "now") if daily is None else not daily:
            # Built for this call only; for one record, closures cost less to make.
            return _compile(root, lowered, sem, generate=not once)
        rkey = (id(root), lowered, sem)
        found = _RELATIVE.get(rkey)
        if found is not None and found.root is root:
            return found
        done = _compile(root, lowered, sem)
        if len(_RELATIVE) >= _CACHE_SIZE:
            _RELATIVE.clear()
        _RELATIVE[rkey] = done
        return done
    done = _compile(root, lowered, sem)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[key] = done
    return done


_RELATIVE: dict[tuple[int, Condition, Semantics], _Compiled] = {}


def _compile(
    root: Condition, lowered: Condition, sem: Semantics, *, generate: bool = True
) -> _Compiled:
    def other(record: Record, now: Clock = None, semantics: Semantics | None = None) -> bool:
        return compile_predicate(root, now, semantics)(record)

    deep = depth(lowered)
    if generate and deep <= _GEN_DEPTH:
        made = _generate(lowered, sem, other)
        if made is not None:
            return _Compiled(root, made, None, other)
    pred = _iterative(lowered, sem) if deep > _DEEP else _closures(lowered, sem)
    return _Compiled(root, None, pred, other)


class Matcher(Protocol):
    """``Query.matches``: whether a record passes, by the given clock and semantics."""

    def __call__(
        self, record: Record, now: Clock = None, semantics: Semantics | None = None
    ) -> bool: ...


def compile_matcher(root: Condition | None) -> Matcher:
    """``Query.matches`` for a validated filter: ``(record, now=None, semantics=None)``.

    For a filter without relative times this is the generated function itself, so a
    call costs one Python call, as a hand-written lambda does; another ``now`` or
    ``semantics`` goes to the compiled-filter cache. A filter with relative times is
    compiled on every call, against the clock of that call.

    >>> from ashby_query import F
    >>> compile_matcher(F.status == "a")({"status": "a"})
    True
    """

    if root is None:
        return _match_all
    daily = not has_relative(root, "now")

    def per_call(record: Record, now: Clock = None, semantics: Semantics | None = None) -> bool:
        return _compiled(root, now, semantics, daily, once=True).match(record)

    matches: Matcher = per_call
    if not has_relative(root):
        try:
            matches = _compiled(root, None, None).matches
        except Exception:  # raised where it always was: at the call, by per_call
            matches = per_call
    # Named as the method it stands for, so a wrong call's TypeError reads as before.
    matches.__qualname__ = "Query.matches"  # type: ignore[attr-defined]
    return matches


def _match_all(record: Record, now: Clock = None, semantics: Semantics | None = None) -> bool:
    """``Query.matches`` without a filter: every record passes."""
    return True


_match_all.__qualname__ = "Query.matches"


def _closures(root: Condition, sem: Semantics) -> Pred:
    """The predicate as nested closures, one per node (for trees too big to generate)."""
    return fold(root, leaf=lambda p: _leaf(p, sem), not_=_negate, and_=_all, or_=_any)


# Generated predicates ---------------------------------------------------------------
# A tree of moderate size becomes one Python function: `and`, `or` and `not` are Python's
# own operators, and the common leaves are inlined, so a record costs about what a
# hand-written lambda does. The source holds only generated names (_x1, _L2, ...),
# placeholders ('\x003') and fixed operators: every field name and value is put in
# place of its placeholder among the compiled function's constants, every leaf function
# is bound as a global of it (one fresh dict per query), none is written into the
# source as text. One source (a shape of tree) is compiled once and reused for every
# query of that shape.
_GEN_DEPTH = 40  # well under the compiler's nesting limit (200 parentheses)
_GEN_NODES = 256
_CMP_SRC = {Op.EQ: "==", Op.NEQ: "!=", Op.GT: ">", Op.GTE: ">=", Op.LT: "<", Op.LTE: "<="}
_CODES: dict[tuple[str, str], tuple[CodeType, Any, tuple[tuple[int, str], ...]]] = {}
_PREFIX = re.compile(r"[^%_\\\\]+%")
_FROM_ISO = dt.datetime.fromisoformat


def _text_is_time_order() -> bool:
    """Whether every wire-form text ``fromisoformat`` accepts sorts as its instant does.

    True when it refuses hour 24, minute 60 and second 60 (no wire text then stands for
    an instant out of its text's place); Python 3.11 to 3.13 do.
    """
    for text in (
        "2024-01-01T24:00:00Z",
        "2024-01-01T23:60:00Z",
        "2024-01-01T23:59:60Z",
        "2024-01-01T24:00:00.000Z",
    ):
        try:
            _FROM_ISO(text)
        except ValueError:
            continue
        return False
    return True


_TEXT_ORDER = _text_is_time_order()


def _wire_floor(v: dt.datetime) -> str | None:
    """``v`` cut to the second in the wire form; ``None`` when ``v`` is not a UTC time.

    (Another zone's wall clock would not be the wire's.)
    """
    if v.utcoffset() != dt.timedelta(0):
        return None
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}Z"


# How a comparison with v reads as text against v cut to the second (or millisecond) in
# the wire form, when v has a finer fraction: a record in that form has none, so it is
# never equal to v, and it is after v exactly when it is after the cut. (None: never.)
_CUT_OP = {Op.GT: ">", Op.GTE: ">", Op.LT: "<=", Op.LTE: "<=", Op.EQ: None, Op.NEQ: ""}


def _stamp_test(op: Op, v: dt.datetime) -> Callable[[object], bool]:
    """Whether a record's raw value, read as a timestamp, compares with ``v`` by ``op``."""
    cmp = _CMP[op]

    def test(x: object) -> bool:
        t = read_timestamp(x)
        return t is not None and cmp(t, v)

    return test


class _Gen:
    """Collects the bound names while a tree is written out as one expression."""

    def __init__(self, sem: Semantics) -> None:
        self.sem = sem
        self.space: dict[str, Any] = {}  # functions, bound as globals
        self.consts: dict[str, object] = {}  # other values, by their placeholders
        self.count = 0
        self.nodes = 0

    def bind(self, kind: str, value: object) -> str:
        """The source text that stands for ``value``: a global name or a placeholder."""
        self.count += 1
        if callable(value):  # a global: calling a constant would be a SyntaxWarning
            name = f"_{kind}{self.count}"
            self.space[name] = value
            return name
        placeholder = f"\x00{self.count}"  # a text no generated source holds otherwise
        self.consts[placeholder] = value
        return repr(placeholder)

    def local(self) -> str:
        """A fresh local name for the walrus to set."""
        self.count += 1
        return f"_x{self.count}"

    def leaf(self, p: Predicate) -> str:
        self.nodes += 1
        sem, f, op, v = self.sem, p.field, p.op, p.value
        if op is Op.IS_NULL:
            return f"record.get({self.bind('f', f)}) is None"
        if (op is Op.NEQ and sem.nulls == "neq_matches") or (
            op not in _CMP_SRC and op is not Op.LIKE
        ):
            return f"{self.bind('L', _leaf(p, sem))}(record)"
        x = self.local()
        get = f"({x} := record.get({self.bind('f', f)}))"
        if op is Op.LIKE:
            if sem.like_mode == "pattern" and _exact(v, sem):  # type: ignore[arg-type]
                return f"{self.bind('L', _leaf(p, sem))}(record)"
            if sem.like_mode == "pattern" and _PREFIX.fullmatch(v):  # type: ignore[arg-type]
                # "Ann%": one anchored match of the literal, as like_matcher's head test.
                lit = str(v)[:-1]
                if sem.like_case == "insensitive":
                    head = re.compile(re.escape(lit), re.DOTALL | re.IGNORECASE).match
                    regex = f"{self.bind('m', head)}({x}) is not None"
                    if not lit.isascii():
                        return f"(type{get} is str and {regex})"
                    # Between ASCII texts, ignoring case is lower() on both (a test checks
                    # every pair against the regex); isascii() is a flag, read at once.
                    low = self.bind("v", lit.lower())
                    cut = f"{x}[:{len(lit)}].lower() == {low}"
                    return f"(type{get} is str and ({cut} if {x}.isascii() else {regex}))"
                return f"(type{get} is str and {x}.startswith({self.bind('v', lit)}))"
            like = like_matcher(
                v,  # type: ignore[arg-type]
                ignore_case=sem.like_case == "insensitive",
                underscore_wildcard=sem.like_underscore == "wildcard",
                substring=sem.like_mode == "substring",
            )
            return f"(type{get} is str and {self.bind('m', like)}({x}))"
        if isinstance(v, dt.datetime):
            return self.stamp(get, x, op, v)
        if isinstance(v, bool) or (
            sem.eq_case == "insensitive" and op in (Op.EQ, Op.NEQ) and isinstance(v, str)
        ):
            return f"{self.bind('L', _leaf(p, sem))}(record)"
        if op is Op.EQ:  # the cheap test first: most records differ
            return f"({get} == {self.bind('v', v)} and type({x}) is str)"
        return f"(type{get} is str and {x} {_CMP_SRC[op]} {self.bind('v', v)})"

    def stamp(self, get: str, x: str, op: Op, v: dt.datetime) -> str:
        """A timestamp comparison: the wire forms compared as text, others read in full."""
        wire = _wire_floor(v) if _TEXT_ORDER else None
        test = self.bind("S", _stamp_test(op, v))  # the strict reader, for any other value
        if wire is None:
            return f"(False if {get} is None else {test}({x}))"
        # A record in a wire form, YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DDTHH:MM:SS.mmmZ (one
        # slice tests the separators at 4, 7, 10, 13, 16 and 19), sorts as text as its
        # instant does, so comparing it with v in the same form decides; a text that
        # passes is then read in full, as read_timestamp reads it, so an impossible
        # 2024-02-30T00:00:00Z matches nothing: fromisoformat raises, and the generated
        # function answers that record by the closures instead.
        seconds = self.verdict(x, op, wire, v.microsecond == 0)
        millis = self.verdict(
            x, op, f"{wire[:19]}.{v.microsecond // 1000:03d}Z", v.microsecond % 1000 == 0
        )
        return (
            f"(False if {get} is None else ((({seconds}) "
            f"if len({x}) == 20 and {x}[4::3] == '--T::Z' else ({millis}) "
            f"if len({x}) == 24 and {x}[23] == 'Z' and {x}[4:20:3] == '--T::.' else {test}({x})) "
            f"if type({x}) is str else {test}({x})))"
        )

    def verdict(self, x: str, op: Op, text: str, whole: bool) -> str:
        """``x`` (a text in the form of ``text``) against ``text``, v in that form."""
        sign = _CMP_SRC[op] if whole else _CUT_OP[op]
        checked = f"{x}.isascii() and {self.bind('I', _FROM_ISO)}({x}) is not None"
        if sign is None:
            return "False"
        if whole and op is Op.EQ:
            return f"{x} == {self.bind('v', text)}"  # equal to a valid text: valid
        if sign:
            return f"({x} {sign} {self.bind('v', text)} and {checked})"
        return f"({checked})"

    def not_(self, _node: object, inner: str) -> str:
        self.nodes += 1
        return f"(not {inner})"

    def and_(self, _node: object, parts: Sequence[str]) -> str:
        self.nodes += 1
        return "(" + " and ".join(parts) + ")"

    def or_(self, _node: object, parts: Sequence[str]) -> str:
        self.nodes += 1
        return "(" + " or ".join(parts) + ")"


# The functions made for a query, each compiled on first use (compiling costs about
# 0.1 ms a function). Every part of BODY is a bool already (comparisons, `is`, `not`,
# leaf calls). Only fromisoformat, reading a text in the wire form, raises ValueError (on
# an impossible date); that record is then answered by `_slow`, the nested closures,
# which read it strictly and say no. `select` is `evaluate`'s loop: the body inlined, no
# call per record. `matches` is `Query.matches` itself, made only for a filter without
# relative times, which no clock changes: `_other` answers it for other semantics.
_TEMPLATES = {
    "match": """\
def match(record):
    try:
        return BODY
    except ValueError:
        return _slow(record)
""",
    "matches": """\
def matches(record, now=None, semantics=None):
    if semantics is None:
        try:
            return BODY
        except ValueError:
            return _slow(record)
    return _other(record, now, semantics)
""",
    "select": """\
def select(rows):
    out = []
    keep = out.append
    for record in rows:
        try:
            if BODY:
                keep(record)
        except ValueError:
            if _slow(record):
                keep(record)
    return out
""",
}


class _Made:
    """The functions generated for one tree (see ``_TEMPLATES``), made on first use."""

    __slots__ = ("body", "consts", "space")

    def __init__(self, body: str, space: dict[str, Any], consts: dict[str, object]) -> None:
        self.body = body
        self.space = space  # the functions' globals: leaf functions, _slow and _other
        self.consts = consts  # the values, by the placeholders the body holds for them

    def function(self, kind: str) -> Any:
        found = self.space.get(kind)
        if found is None:
            key = (kind, self.body)
            made = _CODES.get(key)
            if made is None:
                scratch: dict[str, Any] = {}
                source = _TEMPLATES[kind].replace("BODY", self.body)
                exec(compile(source, "<ashby_query predicate>", "exec"), scratch)
                code = scratch[kind].__code__
                slots = tuple(
                    (i, c)
                    for i, c in enumerate(code.co_consts)
                    if type(c) is str and c[:1] == "\x00"
                )
                made = code, scratch[kind].__defaults__, slots
                if len(_CODES) >= 256:
                    _CODES.clear()
                _CODES[key] = made
            code, defaults, slots = made
            # The placeholders become this query's values: constants are the cheapest
            # names to read (a closure cell is copied in at every call).
            consts = list(code.co_consts)
            for i, placeholder in slots:
                consts[i] = self.consts[placeholder]
            own = code.replace(co_consts=tuple(consts))
            found = FunctionType(own, self.space, kind, defaults)
            self.space[kind] = found  # stored when whole: no thread sees a placeholder
        return found


def _generate(root: Condition, sem: Semantics, other: Matcher | None = None) -> _Made | None:
    """The functions generated for a lowered ``root``, or ``None`` when it is too big.

    ``other`` answers ``matches`` called with a clock or semantics.
    """
    gen = _Gen(sem)
    body = fold(root, leaf=gen.leaf, not_=gen.not_, and_=gen.and_, or_=gen.or_)
    if gen.nodes > _GEN_NODES:
        return None
    space = gen.space
    slow: list[Pred] = []

    def closures(r: Record) -> bool:  # built on first need: an impossible wire date
        if not slow:
            slow.append(_closures(root, sem))
        return slow[0](r)

    space["_slow"] = closures
    space["_other"] = other
    return _Made(body, space, gen.consts)


def _generated(root: Condition, sem: Semantics) -> Pred | None:
    """One generated function for a lowered ``root``, or ``None`` when it is too big."""
    made = _generate(root, sem)
    return None if made is None else cast("Pred", made.function("match"))


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


def _read_time(value: object) -> dt.datetime | None:
    """``read_timestamp(value)``, with the millisecond wire form read by C.

    The strict reader reads 2024-01-31T09:30:00.123Z by a regular expression; the
    separators tested, fromisoformat reads the same texts the same way (a property test
    checks), some twenty times faster.
    """
    if (
        type(value) is str
        and len(value) == 24
        and value[23] == "Z"
        and value[4:20:3] == "--T::."
        and value.isascii()
    ):
        try:
            return _FROM_ISO(value)
        except ValueError:
            return None
    return read_timestamp(value)


def _sort_value(field: str, ftype: FieldType) -> Callable[[Record], Any]:
    """The sort value of a record's field, or ``None`` when missing, null or mistyped."""
    if ftype is FieldType.TIMESTAMP:
        return lambda r: _read_time(r.get(field))
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
    if query.filter is None:
        out: list[Record] = list(records)
    else:
        out = _compiled(query.filter, now, semantics).select(records)
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
