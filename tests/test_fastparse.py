"""The generated recursive-descent parser: in step with the grammar, and on every text the
same parser as the table-driven loop and as Lark's own.

``parse_text`` tries the generated parser first and hands anything it does not take to
the table-driven loop, which parses it or words the error. So the two must agree: the
fast parser takes a text exactly when the loop does, and builds the same tree, spans
included.
"""

import sys

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_tables import _generator

import ashby_query as aq
from ashby_query import strategies as aqs
from ashby_query._front import fastparse, parser
from ashby_query._front.build import Builder
from ashby_query._front.lexer import lex

FAST = parser.__file__.replace("parser.py", "fastparse.py")


def test_shipped_fast_parser_matches_the_grammar():
    """Regenerating the parser from grammar/query.lark gives the shipped module."""
    with open(FAST, encoding="utf-8") as f:
        assert _generator().generate_fast() == f.read(), "run: python grammar/build_tables.py"


def test_generator_refuses_a_grammar_that_needs_more_lookahead():
    """A grammar the generated parser could not read one token at a time is refused at
    build time, not turned into a parser that guesses."""
    gen = _generator()
    # An atom that may be a bare name: a predicate starts with a name too.
    grammar = gen.GRAMMAR.read_text("utf-8").replace(
        "?atom: predicate", "?atom: predicate\n     | NAME -> group"
    )
    with pytest.raises(gen.NotLL1, match="two ways on \\['NAME'\\]"):
        gen.build_fast(grammar)


def _tree(ast):
    """Everything about a tree, spans included (tree equality ignores spans)."""
    return attrs.astuple(ast, recurse=True)


def _run_fast(text, tokens, limits):
    try:
        return "ok", fastparse.parse(
            [*tokens, ("$END", "", len(text), len(text))],
            Builder(text, "applications", limits),
            limits.max_depth,
        )
    except fastparse.Bail:
        return "bail", None
    except aq.QueryError:
        return "bound", None


def _run_loop(text, tokens, limits):
    try:
        return "ok", parser._drive(
            text, list(tokens), parser._machine(), Builder(text, "applications", limits), limits
        )
    except aq.QuerySyntaxError:
        return "syntax", None
    except aq.QueryError:
        return "bound", None


@settings(max_examples=max(400, settings().max_examples))  # more than most: it guards every parse
@given(
    st.one_of(aqs.fuzz_texts("applications"), aqs.query_texts("applications")),
    st.sampled_from([aq.Limits(), aq.Limits(max_depth=2, max_in=3, max_string=8, max_digits=3)]),
)
@example('x = 1 and (y = 2 or not z in ("a", "b")) order by x desc, y limit 5', aq.Limits())
@example('order by x desc, y asc, z limit 3 select a cursor "c"', aq.Limits())
@example("", aq.Limits())
@example("not not not x = 1", aq.Limits(max_depth=2))
@example('x between 1 and 2 and y any (z = "a") select a.b, c cursor "c"', aq.Limits())
def test_fast_parser_and_table_loop_agree(text, limits):
    """Same verdict, same tree and spans; where the loop refuses, the fast parser hands over."""
    tokens, bad = lex(text)
    if bad is not None:
        return  # the lexer refuses it before either parser runs
    fast, fast_ast = _run_fast(text, tokens, limits)
    loop, loop_ast = _run_loop(text, tokens, limits)
    if loop == "ok":
        assert fast == "ok", text
        assert _tree(fast_ast) == _tree(loop_ast), text
    else:
        assert fast in ("bail", "bound"), text
        if fast == "bound":  # the same bound, found by the same Builder call
            assert loop == "bound" or loop == "syntax", text


_LARK = None


@given(aqs.fuzz_texts("applications"))
def test_fast_parser_accepts_what_lark_accepts(text):
    """Lark's parser for the grammar and the generated parser take the same texts (past
    Lark, a clause given twice and a fractional limit are refused by the Builder)."""
    import lark

    global _LARK
    if _LARK is None:
        gen = _generator()
        _LARK = gen.compile_grammar(gen.GRAMMAR.read_text("utf-8"))
    tokens, bad = lex(text)
    try:
        _LARK.parse(text)
        lark_ok = True
    except lark.exceptions.LarkError:
        lark_ok = False
    if bad is not None:
        assert not lark_ok, text
        return
    limits = aq.Limits(max_depth=10_000)
    try:
        fastparse.parse(
            [*tokens, ("$END", "", len(text), len(text))],
            Builder(text, "applications", limits),
            10_000,
        )
        ours = "ok"
    except fastparse.Bail:
        ours = "bail"
    except aq.QuerySyntaxError as err:
        ours = err.type
    except aq.QueryError:
        ours = "bound"
    if lark_ok:
        assert ours in ("ok", "bound", "duplicate_clause", "limit_range"), (text, ours)
    else:
        assert ours == "bail", (text, ours)


@pytest.mark.parametrize(
    "text",
    [
        "(" * 300 + 'status = "a"' + ")" * 300,
        "not " * 300 + 'status = "a"',
        "status any (" * 150 + 'status = "a"' + ")" * 150,
    ],
)
def test_nesting_past_the_fast_parser_goes_to_the_table_loop(text):
    """Text nested deeper than the generated parser recurses (allowed by a raised
    max_depth) is parsed by the iterative loop, to the same tree."""
    limits = aq.Limits(max_depth=1_000)
    tokens, _ = lex(text)
    assert parser._FAST_DEPTH < 300
    assert _run_fast(text, tokens, aq.Limits(max_depth=parser._FAST_DEPTH))[0] == "bail"
    expected = parser._drive(
        text, list(tokens), parser._machine(), Builder(text, "applications", limits), limits
    )
    got = parser.parse_text(text, "applications", limits)
    assert got == expected
    assert got.filter.span == expected.filter.span


def test_a_deep_caller_stack_falls_back_instead_of_failing():
    """Called with little stack left, the fast parser's recursion error is not the user's:
    the table loop parses the text instead."""
    text = "(" * 60 + 'status = "a"' + ")" * 60
    expected = parser.parse_text(text, "applications")

    def nest(n):
        return parser.parse_text(text, "applications") if n == 0 else nest(n - 1)

    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 40)  # room for the table loop, not for 60 levels of calls
    try:
        got = nest(10)
    finally:
        sys.setrecursionlimit(old)
    assert got == expected
