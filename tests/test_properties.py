"""Property tests: every round trip, and the wire shape of compiled JSON."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

import ashby_query as aq
from ashby_query import from_params, parse
from ashby_query import strategies as aqs
from ashby_query._core.schema import ENTITIES, SEARCHABLE
from ashby_query._core.types import FieldType, Op
from ashby_query._front.builder import EntityRef

ENTITY = st.sampled_from(SEARCHABLE)
NOW = dt.datetime(2024, 3, 10, 15, 30, tzinfo=dt.UTC)
KNOWN = {"eq", "neq", "gt", "gte", "lt", "lte", "in", "like", "fuzzy", "keyword"}


@given(st.data())
def test_parse_of_str_is_identity(data):
    """parse(str(q)) == q for generated queries, relative times and exotic values included."""
    entity = data.draw(ENTITY)
    q = data.draw(aqs.queries(entity, relative=True, exotic=data.draw(st.booleans())))
    assert q == parse(str(q), entity)


@given(st.data())
def test_formatting_is_idempotent(data):
    """Formatting a formatted query changes nothing."""
    entity = data.draw(ENTITY)
    q = data.draw(aqs.queries(entity, relative=True))
    text = str(q)
    assert text == str(parse(text, entity))


@given(st.data())
def test_from_params_of_to_params_is_identity(data):
    """from_params(q.to_params()) == q for queries without relative times."""
    entity = data.draw(ENTITY)
    q = data.draw(aqs.queries(entity, exotic=data.draw(st.booleans())))
    assert q == from_params(q.to_params(), entity=entity)


@given(st.data())
def test_relative_queries_round_trip_once_resolved(data):
    """With relative times, from_params(to_params(now=t)) == q.resolve(t)."""
    entity = data.draw(ENTITY)
    q = data.draw(aqs.queries(entity, relative=True))
    assert q.resolve(NOW) == from_params(q.to_params(now=NOW), entity=entity)


@given(st.data())
def test_varied_spellings_parse_to_the_same_query(data):
    """query_texts() spell queries in varied legal ways; all parse."""
    entity = data.draw(ENTITY)
    text = data.draw(aqs.query_texts(entity))
    q = parse(text, entity)
    assert q == parse(str(q), entity)


def _check_shape(obj, entity):
    stack = [obj]
    fields = ENTITIES[entity].searchable
    while stack:
        node = stack.pop()
        assert isinstance(node, dict)
        assert 1 == len(node), node
        ((key, body),) = node.items()
        if key in ("and", "or"):
            assert isinstance(body, list)
            assert len(body) >= 2
            stack.extend(body)
        elif key == "not":
            stack.append(body)
        else:
            assert key in KNOWN
            assert 1 == len(body)
            ((field, value),) = body.items()
            assert field in fields
            ftype = fields[field].type
            values = value if key == "in" else [value]
            if key == "in":
                assert isinstance(value, list)
                assert value
            for v in values:
                if v is None:
                    assert key in ("eq", "neq")
                elif ftype is FieldType.BOOLEAN:
                    assert isinstance(v, bool)
                elif ftype is FieldType.TIMESTAMP:
                    assert isinstance(v, str)
                    assert v.endswith("Z")
                    parsed = dt.datetime.fromisoformat(v)
                    assert parsed.utcoffset() == dt.timedelta(0)
                else:
                    assert isinstance(v, str)


@given(st.data())
def test_compiled_json_has_wire_shape(data):
    """One operator key, a known operator, a known field, a value of its type."""
    entity = data.draw(ENTITY)
    q = data.draw(aqs.queries(entity, relative=True))
    params = q.to_params(now=NOW)
    assert set(params) <= {"query", "limit", "fields", "cursor"}
    assert set(params["query"]) <= {"filter", "sort"}
    if "filter" in params["query"]:
        _check_shape(params["query"]["filter"], entity)
    for key in params["query"].get("sort", []):
        ((field, direction),) = key.items()
        assert field in ENTITIES[entity].searchable
        assert direction in ("asc", "desc")


@given(st.data())
def test_arbitrary_text_only_raises_query_error(data):
    """Arbitrary and mutated text never raises anything but QueryError."""
    entity = data.draw(ENTITY)
    text = data.draw(aqs.fuzz_texts(entity))
    try:
        q = parse(text, entity)
    except aq.QueryError as err:
        message = str(err)
    else:
        message = "parsed"
        assert q == parse(str(q), entity)
    assert message


@given(
    st.text(
        alphabet=st.sampled_from(list("()\"'=<>!&|[],.%\\-+ anotrisulkeymz0123456789TZ:")),
        max_size=40,
    )
)
def test_punctuation_soup_only_raises_query_error(text):
    """Dense punctuation and keyword fragments never crash the parser."""
    try:
        q = parse(text, "applications")
    except aq.QueryError as err:
        assert err.error_count() >= 1  # noqa: PT017
    else:
        assert q == parse(str(q), "applications")


# The engine as an oracle --------------------------------------------------
#
# These draw a dataset and queries whose values come from it, so that most pairs select
# some records but not all: a property that holds on every pair that selects everything
# or nothing would say nothing about the compiler.


@given(st.data())
def test_matches_agrees_with_engine_on_compiled_query(data):
    """q.matches(r) equals the engine's verdict on from_params(q.to_params())."""
    entity = data.draw(ENTITY)
    records, q = data.draw(aqs.datasets_and_queries(entity))
    back = from_params(q.to_params(), entity=entity)
    assert [q.matches(r) for r in records] == [back.matches(r) for r in records]
    assert q.evaluate(records) == back.evaluate(records)


@given(st.data())
def test_relative_queries_agree_with_their_compiled_form(data):
    """With relative times, matching at t agrees with the JSON compiled at t."""
    entity = data.draw(ENTITY)
    records = data.draw(aqs.datasets(entity, min_size=1))
    q = data.draw(aqs.queries(entity, relative=True, pool=records))
    back = from_params(q.to_params(now=NOW), entity=entity)
    assert [q.matches(r, now=NOW) for r in records] == [back.matches(r) for r in records]


@given(st.data())
def test_double_negation_and_de_morgan_select_the_same(data):
    """~~c and De Morgan rewrites select the same records as c."""
    entity = data.draw(ENTITY)
    records = data.draw(aqs.datasets(entity, min_size=2))
    a = data.draw(aqs.conditions(entity, max_depth=2, pool=records))
    b = data.draw(aqs.conditions(entity, max_depth=2, pool=records))
    e = EntityRef(entity)
    pairs = [
        (e.where(a), e.where(~~a)),
        (e.where(~(a & b)), e.where(~a | ~b)),
        (e.where(~(a | b)), e.where(~a & ~b)),
    ]
    for left, right in pairs:
        assert [left.matches(r) for r in records] == [right.matches(r) for r in records]


@given(st.data())
def test_2026_dialect_selects_the_same_records(data):
    """Where the 2026 dialect compiles, it selects what the reference dialect does."""
    entity = data.draw(st.sampled_from(["candidates", "jobs", "users"]))
    records, q = data.draw(aqs.datasets_and_queries(entity, dialect="2026"))
    ref = from_params(q.to_params(), entity=entity)
    new = from_params(q.to_params(dialect="2026"), entity=entity)
    assert [ref.matches(r) for r in records] == [new.matches(r) for r in records]


@given(st.data())
def test_2026_like_patterns_select_the_same_records(data):
    """Like patterns alone, compiled for 2026 and read back, select what they did."""
    entity = data.draw(st.sampled_from(["candidates", "jobs", "users"]))
    records, q = data.draw(
        aqs.datasets_and_queries(entity, operators=[Op.LIKE, Op.EQ], dialect="2026")
    )
    new = from_params(q.to_params(dialect="2026"), entity=entity)
    assert [q.matches(r) for r in records] == [new.matches(r) for r in records]


@given(st.data())
def test_compiled_json_never_has_empty_groups(data):
    """Compiling never emits an empty and/or/in or an unknown operator."""
    entity = data.draw(ENTITY)
    q = data.draw(aqs.queries(entity))
    stack = [q.to_params()["query"].get("filter", {"eq": {"id": "x"}})]
    while stack:
        node = stack.pop()
        ((key, body),) = node.items()
        assert key in KNOWN | {"and", "or", "not"}
        if key in ("and", "or"):
            assert body
            stack.extend(body)
        elif key == "not":
            stack.append(body)
        elif key == "in":
            assert next(iter(body.values()))


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(["2024-01-01", "2024-01-01T00:00:00Z", "eq", "and", "status", "%"]),
    lambda kids: (
        st.lists(kids, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "query",
                    "filter",
                    "sort",
                    "limit",
                    "fields",
                    "cursor",
                    "eq",
                    "neq",
                    "gt",
                    "in",
                    "like",
                    "not",
                    "and",
                    "or",
                    "status",
                    "createdAt",
                    "id",
                    "startswith",
                    "x",
                ]
            ),
            kids,
            max_size=3,
        )
    ),
    max_leaves=20,
)


@given(JSON)
def test_arbitrary_json_only_raises_query_error(params):
    """from_params on any JSON value returns a valid query or raises QueryError."""
    try:
        q = from_params(params, entity="applications")
    except aq.QueryError as err:
        assert err.error_count() >= 1  # noqa: PT017
    else:
        assert q == from_params(q.to_params(), entity="applications")
