"""A recursive-descent parser for the query language, generated from the grammar.

From grammar/query.lark. Do not edit: run ``python grammar/build_tables.py``.
It builds the AST through the same Builder calls as the table-driven loop in
parser.py, and raises Bail on anything else: that loop then reads the text again
and words the error.
"""

# fmt: off
# ruff: noqa
from typing import Any

from .._core.errors import Span
from .build import Builder


class Bail(Exception):
    """Not a text this parser takes: leave it to the table-driven loop."""


_S = tuple.__new__
_and_ = Builder.and_
_any_ = Builder.any_
_array_contains = Builder.array_contains
_between = Builder.between
_cursor = Builder.cursor
_date = Builder.date
_datetime = Builder.datetime
_eq = Builder.eq
_false = Builder.false
_fuzzy = Builder.fuzzy
_group = Builder.group
_gt = Builder.gt
_gte = Builder.gte
_in_ = Builder.in_
_is_not_null = Builder.is_not_null
_is_null = Builder.is_null
_keyword = Builder.keyword
_like = Builder.like
_limit = Builder.limit
_lt = Builder.lt
_lte = Builder.lte
_neq = Builder.neq
_not_ = Builder.not_
_not_in = Builder.not_in
_not_like = Builder.not_like
_number = Builder.number
_or_ = Builder.or_
_order_by = Builder.order_by
_path = Builder.path
_path_more = Builder.path_more
_paths = Builder.paths
_paths_more = Builder.paths_more
_query = Builder.query
_rel = Builder.rel
_rel_minus = Builder.rel_minus
_rel_plus = Builder.rel_plus
_select = Builder.select
_sort_asc = Builder.sort_asc
_sort_desc = Builder.sort_desc
_sort_keys = Builder.sort_keys
_sort_keys_more = Builder.sort_keys_more
_string = Builder.string
_true = Builder.true
_values = Builder.values
_values_more = Builder.values_more
_T0 = frozenset(('NAME', '_LPAR'))
_T1 = frozenset(('NAME', '_LPAR', '_NOT'))
_T2 = frozenset(('_CURSOR', '_LIMIT', '_ORDER', '_SELECT'))
_T3 = frozenset(('NOW', 'TODAY', 'YESTERDAY'))


def parse(toks: list[Any], b: Builder, maxd: int) -> Any:
    """The AST of ``toks`` (ending in the end token), nested at most ``maxd``."""
    v, i = _p_start(toks, 0, b, 0, maxd)
    if toks[i][0] != '$END':
        raise Bail
    return v


def _p_not_expr(toks: list[Any], i: int, b: Builder, depth: int, maxd: int) -> Any:
    k1_0: Any
    k2_0: Any
    k2_1: Any
    k3_0: Any
    k3_1: Any
    k3_2: Any
    k3_3: Any
    k3_4: Any
    k4_0: Any
    k4_2: Any
    s1: Any
    s2: Any
    s3: Any
    s4: Any
    s5: Any
    v: Any
    tok = toks[i]
    kind = tok[0]
    s1 = tok[2]
    if kind in _T0:
        s2 = tok[2]
        if kind == 'NAME':
            s3 = tok[2]
            k4_0 = tok
            i += 1
            tok = toks[i]
            kind = tok[0]
            k3_0 = k4_0
            if kind == 'EQ':
                k3_1 = tok
                i += 1
                tok = toks[i]
                kind = tok[0]
                k3_2, i = _p_value(toks, i, b, depth, maxd)
                tok = toks[i]
                kind = tok[0]
                k2_0 = _eq(b, [k3_0, k3_1, k3_2], _S(Span, (s3, toks[i - 1][3])))
            elif kind == '_IN':
                i += 1
                tok = toks[i]
                kind = tok[0]
                if kind == '_LPAR':
                    k3_2 = tok
                    depth += 1
                    if depth > maxd:
                        raise Bail
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    s4 = tok[2]
                    k4_0, i = _p_value(toks, i, b, depth, maxd)
                    tok = toks[i]
                    kind = tok[0]
                    k3_3 = _values(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
                    while kind == '_COMMA':
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        k4_2, i = _p_value(toks, i, b, depth, maxd)
                        tok = toks[i]
                        kind = tok[0]
                        k3_3 = _values_more(b, [k3_3, k4_2], _S(Span, (s4, toks[i - 1][3])))
                    if kind == '_RPAR':
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        depth -= 1
                        k2_0 = _in_(b, [k3_0, k3_3], _S(Span, (s3, toks[i - 1][3])))
                    else:
                        raise Bail
                else:
                    raise Bail
            elif kind == 'GT':
                k3_1 = tok
                i += 1
                tok = toks[i]
                kind = tok[0]
                k3_2, i = _p_value(toks, i, b, depth, maxd)
                tok = toks[i]
                kind = tok[0]
                k2_0 = _gt(b, [k3_0, k3_1, k3_2], _S(Span, (s3, toks[i - 1][3])))
            elif kind == 'GTE':
                k3_1 = tok
                i += 1
                tok = toks[i]
                kind = tok[0]
                k3_2, i = _p_value(toks, i, b, depth, maxd)
                tok = toks[i]
                kind = tok[0]
                k2_0 = _gte(b, [k3_0, k3_1, k3_2], _S(Span, (s3, toks[i - 1][3])))
            elif kind == 'LT':
                k3_1 = tok
                i += 1
                tok = toks[i]
                kind = tok[0]
                k3_2, i = _p_value(toks, i, b, depth, maxd)
                tok = toks[i]
                kind = tok[0]
                k2_0 = _lt(b, [k3_0, k3_1, k3_2], _S(Span, (s3, toks[i - 1][3])))
            elif kind == 'LTE':
                k3_1 = tok
                i += 1
                tok = toks[i]
                kind = tok[0]
                k3_2, i = _p_value(toks, i, b, depth, maxd)
                tok = toks[i]
                kind = tok[0]
                k2_0 = _lte(b, [k3_0, k3_1, k3_2], _S(Span, (s3, toks[i - 1][3])))
            elif kind == 'NEQ':
                k3_1 = tok
                i += 1
                tok = toks[i]
                kind = tok[0]
                k3_2, i = _p_value(toks, i, b, depth, maxd)
                tok = toks[i]
                kind = tok[0]
                k2_0 = _neq(b, [k3_0, k3_1, k3_2], _S(Span, (s3, toks[i - 1][3])))
            elif kind == '_ANY':
                i += 1
                tok = toks[i]
                kind = tok[0]
                if kind == '_LPAR':
                    k3_2 = tok
                    depth += 1
                    if depth > maxd:
                        raise Bail
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    s4 = tok[2]
                    s5 = tok[2]
                    k5_0, i = _p_not_expr(toks, i, b, depth, maxd)
                    tok = toks[i]
                    kind = tok[0]
                    k4_0 = k5_0
                    while kind == '_AND':
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        k5_2, i = _p_not_expr(toks, i, b, depth, maxd)
                        tok = toks[i]
                        kind = tok[0]
                        k4_0 = _and_(b, [k4_0, k5_2], _S(Span, (s5, toks[i - 1][3])))
                    k3_3 = k4_0
                    while kind == '_OR':
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        s5 = tok[2]
                        k5_0, i = _p_not_expr(toks, i, b, depth, maxd)
                        tok = toks[i]
                        kind = tok[0]
                        k4_2 = k5_0
                        while kind == '_AND':
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            k5_2, i = _p_not_expr(toks, i, b, depth, maxd)
                            tok = toks[i]
                            kind = tok[0]
                            k4_2 = _and_(b, [k4_2, k5_2], _S(Span, (s5, toks[i - 1][3])))
                        k3_3 = _or_(b, [k3_3, k4_2], _S(Span, (s4, toks[i - 1][3])))
                    if kind == '_RPAR':
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        depth -= 1
                        k2_0 = _any_(b, [k3_0, k3_3], _S(Span, (s3, toks[i - 1][3])))
                    else:
                        raise Bail
                else:
                    raise Bail
            elif kind == '_ARRAY_CONTAINS':
                i += 1
                tok = toks[i]
                kind = tok[0]
                k3_2, i = _p_value(toks, i, b, depth, maxd)
                tok = toks[i]
                kind = tok[0]
                k2_0 = _array_contains(b, [k3_0, k3_2], _S(Span, (s3, toks[i - 1][3])))
            elif kind == '_BETWEEN':
                i += 1
                tok = toks[i]
                kind = tok[0]
                k3_2, i = _p_value(toks, i, b, depth, maxd)
                tok = toks[i]
                kind = tok[0]
                if kind == '_AND':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    k3_4, i = _p_value(toks, i, b, depth, maxd)
                    tok = toks[i]
                    kind = tok[0]
                    k2_0 = _between(b, [k3_0, k3_2, k3_4], _S(Span, (s3, toks[i - 1][3])))
                else:
                    raise Bail
            elif kind == '_FUZZY':
                i += 1
                tok = toks[i]
                kind = tok[0]
                s4 = tok[2]
                if kind == 'STRING':
                    k4_0 = tok
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    k3_2 = _string(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
                else:
                    raise Bail
                k2_0 = _fuzzy(b, [k3_0, k3_2], _S(Span, (s3, toks[i - 1][3])))
            elif kind == '_IS':
                i += 1
                tok = toks[i]
                kind = tok[0]
                if kind == '_NOT':
                    k3_2 = tok
                    depth += 1
                    if depth > maxd:
                        raise Bail
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    if kind == '_NULL':
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        depth -= 1
                        k2_0 = _is_not_null(b, [k3_0], _S(Span, (s3, toks[i - 1][3])))
                    else:
                        raise Bail
                elif kind == '_NULL':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    k2_0 = _is_null(b, [k3_0], _S(Span, (s3, toks[i - 1][3])))
                else:
                    raise Bail
            elif kind == '_KEYWORD':
                i += 1
                tok = toks[i]
                kind = tok[0]
                s4 = tok[2]
                if kind == 'STRING':
                    k4_0 = tok
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    k3_2 = _string(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
                else:
                    raise Bail
                k2_0 = _keyword(b, [k3_0, k3_2], _S(Span, (s3, toks[i - 1][3])))
            elif kind == '_LIKE':
                i += 1
                tok = toks[i]
                kind = tok[0]
                s4 = tok[2]
                if kind == 'STRING':
                    k4_0 = tok
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    k3_2 = _string(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
                else:
                    raise Bail
                k2_0 = _like(b, [k3_0, k3_2], _S(Span, (s3, toks[i - 1][3])))
            elif kind == '_NOT':
                k3_1 = tok
                depth += 1
                if depth > maxd:
                    raise Bail
                i += 1
                tok = toks[i]
                kind = tok[0]
                if kind == '_IN':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    if kind == '_LPAR':
                        k3_3 = tok
                        depth += 1
                        if depth > maxd:
                            raise Bail
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        s4 = tok[2]
                        k4_0, i = _p_value(toks, i, b, depth, maxd)
                        tok = toks[i]
                        kind = tok[0]
                        k3_4 = _values(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
                        while kind == '_COMMA':
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            k4_2, i = _p_value(toks, i, b, depth, maxd)
                            tok = toks[i]
                            kind = tok[0]
                            k3_4 = _values_more(b, [k3_4, k4_2], _S(Span, (s4, toks[i - 1][3])))
                        if kind == '_RPAR':
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            depth -= 2
                            k2_0 = _not_in(b, [k3_0, k3_4], _S(Span, (s3, toks[i - 1][3])))
                        else:
                            raise Bail
                    else:
                        raise Bail
                elif kind == '_LIKE':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    s4 = tok[2]
                    if kind == 'STRING':
                        k4_0 = tok
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        k3_3 = _string(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
                    else:
                        raise Bail
                    depth -= 1
                    k2_0 = _not_like(b, [k3_0, k3_3], _S(Span, (s3, toks[i - 1][3])))
                else:
                    raise Bail
            else:
                raise Bail
            k1_0 = k2_0
        elif kind == '_LPAR':
            k2_0 = tok
            depth += 1
            if depth > maxd:
                raise Bail
            i += 1
            tok = toks[i]
            kind = tok[0]
            s3 = tok[2]
            s4 = tok[2]
            k4_0, i = _p_not_expr(toks, i, b, depth, maxd)
            tok = toks[i]
            kind = tok[0]
            k3_0 = k4_0
            while kind == '_AND':
                i += 1
                tok = toks[i]
                kind = tok[0]
                k4_2, i = _p_not_expr(toks, i, b, depth, maxd)
                tok = toks[i]
                kind = tok[0]
                k3_0 = _and_(b, [k3_0, k4_2], _S(Span, (s4, toks[i - 1][3])))
            k2_1 = k3_0
            while kind == '_OR':
                i += 1
                tok = toks[i]
                kind = tok[0]
                s4 = tok[2]
                k4_0, i = _p_not_expr(toks, i, b, depth, maxd)
                tok = toks[i]
                kind = tok[0]
                k3_2 = k4_0
                while kind == '_AND':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    k4_2, i = _p_not_expr(toks, i, b, depth, maxd)
                    tok = toks[i]
                    kind = tok[0]
                    k3_2 = _and_(b, [k3_2, k4_2], _S(Span, (s4, toks[i - 1][3])))
                k2_1 = _or_(b, [k2_1, k3_2], _S(Span, (s3, toks[i - 1][3])))
            if kind == '_RPAR':
                i += 1
                tok = toks[i]
                kind = tok[0]
                depth -= 1
                k1_0 = _group(b, [k2_1], _S(Span, (s2, toks[i - 1][3])))
            else:
                raise Bail
        else:
            raise Bail
        v = k1_0
    elif kind == '_NOT':
        k1_0 = tok
        depth += 1
        if depth > maxd:
            raise Bail
        i += 1
        tok = toks[i]
        kind = tok[0]
        k1_1, i = _p_not_expr(toks, i, b, depth, maxd)
        tok = toks[i]
        kind = tok[0]
        depth -= 1
        v = _not_(b, [k1_1], _S(Span, (s1, toks[i - 1][3])))
    else:
        raise Bail
    return v, i


def _p_start(toks: list[Any], i: int, b: Builder, depth: int, maxd: int) -> Any:
    k1_0: Any
    k1_1: Any
    k2_0: Any
    k2_1: Any
    k2_2: Any
    k3_1: Any
    k3_2: Any
    k4_0: Any
    k4_2: Any
    k5_0: Any
    k5_2: Any
    s1: Any
    s2: Any
    s3: Any
    s4: Any
    s5: Any
    v: Any
    tok = toks[i]
    kind = tok[0]
    s1 = tok[2]
    if kind in _T1:
        s2 = tok[2]
        s3 = tok[2]
        k3_0, i = _p_not_expr(toks, i, b, depth, maxd)
        tok = toks[i]
        kind = tok[0]
        k2_0 = k3_0
        while kind == '_AND':
            i += 1
            tok = toks[i]
            kind = tok[0]
            k3_2, i = _p_not_expr(toks, i, b, depth, maxd)
            tok = toks[i]
            kind = tok[0]
            k2_0 = _and_(b, [k2_0, k3_2], _S(Span, (s3, toks[i - 1][3])))
        k1_0 = k2_0
        while kind == '_OR':
            i += 1
            tok = toks[i]
            kind = tok[0]
            s3 = tok[2]
            k3_0, i = _p_not_expr(toks, i, b, depth, maxd)
            tok = toks[i]
            kind = tok[0]
            k2_2 = k3_0
            while kind == '_AND':
                i += 1
                tok = toks[i]
                kind = tok[0]
                k3_2, i = _p_not_expr(toks, i, b, depth, maxd)
                tok = toks[i]
                kind = tok[0]
                k2_2 = _and_(b, [k2_2, k3_2], _S(Span, (s3, toks[i - 1][3])))
            k1_0 = _or_(b, [k1_0, k2_2], _S(Span, (s2, toks[i - 1][3])))
        if kind in _T2:
            s3 = tok[2]
            if kind == '_CURSOR':
                i += 1
                tok = toks[i]
                kind = tok[0]
                s4 = tok[2]
                if kind == 'STRING':
                    k4_0 = tok
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    k3_1 = _string(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
                else:
                    raise Bail
                k2_0 = _cursor(b, [k3_1], _S(Span, (s3, toks[i - 1][3])))
            elif kind == '_LIMIT':
                i += 1
                tok = toks[i]
                kind = tok[0]
                if kind == 'NUMBER':
                    k3_1 = tok
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    k2_0 = _limit(b, [k3_1], _S(Span, (s3, toks[i - 1][3])))
                else:
                    raise Bail
            elif kind == '_ORDER':
                i += 1
                tok = toks[i]
                kind = tok[0]
                if kind == '_BY':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    s4 = tok[2]
                    s5 = tok[2]
                    if kind == 'NAME':
                        k5_0 = tok
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        if kind == '_ASC':
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            k4_0 = _sort_asc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                        elif kind == '_DESC':
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            k4_0 = _sort_desc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                        else:
                            k4_0 = _sort_asc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                    else:
                        raise Bail
                    k3_2 = _sort_keys(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
                    while kind == '_COMMA':
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        s5 = tok[2]
                        if kind == 'NAME':
                            k5_0 = tok
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            if kind == '_ASC':
                                i += 1
                                tok = toks[i]
                                kind = tok[0]
                                k4_2 = _sort_asc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                            elif kind == '_DESC':
                                i += 1
                                tok = toks[i]
                                kind = tok[0]
                                k4_2 = _sort_desc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                            else:
                                k4_2 = _sort_asc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                        else:
                            raise Bail
                        k3_2 = _sort_keys_more(b, [k3_2, k4_2], _S(Span, (s4, toks[i - 1][3])))
                    k2_0 = _order_by(b, [k3_2], _S(Span, (s3, toks[i - 1][3])))
                else:
                    raise Bail
            elif kind == '_SELECT':
                i += 1
                tok = toks[i]
                kind = tok[0]
                s4 = tok[2]
                s5 = tok[2]
                if kind == 'NAME':
                    k5_0 = tok
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    k4_0 = _path(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                else:
                    raise Bail
                while kind == '_DOT':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    if kind == 'NAME':
                        k5_2 = tok
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        k4_0 = _path_more(b, [k4_0, k5_2], _S(Span, (s5, toks[i - 1][3])))
                    else:
                        raise Bail
                k3_1 = _paths(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
                while kind == '_COMMA':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    s5 = tok[2]
                    if kind == 'NAME':
                        k5_0 = tok
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        k4_2 = _path(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                    else:
                        raise Bail
                    while kind == '_DOT':
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        if kind == 'NAME':
                            k5_2 = tok
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            k4_2 = _path_more(b, [k4_2, k5_2], _S(Span, (s5, toks[i - 1][3])))
                        else:
                            raise Bail
                    k3_1 = _paths_more(b, [k3_1, k4_2], _S(Span, (s4, toks[i - 1][3])))
                k2_0 = _select(b, [k3_1], _S(Span, (s3, toks[i - 1][3])))
            else:
                raise Bail
            k1_1 = [k2_0]
            while kind in _T2:
                s3 = tok[2]
                if kind == '_CURSOR':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    s4 = tok[2]
                    if kind == 'STRING':
                        k4_0 = tok
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        k3_1 = _string(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
                    else:
                        raise Bail
                    k2_1 = _cursor(b, [k3_1], _S(Span, (s3, toks[i - 1][3])))
                elif kind == '_LIMIT':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    if kind == 'NUMBER':
                        k3_1 = tok
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        k2_1 = _limit(b, [k3_1], _S(Span, (s3, toks[i - 1][3])))
                    else:
                        raise Bail
                elif kind == '_ORDER':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    if kind == '_BY':
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        s4 = tok[2]
                        s5 = tok[2]
                        if kind == 'NAME':
                            k5_0 = tok
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            if kind == '_ASC':
                                i += 1
                                tok = toks[i]
                                kind = tok[0]
                                k4_0 = _sort_asc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                            elif kind == '_DESC':
                                i += 1
                                tok = toks[i]
                                kind = tok[0]
                                k4_0 = _sort_desc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                            else:
                                k4_0 = _sort_asc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                        else:
                            raise Bail
                        k3_2 = _sort_keys(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
                        while kind == '_COMMA':
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            s5 = tok[2]
                            if kind == 'NAME':
                                k5_0 = tok
                                i += 1
                                tok = toks[i]
                                kind = tok[0]
                                if kind == '_ASC':
                                    i += 1
                                    tok = toks[i]
                                    kind = tok[0]
                                    k4_2 = _sort_asc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                                elif kind == '_DESC':
                                    i += 1
                                    tok = toks[i]
                                    kind = tok[0]
                                    k4_2 = _sort_desc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                                else:
                                    k4_2 = _sort_asc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                            else:
                                raise Bail
                            k3_2 = _sort_keys_more(b, [k3_2, k4_2], _S(Span, (s4, toks[i - 1][3])))
                        k2_1 = _order_by(b, [k3_2], _S(Span, (s3, toks[i - 1][3])))
                    else:
                        raise Bail
                elif kind == '_SELECT':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    s4 = tok[2]
                    s5 = tok[2]
                    if kind == 'NAME':
                        k5_0 = tok
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        k4_0 = _path(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                    else:
                        raise Bail
                    while kind == '_DOT':
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        if kind == 'NAME':
                            k5_2 = tok
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            k4_0 = _path_more(b, [k4_0, k5_2], _S(Span, (s5, toks[i - 1][3])))
                        else:
                            raise Bail
                    k3_1 = _paths(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
                    while kind == '_COMMA':
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        s5 = tok[2]
                        if kind == 'NAME':
                            k5_0 = tok
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            k4_2 = _path(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                        else:
                            raise Bail
                        while kind == '_DOT':
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            if kind == 'NAME':
                                k5_2 = tok
                                i += 1
                                tok = toks[i]
                                kind = tok[0]
                                k4_2 = _path_more(b, [k4_2, k5_2], _S(Span, (s5, toks[i - 1][3])))
                            else:
                                raise Bail
                        k3_1 = _paths_more(b, [k3_1, k4_2], _S(Span, (s4, toks[i - 1][3])))
                    k2_1 = _select(b, [k3_1], _S(Span, (s3, toks[i - 1][3])))
                else:
                    raise Bail
                k1_1 = [*k1_1, k2_1]
            v = _query(b, [k1_0, *k1_1], _S(Span, (s1, toks[i - 1][3])))
        else:
            v = _query(b, [k1_0], _S(Span, (s1, toks[i - 1][3])))
    elif kind in _T2:
        s3 = tok[2]
        if kind == '_CURSOR':
            i += 1
            tok = toks[i]
            kind = tok[0]
            s4 = tok[2]
            if kind == 'STRING':
                k4_0 = tok
                i += 1
                tok = toks[i]
                kind = tok[0]
                k3_1 = _string(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
            else:
                raise Bail
            k2_0 = _cursor(b, [k3_1], _S(Span, (s3, toks[i - 1][3])))
        elif kind == '_LIMIT':
            i += 1
            tok = toks[i]
            kind = tok[0]
            if kind == 'NUMBER':
                k3_1 = tok
                i += 1
                tok = toks[i]
                kind = tok[0]
                k2_0 = _limit(b, [k3_1], _S(Span, (s3, toks[i - 1][3])))
            else:
                raise Bail
        elif kind == '_ORDER':
            i += 1
            tok = toks[i]
            kind = tok[0]
            if kind == '_BY':
                i += 1
                tok = toks[i]
                kind = tok[0]
                s4 = tok[2]
                s5 = tok[2]
                if kind == 'NAME':
                    k5_0 = tok
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    if kind == '_ASC':
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        k4_0 = _sort_asc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                    elif kind == '_DESC':
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        k4_0 = _sort_desc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                    else:
                        k4_0 = _sort_asc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                else:
                    raise Bail
                k3_2 = _sort_keys(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
                while kind == '_COMMA':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    s5 = tok[2]
                    if kind == 'NAME':
                        k5_0 = tok
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        if kind == '_ASC':
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            k4_2 = _sort_asc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                        elif kind == '_DESC':
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            k4_2 = _sort_desc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                        else:
                            k4_2 = _sort_asc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                    else:
                        raise Bail
                    k3_2 = _sort_keys_more(b, [k3_2, k4_2], _S(Span, (s4, toks[i - 1][3])))
                k2_0 = _order_by(b, [k3_2], _S(Span, (s3, toks[i - 1][3])))
            else:
                raise Bail
        elif kind == '_SELECT':
            i += 1
            tok = toks[i]
            kind = tok[0]
            s4 = tok[2]
            s5 = tok[2]
            if kind == 'NAME':
                k5_0 = tok
                i += 1
                tok = toks[i]
                kind = tok[0]
                k4_0 = _path(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
            else:
                raise Bail
            while kind == '_DOT':
                i += 1
                tok = toks[i]
                kind = tok[0]
                if kind == 'NAME':
                    k5_2 = tok
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    k4_0 = _path_more(b, [k4_0, k5_2], _S(Span, (s5, toks[i - 1][3])))
                else:
                    raise Bail
            k3_1 = _paths(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
            while kind == '_COMMA':
                i += 1
                tok = toks[i]
                kind = tok[0]
                s5 = tok[2]
                if kind == 'NAME':
                    k5_0 = tok
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    k4_2 = _path(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                else:
                    raise Bail
                while kind == '_DOT':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    if kind == 'NAME':
                        k5_2 = tok
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        k4_2 = _path_more(b, [k4_2, k5_2], _S(Span, (s5, toks[i - 1][3])))
                    else:
                        raise Bail
                k3_1 = _paths_more(b, [k3_1, k4_2], _S(Span, (s4, toks[i - 1][3])))
            k2_0 = _select(b, [k3_1], _S(Span, (s3, toks[i - 1][3])))
        else:
            raise Bail
        k1_0 = [k2_0]
        while kind in _T2:
            s3 = tok[2]
            if kind == '_CURSOR':
                i += 1
                tok = toks[i]
                kind = tok[0]
                s4 = tok[2]
                if kind == 'STRING':
                    k4_0 = tok
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    k3_1 = _string(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
                else:
                    raise Bail
                k2_1 = _cursor(b, [k3_1], _S(Span, (s3, toks[i - 1][3])))
            elif kind == '_LIMIT':
                i += 1
                tok = toks[i]
                kind = tok[0]
                if kind == 'NUMBER':
                    k3_1 = tok
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    k2_1 = _limit(b, [k3_1], _S(Span, (s3, toks[i - 1][3])))
                else:
                    raise Bail
            elif kind == '_ORDER':
                i += 1
                tok = toks[i]
                kind = tok[0]
                if kind == '_BY':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    s4 = tok[2]
                    s5 = tok[2]
                    if kind == 'NAME':
                        k5_0 = tok
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        if kind == '_ASC':
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            k4_0 = _sort_asc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                        elif kind == '_DESC':
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            k4_0 = _sort_desc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                        else:
                            k4_0 = _sort_asc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                    else:
                        raise Bail
                    k3_2 = _sort_keys(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
                    while kind == '_COMMA':
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        s5 = tok[2]
                        if kind == 'NAME':
                            k5_0 = tok
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            if kind == '_ASC':
                                i += 1
                                tok = toks[i]
                                kind = tok[0]
                                k4_2 = _sort_asc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                            elif kind == '_DESC':
                                i += 1
                                tok = toks[i]
                                kind = tok[0]
                                k4_2 = _sort_desc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                            else:
                                k4_2 = _sort_asc(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                        else:
                            raise Bail
                        k3_2 = _sort_keys_more(b, [k3_2, k4_2], _S(Span, (s4, toks[i - 1][3])))
                    k2_1 = _order_by(b, [k3_2], _S(Span, (s3, toks[i - 1][3])))
                else:
                    raise Bail
            elif kind == '_SELECT':
                i += 1
                tok = toks[i]
                kind = tok[0]
                s4 = tok[2]
                s5 = tok[2]
                if kind == 'NAME':
                    k5_0 = tok
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    k4_0 = _path(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                else:
                    raise Bail
                while kind == '_DOT':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    if kind == 'NAME':
                        k5_2 = tok
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        k4_0 = _path_more(b, [k4_0, k5_2], _S(Span, (s5, toks[i - 1][3])))
                    else:
                        raise Bail
                k3_1 = _paths(b, [k4_0], _S(Span, (s4, toks[i - 1][3])))
                while kind == '_COMMA':
                    i += 1
                    tok = toks[i]
                    kind = tok[0]
                    s5 = tok[2]
                    if kind == 'NAME':
                        k5_0 = tok
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        k4_2 = _path(b, [k5_0], _S(Span, (s5, toks[i - 1][3])))
                    else:
                        raise Bail
                    while kind == '_DOT':
                        i += 1
                        tok = toks[i]
                        kind = tok[0]
                        if kind == 'NAME':
                            k5_2 = tok
                            i += 1
                            tok = toks[i]
                            kind = tok[0]
                            k4_2 = _path_more(b, [k4_2, k5_2], _S(Span, (s5, toks[i - 1][3])))
                        else:
                            raise Bail
                    k3_1 = _paths_more(b, [k3_1, k4_2], _S(Span, (s4, toks[i - 1][3])))
                k2_1 = _select(b, [k3_1], _S(Span, (s3, toks[i - 1][3])))
            else:
                raise Bail
            k1_0 = [*k1_0, k2_1]
        v = _query(b, [*k1_0], _S(Span, (s1, toks[i - 1][3])))
    else:
        v = _query(b, [], _S(Span, (tok[2], tok[2])))
    return v, i


def _p_value(toks: list[Any], i: int, b: Builder, depth: int, maxd: int) -> Any:
    k1_0: Any
    k2_0: Any
    k2_1: Any
    k2_2: Any
    k3_0: Any
    s1: Any
    s2: Any
    v: Any
    tok = toks[i]
    kind = tok[0]
    s1 = tok[2]
    if kind == 'STRING':
        s2 = tok[2]
        k2_0 = tok
        i += 1
        tok = toks[i]
        kind = tok[0]
        k1_0 = _string(b, [k2_0], _S(Span, (s2, toks[i - 1][3])))
        v = k1_0
    elif kind == 'NUMBER':
        k1_0 = tok
        i += 1
        tok = toks[i]
        kind = tok[0]
        v = _number(b, [k1_0], _S(Span, (s1, toks[i - 1][3])))
    elif kind == 'DATE':
        k1_0 = tok
        i += 1
        tok = toks[i]
        kind = tok[0]
        v = _date(b, [k1_0], _S(Span, (s1, toks[i - 1][3])))
    elif kind == 'DATETIME':
        k1_0 = tok
        i += 1
        tok = toks[i]
        kind = tok[0]
        v = _datetime(b, [k1_0], _S(Span, (s1, toks[i - 1][3])))
    elif kind == 'FALSE':
        k1_0 = tok
        i += 1
        tok = toks[i]
        kind = tok[0]
        v = _false(b, [k1_0], _S(Span, (s1, toks[i - 1][3])))
    elif kind == 'TRUE':
        k1_0 = tok
        i += 1
        tok = toks[i]
        kind = tok[0]
        v = _true(b, [k1_0], _S(Span, (s1, toks[i - 1][3])))
    elif kind in _T3:
        s2 = tok[2]
        if kind == 'NOW':
            k3_0 = tok
            i += 1
            tok = toks[i]
            kind = tok[0]
            k2_0 = k3_0
        elif kind == 'TODAY':
            k3_0 = tok
            i += 1
            tok = toks[i]
            kind = tok[0]
            k2_0 = k3_0
        elif kind == 'YESTERDAY':
            k3_0 = tok
            i += 1
            tok = toks[i]
            kind = tok[0]
            k2_0 = k3_0
        else:
            raise Bail
        if kind == 'MINUS':
            k2_1 = tok
            i += 1
            tok = toks[i]
            kind = tok[0]
            if kind == 'DURATION':
                k2_2 = tok
                i += 1
                tok = toks[i]
                kind = tok[0]
                k1_0 = _rel_minus(b, [k2_0, k2_1, k2_2], _S(Span, (s2, toks[i - 1][3])))
            else:
                raise Bail
        elif kind == 'PLUS':
            k2_1 = tok
            i += 1
            tok = toks[i]
            kind = tok[0]
            if kind == 'DURATION':
                k2_2 = tok
                i += 1
                tok = toks[i]
                kind = tok[0]
                k1_0 = _rel_plus(b, [k2_0, k2_1, k2_2], _S(Span, (s2, toks[i - 1][3])))
            else:
                raise Bail
        else:
            k1_0 = _rel(b, [k2_0], _S(Span, (s2, toks[i - 1][3])))
        v = k1_0
    else:
        raise Bail
    return v, i
