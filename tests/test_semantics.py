"""Semantics: one options object for the engine and FakeAshby; each choice switches."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ashby_query as aq
from ashby_query import strategies as aqs
from ashby_query.testing import FakeAshby

NAMES = [
    {"id": "1", "name": "Ann Smith", "company": "Acme"},
    {"id": "2", "name": "ann_x", "company": "acme"},
    {"id": "3", "name": "annex", "company": None},
    {"id": "4", "name": "Smith Ann"},
]


def ids(text, semantics=None, rows=NAMES, entity="candidates"):
    return [r["id"] for r in aq.evaluate(text, rows, entity, semantics=semantics)]


def test_defaults_follow_the_sdk_documentation():
    """like ignores case, fuzzy is ordered words, keyword is any word, eq keeps case."""
    assert ["1", "2", "3"] == ids('name like "ANN%"')
    assert ["1"] == ids('name fuzzy "ann smi"')
    assert ["1", "4"] == ids('name keyword "smith bob"')
    assert ["1"] == ids('company = "Acme"')


def test_like_without_wildcard_is_equality():
    """like "x" compares as = "x" does, so the 2026 dialect's eq selects the same records."""
    assert ids('name = "ann_x"') == ids('name like "ann_x"')
    assert ids('name = "ANN_X"') == ids('name like "ANN_X"') == []
    sem = aq.Semantics(eq_case="insensitive")
    assert ["2"] == ids('name like "ANN_X"', sem)


def test_like_case_sensitive():
    """like_case="sensitive" keeps case."""
    assert ["1"] == ids('name like "Ann%"', aq.Semantics(like_case="sensitive"))


def test_eq_case_insensitive():
    """eq_case="insensitive" makes =, != and in ignore case."""
    sem = aq.Semantics(eq_case="insensitive")
    assert ["1", "2"] == ids('company = "ACME"', sem)
    assert ["1", "2"] == ids('company in ("ACME")', sem)
    assert [] == ids('company != "ACME"', sem)


def test_like_underscore_wildcard():
    """like_underscore="wildcard" makes _ one character; \\_ stays literal."""
    assert ["2"] == ids('name like "ann_x"')
    assert ["2", "3"] == ids('name like "ann_x"', aq.Semantics(like_underscore="wildcard"))
    assert ["2"] == ids('name like "ann\\_x"', aq.Semantics(like_underscore="wildcard"))


def test_like_mode_substring():
    """like_mode="substring" lets the pattern match inside the value."""
    assert [] == ids('name like "smith"')
    assert ["1", "4"] == ids('name like "smith"', aq.Semantics(like_mode="substring"))


def test_fuzzy_any_order():
    """fuzzy="any_order_prefix" drops the word order."""
    assert ["4"] == ids('name fuzzy "smi ann"')
    assert ["1", "4"] == ids('name fuzzy "smi ann"', aq.Semantics(fuzzy="any_order_prefix"))


def test_nulls_neq_matches():
    """nulls="neq_matches" lets != match a missing or null field."""
    assert ["2"] == ids('company != "Acme"')
    assert ["2", "3", "4"] == ids('company != "Acme"', aq.Semantics(nulls="neq_matches"))


def test_date_only_midnight():
    """date_only="midnight" makes = date one instant instead of the day."""
    rows = [
        {"id": "1", "createdAt": "2024-01-01T00:00:00Z"},
        {"id": "2", "createdAt": "2024-01-01T09:00:00Z"},
    ]
    assert ["1", "2"] == ids("createdAt = 2024-01-01", rows=rows, entity="applications")
    sem = aq.Semantics(date_only="midnight")
    assert ["1"] == ids("createdAt = 2024-01-01", sem, rows, "applications")


def test_bad_choice_names_the_allowed_ones():
    """An unknown choice is refused with the allowed values."""
    with pytest.raises(ValueError, match="'sensitive', 'insensitive'"):
        aq.Semantics(eq_case="maybe")


def test_semantics_is_frozen():
    """The options object cannot change after it is made."""
    sem = aq.Semantics()
    with pytest.raises(AttributeError):
        sem.eq_case = "insensitive"  # type: ignore[misc]


def test_fake_ashby_shares_the_semantics():
    """FakeAshby(semantics=...) answers searches by the same choices as the engine."""
    for sem, expected in [(None, []), (aq.Semantics(eq_case="insensitive"), ["1", "2"])]:
        with FakeAshby({"candidates": NAMES}, semantics=sem) as fake:
            page = fake.client().candidates.search('company = "ACME"')
        assert expected == sorted(r["id"] for r in page.records)


SEMANTICS = aqs.semantics(date_only="whole_day")


@given(st.data())
def test_compiled_json_means_the_same_under_every_choice(data):
    """Under any Semantics, the compiled (lowered) JSON read back selects what the query does."""
    entity = data.draw(st.sampled_from(["applications", "candidates", "job_postings"]))
    sem = data.draw(SEMANTICS)
    q = data.draw(aqs.queries(entity, relative=True))
    now = dt.datetime(2024, 3, 10, 15, 30, tzinfo=dt.UTC)
    back = aq.from_params(q.to_params(now=now), entity=entity)
    for r in data.draw(st.lists(aqs.records(entity), max_size=4)):
        assert q.matches(r, now=now, semantics=sem) == back.matches(r, now=now, semantics=sem)
