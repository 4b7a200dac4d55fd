"""Hypothesis strategies for ashby-query: queries, conditions, query texts, values, records.

Install with ``pip install 'ashby-query[hypothesis]'``. The library itself never imports
this module; import it from your tests::

    from hypothesis import given
    from ashby_query import strategies as aqs

    @given(aqs.queries("applications"))
    def test_my_pipeline_accepts_any_query(q):
        my_pipeline(q.to_params())

Every generated query validates, and shrinks towards short, readable ones.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Collection, Sequence
from typing import Any

from hypothesis import strategies as st

from ._back.compiler import get_dialect, like_to_2026
from ._back.engine import depth
from ._core.ast import And, Condition, Not, Or, Predicate, QueryAST, RelativeTime, SortKey
from ._core.schema import Entity, get_entity
from ._core.types import FieldType, Op
from ._core.validate import validate
from ._core.values import UTC
from ._front.builder import Query
from ._front.tables import KEYWORDS

__all__ = [
    "conditions",
    "fuzz_texts",
    "queries",
    "query_texts",
    "records",
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


def _entity(entity: str | Entity) -> Entity:
    return get_entity(entity)


def values(entity: str | Entity, field: str, *, relative: bool = False) -> st.SearchStrategy[Any]:
    """Valid values for ``field`` of ``entity``: text, booleans, dates or datetimes."""
    e = _entity(entity)
    wire = e.resolve(field)
    if wire is None:
        raise ValueError(e.unknown_field_message(field))
    ftype = e.searchable[wire].type
    if ftype is FieldType.BOOLEAN:
        return st.booleans()
    if ftype is FieldType.TIMESTAMP:
        base = st.one_of(_DATETIMES, _DATES)
        return st.one_of(base, _RELATIVE) if relative else base
    return _TEXT


def _leaf(
    e: Entity,
    fields: Sequence[str],
    operators: Collection[Op] | None,
    relative: bool,
    like_2026: bool,
) -> st.SearchStrategy[Condition]:
    options = []
    for name in fields:
        ftype = e.searchable[name].type
        allowed = [o for o in Op if o in ftype.operators and (operators is None or o in operators)]
        for op in allowed:
            options.append(_predicate(name, ftype, op, relative, like_2026))
    if not options:
        raise ValueError("No field takes any of the operators asked for.")
    return st.one_of(options)


def _predicate(
    name: str, ftype: FieldType, op: Op, relative: bool, like_2026: bool
) -> st.SearchStrategy[Condition]:
    if op is Op.IS_NULL:
        return st.just(Predicate(op, name))
    if op is Op.IN:
        item = {
            FieldType.BOOLEAN: st.booleans(),
            FieldType.TIMESTAMP: _DATETIMES,
        }.get(ftype, _TEXT)
        return st.lists(item, min_size=1, max_size=4).map(
            lambda vs: Predicate(Op.IN, name, tuple(vs))
        )
    if op is Op.LIKE:
        pattern = _LIKE.filter(lambda p: like_to_2026(p) is not None) if like_2026 else _LIKE
        return pattern.map(lambda p: Predicate(Op.LIKE, name, p))
    if op in (Op.FUZZY, Op.KEYWORD):
        return st.lists(_WORDS, min_size=1, max_size=3).map(
            lambda ws: Predicate(op, name, " ".join(ws))
        )
    if ftype is FieldType.BOOLEAN:
        value: st.SearchStrategy[Any] = st.booleans()
    elif ftype is FieldType.TIMESTAMP:
        value = st.one_of(_DATETIMES, _DATES)
        if relative:
            value = st.one_of(value, _RELATIVE)
    else:
        value = _TEXT
    return value.map(lambda v: Predicate(op, name, v))


def conditions(
    entity: str | Entity,
    *,
    fields: Sequence[str] | None = None,
    operators: Collection[Op] | None = None,
    max_depth: int = 3,
    max_width: int = 4,
    relative: bool = False,
    dialect: str | None = None,
) -> st.SearchStrategy[Condition]:
    """Valid condition trees over ``entity``'s searchable fields.

    ``fields`` and ``operators`` narrow what appears; ``max_depth`` and ``max_width``
    bound nesting and the width of each and/or; ``relative`` adds ``today - 30d`` style
    times; ``dialect="2026"`` keeps to like patterns that dialect can express.
    """
    e = _entity(entity)
    names = [e.resolve(f) or f for f in fields] if fields else list(e.searchable)
    leaf = _leaf(e, names, operators, relative, get_dialect(dialect).has_like is False)

    def extend(children: st.SearchStrategy[Condition]) -> st.SearchStrategy[Condition]:
        group = st.lists(children, min_size=2, max_size=max_width)
        return st.one_of(
            children.map(Not),
            group.map(lambda cs: And.of(*cs)),
            group.map(lambda cs: Or.of(*cs)),
        )

    tree = st.recursive(leaf, extend, max_leaves=max(1, max_width**max_depth // 4))
    return tree.map(lambda c: validate(QueryAST(e.name, c)).filter).filter(_depth_ok(max_depth))


def _depth_ok(max_depth: int) -> Any:
    return lambda node: node is None or depth(node) <= max_depth + 2


def queries(
    entity: str | Entity,
    *,
    fields: Sequence[str] | None = None,
    operators: Collection[Op] | None = None,
    max_depth: int = 3,
    max_width: int = 4,
    relative: bool = False,
    dialect: str | None = None,
) -> st.SearchStrategy[Query]:
    """Valid :class:`Query` objects: a filter, sort, limit, field selection and cursor."""
    e = _entity(entity)
    searchable = list(e.searchable)
    cond = conditions(
        e,
        fields=fields,
        operators=operators,
        max_depth=max_depth,
        max_width=max_width,
        relative=relative,
        dialect=dialect,
    )
    sort = st.lists(st.builds(SortKey, st.sampled_from(searchable), st.booleans()), max_size=2).map(
        tuple
    )
    selection = st.one_of(
        st.none(),
        st.lists(
            st.sampled_from(list(e.record_fields)).map(lambda f: (f,)), min_size=1, max_size=3
        ).map(tuple),
    )
    return st.builds(
        lambda f, s, lim, sel, cur: Query(validate(QueryAST(e.name, f, s, lim, sel, cur))),
        st.one_of(st.none(), cond),
        sort,
        st.one_of(st.none(), st.integers(1, 1000)),
        selection,
        st.one_of(st.none(), st.text(min_size=1, max_size=10)),
    )


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


def records(
    entity: str | Entity, *, nulls: bool = True, missing: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """Records shaped like the connector's responses for ``entity``.

    Always an ``id``; other fields may be ``null`` (``nulls``) or absent (``missing``);
    text includes unicode, timestamps carry UTC or other offsets.
    """
    e = get_entity(entity, searchable=False)
    fields = {**e.record_fields, **{n: f.type for n, f in e.searchable.items()}}
    optional = {}
    for name, ftype in fields.items():
        if name == "id":
            continue
        value = _record_value(ftype)
        if nulls:
            value = st.one_of(st.none(), value)
        optional[name] = value
    required = {"id": st.uuids().map(str)}
    if missing:
        return st.fixed_dictionaries(required, optional=optional)
    return st.fixed_dictionaries({**required, **optional})
