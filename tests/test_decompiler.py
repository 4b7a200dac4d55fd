"""Reading params back: compiler output, hand-written forms, malformed JSON."""

import pytest

import ashby_query as aq
from ashby_query import Applications, F, from_params


def test_round_trip_simple():
    """from_params(to_params(q)) == q."""
    q = (
        Applications.where(
            (F.status.in_("a", "b") | F.archiveReason.is_not_null()) & ~F.id.like("x%")
        )
        .order_by("createdAt desc")
        .limit(5)
        .select("id", "candidate.name")
        .cursor("c")
    )
    assert q == from_params(q.to_params(), entity="applications")


def test_day_range_folds_back_inside_and():
    """A whole-day = inside an and survives the round trip (not flattened away)."""
    q = aq.parse('status = "a" and createdAt = 2024-01-01', "applications")
    assert q == from_params(q.to_params(), entity="applications")
    q = aq.parse('status = "a" or createdAt != 2024-01-01', "applications")
    assert q == from_params(q.to_params(), entity="applications")


def test_several_operators_in_one_object_mean_and():
    """Hand-written objects with several operators are the AND of their parts."""
    q = from_params(
        {"query": {"filter": {"eq": {"status": "a"}, "like": {"id": "x%"}}}}, "applications"
    )
    assert 'status = "a" and id like "x%"' == str(q)


def test_several_fields_under_one_operator_mean_and():
    """{"eq": {"a": 1, "b": 2}} is a = 1 and b = 2."""
    q = from_params({"query": {"filter": {"eq": {"status": "a", "id": "b"}}}}, "applications")
    assert 'status = "a" and id = "b"' == str(q)


def test_mixed_parts_keep_key_order():
    """Parts of one object are ANDed in the order written."""
    q = from_params(
        {
            "query": {
                "filter": {"or": [{"eq": {"id": "1"}}, {"eq": {"id": "2"}}], "eq": {"status": "a"}}
            }
        },
        "applications",
    )
    assert '(id = "1" or id = "2") and status = "a"' == str(q)


def test_2026_operators_read_as_like():
    """startswith/endswith/contains read back as like patterns, escaping % and \\."""
    q = from_params(
        {
            "query": {
                "filter": {
                    "and": [
                        {"startswith": {"name": "50%"}},
                        {"endswith": {"name": "son"}},
                        {"contains": {"company": "ac"}},
                    ]
                }
            }
        },
        "candidates",
    )
    assert 'name like "50\\%%" and name like "%son" and company like "%ac%"' == str(q)


def test_dotted_fields_read():
    """Dotted field strings read as paths."""
    q = from_params({"query": {}, "fields": ["id", "candidate.name"]}, "applications")
    assert (("id",), ("candidate", "name")) == q.ast.fields


def test_neq_null_reads_as_is_not_null():
    """{"neq": {f: null}} is f is not null."""
    q = from_params({"query": {"filter": {"neq": {"status": None}}}}, "applications")
    assert "status is not null" == str(q)


def test_deep_json_reads_without_recursion():
    """A 3,000-deep not chain reads back."""
    obj = {"eq": {"id": "x"}}
    for _ in range(3000):
        obj = {"not": obj}
    q = from_params({"query": {"filter": obj}}, "applications", limits=aq.Limits(max_depth=3000))
    assert str(q).count("not ") == 3000


@pytest.mark.parametrize(
    ("params", "loc", "slug"),
    [
        ([], (), "malformed_json"),
        ({}, ("query",), "missing_query"),
        ({"filter": {}}, ("filter",), "unknown_key"),
        ({"query": []}, ("query",), "malformed_json"),
        ({"query": {"limit": 5}}, ("query", "limit"), "unknown_key"),
        ({"query": {"filter": {}}}, ("query", "filter"), "malformed_json"),
        ({"query": {"filter": {"and": []}}}, ("query", "filter", "and"), "malformed_json"),
        (
            {"query": {"filter": {"or": [{"eq": {"id": "a"}}, 5]}}},
            ("query", "filter", "or", 1),
            "malformed_json",
        ),
        (
            {"query": {"filter": {"equals": {"id": "a"}}}},
            ("query", "filter", "equals"),
            "unknown_operator",
        ),
        (
            {"query": {"filter": {"eq": {"id": ["a"]}}}},
            ("query", "filter", "eq", "id"),
            "malformed_json",
        ),
        (
            {"query": {"filter": {"in": {"id": "a"}}}},
            ("query", "filter", "in", "id"),
            "malformed_json",
        ),
        ({"query": {"filter": {"eq": "a"}}}, ("query", "filter", "eq"), "malformed_json"),
        ({"query": {"sort": {"id": "asc"}}}, ("query", "sort"), "malformed_json"),
        ({"query": {"sort": [{"id": "up"}]}}, ("query", "sort", 0, "id"), "malformed_json"),
        ({"query": {}, "fields": "id"}, ("fields",), "malformed_json"),
        ({"query": {}, "fields": [5]}, ("fields", 0), "malformed_json"),
        (
            {"query": {"filter": {"not": {"eq": {"stat": "a"}}}}},
            ("query", "filter", "not", "eq", "stat"),
            "unknown_field",
        ),
        (
            {"query": {"filter": {"regex": {"x": "a"}}}},
            ("query", "filter", "regex"),
            "unknown_operator",
        ),
    ],
)
def test_malformed_json_names_the_path(params, loc, slug):
    """Malformed params raise QueryError naming the path of the bad part."""
    with pytest.raises(aq.QueryError) as info:
        from_params(params, entity="applications")
    assert slug == info.value.type
    assert loc == info.value.problems[0].loc
