"""Fast paths give what the general paths give: validation, compiling, dates, wire text."""

import datetime as dt
from unittest import mock

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ashby_query as aq
from ashby_query import strategies as aqs
from ashby_query._back import compiler
from ashby_query._core import validate as validation
from ashby_query._core.ast import (
    And,
    Condition,
    Not,
    Or,
    Predicate,
    QueryAST,
    RelativeTime,
    iter_nodes,
)
from ashby_query._core.errors import Span
from ashby_query._core.lower import lower_condition
from ashby_query._core.schema import ENTITIES, SEARCHABLE, SearchField
from ashby_query._core.types import FieldType, Op
from ashby_query._core.values import _ISO, DateError, _read_match, format_wire, parse_iso
from ashby_query._core.walk import fold
from ashby_query._front.parser import parse_text

NOW = dt.datetime(2024, 3, 10, 15, 30, tzinfo=dt.UTC)
ENTITY = st.sampled_from(SEARCHABLE)


# Dates -----------------------------------------------------------------------------------
def _digits(width: int, top: int) -> st.SearchStrategy[str]:
    return st.integers(0, top).map(lambda n: f"{n:0{width}d}")


DATE_TEXTS = st.builds(
    lambda y, m, d: f"{y}-{m}-{d}", _digits(4, 9999), _digits(2, 14), _digits(2, 33)
)
WIRE_TEXTS = st.builds(
    lambda day, h, mi, s: f"{day}T{h}:{mi}:{s}Z",
    DATE_TEXTS,
    _digits(2, 25),
    _digits(2, 61),
    _digits(2, 61),
)


def _read(read, text):
    """What a reader gives for ``text``: the value with its type and zone, or its error."""
    try:
        value = read(text)
    except DateError as exc:
        return ("error", str(exc))
    return (type(value), value, getattr(value, "tzinfo", None))


@given(st.one_of(DATE_TEXTS, WIRE_TEXTS))
def test_parse_iso_reads_common_shapes_as_the_pattern_road_does(text):
    """A date or wire-form text reads the same (value or message) by either road."""
    expected = _read(lambda t: _read_match(t, _ISO.fullmatch(t)), text)
    assert expected == _read(parse_iso, text)


def _wire_reference(value):
    """The wire form as format_wire wrote it before it used isoformat and a memo."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.year < 1000:
        text = f"{value.year:04d}" + text[text.index("-") :]
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


ZONES = st.sampled_from(
    [
        None,
        dt.UTC,
        dt.timezone(dt.timedelta(hours=5, minutes=30)),
        dt.timezone(-dt.timedelta(hours=8)),
    ]
)
INSTANTS = st.datetimes(
    min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=ZONES
)


@given(st.one_of(INSTANTS, st.dates()))
def test_format_wire_writes_what_strftime_wrote(value):
    """format_wire agrees with the strftime form, the first time and from its memo."""
    expected = _wire_reference(value)
    assert expected == format_wire(value)
    assert expected == format_wire(value)


# Validation ------------------------------------------------------------------------------
def _spellings(entity):
    names = list(ENTITIES[entity].searchable)
    other = [n.upper() for n in names] + [n.lower() for n in names]
    record_only = [n for n in ENTITIES[entity].record_fields if n not in names][:2]
    return st.sampled_from(names * 3 + other + record_only + ["nope"])


SCALARS = st.one_of(
    st.text(max_size=5),
    st.booleans(),
    st.integers(-3, 3),
    st.none(),
    st.floats(allow_nan=False),
    DATE_TEXTS,
    WIRE_TEXTS,
    st.sampled_from(["2024-01-31T09:30:00+02:00", "9999-12-31", "0001-01-01", "yes", "today"]),
    st.dates(),
    INSTANTS,
    st.builds(RelativeTime, st.sampled_from(["now", "today"]), st.integers(-40, 40)),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3).map(tuple), st.lists(SCALARS, max_size=2))


def _trees(entity):
    leaves = st.builds(
        Predicate,
        st.sampled_from(list(Op)),
        _spellings(entity),
        VALUES,
        st.none(),
        st.none(),
        st.just(()),
    )
    return st.recursive(
        leaves,
        lambda kids: st.one_of(
            st.lists(kids, min_size=2, max_size=4).map(lambda k: And(tuple(k))),
            st.lists(kids, min_size=2, max_size=4).map(lambda k: Or(tuple(k))),
            kids.map(Not),
        ),
        max_leaves=8,
    )


def _outcome(run):
    """What ``run`` gives: the query with every type, span and zone in it, or the error."""
    try:
        q = run()
    except aq.QueryError as exc:
        return [
            (p.type, p.loc, p.msg, repr(p.input), p.span, p.fix, repr(p.ctx)) for p in exc.problems
        ]
    if q.filter is None:
        return q
    spans = [
        (type(n).__name__, n.span, getattr(n, "field_span", None), getattr(n, "value_spans", ()))
        for n, _ in iter_nodes(q.filter)
    ]
    return q, repr(q.filter), spans


def _both_ways(ast, text=None, entity=None):
    """Validation's outcome with its quick check, and with the general path alone."""
    fast = _outcome(lambda: validation.validate(ast, text, entity=entity))
    with mock.patch.object(validation, "_quick", return_value=None):
        slow = _outcome(lambda: validation.validate(ast, text, entity=entity))
    return fast, slow


TYPED = {
    FieldType.STRING: st.one_of(
        st.text(max_size=5), st.lists(st.text(max_size=3), max_size=3).map(tuple)
    ),
    FieldType.TIMESTAMP: st.one_of(
        DATE_TEXTS,
        WIRE_TEXTS,
        INSTANTS,
        st.dates(),
        st.sampled_from(["9999-12-31", "2024-01-31T09:30:00.5Z", "2024-13-01", "soon"]),
    ),
    FieldType.BOOLEAN: st.one_of(st.booleans(), st.sampled_from(["yes", "true", 1])),
}


@pytest.mark.parametrize(
    ("entity", "field"),
    [
        ("applications", "status"),
        ("applications", "createdAt"),
        ("applications", "CREATED_AT"),
        ("job_postings", "isListed"),
        ("candidates", "name"),
    ],
)
@given(op=st.sampled_from(list(Op)), data=st.data())
def test_quick_check_agrees_with_the_general_path_on_one_predicate(entity, field, op, data):
    """Each operator with values of the field's type and of others validates alike."""
    ftype = ENTITIES[entity].searchable[ENTITIES[entity].resolve(field)].type
    value = data.draw(st.one_of(TYPED[ftype], VALUES))
    ast = QueryAST(entity, Predicate(op, field, value, Span(0, 9), Span(0, 3), (Span(4, 9),)))
    fast, slow = _both_ways(ast)
    assert slow == fast


@given(st.data())
def test_quick_check_agrees_with_the_general_path_on_any_tree(data):
    """Arbitrary predicate trees, valid or not, validate alike with and without it."""
    entity = data.draw(ENTITY)
    ast = QueryAST(entity, data.draw(_trees(entity)))
    fast, slow = _both_ways(ast)
    assert slow == fast


@given(st.data())
def test_quick_check_agrees_with_the_general_path_on_query_text(data):
    """Parsed query text validates alike with and without it, spans included."""
    entity = data.draw(ENTITY)
    text = data.draw(aqs.query_texts(entity))
    fast, slow = _both_ways(parse_text(text, entity), text)
    assert slow == fast


@given(st.data())
def test_quick_check_agrees_with_the_general_path_on_a_built_entity(data):
    """An Entity a user built (its types read afresh) validates alike too."""
    entity = data.draw(ENTITY)
    base = ENTITIES[entity]
    mine = attrs.evolve(
        base,
        searchable={**base.searchable, "flag": SearchField("flag", FieldType.BOOLEAN, "A flag")},
    )
    leaf = st.builds(Predicate, st.sampled_from(list(Op)), st.just("flag"), VALUES)
    tree = st.one_of(_trees(entity), leaf, st.tuples(leaf, _trees(entity)).map(And))
    ast = QueryAST(entity, data.draw(tree))
    fast, slow = _both_ways(ast, entity=mine)
    assert slow == fast


# Compiling -------------------------------------------------------------------------------
NARROW = compiler.Dialect(
    "narrow", operators=compiler.REFERENCE_OPERATORS - {"gte", "like", "keyword"}
)
DIALECTS = st.sampled_from([compiler.REFERENCE, compiler.DIALECT_2026, NARROW])


def _two_walks(root, dialect, now):
    """The compiler before the walks merged: lower the whole tree, then compile it."""
    problems = []
    lowered = lower_condition(root, now)
    out = fold(
        lowered,
        leaf=lambda p: compiler._leaf(p, dialect, problems, now),
        not_=compiler._not,
        and_=compiler._and,
        or_=compiler._or,
    )
    if problems:
        paths = {id(node): path for node, path in iter_nodes(lowered)}
        raise aq.QueryError(
            attrs.evolve(problem, loc=("query", "filter", *paths[id(node)], *problem.loc))
            for node, problem in problems
        )
    return out


def _compiled(run):
    try:
        return run()
    except aq.QueryError as exc:
        return [(p.type, p.loc, p.msg, p.span) for p in exc.problems]


def _conditions(entity, exotic):
    cond = aqs.queries(entity, relative=True, exotic=exotic).filter(
        lambda q: q.ast.filter is not None
    )
    return cond.map(lambda q: q.ast.filter)


@given(st.data())
def test_one_walk_compiles_as_two_walks_did(data):
    """Lowering as the walk goes gives the JSON, or the errors, of two walks."""
    entity = data.draw(ENTITY)
    root: Condition = data.draw(_conditions(entity, data.draw(st.booleans())))
    dialect = data.draw(DIALECTS)
    expected = _compiled(lambda: _two_walks(root, dialect, NOW))
    assert expected == _compiled(lambda: compiler.compile_condition(root, dialect, NOW))


def test_one_walk_names_a_problem_inside_a_whole_day_by_its_lowered_path():
    """A day's range the dialect cannot write is named by its place in the lowered tree."""
    root = Or.of(aq.F.status == "x", Predicate(Op.EQ, "createdAt", dt.date(2024, 1, 31)))
    expected = _compiled(lambda: _two_walks(root, NARROW, NOW))
    assert [("query", "filter", "or", 1, "and", 0, "gte", "createdAt")] == [
        loc for _, loc, _, _ in expected
    ]
    assert expected == _compiled(lambda: compiler.compile_condition(root, NARROW, NOW))
