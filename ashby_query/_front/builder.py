"""The fluent builder and the public entry points: ``Query``, entities, ``F``, ``compile``.

A :class:`Query` wraps one validated :class:`QueryAST`; every method returns a new query.

>>> from ashby_query import Applications, F
>>> q = Applications.where(F.status == "active").order_by(Applications.createdAt.desc())
>>> q.limit(20).to_params()
{'query': {'filter': {'eq': {'status': 'active'}}, 'sort': [{'createdAt': 'desc'}]}, 'limit': 20}
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .._back.compiler import Dialect, compile_ast
from .._core.ast import (
    And,
    Condition,
    Not,
    Or,
    Predicate,
    QueryAST,
    SortKey,
    Value,
)
from .._core.errors import Problem, QueryError, UnknownFieldError
from .._core.lower import has_relative, lower
from .._core.schema import ENTITIES, Entity, get_entity
from .._core.types import Op
from .._core.validate import BUILDER_HINTS, validate
from .._core.values import Clock, shown
from .bounds import check_condition, check_query
from .parser import Limits, parse_condition_text, parse_text

if TYPE_CHECKING:  # the SQL back end loads with the first to_sql()
    from .._back.engine import Matcher
    from .._back.sql import SqlQuery, SqlTable
    from .._core.semantics import Semantics

# The engine, the formatter and the decompiler load on first use (cold start, issue 15):
# parsing and compiling need none of them.

__all__ = [
    "F",
    "Field",
    "Query",
    "and_",
    "Unchecked",
    "as_query",
    "checked_params",
    "compile",
    "evaluate",
    "from_params",
    "not_",
    "or_",
    "parse",
]


def _validate_built(ast: QueryAST, schema: Entity) -> QueryAST:
    """Validate a query made in Python, so that errors suggest builder code."""
    token = BUILDER_HINTS.set(True)
    try:
        return validate(ast, entity=schema)
    finally:
        BUILDER_HINTS.reset(token)


def _values(values: tuple[Any, ...]) -> tuple[Any, ...]:
    if len(values) == 1 and isinstance(values[0], list | tuple | set | frozenset):
        return tuple(values[0])
    return values


class Field:
    """A field reference that builds conditions and sort keys.

    ``Candidates.name`` is bound to its entity and checked at once; ``F.name`` is free
    and is checked when its condition is attached to a query.
    """

    __slots__ = ("entity", "name")

    def __init__(self, name: str, entity: str | None = None) -> None:
        self.name = name
        self.entity = entity

    def __repr__(self) -> str:
        owner = ENTITIES[self.entity].class_name if self.entity else "F"
        return f"{owner}.{self.name}"

    def __hash__(self) -> int:
        return hash((self.entity, self.name))

    def _cmp(self, op: Op, value: object) -> Predicate:
        if isinstance(value, Field):
            raise TypeError(
                f"Cannot compare field {self!r} with field {value!r}: the connector "
                f"compares a field with a value only."
            )
        if value is None:
            if op in (Op.EQ, Op.NEQ):
                null = Predicate(Op.IS_NULL, self.name)
                return null if op is Op.EQ else Not(null)  # type: ignore[return-value]
            raise TypeError(f"{self!r} cannot be ordered against None; use is_null().")
        return Predicate(op, self.name, value)  # type: ignore[arg-type]

    def __eq__(self, value: object) -> Predicate:  # type: ignore[override]
        return self._cmp(Op.EQ, value)

    def __ne__(self, value: object) -> Predicate:  # type: ignore[override]
        return self._cmp(Op.NEQ, value)

    def __gt__(self, value: object) -> Predicate:
        return self._cmp(Op.GT, value)

    def __ge__(self, value: object) -> Predicate:
        return self._cmp(Op.GTE, value)

    def __lt__(self, value: object) -> Predicate:
        return self._cmp(Op.LT, value)

    def __le__(self, value: object) -> Predicate:
        return self._cmp(Op.LTE, value)

    def in_(self, *values: Value) -> Predicate:
        """``field in (...)``: takes values, or one list of them."""
        return Predicate(Op.IN, self.name, _values(values))

    def not_in(self, *values: Value) -> Condition:
        """``field not in (...)``."""
        return Not(self.in_(*values))

    def like(self, pattern: str) -> Predicate:
        r"""``field like pattern``: ``%`` matches any run of characters, ``\%`` a percent."""
        return Predicate(Op.LIKE, self.name, pattern)

    def not_like(self, pattern: str) -> Condition:
        """``field not like pattern``."""
        return Not(self.like(pattern))

    def fuzzy(self, text: str) -> Predicate:
        """``field fuzzy text``: approximate word match, ignoring case."""
        return Predicate(Op.FUZZY, self.name, text)

    def keyword(self, text: str) -> Predicate:
        """``field keyword text``: any of the words is present."""
        return Predicate(Op.KEYWORD, self.name, text)

    def array_contains(self, value: Value) -> Predicate:
        """``field array_contains value``: the array field holds ``value`` (2026 dialect)."""
        return Predicate(Op.ARRAY_CONTAINS, self.name, value)

    def any(self, condition: Condition) -> Predicate:
        """``field any (condition)``: some element of the array field matches ``condition``.

        The condition names the elements' own fields: ``F.addresses.any(F.state == "CA")``.
        """
        if not isinstance(condition, Condition):
            raise TypeError(
                f"any() takes a condition on the elements' fields, such as "
                f"F.addresses.any(F.state == 'CA'), got {condition!r}."
            )
        return Predicate(Op.ANY, self.name, condition)  # type: ignore[arg-type]

    def is_null(self) -> Predicate:
        """``field is null``."""
        return Predicate(Op.IS_NULL, self.name)

    def is_not_null(self) -> Condition:
        """``field is not null``."""
        return Not(self.is_null())

    def between(self, low: Value, high: Value) -> Condition:
        """``low <= field <= high``, both ends included."""
        return And.of(self >= low, self <= high)

    def asc(self) -> SortKey:
        """Sort ascending on this field."""
        return SortKey(self.name, False)

    def desc(self) -> SortKey:
        """Sort descending on this field."""
        return SortKey(self.name, True)


class _FreeFields:
    """``F.name`` or ``F["created_at"]``: a field not yet tied to an entity."""

    def __getattr__(self, name: str) -> Field:
        if name.startswith("__"):
            raise AttributeError(name)
        return Field(name)

    def __getitem__(self, name: str) -> Field:
        return Field(name)

    def __repr__(self) -> str:
        return "F"


F = _FreeFields()


def and_(*conditions: Condition) -> Condition:
    """All of ``conditions``; ``and_(a, b)`` is ``a & b``."""
    _need(conditions, "and_")
    return And.of(*conditions)


def or_(*conditions: Condition) -> Condition:
    """Any of ``conditions``; ``or_(a, b)`` is ``a | b``."""
    _need(conditions, "or_")
    return Or.of(*conditions)


def not_(condition: Condition) -> Condition:
    """The negation of ``condition``; ``not_(a)`` is ``~a``."""
    if not isinstance(condition, Condition):
        raise TypeError(f"not_() takes a condition, got {shown(condition)}.")
    return Not(condition)


def _need(conditions: tuple[Condition, ...], name: str) -> None:
    if not conditions:
        raise TypeError(
            f"{name}() needs at least one condition: an empty {name[:-1]} has no agreed "
            f"meaning, so the library never builds one."
        )
    for c in conditions:
        if not isinstance(c, Condition):
            raise TypeError(f"{name}() takes conditions, got {shown(c)}.")


@attrs.frozen(repr=False, init=False)
class Query:
    """A validated query on one entity. Methods return new queries; none mutates.

    ``str(query)`` is its canonical text; ``query.ast`` its AST; ``query.schema`` the
    :class:`Entity` it was checked against. ``Query(ast)`` validates ``ast`` (against
    ``entity``, an :class:`Entity` you built, when given), so a query always is valid:

    >>> from ashby_query import QueryAST, Predicate, Op
    >>> Query(QueryAST("applications", Predicate(Op.GT, "nope", 5)))
    Traceback (most recent call last):
    ...
    ashby_query.QueryError: 'nope' is not a searchable field of applications. ...
    """

    ast: QueryAST
    schema: Entity = attrs.field(eq=False)
    _predicate: Matcher | None = attrs.field(default=None, init=False, eq=False)

    def __init__(
        self,
        ast: QueryAST,
        entity: str | Entity | None = None,
        *,
        schema: Entity | None = None,  # the attribute's name, so attrs.evolve(q, ...) works
    ) -> None:
        given = entity if entity is not None else schema
        chosen = get_entity(ast.entity if given is None else given)
        self.__attrs_init__(_validate_built(ast, chosen), chosen)

    @classmethod
    def _checked(cls, ast: QueryAST, schema: Entity) -> Query:
        """Wrap an AST that ``validate`` just returned for ``schema``: no second check."""
        query = object.__new__(cls)
        # The slots' own setters: what the frozen __init__ does, without its calls per field.
        _set_ast(query, ast)
        _set_schema(query, schema)
        _set_predicate(query, None)
        return query

    @property
    def entity(self) -> str:
        """The entity's wire name, such as ``"job_postings"``."""
        return self.ast.entity

    def _with(self, **changes: Any) -> Query:
        ast = attrs.evolve(self.ast, **changes)
        check_query(ast, with_filter=False)  # where() checks conditions itself
        return Query._checked(_validate_built(ast, self.schema), self.schema)

    def where(self, *conditions: Condition | str, limits: Limits | None = None) -> Query:
        """AND ``conditions`` onto the filter; a string is parsed as query text.

        Conditions are held to ``limits`` (default ``Limits()``) as text is.

        >>> from ashby_query import Candidates
        >>> str(Candidates.where(Candidates.name.like("Ann%")).where('company = "Acme"'))
        'name like "Ann%" and company = "Acme"'
        """
        parts: list[Condition] = [] if self.ast.filter is None else [self.ast.filter]
        for c in conditions:
            if isinstance(c, str):
                # Checked on its own first, so errors point into this text.
                parsed = validate(
                    parse_condition_text(c, self.entity, limits), c, entity=self.schema
                ).filter
                if parsed is not None:
                    parts.append(parsed)
            elif isinstance(c, Condition):
                check_condition(c, limits)
                parts.append(c)
            else:
                raise TypeError(
                    f"where() takes conditions such as F.status == 'active' or query "
                    f"text, got {shown(c)}."
                )
        if not parts:
            return self
        return self._with(filter=And.of(*parts))

    def order_by(self, *keys: SortKey | Field | str) -> Query:
        """Replace the sort: ``order_by(Applications.createdAt.desc(), "id")``.

        A string is a field name, optionally followed by ``asc`` or ``desc``.
        """
        out = []
        for k in keys:
            if isinstance(k, SortKey):
                out.append(k)
            elif isinstance(k, Field):
                out.append(k.asc())
            elif isinstance(k, str):
                name, _, direction = k.strip().partition(" ")
                direction = direction.strip().lower()
                if direction not in ("", "asc", "desc"):
                    raise QueryError(
                        [
                            Problem(
                                "sort_direction",
                                ("query", "sort", len(out)),
                                f"{k!r} is not a sort key; write 'field', 'field asc' "
                                f"or 'field desc'.",
                                k,
                            )
                        ]
                    )
                out.append(SortKey(name, direction == "desc"))
            else:
                raise TypeError(f"order_by() takes fields, sort keys or names, got {shown(k)}.")
        return self._with(sort=tuple(out))

    def limit(self, n: int | None) -> Query:
        """Return at most ``n`` records per page (1 to 1000); ``None`` removes the limit."""
        return self._with(limit=n)

    def select(self, *fields: str | Field) -> Query:
        """Return only these fields: names or dotted paths (``"candidate.name"``)."""
        paths = tuple(
            (f.name,) if isinstance(f, Field) else tuple(str(f).split(".")) for f in fields
        )
        return self._with(fields=paths or None)

    def cursor(self, cursor: str | None) -> Query:
        """Start from ``cursor``, the ``meta.cursor`` of a previous page."""
        return self._with(cursor=cursor)

    def resolve(self, now: Clock = None) -> Query:
        """Replace relative times (``today - 30d``) with the dates they stand for."""
        if not has_relative(self.ast.filter):
            return self
        return self._with(filter=lower(self.ast, now).filter)

    def to_params(self, dialect: str | Dialect | None = None, now: Clock = None) -> dict[str, Any]:
        """Return the ``params`` of a ``context_store_search`` call.

        ``dialect`` is ``"reference"`` (default) or ``"2026"``; ``now`` is the clock
        for relative times (a datetime or a callable; default: the current time).
        """
        return compile_ast(self.ast, dialect, now)

    def to_request(self, dialect: str | Dialect | None = None, now: Clock = None) -> dict[str, Any]:
        """Return the whole ``execute`` body: entity, action and params."""
        return {
            "entity": self.entity,
            "action": "context_store_search",
            "params": self.to_params(dialect, now),
        }

    def to_sql(
        self, dialect: str = "duckdb", table: str | SqlTable | None = None, **options: Any
    ) -> SqlQuery:
        """Return the query as SQL for ``dialect``: text, bound parameters, sqlglot expression.

        Needs ``pip install 'ashby-query[sql]'``. ``table`` is a table name or a
        :class:`~ashby_query.SqlTable` mapping; ``options`` are ``now``, ``bind``,
        ``functions``, ``count``, ``pretty`` and ``semantics`` (see ``docs/sql.md``).

        >>> from ashby_query import Applications, F
        >>> sql = Applications.where(F.status == "active").to_sql("duckdb")
        >>> sql.sql
        'SELECT * FROM "applications" WHERE "status" = ?'
        >>> sql.params
        ('active',)
        """
        from .._back.sql import to_sql

        return to_sql(self.ast, dialect, table, **options)

    @property
    def matches(self) -> Matcher:
        """``query.matches(record, now=None, semantics=None)``: whether ``record`` passes.

        By the in-memory engine's rules; ``semantics`` picks the meanings where the
        service's are undocumented. (A property giving the compiled function itself, so
        a call costs what a hand-written lambda does.)

        >>> from ashby_query import Applications, F
        >>> Applications.where(F.status == "active").matches({"status": "active"})
        True
        """
        pred = self._predicate
        if pred is None:
            from .._back.engine import compile_matcher

            # Cached on this immutable query; for a filter with relative times, the
            # function reads the clock on every call itself.
            pred = compile_matcher(self.ast.filter)
            object.__setattr__(self, "_predicate", pred)
        return pred

    def evaluate(
        self,
        records: Iterable[Mapping[str, Any]],
        now: Clock = None,
        semantics: Semantics | None = None,
    ) -> list[Mapping[str, Any]]:
        """Filter, sort, limit and project ``records`` in memory."""
        from .._back.engine import evaluate_ast

        types = {n: f.type for n, f in self.schema.searchable.items()} if self.ast.sort else {}
        return evaluate_ast(self.ast, records, types, now, semantics)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled and copied as its tree and entity: the compiled matcher it may hold is
        # a generated function, made again on first use.
        return (Query._checked, (self.ast, self.schema))

    def __str__(self) -> str:
        from .._back.formatter import format_query

        return format_query(self.ast)

    def __repr__(self) -> str:
        from .._back.formatter import format_query

        return f"Query({self.entity!r}, {format_query(self.ast)!r})"


class EntityRef:
    """A searchable entity: field attributes (``Candidates.name``) and query starters."""

    __slots__ = ("_entity",)

    def __init__(self, entity: str | Entity) -> None:
        self._entity = get_entity(entity)

    @property
    def schema(self) -> Entity:
        """The entity's schema record."""
        return self._entity

    def __getattr__(self, name: str) -> Field:
        if name.startswith("__"):
            raise AttributeError(name)
        entity = self._entity
        wire = entity.resolve(name)
        if wire is None:
            problem = Problem(
                "unknown_field",
                (name,),
                entity.unknown_field_message(name),
                name,
                {"suggestions": entity.closest(name)},
            )
            raise UnknownFieldError([problem])
        return Field(wire, entity.name)

    def __getitem__(self, name: str) -> Field:
        return self.__getattr__(name)

    def __dir__(self) -> Iterable[str]:
        return [*super().__dir__(), *self._entity.searchable]

    def __repr__(self) -> str:
        return self._entity.class_name

    def all(self) -> Query:
        """A query for every record."""
        return Query._checked(QueryAST(self._entity.name), self._entity)

    def where(self, *conditions: Condition | str, limits: Limits | None = None) -> Query:
        """Start a query with a filter; see :meth:`Query.where`."""
        return self.all().where(*conditions, limits=limits)

    def order_by(self, *keys: SortKey | Field | str) -> Query:
        """Start a query with a sort; see :meth:`Query.order_by`."""
        return self.all().order_by(*keys)

    def limit(self, n: int | None) -> Query:
        """Start a query with a limit."""
        return self.all().limit(n)

    def select(self, *fields: str | Field) -> Query:
        """Start a query with a field selection."""
        return self.all().select(*fields)

    def cursor(self, cursor: str | None) -> Query:
        """Start a query at a cursor."""
        return self.all().cursor(cursor)


Candidates = EntityRef("candidates")
Applications = EntityRef("applications")
Jobs = EntityRef("jobs")
Users = EntityRef("users")
JobPostings = EntityRef("job_postings")


_set_ast = Query.__dict__["ast"].__set__
_set_schema = Query.__dict__["schema"].__set__
_set_predicate = Query.__dict__["_predicate"].__set__


def parse(
    text: str,
    entity: str | EntityRef | Entity,
    *,
    limits: Limits | None = None,
) -> Query:
    """Parse query text for ``entity`` into a validated :class:`Query`.

    >>> str(parse("STATUS == 'active' AND created_at > 2024-01-01", "applications"))
    'status = "active" and createdAt > 2024-01-01'
    """
    schema = _schema(entity)
    if type(text) is str and ENTITIES.get(schema.name) is schema and len(text) <= _CACHED_TEXT:
        query = _parse_cached(schema.name, text, limits)
        if query.schema is schema:  # else ENTITIES was changed since: parse afresh
            return query
    return _parse(text, schema, limits)


def _parse(text: str, schema: Entity, limits: Limits | None) -> Query:
    ast = parse_text(text, schema.name, limits)
    return Query._checked(validate(ast, text, entity=schema), schema)


#: Texts longer than this are parsed afresh: they are rare, and would crowd the cache.
_CACHED_TEXT = 4096


# Text to validated Query, for the built-in entities (a user-built Entity holds dicts,
# so it cannot key a cache; its queries are parsed every time). Sharing one Query between
# callers is safe: a Query is immutable, and nothing in it depends on when it was parsed.
# Relative times (``today - 30d``) stay relative in the AST and resolve only when the
# query is compiled or evaluated, with the clock given then (tests/test_perf.py proves
# it with an injected clock). The dialect is not part of the key because it is applied
# at compile time too. Errors are not cached: a bad text raises afresh each time.
@functools.lru_cache(maxsize=512)
def _parse_cached(entity: str, text: str, limits: Limits | None) -> Query:
    return _parse(text, ENTITIES[entity], limits)


def from_params(
    params: Mapping[str, Any],
    entity: str | EntityRef | Entity,
    *,
    limits: Limits | None = None,
) -> Query:
    """Read ``context_store_search`` params (either dialect) back into a :class:`Query`.

    The params are held to ``limits`` (default ``Limits()``) as text is.

    >>> q = parse('status in ("active", "hired") order by createdAt desc', "applications")
    >>> from_params(q.to_params(), entity="applications") == q
    True
    """
    from .decompiler import decompile

    schema = _schema(entity)
    return Query._checked(validate(decompile(params, schema.name, limits), entity=schema), schema)


def compile(
    query: Query | QueryAST | Condition | str | Mapping[str, Any],
    entity: str | EntityRef | Entity | None = None,
    *,
    dialect: str | Dialect | None = None,
    now: Clock = None,
    limits: Limits | None = None,
) -> dict[str, Any]:
    """Return ``context_store_search`` params for a query in any form.

    ``query`` may be a builder :class:`Query`, an AST, a bare condition, query text, or
    params to normalise; all but a :class:`Query` need ``entity``.

    >>> compile('status = "active"', entity="applications")
    {'query': {'filter': {'eq': {'status': 'active'}}}}
    """
    q = as_query(query, entity, limits=limits)
    return q.to_params(dialect, now)


def evaluate(
    query: Query | QueryAST | Condition | str | Mapping[str, Any],
    records: Iterable[Mapping[str, Any]],
    entity: str | EntityRef | Entity | None = None,
    *,
    now: Clock = None,
    semantics: Semantics | None = None,
) -> list[Mapping[str, Any]]:
    """Run ``query`` over ``records`` in memory: filter, then sort, then limit.

    ``query`` takes every form :func:`compile` does; ``semantics`` picks the meanings
    the service leaves undocumented (see :class:`ashby_query.Semantics`).

    >>> rows = [{"id": "1", "status": "active"}, {"id": "2", "status": "hired"}]
    >>> evaluate('status = "hired"', rows, entity="applications")
    [{'id': '2', 'status': 'hired'}]
    """
    return as_query(query, entity).evaluate(records, now, semantics)


@attrs.frozen
class Unchecked:
    """Params to send exactly as given, without checking them against the schema.

    The opt-out for a connector that accepts something ashby-query does not know yet:
    ``client.candidates.search(Unchecked({"query": {"filter": {"eq": {"new": 1}}}}))``.
    Every other dict a client gets is validated first, in every mode. The local mode
    cannot run what it cannot read, so it still validates these.

    >>> Unchecked({"filter": {"eq": {"anything": 1}}}).to_params()
    {'query': {'filter': {'eq': {'anything': 1}}}}
    """

    params: Mapping[str, Any]

    def to_params(self) -> dict[str, Any]:
        """Return the params dict, with the SDK's ``{"filter": ...}`` shape wrapped."""
        return _wrapped(self.params)


def _wrapped(params: Mapping[str, Any]) -> dict[str, Any]:
    """Params as the connector takes them: the SDK's ``{"filter", "sort"}`` goes in query."""
    if params and "query" not in params and set(params) <= {"filter", "sort"}:
        return {"query": dict(params)}
    return dict(params)


def checked_params(
    params: Mapping[str, Any] | Unchecked, entity: str | EntityRef | Entity
) -> dict[str, Any]:
    """Validate ``params`` for ``entity`` and return them as written (SDK shape wrapped).

    This is how every client call checks a dict query; :class:`Unchecked` opts out.

    >>> checked_params({"filter": {"startswith": {"name": "Ann"}}}, "candidates")
    {'query': {'filter': {'startswith': {'name': 'Ann'}}}}
    """
    if isinstance(params, Unchecked):
        return params.to_params()
    out = _wrapped(params)
    from_params(out, entity)
    return out


def as_query(
    query: Query | QueryAST | Condition | str | Mapping[str, Any] | Unchecked,
    entity: str | EntityRef | Entity | None = None,
    *,
    limits: Limits | None = None,
) -> Query:
    """Return ``query`` in any accepted form as a validated :class:`Query`."""
    if isinstance(query, Query):
        if entity is not None and _schema(entity).name != query.entity:
            raise QueryError(
                [
                    Problem(
                        "entity_mismatch",
                        ("entity",),
                        f"The query is on {query.entity} but entity={entity!r} was "
                        f"given; drop entity= or build the query on that entity.",
                        entity,
                    )
                ]
            )
        return query
    if entity is None and isinstance(query, QueryAST):
        entity = query.entity
    if entity is None:
        raise QueryError(
            [
                Problem(
                    "missing_entity",
                    ("entity",),
                    "An entity is needed for anything but a builder Query, e.g. "
                    "compile('status = \"active\"', entity='applications').",
                    None,
                )
            ]
        )
    schema = _schema(entity)
    if isinstance(query, str):
        return parse(query, schema, limits=limits)
    if isinstance(query, QueryAST):
        check_query(query, limits)
        return Query(attrs.evolve(query, entity=schema.name), schema)
    if isinstance(query, Condition):
        check_condition(query, limits)
        return Query(QueryAST(schema.name, query), schema)
    if isinstance(query, Unchecked):
        query = query.params
    if isinstance(query, Mapping):
        return from_params(_wrapped(query), schema, limits=limits)
    raise TypeError(
        f"Expected a Query, an AST, a condition, query text or params, got {type(query).__name__}."
    )


def _schema(entity: str | EntityRef | Entity) -> Entity:
    if isinstance(entity, EntityRef):
        return entity.schema
    return get_entity(entity)
