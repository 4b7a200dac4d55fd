"""The SQL back end: one query, as SQL for DuckDB, SQLite, PostgreSQL and the warehouses.

Built on sqlglot (``pip install 'ashby-query[sql]'``, imported only when SQL is asked
for). The translation keeps the in-memory engine's meaning, documented in ``docs/sql.md``:

- a leaf on a null column is false, and ``not`` is the plain complement: SQL's unknown is
  folded to false under every ``NOT``, so ``not status = "a"`` matches a null status;
- strings compare case-sensitively by code point (PostgreSQL gets ``COLLATE "C"``);
- ``like`` follows the :class:`Semantics` given: with case-sensitive matching it is SQL's
  ``LIKE`` with ``_`` and ``\\`` escaped as the options say (SQLite, whose ``LIKE``
  ignores case, gets an equivalent ``GLOB``);
- the query is lowered first (:func:`ashby_query._core.lower.lower`): relative times are
  resolved once against ``now`` and a date means the whole UTC day;
- timestamps are compared as instants, whether the column holds ISO text or timestamps;
- what has no exact SQL form (``fuzzy``, ``keyword``, case-insensitive ``like`` or ``=``)
  calls ``ashby_match(op, value, column)``, which :mod:`ashby_query._tools.duck` registers
  in DuckDB and SQLite (``functions=True``), or raises naming the dialect and operator.

Each operator's translation is one entry of :data:`_HANDLERS`.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .._core.ast import And, Condition, Not, Or, Predicate, QueryAST, RelativeTime
from .._core.errors import AshbyQueryError
from .._core.lower import lower
from .._core.schema import ENTITIES
from .._core.semantics import DEFAULT_SEMANTICS, Semantics
from .._core.types import FieldType, Op
from .._core.values import (
    ANY,
    ONE,
    UTC,
    Clock,
    like_tokens,
    midnight,
    now_utc,
    read_timestamp,
    to_utc,
)

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = [
    "DIALECTS",
    "SqlError",
    "SqlQuery",
    "SqlTable",
    "to_sql",
]

#: A sqlglot expression (sqlglot is imported only when SQL is asked for).
Expr = Any

#: Accepted dialect names and the sqlglot dialect each stands for.
DIALECTS: dict[str, str] = {
    "duckdb": "duckdb",
    "sqlite": "sqlite",
    "postgres": "postgres",
    "postgresql": "postgres",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "databricks": "databricks",
    "spark": "spark",
    "trino": "trino",
}
#: Dialects that run here (drivers take bound parameters); the others get literals.
BOUND = frozenset({"duckdb", "sqlite", "postgres"})

_MAX_DEPTH = 200
_MAX_CURSOR = 4096
_CURSOR_PREFIX = "sql1."


class SqlError(AshbyQueryError, ValueError):
    """A query that cannot be written as SQL for the dialect asked for, or bad SQL options."""


def _need_sqlglot() -> Any:
    try:
        import sqlglot
    except ImportError:
        raise SqlError(
            "SQL output needs sqlglot, which is not installed; run pip install 'ashby-query[sql]'."
        ) from None
    return sqlglot


# --------------------------------------------------------------------------- tables


_CASES = ("preserve", "lower", "upper")


@attrs.frozen
class SqlTable:
    """Where an entity's records live: table name, column names, and how timestamps are stored.

    The default reads records as the API returns them: the table is named after the entity
    (``applications``) and each column after its field (``"createdAt"``), timestamps as ISO
    text. ``columns`` renames single fields; ``case`` folds the other names.

    >>> SqlTable("apps", columns={"createdAt": "created_at"}).column("createdAt")
    'created_at'
    >>> SqlTable.airbyte(schema="ashby", case="lower").column("createdAt")
    'createdat'
    """

    name: str | None = None
    schema: str | None = None
    columns: Mapping[str, str] = attrs.field(factory=dict, converter=dict)
    timestamps: str = "text"
    case: str = "preserve"

    def __attrs_post_init__(self) -> None:
        if self.timestamps not in ("text", "native"):
            raise SqlError(
                f"timestamps={self.timestamps!r} is not a storage kind; use 'text' for ISO "
                "8601 strings or 'native' for timestamp columns."
            )
        if self.case not in _CASES:
            raise SqlError(
                f"case={self.case!r} is not a case rule; use one of {', '.join(_CASES)}."
            )

    @classmethod
    def airbyte(cls, schema: str | None = None, *, case: str = "preserve") -> SqlTable:
        """Tables as Airbyte's destinations (Destinations V2 final tables) write them.

        One table per stream, named after the stream (``applications``, ``job_postings``)
        in the connection's namespace (``schema``); one column per top-level field of the
        record, timestamps in timestamp-with-time-zone columns, next to Airbyte's own
        ``_airbyte_raw_id``, ``_airbyte_extracted_at``, ``_airbyte_meta`` and
        ``_airbyte_generation_id``. PostgreSQL writes folded names (``case="lower"``),
        Snowflake upper-case ones (``case="upper"``); BigQuery and DuckDB keep the
        field names as they are.
        """
        return cls(schema=schema, timestamps="native", case=case)

    def table_name(self, entity: str) -> str:
        """The table name for ``entity``."""
        return self.name or self._fold(entity)

    def column(self, field: str) -> str:
        """The column that holds ``field``."""
        return self.columns.get(field) or self._fold(field)

    def _fold(self, name: str) -> str:
        if self.case == "lower":
            return name.lower()
        if self.case == "upper":
            return name.upper()
        return name


# --------------------------------------------------------------------------- result


@attrs.frozen
class SqlQuery:
    """A query as SQL: ``sql`` text, ``params`` bound in order, and the sqlglot ``expression``.

    ``params`` is empty when values are inlined as literals (the warehouse dialects).
    Use :meth:`cursor_for` on the last row of a page to get the next page's cursor.
    """

    sql: str
    params: tuple[Any, ...]
    dialect: str
    expression: exp.Expression = attrs.field(eq=False, repr=False)
    keys: tuple[tuple[str, FieldType, bool], ...] = attrs.field(default=(), repr=False)

    def cursor_for(self, row: Mapping[str, Any]) -> str:
        """The cursor that continues after ``row`` (a record with the sort fields and ``id``).

        Pass it to ``query.cursor(...)`` and compile again for the next page.
        """
        values: list[Any] = []
        for field, ftype, _desc in self.keys:
            value = row.get(field)
            if ftype is FieldType.TIMESTAMP:
                parsed = read_timestamp(value)
                value = None if parsed is None else _canonical(parsed)
            elif ftype is FieldType.BOOLEAN:
                value = value if isinstance(value, bool) else None
            else:
                value = value if isinstance(value, str) else None
            values.append(value)
        raw = json.dumps(values, ensure_ascii=True, separators=(",", ":")).encode()
        return _CURSOR_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _canonical(value: dt.datetime) -> str:
    """Fixed-width UTC text that sorts as the instant does: ``2024-01-31T09:30:00.000000``."""
    v = to_utc(value)
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:"
        f"{v.second:02d}.{v.microsecond:06d}"
    )


# --------------------------------------------------------------------------- translation


@attrs.define
class _Ctx:
    """What one translation needs: dialect, table, clock, and the parameters so far."""

    dialect: str  # our name, a key of DIALECTS' values
    table: SqlTable
    now: dt.datetime
    bind: bool
    functions: bool
    semantics: Semantics = DEFAULT_SEMANTICS
    params: list[Any] = attrs.field(factory=list)

    def value(self, v: object) -> Expr:
        """A bound parameter, or a literal when the dialect is not run here."""
        from sqlglot import exp

        if isinstance(v, str) and "\x00" in v and (self.dialect == "postgres" or not self.bind):
            raise SqlError(
                f"The value {v!r} holds a NUL character, which {self.dialect} text "
                "cannot hold as a literal; remove it from the query."
            )
        if self.bind:
            # Named by index, so a copied node binds the same value; see _bind_in_order.
            self.params.append(v)
            return exp.Placeholder(this=f"p{len(self.params) - 1}")
        if isinstance(v, bool):
            return exp.Boolean(this=v)
        if isinstance(v, str):
            return exp.Literal.string(v)
        raise SqlError(f"Cannot write {v!r} as a {self.dialect} literal.")  # pragma: no cover

    def column(self, field: str) -> Expr:
        from sqlglot import exp

        return exp.column(self.table.column(field), quoted=True)

    def ordered(self, e: Expr) -> Expr:
        """``e`` compared by code point: PostgreSQL's default collation follows the locale."""
        from sqlglot import exp

        if self.dialect == "postgres":
            return exp.Collate(this=e, expression=exp.Identifier(this="C", quoted=True))
        return e

    def timestamp_column(self, field: str) -> Expr:
        """The column as an instant (or, for SQLite, fixed-width UTC text)."""
        col = self.column(field)
        if self.table.timestamps == "native":
            return col
        if self.dialect == "sqlite":
            return _sqlite_timestamp(col)
        from sqlglot import exp

        if self.dialect == "trino":  # Trino's casts do not read ISO 8601's "T" form
            return exp.Try(this=_trino_iso(col))
        return exp.TryCast(this=col, to=exp.DataType.build("TIMESTAMPTZ"), requires_string=True)

    def timestamp_value(self, v: dt.datetime) -> Expr:
        text = _canonical(v)
        if self.dialect == "sqlite":
            return self.value(text)
        from sqlglot import exp

        if self.dialect == "trino":
            return _trino_iso(self.value(text + "+00:00"))
        return exp.Cast(this=self.value(text + "+00:00"), to=exp.DataType.build("TIMESTAMPTZ"))


def _trino_iso(e: Expr) -> Expr:
    """Trino's ISO 8601 reader that keeps microseconds (the plain one keeps milliseconds)."""
    from sqlglot import exp

    return exp.Anonymous(this="FROM_ISO8601_TIMESTAMP_NANOS", expressions=[e])


@functools.cache
def _sqlite_template() -> Expr:
    # SQLite keeps milliseconds and rounds them: cut the fraction off, let strftime apply
    # the offset to whole seconds, then append the original fraction padded to six digits.
    sqlglot = _need_sqlglot()
    frac = "substr(c, 21)"
    digits = f"substr({frac}, 1, length({frac}) - length(ltrim({frac}, '0123456789')))"
    text = (
        "CASE WHEN substr(c, 20, 1) = '.' THEN "
        f"strftime('%Y-%m-%dT%H:%M:%S', substr(c, 1, 19) || ltrim({frac}, '0123456789'))"
        f" || '.' || substr({digits} || '000000', 1, 6) "
        "ELSE strftime('%Y-%m-%dT%H:%M:%S', c) || '.000000' END"
    )
    return sqlglot.parse_one(text, read="sqlite")


def _sqlite_timestamp(col: Expr) -> Expr:
    from sqlglot import exp

    def swap(node: Expr) -> Expr:
        if isinstance(node, exp.Column) and node.name == "c":
            return col.copy()
        return node

    return _sqlite_template().copy().transform(swap)


def _like_pattern(pattern: str, dialect: str, sem: Semantics) -> str:
    """The SQL pattern for a like pattern, as ``sem`` reads ``_`` and whole-value matching."""
    sqlite = dialect == "sqlite"
    out: list[str] = []
    for kind, c in like_tokens(pattern, sem.like_underscore == "wildcard"):
        if kind == ANY:
            out.append("*" if sqlite else "%")
        elif kind == ONE:
            out.append("?" if sqlite else "_")
        elif sqlite:
            out.append(f"[{c}]" if c in "*?[" else c)
        else:
            out.append("\\" + c if c in "\\%_" else c)
    if sem.like_mode == "substring":
        wild = "*" if sqlite else "%"
        out = [wild, *out, wild]
    return "".join(out)


def _exact_like(pattern: str, sem: Semantics) -> str | None:
    """The one value a whole-value like pattern without wildcards stands for, else None."""
    if sem.like_mode != "pattern":
        return None
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n and pattern[i + 1] in "%\\_":
            out.append(pattern[i + 1])
            i += 2
            continue
        if c == "%" or (c == "_" and sem.like_underscore == "wildcard"):
            return None
        out.append(c)
        i += 1
    return "".join(out)


Handler = Callable[[_Ctx, Predicate, FieldType, Any], Expr]


def _compare(ctx: _Ctx, p: Predicate, ftype: FieldType, v: Any) -> Expr:
    from sqlglot import exp

    node = getattr(exp, _COMPARISONS[p.op])
    if ftype is FieldType.TIMESTAMP:
        col = ctx.timestamp_column(p.field)
        if isinstance(v, dt.datetime):
            return node(this=col, expression=ctx.timestamp_value(v))
        # A date: the whole UTC day, as the engine and the compiler read it.
        lo = ctx.timestamp_value(midnight(v))
        hi = ctx.timestamp_value(midnight(v + dt.timedelta(days=1)))
        if p.op is Op.EQ:
            return exp.and_(
                exp.GTE(this=col, expression=lo), exp.LT(this=col.copy(), expression=hi)
            )
        return exp.paren(
            exp.or_(exp.LT(this=col, expression=lo), exp.GTE(this=col.copy(), expression=hi))
        )
    if (
        ftype is FieldType.STRING
        and p.op in (Op.EQ, Op.NEQ)
        and ctx.semantics.eq_case != "sensitive"
    ):
        return _call(ctx, p, v, "= and != ignoring case (Semantics.eq_case='insensitive')")
    col = ctx.column(p.field)
    if ftype is FieldType.STRING and p.op not in (Op.EQ, Op.NEQ):
        col = ctx.ordered(col)
    return node(this=col, expression=ctx.value(v))


def _in(ctx: _Ctx, p: Predicate, ftype: FieldType, v: Any) -> Expr:
    from sqlglot import exp

    if ftype is FieldType.TIMESTAMP:
        col = ctx.timestamp_column(p.field)
        items = [ctx.timestamp_value(x) for x in v]
    elif ftype is FieldType.STRING and ctx.semantics.eq_case != "sensitive":
        return _call(ctx, p, list(v), "in ignoring case (Semantics.eq_case='insensitive')")
    else:
        col = ctx.column(p.field)
        items = [ctx.value(x) for x in v]
    return exp.In(this=col, expressions=items)


def _like(ctx: _Ctx, p: Predicate, ftype: FieldType, v: Any) -> Expr:
    from sqlglot import exp

    exact = _exact_like(v, ctx.semantics)
    if exact is not None:  # no wildcard: the engine compares it as = compares
        return _compare(ctx, Predicate(Op.EQ, p.field, exact), ftype, exact)
    if ctx.semantics.like_case != "sensitive":
        return _call(ctx, p, v, "like ignoring case (Semantics.like_case='insensitive')")
    col = ctx.column(p.field)
    if ctx.dialect == "sqlite" and "\x00" in v:
        raise SqlError(
            f"like {v!r} on {p.field} holds a NUL character, where SQLite's GLOB stops "
            "reading the pattern, so sqlite cannot match it exactly; remove the NUL."
        )
    pattern = ctx.value(_like_pattern(v, ctx.dialect, ctx.semantics))
    if ctx.dialect == "sqlite":
        return exp.Glob(this=col, expression=pattern)
    like = exp.Like(this=col, expression=pattern)
    if ctx.dialect == "bigquery":  # backslash is BigQuery's only, default escape
        return like
    return exp.Escape(this=like, expression=exp.Literal.string("\\"))


def _call(ctx: _Ctx, p: Predicate, v: Any, what: str) -> Expr:
    """``ashby_match(op, value, column)``: the engine's own test, where SQL has no exact form."""
    if not ctx.functions:
        like = p.op is Op.LIKE
        choice = (
            " or pass to_sql(..., semantics=aq.Semantics(like_case='sensitive')) "
            "(CLI: --like-case sensitive) for SQL's own case-sensitive LIKE"
            if like
            else ""
        )
        raise SqlError(
            f"{p.op.value} on {p.field}: {what} has no exact {ctx.dialect} form, since it "
            "folds case and splits words as Python does. Run the query with aq.evaluate "
            "(DuckDB and SQLite register the engine's own test)"
            f"{choice}, or filter on another operator."
        )
    from sqlglot import exp

    value = ctx.value(json.dumps(v, ensure_ascii=False))
    op = exp.Literal.string(p.op.value)
    return exp.Anonymous(this="ashby_match", expressions=[op, value, ctx.column(p.field)])


def _words(ctx: _Ctx, p: Predicate, ftype: FieldType, v: Any) -> Expr:
    return _call(ctx, p, v, "matching Unicode words")


def _no_sql(ctx: _Ctx, p: Predicate, ftype: FieldType, v: Any) -> Expr:
    raise SqlError(
        f"{p.op.value} on {p.field} tests the elements of an array, which has no {ctx.dialect} "
        "form here yet; filter those records in memory."
    )


def _is_null(ctx: _Ctx, p: Predicate, ftype: FieldType, v: Any) -> Expr:
    from sqlglot import exp

    col = ctx.timestamp_column(p.field) if ftype is FieldType.TIMESTAMP else ctx.column(p.field)
    return exp.Is(this=col, expression=exp.Null())


_COMPARISONS = {
    Op.EQ: "EQ",
    Op.NEQ: "NEQ",
    Op.GT: "GT",
    Op.GTE: "GTE",
    Op.LT: "LT",
    Op.LTE: "LTE",
}


#: One translation per operator; each reads the query's Semantics from the context.
_HANDLERS: dict[Op, Handler] = {
    Op.EQ: _compare,
    Op.NEQ: _compare,
    Op.GT: _compare,
    Op.GTE: _compare,
    Op.LT: _compare,
    Op.LTE: _compare,
    Op.IN: _in,
    Op.LIKE: _like,
    Op.FUZZY: _words,
    Op.KEYWORD: _words,
    Op.IS_NULL: _is_null,
    Op.ARRAY_CONTAINS: _no_sql,
    Op.ANY: _no_sql,
}


def _leaf(ctx: _Ctx, p: Predicate, types: Mapping[str, FieldType]) -> Expr:
    ftype = types.get(p.field, FieldType.STRING)
    v = p.value
    if isinstance(v, RelativeTime):
        v = v.resolve(ctx.now)
        if p.op in (Op.GT, Op.GTE, Op.LT, Op.LTE) and not isinstance(v, dt.datetime):
            v = midnight(v)
    out = _HANDLERS[p.op](ctx, p, ftype, v)
    if p.op is Op.NEQ and ctx.semantics.nulls == "neq_matches":
        from sqlglot import exp

        col = ctx.timestamp_column(p.field) if ftype is FieldType.TIMESTAMP else ctx.column(p.field)
        out = exp.paren(exp.or_(exp.Is(this=col, expression=exp.Null()), exp.paren(out)))
    return out


def _condition(ctx: _Ctx, root: Condition, types: Mapping[str, FieldType]) -> Expr:
    """Translate a condition tree bottom-up, without recursion."""
    from sqlglot import exp

    out: list[Expr] = []
    stack: list[tuple[Condition, bool, int]] = [(root, False, 1)]
    while stack:
        node, done, d = stack.pop()
        if d > _MAX_DEPTH:
            raise SqlError(
                f"The filter is nested more than {_MAX_DEPTH} levels deep, more than SQL "
                "output allows; flatten it."
            )
        if isinstance(node, Predicate):
            out.append(_leaf(ctx, node, types))
        elif isinstance(node, Not):
            if done:
                inner = out.pop()
                # Fold SQL's unknown (a null column) to false, so not is the complement.
                out.append(exp.Not(this=exp.Coalesce(this=inner, expressions=[exp.false()])))
            else:
                stack.append((node, True, d))
                stack.append((node.operand, False, d + 1))
        elif isinstance(node, And | Or):
            n = len(node.operands)
            if done:
                kids = [exp.paren(k) if isinstance(k, exp.Or | exp.And) else k for k in out[-n:]]
                del out[-n:]
                join = exp.and_ if isinstance(node, And) else exp.or_
                out.append(join(*kids, copy=False))
            else:
                stack.append((node, True, d))
                stack.extend((o, False, d + 1) for o in reversed(node.operands))
    return out[0]


def _sort_key(ctx: _Ctx, field: str, ftype: FieldType) -> Expr:
    if ftype is FieldType.TIMESTAMP:
        return ctx.timestamp_column(field)
    if ftype is FieldType.STRING:
        return ctx.ordered(ctx.column(field))
    return ctx.column(field)


def _keyset(ctx: _Ctx, keys: tuple[tuple[str, FieldType, bool], ...], cursor: str) -> Expr:
    """Rows after the cursor row in (nulls last, then key order) on every key in turn."""
    values = _read_cursor(cursor, len(keys))
    from sqlglot import exp

    ors: list[Expr] = []
    equal: list[Expr] = []
    for (field, ftype, desc), value in zip(keys, values, strict=True):
        key = _sort_key(ctx, field, ftype)
        if value is None:
            equal.append(exp.Is(this=key, expression=exp.Null()))
            continue
        if ftype is FieldType.TIMESTAMP:
            bound = ctx.timestamp_value(_cursor_timestamp(value))
        else:
            bound = ctx.value(value)
        after = (exp.LT if desc else exp.GT)(this=key.copy(), expression=bound)
        later = exp.or_(exp.Is(this=key.copy(), expression=exp.Null()), after)
        ors.append(exp.and_(*[e.copy() for e in equal], exp.paren(later)))
        equal.append(exp.EQ(this=key.copy(), expression=bound.copy()))
    if not ors:
        return exp.false()
    return exp.paren(exp.or_(*[exp.paren(o) for o in ors]))


def _read_cursor(cursor: str, n: int) -> list[Any]:
    bad = SqlError(
        f"{cursor[:60]!r} is not a cursor from SqlQuery.cursor_for() for this query's sort; "
        "start without a cursor, then pass the cursor_for() of the last row of each page."
    )
    if not cursor.startswith(_CURSOR_PREFIX) or len(cursor) > _MAX_CURSOR:
        raise bad
    body = cursor[len(_CURSOR_PREFIX) :]
    try:
        values = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        raise bad from None
    if not isinstance(values, list) or len(values) != n:
        raise bad
    if not all(v is None or isinstance(v, str | bool) for v in values):
        raise bad
    return values


def _cursor_timestamp(value: object) -> dt.datetime:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value).replace(tzinfo=UTC)
        except ValueError:
            pass
    raise SqlError(f"The cursor holds {value!r} where a timestamp was expected; start again.")


def _bind_in_order(tree: Expr, values: list[Any]) -> tuple[Any, ...]:
    """Unname the placeholders and list their values in the order the SQL text shows them."""
    from sqlglot import exp

    holders = [n for n in tree.walk(bfs=False) if isinstance(n, exp.Placeholder)]
    out = []
    for node in holders:
        out.append(values[int(node.name[1:])])
        node.set("this", None)
    return tuple(out)


def to_sql(
    query: QueryAST,
    dialect: str = "duckdb",
    table: str | SqlTable | None = None,
    *,
    now: Clock = None,
    bind: bool | None = None,
    functions: bool = False,
    count: bool = False,
    pretty: bool = False,
    semantics: Semantics | None = None,
) -> SqlQuery:
    """Translate a validated query into SQL for ``dialect``.

    ``table`` is a table name or a :class:`SqlTable` mapping; ``now`` the clock for relative
    times; ``bind`` chooses bound parameters (default where the dialect runs here:
    DuckDB, SQLite, PostgreSQL) over inlined literals; ``functions`` lets what SQL cannot
    say exactly call ``ashby_match``; ``count`` selects ``COUNT(*)``; ``semantics`` the
    meanings, as the in-memory engine takes them (default: its defaults);
    ``pretty`` lays the SQL out on several lines.
    """
    sqlglot = _need_sqlglot()
    from sqlglot import exp

    name = DIALECTS.get(str(dialect).lower())
    if name is None:
        raise SqlError(
            f"{dialect!r} is not a SQL dialect ashby-query writes; use one of "
            f"{', '.join(sorted(set(DIALECTS)))}."
        )
    if functions and name not in ("duckdb", "sqlite"):
        raise SqlError(
            f"functions=True makes SQL call ashby_match, which only ashby-query's DuckDB and "
            f"SQLite runs register; {name} has no such function. Leave functions off for "
            f"{name}."
        )
    mapping = table if isinstance(table, SqlTable) else SqlTable(name=table)
    ctx = _Ctx(
        dialect=name,
        table=mapping,
        now=now_utc(now),
        bind=name in BOUND if bind is None else bind,
        functions=functions,
        semantics=DEFAULT_SEMANTICS if semantics is None else semantics,
    )
    query = lower(query, ctx.now, whole_day=ctx.semantics.date_only == "whole_day")
    types = {n: f.type for n, f in ENTITIES[query.entity].searchable.items()}
    source = exp.Table(
        this=exp.to_identifier(mapping.table_name(query.entity), quoted=True),
        db=exp.to_identifier(mapping.schema, quoted=True) if mapping.schema else None,
    )
    where: Expr | None = None if query.filter is None else _condition(ctx, query.filter, types)

    keys = tuple((k.field, types.get(k.field, FieldType.STRING), k.descending) for k in query.sort)
    if "id" not in {k[0] for k in keys}:
        keys = (*keys, ("id", FieldType.STRING, False))
    if query.cursor is not None:
        after = _keyset(ctx, keys, query.cursor)
        where = after if where is None else exp.and_(exp.paren(where), after)

    if query.fields is None:
        columns: list[Expr] = [exp.Star()]
    else:
        tops = list(dict.fromkeys(path[0] for path in query.fields))
        columns = [exp.alias_(ctx.column(f), f, quoted=True) for f in tops]
    select = exp.select(*columns).from_(source)
    if where is not None:
        select = select.where(where, copy=False)
    ordered = bool(query.sort) or query.limit is not None or query.cursor is not None
    if ordered and not count:
        for field, ftype, desc in keys:
            key = _sort_key(ctx, field, ftype)
            select = select.order_by(
                exp.Ordered(this=exp.Is(this=key, expression=exp.Null()), nulls_first=False),
                exp.Ordered(this=key.copy(), desc=desc, nulls_first=False),
                copy=False,
            )
    if query.limit is not None:
        select = select.limit(query.limit, copy=False)
    tree: Expr = select
    if count:
        inner = select if query.limit is not None else None
        if inner is None:
            tree = select.select(exp.Count(this=exp.Star()), append=False, copy=False)
        else:
            inner = inner.select(exp.Literal.number(1), append=False, copy=False)
            tree = exp.select(exp.Count(this=exp.Star())).from_(inner.subquery("page"))
    params = _bind_in_order(tree, ctx.params) if ctx.bind else ()
    try:
        text = tree.sql(dialect=name, pretty=pretty, unsupported_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.UnsupportedError as exc:
        raise SqlError(f"{name} cannot express part of this query: {exc}") from None
    return SqlQuery(text, params, name, tree, keys)
