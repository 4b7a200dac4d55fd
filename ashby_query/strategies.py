"""Hypothesis strategies for ashby-query: datasets, queries, conditions, texts, records.

Install with ``pip install 'ashby-query[hypothesis]'``. The library itself never imports
this module; import it from your tests::

    from hypothesis import given
    from ashby_query import strategies as aqs

    @given(aqs.datasets_and_queries("applications"))
    def test_my_filter_agrees_with_the_engine(case):
        records, query = case
        assert my_filter(records, query.to_params()) == query.evaluate(records)

Values are drawn from a small pool per field, so records and queries meet: a query
compares against values the records hold, their neighbours just above and below, their
prefixes, substrings, words and days. A tenth or so of the values are foreign (exotic
unicode, far-away dates) on purpose. Pass ``exotic=True`` for values drawn on their own
from wide ranges instead, as a robustness test wants. Every generated query validates,
and shrinks towards short, readable ones. ``st.from_type(ashby_query.Query)`` works too.

Bad arguments raise :class:`hypothesis.errors.InvalidArgument`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import attrs
from hypothesis import currently_in_test_context, event
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ._back.compiler import get_dialect
from ._back.engine import compile_predicate, depth
from ._core.ast import And, Condition, Not, Or, Predicate, QueryAST, RelativeTime, SortKey
from ._core.errors import QueryError
from ._core.lower import like_operator
from ._core.schema import Entity, get_entity
from ._core.semantics import Semantics
from ._core.types import FieldType, Op
from ._core.validate import validate
from ._core.values import UTC, escape_like, midnight, to_utc
from ._front.builder import Query
from ._front.tables import KEYWORDS

__all__ = [
    "DataAndQuery",
    "ValuePool",
    "conditions",
    "datasets",
    "datasets_and_queries",
    "fuzz_texts",
    "queries",
    "query_texts",
    "records",
    "semantics",
    "value_pools",
    "values",
]

_DATETIMES = st.datetimes(
    min_value=dt.datetime(1970, 1, 1),
    max_value=dt.datetime(2100, 1, 1),
    timezones=st.sampled_from(
        [UTC, dt.timezone(dt.timedelta(hours=2)), dt.timezone(dt.timedelta(hours=-5, minutes=-30))]
    ),
).map(lambda d: d.astimezone(UTC))
_DATES = st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2099, 12, 31))
_TEXT = st.text(max_size=12)
_WORDS = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=8)
_LIKE = st.lists(
    st.one_of(_TEXT.map(lambda s: s.replace("%", "\\%")), st.just("%")), max_size=4
).map("".join)
_RELATIVE = st.builds(
    RelativeTime,
    st.sampled_from(["now", "today", "yesterday"]),
    st.integers(-400, 400),
    st.sampled_from(["m", "h", "d", "w"]),
)

#: The operators these strategies know how to give values to; others are left out.
_KNOWN_OPS = (
    Op.EQ,
    Op.NEQ,
    Op.GT,
    Op.GTE,
    Op.LT,
    Op.LTE,
    Op.IN,
    Op.LIKE,
    Op.FUZZY,
    Op.KEYWORD,
    Op.IS_NULL,
)

_PERCENT = st.integers(0, 99)


def _rare(draw: Any, share: int) -> bool:
    """True about ``share`` times in a hundred.

    Hypothesis favours the ends of a range (0, the maximum, small numbers), so the rare
    branch takes a band from the middle, which it draws close to evenly.
    """
    roll: int = draw(_PERCENT)
    return 40 <= roll < 40 + share


#: In a hundred drawn values, about how many are foreign to the pool.
_FOREIGN_SHARE = 10
#: In a hundred pairs that select all records or none, about how many are left so.
_UNBALANCED_SHARE = 10
#: In a hundred drawn queries, about how many have no filter.
_NO_FILTER_SHARE = 5


def _entity(entity: str | Entity, *, searchable: bool = True) -> Entity:
    try:
        return get_entity(entity, searchable=searchable)
    except QueryError as err:
        raise InvalidArgument(str(err)) from None


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise InvalidArgument(message)


def _check_shape(max_depth: int, max_width: int) -> None:
    _check(
        isinstance(max_depth, int) and max_depth >= 1,
        f"max_depth must be a whole number of at least 1, got {max_depth!r}.",
    )
    _check(
        isinstance(max_width, int) and max_width >= 2,
        f"max_width must be a whole number of at least 2 (an and/or joins two or more "
        f"conditions), got {max_width!r}.",
    )


def _check_sizes(min_size: int, max_size: int) -> None:
    _check(
        isinstance(min_size, int) and isinstance(max_size, int) and 0 <= min_size <= max_size,
        f"min_size and max_size must be whole numbers with 0 <= min_size <= max_size, got "
        f"min_size={min_size!r}, max_size={max_size!r}.",
    )


def _field_names(e: Entity, fields: Sequence[str] | None) -> list[str]:
    if fields is None:
        return list(e.searchable)
    _check(
        not isinstance(fields, str),
        f"fields must be a list of field names, got the string {fields!r}; write "
        f"fields=[{fields!r}].",
    )
    names = []
    for f in fields:
        wire = e.resolve(f) if isinstance(f, str) else None
        _check(wire is not None, e.unknown_field_message(str(f)))
        names.append(str(wire))
    return names


def _dialect(dialect: str | None) -> bool:
    """Whether the dialect asked for lacks ``like`` (so patterns must fit its forms)."""
    try:
        return get_dialect(dialect).has_like is False
    except QueryError as err:
        raise InvalidArgument(str(err)) from None


# --------------------------------------------------------------------------- pools


@attrs.frozen
class ValuePool:
    """Values per field that records and queries both draw from, so that they meet.

    ``values`` maps a field's wire name to record values: strings, booleans, and UTC
    datetimes for timestamps. Draw one with :func:`value_pools`, or build one from
    records you hold with :meth:`from_records`.

    >>> pool = ValuePool.from_records("applications", [{"id": "a1", "status": "active"}])
    >>> pool.values["status"]
    ('active',)
    """

    entity: str
    values: Mapping[str, tuple[Any, ...]]

    @classmethod
    def from_records(cls, entity: str | Entity, records: Iterable[Mapping[str, Any]]) -> ValuePool:
        """The pool of the values ``records`` hold, field by field."""
        e = _entity(entity, searchable=False)
        types = _record_types(e)
        found: dict[str, list[Any]] = {}
        for r in records:
            for name, value in r.items():
                ftype = types.get(name)
                if ftype is None:
                    continue
                kept = _pool_value(ftype, value)
                if kept is not None and kept not in found.setdefault(name, []):
                    found[name].append(kept)
        return cls(e.name, {k: tuple(v) for k, v in found.items() if v})


def _record_types(e: Entity) -> dict[str, FieldType]:
    return {**e.record_fields, **{n: f.type for n, f in e.searchable.items()}}


def _pool_value(ftype: FieldType, value: object) -> Any:
    if ftype is FieldType.TIMESTAMP:
        if isinstance(value, dt.datetime):
            return to_utc(value)
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                return None
            return to_utc(parsed)
        return None
    if ftype is FieldType.BOOLEAN:
        return value if isinstance(value, bool) else None
    if ftype is FieldType.STRING:
        return value if isinstance(value, str) else None
    return None


#: Realistic text with the boundaries worth meeting: case-only differences, ``%`` and
#: ``_`` and a backslash inside values, words to search, an empty string.
_SAMPLE_TEXT = (
    "active",
    "Active",
    "ACTIVE",
    "archived",
    "hired",
    "Ann",
    "ann smith",
    "Anne-Marie O'Brien",
    "Bob",
    "50% off",
    "100%",
    "a_b",
    "snake_case_name",
    "a%b",
    "back\\slash",
    "Zoë",
    "ACME Corp",
    "acme corp",
    "",
)
_EXOTIC_TEXT = st.text(max_size=8)
_NEAR_DAYS = st.dates(dt.date(2023, 12, 29), dt.date(2024, 1, 3))
_HEX = st.text("0123456789abcdef", min_size=1, max_size=4)


@st.composite
def _text_seed(draw: Any) -> str:
    text: str = draw(_EXOTIC_TEXT) if _foreign(draw) else draw(st.sampled_from(_SAMPLE_TEXT))
    return text


@st.composite
def _day_instants(draw: Any) -> list[dt.datetime]:
    """Instants around one day: its midnight, one microsecond either side, a time in it."""
    day = draw(_DATES) if _foreign(draw) else draw(_NEAR_DAYS)
    start = midnight(day)
    tick = dt.timedelta(microseconds=1)
    out = [start]
    # Each neighbour of midnight joins about half the time, so records fall both sides.
    if draw(st.booleans()):
        out.append(start - tick)
    if draw(st.booleans()):
        out.append(start + tick)
    if draw(st.booleans()):
        out.append(start + dt.timedelta(hours=12))
    if draw(st.booleans()):
        out.append(start + draw(st.timedeltas(dt.timedelta(0), dt.timedelta(days=1) - tick)))
    return out


@st.composite
def _field_pool(draw: Any, ftype: FieldType) -> tuple[Any, ...]:
    if ftype is FieldType.BOOLEAN:
        return (True, False)
    if ftype is FieldType.TIMESTAMP:
        days = draw(st.lists(_day_instants(), min_size=1, max_size=3))
        return tuple(dict.fromkeys(t for d in days for t in d))
    if ftype is not FieldType.STRING:
        return (draw(_record_value(ftype)),)
    seeds = draw(st.lists(_text_seed(), min_size=1, max_size=4))
    # Case-only twins, so exact and case-blind matching tell apart.
    twins = [s.swapcase() for s in seeds if draw(st.booleans())]
    return tuple(dict.fromkeys([*seeds, *twins]))


@st.composite
def _id_pool(draw: Any) -> tuple[str, ...]:
    ids = draw(st.lists(_HEX, min_size=1, max_size=4, unique=True))
    return tuple(dict.fromkeys([*ids, *(i.upper() for i in ids if draw(st.booleans()))]))


def value_pools(entity: str | Entity) -> st.SearchStrategy[ValuePool]:
    """Pools of values, one small set per field, for records and queries to share.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(value_pools("jobs").flatmap(
    ...     lambda p: st.tuples(records("jobs", pool=p), queries("jobs", pool=p))))
    ... def test(pair):
    ...     record, query = pair
    ...     assert isinstance(query.matches(record), bool)
    >>> test()
    """
    return _pools(_entity(entity).name)


@functools.cache
def _pools(entity: str) -> st.SearchStrategy[ValuePool]:
    e = get_entity(entity)
    # Searchable fields get a few values to tell records apart; the others get one.
    parts = {
        n: _field_pool(t) if n in e.searchable else st.tuples(_record_value(t))
        for n, t in _record_types(e).items()
    }
    parts["id"] = _id_pool()
    return st.fixed_dictionaries(parts).map(lambda vs: ValuePool(entity, vs))


def _as_pool(e: Entity, pool: ValuePool | Iterable[Mapping[str, Any]]) -> ValuePool:
    if isinstance(pool, ValuePool):
        _check(
            pool.entity == e.name,
            f"The pool is for {pool.entity}, not {e.name}; draw one with value_pools({e.name!r}).",
        )
        return pool
    _check(
        not isinstance(pool, str | bytes | Mapping),
        f"pool= takes a ValuePool or a list of records, got {pool!r:.60}.",
    )
    return ValuePool.from_records(e, pool)


# --------------------------------------------------------------------------- values


@attrs.frozen
class _Source:
    """Where the values of the query being drawn come from: a pool, or wide ranges."""

    pool: ValuePool | None
    relative: bool

    def held(self, name: str, kind: type | tuple[type, ...] = object) -> tuple[Any, ...]:
        if self.pool is None:
            return ()
        return tuple(v for v in self.pool.values.get(name, ()) if isinstance(v, kind))


#: The source of the condition tree being drawn. Trees are built once and cached, and
#: their leaves read the pool of the draw in progress from here (draws never interleave).
_SOURCES: list[_Source] = []


@st.composite
def _with_source(
    draw: Any, source: st.SearchStrategy[_Source], inner: st.SearchStrategy[Any]
) -> Any:
    _SOURCES.append(draw(source))
    try:
        return draw(inner)
    finally:
        _SOURCES.pop()


def _current() -> _Source:
    return _SOURCES[-1] if _SOURCES else _Source(None, False)


def _foreign(draw: Any) -> bool:
    """Whether this value is foreign to the pool: about one time in ten."""
    return _rare(draw, _FOREIGN_SHARE)


def _wide_scalar(ftype: FieldType, relative: bool) -> st.SearchStrategy[Any]:
    if ftype is FieldType.BOOLEAN:
        return st.booleans()
    if ftype is FieldType.TIMESTAMP:
        base = st.one_of(_DATETIMES, _DATES)
        return st.one_of(base, _RELATIVE) if relative else base
    return _TEXT


_TICK = dt.timedelta(microseconds=1)
_DAY = dt.timedelta(days=1)


def _text_near(draw: Any, v: str) -> str:
    """``v`` itself, or a neighbour: just below or above it, its case twin, a prefix."""
    kind = draw(st.integers(0, 7))
    if kind <= 2 or (not v and kind >= 5):
        return v
    if kind == 3:
        return v + "\x00"
    if kind == 4:
        return v.swapcase()
    if kind == 5:
        return v[:-1]
    last = ord(v[-1])
    if kind == 6 and last > 0:
        return v[:-1] + chr(last - 1) + "\U0010ffff"
    if last < 0xD7FF or 0xE000 <= last < 0x10FFFF:
        return v[:-1] + chr(last + 1)
    return v


def _instant_near(draw: Any, t: dt.datetime) -> dt.datetime:
    shift: int = draw(st.sampled_from((0, 0, -1, 1, 1_000_000)))
    return t + shift * _TICK


def _time_near(draw: Any, t: dt.datetime) -> dt.date | dt.datetime:
    """The instant, its neighbours, or its day (a whole day, or midnight when ordered)."""
    if draw(st.booleans()):
        return _instant_near(draw, t)
    days: int = draw(st.sampled_from((0, 0, 1, -1)))
    return t.date() + days * _DAY


def _like_of(draw: Any, v: str) -> str:
    """A pattern built from ``v``: itself, a prefix, a suffix, a middle, both ends."""
    text = v.swapcase() if _rare(draw, 10) else v
    n = len(text)
    if not n or _rare(draw, 5):
        return "%"
    form = draw(st.sampled_from(("prefix", "suffix", "middle", "exact", "ends")))
    if form == "exact":
        return escape_like(text)
    if form == "prefix":
        return escape_like(text[: draw(st.integers(1, n))]) + "%"
    if form == "suffix":
        return "%" + escape_like(text[n - draw(st.integers(1, n)) :])
    if form == "middle":
        i = draw(st.integers(0, n - 1))
        return "%" + escape_like(text[i : draw(st.integers(i + 1, n))]) + "%"
    i = draw(st.integers(0, n))
    return escape_like(text[:i]) + "%" + escape_like(text[i:])


def _fuzzy_of(draw: Any, v: str) -> str:
    """Starts of some words of ``v``, in any order, sometimes in upper case."""
    words = _TOKEN.findall(v)
    chosen = draw(st.lists(st.sampled_from(words), min_size=1, max_size=2))
    cut = [w[: draw(st.integers(1, len(w)))] for w in chosen]
    text = " ".join(draw(st.permutations(cut)))
    return text.upper() if draw(st.integers(0, 4)) == 0 else text


def _keyword_of(draw: Any, v: str) -> str:
    """Some whole words of ``v``, maybe with a word it lacks, sometimes case-swapped."""
    words = _TOKEN.findall(v)
    chosen = draw(st.lists(st.sampled_from(words), min_size=1, max_size=2))
    if draw(st.integers(0, 3)) == 0:
        chosen.append(draw(_WORDS))
    text = " ".join(chosen)
    return text.swapcase() if draw(st.integers(0, 4)) == 0 else text


_TOKEN = re.compile(r"\w+")
_WIDE_WORDS = st.lists(_WORDS, min_size=1, max_size=3).map(" ".join)
_WIDE_ITEMS = {FieldType.BOOLEAN: st.booleans(), FieldType.TIMESTAMP: _DATETIMES}


@st.composite
def _scalar(draw: Any, name: str, ftype: FieldType) -> Any:
    src = _current()
    held = src.held(name, dt.datetime if ftype is FieldType.TIMESTAMP else str)
    if ftype is FieldType.BOOLEAN or not held or _foreign(draw):
        return draw(_wide_scalar(ftype, src.relative))
    v = draw(st.sampled_from(held))
    return _time_near(draw, v) if ftype is FieldType.TIMESTAMP else _text_near(draw, v)


@st.composite
def _item(draw: Any, name: str, ftype: FieldType) -> Any:
    held = _current().held(name, dt.datetime if ftype is FieldType.TIMESTAMP else str)
    if ftype is FieldType.BOOLEAN or not held or _foreign(draw):
        return draw(_WIDE_ITEMS.get(ftype, _TEXT))
    v = draw(st.sampled_from(held))
    return _instant_near(draw, v) if ftype is FieldType.TIMESTAMP else _text_near(draw, v)


@st.composite
def _pattern(draw: Any, name: str) -> str:
    held = _current().held(name, str)
    if not held or _foreign(draw):
        return str(draw(_LIKE))
    # Values holding %, _ or a backslash, half the time: escaping must get them right.
    special = tuple(v for v in held if any(c in v for c in "%_\\"))
    return _like_of(
        draw, draw(st.sampled_from(special if special and draw(st.booleans()) else held))
    )


@st.composite
def _words_value(draw: Any, name: str, op: Op) -> str:
    held = tuple(v for v in _current().held(name, str) if _TOKEN.search(v))
    if not held or _foreign(draw):
        return str(draw(_WIDE_WORDS))
    v = draw(st.sampled_from(held))
    return _fuzzy_of(draw, v) if op is Op.FUZZY else _keyword_of(draw, v)


def values(entity: str | Entity, field: str, *, relative: bool = False) -> st.SearchStrategy[Any]:
    """Valid values for ``field`` of ``entity``: text, booleans, dates or datetimes."""
    e = _entity(entity)
    (wire,) = _field_names(e, [field])
    return _wide_scalar(e.searchable[wire].type, relative)


# --------------------------------------------------------------------------- conditions


def _leaf(
    e: Entity,
    fields: Sequence[str],
    operators: Collection[Op] | None,
    like_2026: bool,
) -> st.SearchStrategy[Condition]:
    options = []
    for name in fields:
        ftype = e.searchable[name].type
        allowed = [
            o for o in _KNOWN_OPS if o in ftype.operators and (operators is None or o in operators)
        ]
        for op in allowed:
            options.append(_predicate(name, ftype, op, like_2026))
    _check(
        bool(options),
        f"No field of {e.name} among {', '.join(fields)} takes any of the operators "
        f"asked for ({', '.join(o.value for o in operators or ())}); widen fields= or "
        f"operators=.",
    )
    return st.one_of(options)


def _predicate(
    name: str, ftype: FieldType, op: Op, like_2026: bool
) -> st.SearchStrategy[Condition]:
    if op is Op.IS_NULL:
        return st.just(Predicate(op, name))
    if op is Op.IN:
        return st.lists(_item(name, ftype), min_size=1, max_size=4).map(
            lambda vs: Predicate(Op.IN, name, tuple(vs))
        )
    if op is Op.LIKE:
        pattern = _pattern(name)
        if like_2026:
            pattern = pattern.filter(lambda p: like_operator(p) is not None)
        return pattern.map(lambda p: Predicate(Op.LIKE, name, p))
    if op in (Op.FUZZY, Op.KEYWORD):
        return _words_value(name, op).map(lambda w: Predicate(op, name, w))
    return _scalar(name, ftype).map(lambda v: Predicate(op, name, v))


def _check_operators(operators: Collection[Op] | None) -> None:
    if operators is None:
        return
    _check(
        not isinstance(operators, str) and all(isinstance(o, Op) for o in operators),
        f"operators must be a list of Op members such as [Op.EQ, Op.IN], got {operators!r:.80}.",
    )


@functools.cache
def _tree(
    entity: str,
    fields: tuple[str, ...],
    operators: frozenset[Op] | None,
    max_depth: int,
    max_width: int,
    like_2026: bool,
) -> st.SearchStrategy[Condition]:
    """The condition trees for these options, built once; values come from ``_SOURCES``."""
    e = get_entity(entity)
    options = _leaf(e, fields, operators, like_2026)

    # Deferred under a short name, so that Hypothesis's statistics name it readably.
    def predicates() -> st.SearchStrategy[Condition]:
        return options

    def extend(children: st.SearchStrategy[Condition]) -> st.SearchStrategy[Condition]:
        group = st.lists(children, min_size=2, max_size=max_width)
        return st.one_of(
            children.map(Not),
            group.map(lambda cs: And.of(*cs)),
            group.map(lambda cs: Or.of(*cs)),
        )

    def condition_trees() -> st.SearchStrategy[Condition]:
        leaves = max(1, max_width**max_depth // 4)
        return st.recursive(st.deferred(predicates), extend, max_leaves=leaves)

    tree = st.deferred(condition_trees)
    return tree.map(lambda c: validate(QueryAST(e.name, c)).filter).filter(_depth_ok(max_depth))


def _tree_for(
    e: Entity,
    fields: Sequence[str] | None,
    operators: Collection[Op] | None,
    max_depth: int,
    max_width: int,
    dialect: str | None,
) -> st.SearchStrategy[Condition]:
    _check_shape(max_depth, max_width)
    _check_operators(operators)
    ops = None if operators is None else frozenset(operators)
    names = tuple(_field_names(e, fields))
    return _tree(e.name, names, ops, max_depth, max_width, _dialect(dialect))


def _source(
    e: Entity,
    pool: ValuePool | Iterable[Mapping[str, Any]] | None,
    exotic: bool,
    relative: bool,
) -> st.SearchStrategy[_Source]:
    if pool is not None:
        _check(not exotic, "Pass pool= or exotic=True, not both: exotic values ignore pools.")
        return st.just(_Source(_as_pool(e, pool), relative))
    if exotic:
        return st.just(_Source(None, relative))
    return value_pools(e).map(lambda p: _Source(p, relative))


def conditions(
    entity: str | Entity,
    *,
    fields: Sequence[str] | None = None,
    operators: Collection[Op] | None = None,
    max_depth: int = 3,
    max_width: int = 4,
    relative: bool = False,
    dialect: str | None = None,
    pool: ValuePool | Iterable[Mapping[str, Any]] | None = None,
    exotic: bool = False,
) -> st.SearchStrategy[Condition]:
    """Valid condition trees over ``entity``'s searchable fields.

    ``fields`` and ``operators`` narrow what appears; ``max_depth`` and ``max_width``
    bound nesting and the width of each and/or; ``relative`` adds ``today - 30d`` style
    times; ``dialect="2026"`` keeps to like patterns that dialect can express.
    ``pool`` (a :class:`ValuePool` or a list of records) is where values come from;
    without it a pool is drawn. ``exotic=True`` draws values on their own from wide
    ranges (any unicode, any date from 1970 to 2100).
    """
    e = _entity(entity)
    tree = _tree_for(e, fields, operators, max_depth, max_width, dialect)
    return _with_source(_source(e, pool, exotic, relative), tree)


def _depth_ok(max_depth: int) -> Any:
    return lambda node: node is None or depth(node) <= max_depth + 2


@functools.cache
def _sorts(entity: str) -> st.SearchStrategy[tuple[SortKey, ...]]:
    names = list(get_entity(entity).searchable)
    return st.lists(st.builds(SortKey, st.sampled_from(names), st.booleans()), max_size=2).map(
        tuple
    )


@functools.cache
def _selections(entity: str) -> st.SearchStrategy[tuple[tuple[str, ...], ...] | None]:
    names = list(get_entity(entity).record_fields)
    return st.one_of(
        st.none(),
        st.lists(st.sampled_from(names).map(lambda f: (f,)), min_size=1, max_size=3).map(tuple),
    )


@st.composite
def _maybe(draw: Any, cond: st.SearchStrategy[Condition]) -> Condition | None:
    """A condition, or about one time in twenty none at all."""
    if _rare(draw, _NO_FILTER_SHARE):
        _event("filter: none")
        return None
    found: Condition = draw(cond)
    return found


def queries(
    entity: str | Entity,
    *,
    fields: Sequence[str] | None = None,
    operators: Collection[Op] | None = None,
    max_depth: int = 3,
    max_width: int = 4,
    relative: bool = False,
    dialect: str | None = None,
    pool: ValuePool | Iterable[Mapping[str, Any]] | None = None,
    exotic: bool = False,
) -> st.SearchStrategy[Query]:
    """Valid :class:`Query` objects: a filter, sort, limit, field selection and cursor.

    Takes the options of :func:`conditions`. About one query in twenty has no filter.
    """
    e = _entity(entity)
    tree = _tree_for(e, fields, operators, max_depth, max_width, dialect)
    return _with_source(_source(e, pool, exotic, relative), _query_body(e.name, tree))


@functools.cache
def _query_body(entity: str, tree: st.SearchStrategy[Condition]) -> st.SearchStrategy[Query]:
    return st.builds(
        lambda f, s, lim, sel, cur: Query(validate(QueryAST(entity, f, s, lim, sel, cur))),
        _maybe(tree),
        _sorts(entity),
        st.one_of(st.none(), st.integers(1, 1000)),
        _selections(entity),
        st.one_of(st.none(), st.text(min_size=1, max_size=10)),
    )


def _event(label: str) -> None:
    if currently_in_test_context():
        event(label)


_KEYWORD = re.compile(r"\b(" + "|".join(sorted(KEYWORDS)) + r")\b")


def query_texts(
    entity: str | Entity,
    *,
    fields: Sequence[str] | None = None,
    max_depth: int = 3,
    max_width: int = 4,
    relative: bool = True,
) -> st.SearchStrategy[str]:
    """Valid query text, spelled in varied but legal ways.

    Keywords change case, spacing grows, strings may use single quotes, and groups may
    gain redundant parentheses; every text parses to a valid query.
    """
    base = queries(
        entity,
        fields=fields,
        max_depth=max_depth,
        max_width=max_width,
        relative=relative,
    )
    return st.builds(_respell, base, st.randoms(use_true_random=False))


def _respell(query: Query, rnd: Any) -> str:
    text = str(query)
    out = []
    # Walk outside string literals only; strings keep their exact text.
    pos = 0
    for m in re.finditer(r'"(?:[^"\\\n]|\\.)*"', text):
        out.append(_respell_code(text[pos : m.start()], rnd))
        lit = m.group()
        body = lit[1:-1]
        if "'" not in body and rnd.random() < 0.3:
            lit = "'" + body.replace('\\"', '"') + "'"
        out.append(lit)
        pos = m.end()
    out.append(_respell_code(text[pos:], rnd))
    result = "".join(out)
    if (
        query.ast.filter is not None
        and rnd.random() < 0.3
        and not query.ast.sort
        and (query.ast.limit is None and query.ast.fields is None and query.ast.cursor is None)
    ):
        result = f"( {result} )"
    return result


def _respell_code(code: str, rnd: Any) -> str:
    def kw(m: re.Match[str]) -> str:
        word = m.group()
        choice = rnd.random()
        if choice < 0.3:
            return word.upper()
        if choice < 0.4:
            return word.capitalize()
        return word

    code = _KEYWORD.sub(kw, code)
    code = code.replace(" = ", rnd.choice([" = ", " == ", "=", "  =  "]))
    code = code.replace(" != ", rnd.choice([" != ", " <> ", "!="]))
    return code.replace(" ", rnd.choice([" ", " ", "  ", "\t", "\n "]))


def fuzz_texts(entity: str | Entity) -> st.SearchStrategy[str]:
    """Near-valid and invalid query text, for checking that input handling never crashes.

    Mixes text generated from the grammar (with explicit whitespace), mutations of valid
    text (characters dropped, duplicated or swapped), and arbitrary text.
    """
    return _fuzz_texts(get_entity(entity).name)


@functools.cache
def _fuzz_texts(entity: str) -> st.SearchStrategy[str]:
    valid = query_texts(entity, max_depth=2, max_width=3)

    @st.composite
    def mutated(draw: Any) -> str:
        text: str = draw(valid)
        if not text:
            return text
        i = draw(st.integers(0, len(text) - 1))
        action = draw(st.sampled_from(["drop", "dup", "swap", "insert"]))
        if action == "drop":
            return text[:i] + text[i + 1 :]
        if action == "dup":
            return text[:i] + text[i] + text[i:]
        if action == "swap" and i + 1 < len(text):
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        junk: str = draw(st.sampled_from([*"()\"'=<>!&|[],.%\\-+ ", "and", "or", "not"]))
        return text[:i] + junk + text[i:]

    return st.one_of(mutated(), _grammar_texts(), st.text(max_size=60))


@functools.cache
def _grammar_texts() -> st.SearchStrategy[str]:
    from hypothesis.extra.lark import from_lark
    from lark import Lark

    from ._front.parser import _grammar_text

    grammar = _grammar_text()
    lark = Lark(grammar, parser="lalr", lexer="basic")
    # from_lark does not insert ignored whitespace: give it explicitly between tokens.
    return from_lark(lark, explicit={"WS": st.sampled_from([" ", "  ", "\n"])}).map(
        lambda s: re.sub(r"(?<=[A-Za-z0-9\"')])(?=[A-Za-z0-9\"'(])", " ", s)
    )


# --------------------------------------------------------------------------- records

_OFFSETS = [
    dt.UTC,
    dt.timezone(dt.timedelta(hours=2)),
    dt.timezone(dt.timedelta(hours=-5, minutes=-30)),
]


def _timestamp_text(t: dt.datetime, style: int) -> str:
    """A record's text for instant ``t``: ``Z`` with milliseconds, or another offset."""
    if style == 0 and not t.microsecond % 1000:
        return t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if style == 0:
        return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"
    return t.astimezone(_OFFSETS[style % len(_OFFSETS)]).isoformat()


_TIMESTAMP_TEXT = st.one_of(
    _DATETIMES.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"),
    st.builds(
        lambda d, h: d.astimezone(dt.timezone(dt.timedelta(hours=h))).isoformat(),
        _DATETIMES,
        st.integers(-11, 12),
    ),
)


def _record_value(ftype: FieldType) -> st.SearchStrategy[Any]:
    if ftype is FieldType.BOOLEAN:
        return st.booleans()
    if ftype is FieldType.TIMESTAMP:
        return _TIMESTAMP_TEXT
    if ftype is FieldType.ARRAY:
        return st.lists(st.text(max_size=6), max_size=3)
    if ftype is FieldType.OBJECT:
        return st.dictionaries(
            st.sampled_from(["id", "name", "title"]), st.text(max_size=6), max_size=2
        )
    return st.one_of(
        st.sampled_from(["active", "hired", "archived", "Ann", "ann smith"]), st.text(max_size=12)
    )


_NOT_TIMESTAMPS = st.sampled_from(["not a date", "2024-13-01T00:00:00Z", ""])


@st.composite
def _pooled_value(draw: Any, name: str, ftype: FieldType) -> Any:
    """A record's value for ``name``: mostly from the pool of the draw in progress."""
    held = _current().held(name)
    if not held or _foreign(draw):
        # Now and then a timestamp that is no timestamp at all, as real data has.
        if held and ftype is FieldType.TIMESTAMP and draw(st.booleans()):
            return draw(_NOT_TIMESTAMPS)
        return draw(_record_value(ftype))
    value = draw(st.sampled_from(held))
    if isinstance(value, dt.datetime):
        return _timestamp_text(value, draw(st.integers(0, 2)))
    return value


@st.composite
def _record_id(draw: Any) -> str:
    held = _current().held("id", str)
    if not held:
        return str(draw(st.uuids()))
    return str(draw(_HEX) if _foreign(draw) else draw(st.sampled_from(held)))


#: In a hundred record values, about how many are null when nulls are allowed.
_NULL_SHARE = 15


@st.composite
def _or_null_draw(draw: Any, value: st.SearchStrategy[Any]) -> Any:
    return None if _rare(draw, _NULL_SHARE) else draw(value)


def _or_null(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``value``, or about one time in seven ``None``."""
    return _or_null_draw(value)


@st.composite
def _held_first(draw: Any, name: str, ftype: FieldType) -> Any:
    held = _current().held(name)
    if not held:
        return draw(_record_value(ftype))
    return _timestamp_text(held[0], 0) if isinstance(held[0], dt.datetime) else held[0]


@functools.cache
def _records(
    entity: str, nulls: bool, missing: bool, lean: bool = False
) -> st.SearchStrategy[dict[str, Any]]:
    """Records; ``lean`` ones take fields no query can ask about from the pool as they are."""
    e = get_entity(entity, searchable=False)
    optional = {}
    required: dict[str, st.SearchStrategy[Any]] = {"id": _record_id()}
    for name, ftype in _record_types(e).items():
        if name == "id":
            continue
        if lean and name not in e.searchable:
            required[name] = _held_first(name, ftype)
            continue
        value = _pooled_value(name, ftype)
        optional[name] = _or_null(value) if nulls else value
    if missing:
        return st.fixed_dictionaries(required, optional=optional)
    return st.fixed_dictionaries({**required, **optional})


def _pool_source(
    e: Entity, pool: ValuePool | Iterable[Mapping[str, Any]] | None
) -> st.SearchStrategy[_Source]:
    if pool is None:
        return st.just(_Source(None, False))
    return st.just(_Source(_as_pool(e, pool), False))


def records(
    entity: str | Entity,
    *,
    nulls: bool = True,
    missing: bool = True,
    pool: ValuePool | Iterable[Mapping[str, Any]] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Records shaped like the connector's responses for ``entity``.

    Always an ``id``; other fields may be ``null`` (``nulls``) or absent (``missing``);
    text includes unicode, timestamps carry UTC or other offsets. With ``pool`` (a
    :class:`ValuePool` or a list of records), values come mostly from the pool.
    """
    e = _entity(entity, searchable=False)
    return _with_source(_pool_source(e, pool), _records(e.name, nulls, missing))


@functools.cache
def _record_lists(
    entity: str, min_size: int, max_size: int, nulls: bool, missing: bool
) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(
        _records(entity, nulls, missing, lean=True), min_size=min_size, max_size=max_size
    ).map(_distinct_ids)


def _distinct_ids(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give a record whose id an earlier one took a new id (``a1`` -> ``a1-2``)."""
    seen: set[str] = set()
    for i, row in enumerate(rows):
        if row["id"] in seen:
            row["id"] = f"{row['id']}-{i}"
        seen.add(row["id"])
    return rows


def datasets(
    entity: str | Entity,
    *,
    min_size: int = 0,
    max_size: int = 10,
    nulls: bool = True,
    missing: bool = True,
    pool: ValuePool | Iterable[Mapping[str, Any]] | None = None,
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Lists of records with distinct ids whose values come from one pool.

    A record whose id an earlier record took gets it with a suffix (``a1-2``).

    The records share values, so they tie on sort keys, differ only in case, fall on
    both sides of midnight, and hold ``%``, ``_`` and backslashes. Without ``pool`` one
    is drawn with :func:`value_pools`.
    """
    e = _entity(entity)
    _check_sizes(min_size, max_size)
    source = _pool_source(e, pool) if pool is not None else _source(e, None, False, False)
    return _with_source(source, _record_lists(e.name, min_size, max_size, nulls, missing))


class DataAndQuery(NamedTuple):
    """Records and a query drawn together: unpack as ``records, query = case``."""

    records: list[dict[str, Any]]
    query: Query


@st.composite
def _discriminating(
    draw: Any,
    entity: str,
    sizes: tuple[int, int],
    tree: st.SearchStrategy[Condition],
    allowed: _Allowed,
) -> DataAndQuery:
    e = get_entity(entity)
    pool = draw(_pools(e.name))
    _SOURCES.append(_Source(pool, False))
    try:
        rows = draw(_record_lists(e.name, *sizes, True, True))
        # The query asks about what the records hold, and about what the pool offered.
        _SOURCES[-1] = _Source(_merge(pool, ValuePool.from_records(e, rows)), False)
        query: Query = draw(_query_body(e.name, tree))
    finally:
        _SOURCES.pop()
    if len(rows) >= 2:
        query = _balance(draw, e, rows, query, allowed)
    chosen = sum(map(compile_predicate(query.ast.filter), rows))
    _record_split(chosen, len(rows))
    return DataAndQuery(rows, query)


def _merge(a: ValuePool, b: ValuePool) -> ValuePool:
    merged = {n: list(v) for n, v in a.values.items()}
    for name, held in b.values.items():
        have = merged.setdefault(name, [])
        have.extend(v for v in held if v not in have)
    return ValuePool(a.entity, {n: tuple(v) for n, v in merged.items()})


def _balance(
    draw: Any, e: Entity, rows: list[dict[str, Any]], query: Query, allowed: _Allowed
) -> Query:
    """Narrow or widen a filter that selects every record or none, most of the time.

    The added condition is ``f = v`` (or ``f in (v)``, or ``f is null``) on a field and
    value of a drawn record, within the fields and operators the caller allowed.
    """
    selected = sum(map(compile_predicate(query.ast.filter), rows))
    if 0 < selected < len(rows) or _rare(draw, _UNBALANCED_SHARE):
        return query
    op = next((o for o in (Op.EQ, Op.IN) if o in allowed.operators), None)
    if op is None and Op.IS_NULL not in allowed.operators:
        return query
    start = draw(st.integers(0, len(rows) - 1))
    flt = query.ast.filter
    for row in rows[start:] + rows[:start]:
        for field in allowed.fields:
            ftype = e.searchable[field].type
            value = _pool_value(ftype, row.get(field))
            leaf: Condition
            if value is None and row.get(field) is None and Op.IS_NULL in allowed.operators:
                leaf = Predicate(Op.IS_NULL, field)
            elif value is None or op not in ftype.operators:
                continue
            else:
                leaf = Predicate(op, field, value if op is Op.EQ else (value,))
            if selected:  # every record: leave this one out
                new = And.of(flt, Not(leaf)) if flt is not None else Not(leaf)
            else:  # no record: let this one in
                new = Or.of(flt, leaf) if flt is not None else leaf
            candidate = Query(validate(attrs.evolve(query.ast, filter=new)))
            if 0 < sum(map(compile_predicate(candidate.ast.filter), rows)) < len(rows):
                _event("balanced: yes")
                return candidate
    return query


@attrs.frozen
class _Allowed:
    fields: tuple[str, ...]
    operators: frozenset[Op]


def _record_split(chosen: int, total: int) -> None:
    if not currently_in_test_context():
        return
    if total == 0:
        label = "no records"
    elif chosen == 0:
        label = "none"
    elif chosen == total:
        label = "all"
    else:
        label = "some but not all"
    event(f"selects: {label}")


def datasets_and_queries(
    entity: str | Entity,
    *,
    min_size: int = 2,
    max_size: int = 10,
    fields: Sequence[str] | None = None,
    operators: Collection[Op] | None = None,
    max_depth: int = 3,
    max_width: int = 4,
    dialect: str | None = None,
) -> st.SearchStrategy[DataAndQuery]:
    """A small dataset and a query that tells its records apart, drawn together.

    The query's values come mostly from the records (exact values, neighbours, prefixes,
    words, days). When the filter would select every record or none, it is most of the
    time narrowed or widened by one condition on a drawn record, so that well over half
    of the pairs select some records but not all: properties such as "my filter agrees
    with the engine" then have something to get wrong. Each draw records a Hypothesis
    event (``selects: some but not all``, ``all``, ``none``), shown by
    ``pytest --hypothesis-show-statistics``.
    """
    e = _entity(entity)
    _check_sizes(min_size, max_size)
    tree = _tree_for(e, fields, operators, max_depth, max_width, dialect)
    allowed = _Allowed(
        tuple(_field_names(e, fields)), frozenset(Op) if operators is None else frozenset(operators)
    )
    return _discriminating(e.name, (min_size, max_size), tree, allowed)


#: Every choice of each :class:`~ashby_query.Semantics` option, written out.
_SEMANTICS_CHOICES: dict[str, tuple[str, ...]] = {
    "like_mode": ("pattern", "substring"),
    "like_case": ("sensitive", "insensitive"),
    "eq_case": ("sensitive", "insensitive"),
    "like_underscore": ("literal", "wildcard"),
    "fuzzy": ("ordered_words", "any_order_prefix"),
    "nulls": ("no_match", "neq_matches"),
    "date_only": ("whole_day", "midnight"),
}


def semantics(**fixed: str) -> st.SearchStrategy[Semantics]:
    """Every combination of the :class:`~ashby_query.Semantics` options.

    Keyword arguments pin options, for a property that holds under only some of them
    (``semantics(like_case="sensitive")`` for SQL's own ``LIKE``).

    >>> semantics(like_case="loud")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    hypothesis.errors.InvalidArgument: semantics(like_case='loud') is not a choice; ...
    """
    unknown = sorted(set(fixed) - set(_SEMANTICS_CHOICES))
    if unknown:
        raise InvalidArgument(
            f"semantics() has no option {unknown[0]!r:.60}; the options are "
            f"{', '.join(_SEMANTICS_CHOICES)}."
        )
    for name, value in fixed.items():
        if value not in _SEMANTICS_CHOICES[name]:
            raise InvalidArgument(
                f"semantics({name}={value!r:.60}) is not a choice; use one of "
                f"{', '.join(_SEMANTICS_CHOICES[name])}."
            )
    return st.builds(
        Semantics,
        **{
            name: st.just(fixed[name]) if name in fixed else st.sampled_from(choices)
            for name, choices in _SEMANTICS_CHOICES.items()
        },
    )
