"""Field types and the operators each allows: the data every layer above consults."""

from __future__ import annotations

import enum

__all__ = [
    "ARRAY_OPS",
    "COMPARISON_OPS",
    "MAX_LIMIT",
    "ORDERING_OPS",
    "TEXT_OPS",
    "FieldType",
    "Op",
    "op_word",
    "wire_key",
]

#: The most records one page may hold: the connector's own cap on ``limit``.
MAX_LIMIT = 1000


class Op(enum.Enum):
    """A filter operator, named by its wire key."""

    EQ = "eq"
    NEQ = "neq"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    IN = "in"
    LIKE = "like"
    FUZZY = "fuzzy"
    KEYWORD = "keyword"
    IS_NULL = "is_null"
    ARRAY_CONTAINS = "array_contains"
    ANY = "any"

    # Members are singletons: identity hashing keeps set and dict look-ups in C.
    __hash__ = object.__hash__


COMPARISON_OPS = frozenset({Op.EQ, Op.NEQ, Op.GT, Op.GTE, Op.LT, Op.LTE})
ORDERING_OPS = frozenset({Op.GT, Op.GTE, Op.LT, Op.LTE})
#: The operators that take a text and match words or patterns in a string field.
TEXT_OPS = frozenset({Op.LIKE, Op.FUZZY, Op.KEYWORD})
#: The operators that act on the elements of an array field.
ARRAY_OPS = frozenset({Op.ARRAY_CONTAINS, Op.ANY})

#: The symbol each comparison prints as in the text language.
OP_SYMBOLS = {
    Op.EQ: "=",
    Op.NEQ: "!=",
    Op.GT: ">",
    Op.GTE: ">=",
    Op.LT: "<",
    Op.LTE: "<=",
}

_OP_WORDS = {
    **OP_SYMBOLS,
    Op.IN: "in",
    Op.LIKE: "like",
    Op.FUZZY: "fuzzy",
    Op.KEYWORD: "keyword",
    Op.IS_NULL: "is null",
    Op.ARRAY_CONTAINS: "array_contains",
    Op.ANY: "any",
}
_WIRE_KEYS = {op: "eq" if op is Op.IS_NULL else op.value for op in Op}


def op_word(op: Op) -> str:
    """How the text language spells ``op``.

    >>> op_word(Op.IS_NULL)
    'is null'
    """
    return _OP_WORDS[op]


def wire_key(op: Op) -> str:
    """The JSON key ``op`` compiles to (``is_null`` is an ``eq`` with ``null``).

    >>> wire_key(Op.IS_NULL)
    'eq'
    """
    return _WIRE_KEYS[op]


class FieldType(enum.Enum):
    """The type of a record field, and so which operators and values it takes."""

    STRING = "string"
    BOOLEAN = "boolean"
    TIMESTAMP = "timestamp"
    ARRAY = "array"
    OBJECT = "object"

    @property
    def operators(self) -> frozenset[Op]:
        """The operators a searchable field of this type allows."""
        return _ALLOWED[self]

    @property
    def expected(self) -> str:
        """How an error message names a value of this type."""
        return _EXPECTED[self]


_ALLOWED: dict[FieldType, frozenset[Op]] = {
    FieldType.STRING: frozenset(Op) - ARRAY_OPS,
    FieldType.BOOLEAN: frozenset({Op.EQ, Op.NEQ, Op.IN, Op.IS_NULL}),
    FieldType.TIMESTAMP: COMPARISON_OPS | {Op.IN, Op.IS_NULL},
    FieldType.ARRAY: ARRAY_OPS | {Op.IS_NULL},
    FieldType.OBJECT: frozenset(),
}

_EXPECTED = {
    FieldType.STRING: 'a quoted string such as "active"',
    FieldType.BOOLEAN: "true or false",
    FieldType.TIMESTAMP: "an ISO 8601 date or datetime such as 2024-01-31 or 2024-01-31T09:30:00Z",
    FieldType.ARRAY: "an array",
    FieldType.OBJECT: "an object",
}
