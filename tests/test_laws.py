"""Laws that tie operators together, checked on drawn datasets without a second engine.

The compiler-versus-engine properties use the engine as the oracle, so a bug in the
engine hides there. These laws hold whatever exactly a comparison means (case, nulls,
offsets): ``f > v`` is ``f >= v`` without ``f = v``; ``f = D`` for a date is the day
from its midnight to the next; an ``in`` list is an ``or`` of equalities; sorting orders
what it keeps and keeps ties in their order; a limit cuts the sorted list.
"""

import datetime as dt
import re

from hypothesis import given
from hypothesis import strategies as st

from ashby_query import strategies as aqs
from ashby_query._core.schema import ENTITIES, SEARCHABLE
from ashby_query._core.types import FieldType
from ashby_query._front.builder import EntityRef, F

ENTITY = st.sampled_from(SEARCHABLE)
NOW = dt.datetime(2024, 3, 10, 15, 30, tzinfo=dt.UTC)


def _selection(entity, cond, records):
    query = EntityRef(entity).where(cond)
    return [query.matches(r, now=NOW) for r in records]


def _instant(value):
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value).astimezone(dt.UTC)
    except ValueError:
        return None


@st.composite
def field_and_value(draw, kinds=(FieldType.STRING, FieldType.TIMESTAMP)):
    """A dataset, an orderable field, and a value one of its records holds."""
    entity = draw(
        st.sampled_from(
            [e for e in SEARCHABLE if any(f.type in kinds for f in ENTITIES[e].searchable.values())]
        )
    )
    records = draw(aqs.datasets(entity, min_size=2))
    fields = [n for n, f in ENTITIES[entity].searchable.items() if f.type in kinds]
    name = draw(st.sampled_from(fields))
    ftype = ENTITIES[entity].searchable[name].type
    held = [r.get(name) for r in records]
    if ftype is FieldType.TIMESTAMP:
        held = [_instant(v) for v in held]
    held = [v for v in held if isinstance(v, str | dt.datetime)]
    value = draw(st.sampled_from(held)) if held else draw(aqs.values(entity, name))
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return entity, records, name, value


def _sets(entity, records, name, value):
    f = F[name]
    return {
        op: _selection(entity, cond, records)
        for op, cond in {
            "=": f == value,
            "!=": f != value,
            ">": f > value,
            ">=": f >= value,
            "<": f < value,
            "<=": f <= value,
        }.items()
    }


@given(field_and_value())
def test_strict_comparisons_leave_out_equality(case):
    """f > v selects what f >= v selects except f = v; likewise f < v and f <= v."""
    s = _sets(*case)
    assert [ge and not eq for ge, eq in zip(s[">="], s["="], strict=True)] == s[">"]
    assert [le and not eq for le, eq in zip(s["<="], s["="], strict=True)] == s["<"]


@given(field_and_value())
def test_comparisons_split_the_comparable_records(case):
    """f = v is f >= v and f <= v; f != v is f < v or f > v; < and >= never overlap."""
    s = _sets(*case)
    assert [ge and le for ge, le in zip(s[">="], s["<="], strict=True)] == s["="]
    assert [lt or gt for lt, gt in zip(s["<"], s[">"], strict=True)] == s["!="]
    assert not any(lt and ge for lt, ge in zip(s["<"], s[">="], strict=True))
    assert not any(gt and le for gt, le in zip(s[">"], s["<="], strict=True))


@given(field_and_value(kinds=(FieldType.TIMESTAMP,)), st.sampled_from([0, 1, -1]))
def test_a_date_means_its_whole_day(case, shift):
    """f = D is D's midnight up to the next; f != D is the rest; > D is after midnight."""
    entity, records, name, value = case
    day = value.date() + dt.timedelta(days=shift)
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    end = start + dt.timedelta(days=1)
    f = F[name]
    assert _selection(entity, (f >= start) & (f < end), records) == _selection(
        entity, f == day, records
    )
    assert _selection(entity, (f < start) | (f >= end), records) == _selection(
        entity, f != day, records
    )
    assert _selection(entity, f > start, records) == _selection(entity, f > day, records)
    assert _selection(entity, f <= start, records) == _selection(entity, f <= day, records)


@given(st.data())
def test_in_is_an_or_of_equalities(data):
    """f in (a, b, ...) selects what f = a or f = b or ... selects."""
    entity, records, name, value = data.draw(field_and_value())
    other = data.draw(aqs.values(entity, name))
    if isinstance(other, dt.date) and not isinstance(other, dt.datetime):
        other = dt.datetime(other.year, other.month, other.day, tzinfo=dt.UTC)
    f = F[name]
    assert _selection(entity, f.in_(value, other), records) == _selection(
        entity, (f == value) | (f == other), records
    )


@given(st.data())
def test_not_null_is_the_complement_of_null(data):
    """f is not null selects exactly what f is null does not."""
    entity = data.draw(ENTITY)
    records = data.draw(aqs.datasets(entity, min_size=2))
    name = data.draw(st.sampled_from(list(ENTITIES[entity].searchable)))
    f = F[name]
    null = _selection(entity, f.is_null(), records)
    assert [not x for x in null] == _selection(entity, ~f.is_null(), records)
    assert [r.get(name) is None for r in records] == null


def _sort_value(ftype, value):
    if ftype is FieldType.TIMESTAMP:
        return _instant(value)
    kind = bool if ftype is FieldType.BOOLEAN else str
    return value if type(value) is kind else None


@given(st.data())
def test_sorting_orders_keeps_ties_in_order_and_limits_after(data):
    """order by f (asc or desc) orders the values it has, keeps ties and the rest in
    input order, puts records without a value last; limit n keeps the first n."""
    entity = data.draw(ENTITY)
    records = data.draw(aqs.datasets(entity, min_size=2))
    name = data.draw(st.sampled_from(list(ENTITIES[entity].searchable)))
    descending = data.draw(st.booleans())
    ftype = ENTITIES[entity].searchable[name].type
    query = EntityRef(entity).order_by(f"{name} {'desc' if descending else 'asc'}")
    out = query.evaluate(records)
    assert sorted(map(id, records)) == sorted(map(id, out))
    keys = [_sort_value(ftype, r.get(name)) for r in out]
    present = [k for k in keys if k is not None]
    assert keys[: len(present)] == present  # records without a value come last
    assert sorted(present, reverse=descending) == present
    position = {id(r): i for i, r in enumerate(records)}
    for (ka, a), (kb, b) in zip(
        zip(keys, out, strict=True), zip(keys[1:], out[1:], strict=True), strict=False
    ):
        if ka == kb:
            assert position[id(a)] < position[id(b)]
    limit = data.draw(st.integers(1, len(records)))
    assert out[:limit] == query.limit(limit).evaluate(records)


@st.composite
def two_words(draw):
    """A dataset, a text field, and two words (or word starts) its records hold."""
    entity = draw(st.sampled_from(["candidates", "jobs", "users"]))
    records = draw(aqs.datasets(entity, min_size=2))
    name = draw(
        st.sampled_from(
            [n for n, f in ENTITIES[entity].searchable.items() if f.type is FieldType.STRING]
        )
    )
    words = [w for r in records if isinstance(r.get(name), str) for w in WORD.findall(r[name])]
    pick = st.sampled_from(words) if words else st.from_regex(r"[a-z]{1,4}", fullmatch=True)
    first, second = draw(pick), draw(pick)
    return entity, records, name, first, second


WORD = re.compile(r"\w+")


@given(two_words())
def test_fuzzy_with_more_words_selects_no_more(case):
    """fuzzy "a b" selects only records that fuzzy "a" and fuzzy "b" each select."""
    entity, records, name, first, second = case
    f = F[name]
    both = _selection(entity, f.fuzzy(f"{first} {second}"), records)
    one = _selection(entity, f.fuzzy(first), records)
    two = _selection(entity, f.fuzzy(second), records)
    assert not any(b and not (x and y) for b, x, y in zip(both, one, two, strict=True))


@given(two_words())
def test_keyword_with_more_words_selects_any_of_them(case):
    """keyword "a b" selects what keyword "a" or keyword "b" selects."""
    entity, records, name, first, second = case
    f = F[name]
    both = _selection(entity, f.keyword(f"{first} {second}"), records)
    one = _selection(entity, f.keyword(first), records)
    two = _selection(entity, f.keyword(second), records)
    assert [x or y for x, y in zip(one, two, strict=True)] == both
