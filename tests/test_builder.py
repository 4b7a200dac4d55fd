"""The fluent builder: fields, conditions, queries, immutability."""

import datetime as dt

import pytest

import ashby_query as aq
from ashby_query import Applications, Candidates, F, JobPostings, Jobs, Users, and_, not_, or_


def test_literal_issue_example():
    """Candidates.where(Candidates.name.like("Ann%")) compiles to a like filter."""
    q = Candidates.where(Candidates.name.like("Ann%"))
    assert {"query": {"filter": {"like": {"name": "Ann%"}}}} == q.to_params()


def test_free_field_equals_bound_field():
    """F.name and Candidates.name build the same query."""
    assert Candidates.where(F.name.like("Ann%")) == Candidates.where(Candidates.name.like("Ann%"))


def test_free_field_checked_when_attached():
    """A free field that the entity lacks fails at where(), naming the closest field."""
    with pytest.raises(aq.QueryError) as info:
        Candidates.where(F.nmae == "x")
    assert "unknown_field" == info.value.type
    assert "'name'" in str(info.value)


def test_bound_unknown_field_is_attribute_and_query_error():
    """Candidates.nme raises UnknownFieldError, both an AttributeError and a QueryError."""
    with pytest.raises(aq.UnknownFieldError) as info:
        Candidates.nme
    assert isinstance(info.value, AttributeError)
    assert isinstance(info.value, aq.QueryError)
    assert "Did you mean 'name'?" in str(info.value)
    assert not hasattr(Candidates, "nme")


@pytest.mark.parametrize("spelling", ["createdAt", "created_at", "CREATEDAT", "CreatedAt"])
def test_field_spellings_resolve(spelling):
    """snake_case and any case resolve to the wire name."""
    q = Applications.where(F[spelling] > dt.date(2024, 1, 1))
    assert {"gt": {"createdAt": "2024-01-01T00:00:00Z"}} == q.to_params()["query"]["filter"]
    assert "createdAt" == getattr(Applications, spelling).name


@pytest.mark.parametrize(
    ("cond", "wire"),
    [
        (F.status == "a", {"eq": {"status": "a"}}),
        (F.status != "a", {"neq": {"status": "a"}}),
        (F.status > "a", {"gt": {"status": "a"}}),
        (F.status >= "a", {"gte": {"status": "a"}}),
        (F.status < "a", {"lt": {"status": "a"}}),
        (F.status <= "a", {"lte": {"status": "a"}}),
        (F.status.in_("a", "b"), {"in": {"status": ["a", "b"]}}),
        (F.status.in_(["a", "b"]), {"in": {"status": ["a", "b"]}}),
        (F.status.not_in("a"), {"not": {"in": {"status": ["a"]}}}),
        (F.status.like("a%"), {"like": {"status": "a%"}}),
        (F.status.not_like("a%"), {"not": {"like": {"status": "a%"}}}),
        (F.status.fuzzy("ann smith"), {"fuzzy": {"status": "ann smith"}}),
        (F.status.keyword("stripe"), {"keyword": {"status": "stripe"}}),
        (F.status.is_null(), {"eq": {"status": None}}),
        (F.status.is_not_null(), {"neq": {"status": None}}),
        (F.status == None, {"eq": {"status": None}}),
        (F.status != None, {"neq": {"status": None}}),
    ],
)
def test_every_field_operator(cond, wire):
    """Each builder operator compiles to its wire operator."""
    assert wire == Applications.where(cond).to_params()["query"]["filter"]


def test_combinators_and_functions_agree():
    """&, |, ~ build the same trees as and_(), or_(), not_()."""
    a, b, c = F.status == "a", F.status == "b", F.id == "c"
    assert (a & b) == and_(a, b)
    assert (a | b) == or_(a, b)
    assert ~a == not_(a)
    assert ((a & b) & c) == and_(a, b, c)
    assert isinstance(a & b & c, aq.And)
    assert 3 == len((a & b & c).operands)


def test_and_or_stay_flat():
    """Nested and/or of the same kind flatten; mixed kinds nest."""
    a, b, c, d = (F.id == x for x in "abcd")
    tree = (a | b) & (c | d)
    assert 2 == len(tree.operands)
    assert all(isinstance(o, aq.Or) for o in tree.operands)
    assert 4 == len(or_(a, or_(b, or_(c, d))).operands)


@pytest.mark.parametrize(
    "expr",
    [
        lambda: bool(F.status == "a"),
        lambda: (F.status == "a") and (F.id == "b"),
        lambda: (F.status == "a") or (F.id == "b"),
        lambda: not (F.status == "a"),  # noqa: SIM201
        lambda: "a" < F.status < "c",
    ],
)
def test_bool_of_condition_raises(expr):
    """bool() of a condition raises TypeError that says to use & and |."""
    with pytest.raises(TypeError, match=r"Use & for and, \| for or"):
        expr()


def test_empty_and_or_are_refused():
    """and_() and or_() with no conditions are TypeErrors, never an empty and/or."""
    with pytest.raises(TypeError, match="at least one"):
        and_()
    with pytest.raises(TypeError, match="at least one"):
        or_()


def test_builder_never_mutates():
    """Every query method returns a new query and leaves the original alone."""
    base = Applications.where(F.status == "active")
    before = base.to_params()
    steps = [
        base.where(F.id == "x"),
        base.order_by(Applications.createdAt.desc(), "id"),
        base.limit(5),
        base.select("id", "candidate.name"),
        base.cursor("abc"),
    ]
    assert before == base.to_params()
    assert len({str(s) for s in steps}) == len(steps)
    with pytest.raises(AttributeError):
        base.ast = None


def test_successive_where_calls_and_together():
    """where().where() ANDs the conditions."""
    q = Applications.where(F.status == "a").where(F.id == "b")
    assert {"and": [{"eq": {"status": "a"}}, {"eq": {"id": "b"}}]} == q.to_params()["query"][
        "filter"
    ]


def test_where_takes_text():
    """where() accepts query text, like sqlglot's builder."""
    q = Applications.where(F.status == "a").where('id = "b"')
    assert q == Applications.where(F.status == "a", F.id == "b")


def test_where_text_refuses_clauses():
    """Query text given to where() may hold a condition only."""
    with pytest.raises(aq.QueryError, match="order_by"):
        Applications.where('status = "a" order by id')


def test_order_by_forms():
    """order_by takes sort keys, fields and 'name [asc|desc]' strings."""
    q = Applications.order_by(Applications.createdAt.desc(), "id", "status desc", F.updatedAt)
    assert [
        {"createdAt": "desc"},
        {"id": "asc"},
        {"status": "desc"},
        {"updatedAt": "asc"},
    ] == q.to_params()["query"]["sort"]


def test_order_by_bad_direction():
    """A sort string with a direction other than asc/desc is a QueryError."""
    with pytest.raises(aq.QueryError, match="field desc"):
        Applications.order_by("id sideways")


def test_limit_select_cursor_compile_beside_query():
    """limit, fields and cursor sit beside query in params."""
    p = Candidates.select("id", "name").limit(10).cursor("c1").to_params()
    assert {"query": {}, "limit": 10, "fields": [["id"], ["name"]], "cursor": "c1"} == p


def test_to_request_adds_entity_and_action():
    """to_request() is the whole execute body."""
    assert {
        "entity": "job_postings",
        "action": "context_store_search",
        "params": {"query": {"filter": {"eq": {"isListed": True}}}},
    } == JobPostings.where(JobPostings.isListed == True).to_request()


def test_entities_exposed():
    """The five searchable entities have builder objects with their fields."""
    assert ["candidates", "applications", "jobs", "users", "job_postings"] == [
        e.schema.name for e in (Candidates, Applications, Jobs, Users, JobPostings)
    ]
    assert "firstName" in dir(Users)


def test_comparing_two_fields_is_refused():
    """The connector compares a field with a value only."""
    with pytest.raises(TypeError, match="with a value only"):
        F.status == F.id


def test_between_is_inclusive():
    """between() is >= low and <= high."""
    q = Applications.where(F.status.between("a", "c"))
    assert {"and": [{"gte": {"status": "a"}}, {"lte": {"status": "c"}}]} == q.to_params()["query"][
        "filter"
    ]


def test_repr_and_str():
    """repr shows entity and canonical text; str is the text."""
    q = Candidates.where(F.name == "Ann")
    assert 'name = "Ann"' == str(q)
    assert "Query('candidates', 'name = \"Ann\"')" == repr(q)


def test_where_text_errors_point_into_that_text():
    """An error in text given to where() shows that text with a caret."""
    with pytest.raises(aq.QueryError) as info:
        Candidates.where(F.name == "a").where('nmae = "x"')
    assert '  nmae = "x"\n  ^^^^' in str(info.value)
    assert 1 == info.value.problems[0].column


def test_query_validates_its_ast():
    """Query(ast) validates: the defect Query(bad AST).to_params() is gone."""
    bad = aq.QueryAST("applications", aq.Predicate(aq.Op.GT, "nope", 5))
    with pytest.raises(aq.QueryError, match="nope"):
        aq.Query(bad)
    q = aq.Query(aq.QueryAST("applications", aq.Predicate(aq.Op.EQ, "STATUS", "a")))
    assert {"eq": {"status": "a"}} == q.to_params()["query"]["filter"]


def test_user_built_entity_works_wherever_a_name_does():
    """An Entity built with attrs.evolve is accepted by parse, compile, evaluate, from_params."""
    import attrs

    apps = aq.ENTITIES["applications"]
    extra = aq.SearchField("source", aq.FieldType.STRING, "Where it came from")
    mine = attrs.evolve(apps, searchable={**apps.searchable, "source": extra})
    params = aq.compile('source = "referral"', entity=mine)
    assert {"eq": {"source": "referral"}} == params["query"]["filter"]
    assert aq.from_params(params, mine) == aq.parse('SOURCE = "referral"', mine)
    rows = [{"id": "1", "source": "referral"}, {"id": "2", "source": "web"}]
    assert [rows[0]] == aq.evaluate('source = "referral"', rows, entity=mine)
    assert "source" in aq.parse('source = "x"', mine).schema.searchable
    with pytest.raises(aq.QueryError, match="source"):
        aq.compile('source = "referral"', entity="applications")


def test_malformed_user_entity_is_refused():
    """A searchable map that is not SearchFields is refused with how to build it."""
    import attrs

    bad = attrs.evolve(aq.ENTITIES["candidates"], searchable={"x": "string"})
    with pytest.raises(aq.QueryError, match="SearchField") as info:
        aq.compile('x = "a"', entity=bad)
    assert "bad_entity" == info.value.type


def test_entities_repr_is_short():
    """ENTITIES prints one short line per entity, not every field."""
    text = repr(aq.ENTITIES)
    assert "Entity('applications', searchable=id, status" in text
    assert len(text) < 1500


def test_relative_time_closed_sets():
    """anchor and unit are enums that equal their strings; bad ones are refused."""
    from ashby_query._core.ast import Anchor, Unit

    assert aq.RelativeTime("today", -1, "d") == aq.RelativeTime(Anchor.TODAY, -1, Unit.DAYS)
    assert "RelativeTime(anchor='today', amount=-1, unit='d')" == repr(
        aq.RelativeTime("today", -1, "d")
    )
    with pytest.raises(ValueError, match="'now', 'today', 'yesterday'"):
        aq.RelativeTime("tomorrow")
    with pytest.raises(ValueError, match="unit"):
        aq.RelativeTime("now", 1, "y")


def test_max_limit_is_named_once():
    """MAX_LIMIT is public and is the bound the builder enforces."""
    assert 1000 == aq.MAX_LIMIT
    assert aq.MAX_LIMIT == aq.Candidates.limit(aq.MAX_LIMIT).ast.limit
    with pytest.raises(aq.QueryError, match=str(aq.MAX_LIMIT)):
        aq.Candidates.limit(aq.MAX_LIMIT + 1)


def test_sdk_shaped_dict_is_read_everywhere():
    """{"filter": ...} (the SDK's shape) compiles as {"query": {"filter": ...}} does."""
    sdk = {"filter": {"eq": {"status": "active"}}}
    assert aq.compile({"query": sdk}, entity="applications") == aq.compile(
        sdk, entity="applications"
    )


def test_unchecked_opts_out_only_where_it_can():
    """Unchecked params skip validation when sent; checked_params validates the rest."""
    from ashby_query._front.builder import checked_params

    raw = {"query": {"filter": {"eq": {"nope": 1}}}}
    assert raw == checked_params(aq.Unchecked(raw), "applications")
    with pytest.raises(aq.QueryError, match="nope"):
        checked_params(raw, "applications")


def test_client_validates_dicts_alike_in_every_mode():
    """A dict query is validated the same way hosted and local; the SDK shape works in both."""
    from ashby_query.testing import FakeAshby

    rows = [{"id": "1", "status": "active"}, {"id": "2", "status": "hired"}]
    with FakeAshby({"applications": rows}) as fake:
        apps = fake.client().applications
        sdk = {"filter": {"eq": {"status": "hired"}}}
        for mode in ("hosted", "local"):
            assert ["2"] == [r["id"] for r in apps.search(sdk, mode=mode).records]
            with pytest.raises(aq.QueryError, match="stauts"):
                apps.search({"filter": {"eq": {"stauts": "x"}}}, mode=mode)
        sent = len(fake.requests)
        with pytest.raises(aq.QueryError):
            apps.search({"filter": {"eq": {"stauts": "x"}}})
        assert sent == len(fake.requests)


def test_attrs_evolve_on_a_query_validates_again():
    """attrs.evolve(q, ast=...) makes a checked Query; a bad AST is refused."""
    import attrs

    q = aq.parse('status = "a"', "applications")
    assert "limit 5" in str(attrs.evolve(q, ast=attrs.evolve(q.ast, limit=5)))
    with pytest.raises(aq.QueryError, match="limit"):
        attrs.evolve(q, ast=attrs.evolve(q.ast, limit=0))
