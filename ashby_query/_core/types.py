"""Field types and the operators each allows: the data every layer above consults."""

from __future__ import annotations

import enum

__all__ = ["COMPARISON_OPS", "ORDERING_OPS", "FieldType", "Op"]


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

    # Members are singletons: identity hashing keeps set and dict look-ups in C.
    __hash__ = object.__hash__


COMPARISON_OPS = frozenset({Op.EQ, Op.NEQ, Op.GT, Op.GTE, Op.LT, Op.LTE})
ORDERING_OPS = frozenset({Op.GT, Op.GTE, Op.LT, Op.LTE})

#: The symbol each comparison prints as in the text language.
OP_SYMBOLS = {
    Op.EQ: "=",
    Op.NEQ: "!=",
    Op.GT: ">",
    Op.GTE: ">=",
    Op.LT: "<",
    Op.LTE: "<=",
}


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
    FieldType.STRING: frozenset(Op),
    FieldType.BOOLEAN: frozenset({Op.EQ, Op.NEQ, Op.IN, Op.IS_NULL}),
    FieldType.TIMESTAMP: COMPARISON_OPS | {Op.IN, Op.IS_NULL},
    FieldType.ARRAY: frozenset(),
    FieldType.OBJECT: frozenset(),
}

_EXPECTED = {
    FieldType.STRING: 'a quoted string such as "active"',
    FieldType.BOOLEAN: "true or false",
    FieldType.TIMESTAMP: "an ISO 8601 date or datetime such as 2024-01-31 or 2024-01-31T09:30:00Z",
    FieldType.ARRAY: "an array",
    FieldType.OBJECT: "an object",
}
