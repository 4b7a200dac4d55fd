"""The one walk: fold, reduce_tree, Transformer, iter_nodes; deep trees, no recursion."""

import sys

import attrs
import pytest

import ashby_query as aq
from ashby_query import F
from ashby_query._core.ast import And, Not, Predicate
from ashby_query._core.types import Op
from ashby_query._core.walk import Branch, fold_paths, reduce_tree


def _count(tree):
    return aq.fold(
        tree,
        leaf=lambda p: 1,
        not_=lambda n, c: c,
        and_=lambda n, k: sum(k),
        or_=lambda n, k: sum(k),
    )


def test_fold_gives_each_handler_its_node_and_results():
    """leaf, not_, and_, or_ each see their node and their children's results, in order."""
    tree = (F.a == 1) | ((F.b == 2) & ~(F.c == 3))
    text = aq.fold(
        tree,
        leaf=lambda p: p.field,
        not_=lambda n, c: f"!{c}",
        and_=lambda n, k: "(" + "&".join(k) + ")",
        or_=lambda n, k: "(" + "|".join(k) + ")",
    )
    assert "(a|(b&!c))" == text


def test_fold_is_not_recursive():
    """A tree far deeper than the recursion limit folds."""
    tree = F.a == 1
    for _ in range(sys.getrecursionlimit() * 3):
        tree = aq.Not(tree)
    assert 1 == _count(tree)


def test_fold_paths_gives_wire_paths():
    """fold_paths hands each predicate its path in the compiled JSON."""
    tree = (F.a == 1) & ~(F.b == 2)
    seen = []
    fold_paths(
        tree,
        leaf=lambda p, loc: seen.append(loc),
        not_=lambda n, c, loc: None,
        and_=lambda n, k, loc: None,
        or_=lambda n, k, loc: None,
        loc=("query", "filter"),
    )
    assert [("query", "filter", "and", 0), ("query", "filter", "and", 1, "not")] == seen


def test_reduce_tree_walks_any_tree():
    """reduce_tree folds nested lists, joining children in order."""

    def step(n, loc):
        if isinstance(n, list):
            return Branch(
                [(c, (*loc, i)) for i, c in enumerate(n)], lambda k: "[" + ",".join(k) + "]"
            )
        return str(n)

    assert "[1,[2,3],[]]" == reduce_tree([1, [2, 3], []], step)


def test_fold_rejects_what_is_no_condition():
    """A node that is no condition is a TypeError naming it."""
    with pytest.raises(TypeError, match="not a condition"):
        _count(aq.And((F.a == 1, "nope")))


def test_transformer_keeps_untouched_trees():
    """The default Transformer returns the very same tree."""
    tree = (F.a == 1) | ~((F.b == 2) & (F.c == 3))
    assert aq.Transformer().transform(tree) is tree


def test_transformer_rewrites_and_reflattens():
    """A predicate turned into an And is flattened into its parent And."""

    class Split(aq.Transformer):
        def predicate(self, node):
            if node.field == "b":
                return (F.b1 == 1) & (F.b2 == 2)
            return node

    out = Split()((F.a == 1) & (F.b == 0))
    assert aq.And((F.a == 1, F.b1 == 1, F.b2 == 2)) == out


def test_transformer_result_is_validated_by_query():
    """A rewritten tree becomes a Query only if it is valid."""
    q = aq.parse('status = "a"', "applications")

    class Rename(aq.Transformer):
        def predicate(self, node):
            return aq.Predicate(node.op, "nope", node.value)

    with pytest.raises(aq.QueryError, match="nope"):
        aq.Query(attrs.evolve(q.ast, filter=Rename().transform(q.ast.filter)))


def test_iter_nodes_is_public_and_pre_order():
    """iter_nodes yields parents first, with wire paths."""
    tree = (F.a == 1) & ~(F.b == 2)
    got = [(type(n).__name__, path) for n, path in aq.iter_nodes(tree)]
    assert [
        ("And", ()),
        ("Predicate", ("and", 0)),
        ("Not", ("and", 1)),
        ("Predicate", ("and", 1, "not")),
    ] == got


def test_an_and_of_one_operand_gets_a_list_like_any_other():
    """A hand-built And of one non-predicate operand reaches its handler as a list of one
    (a not gets its one result bare)."""
    inner = Not(Not(Predicate(Op.EQ, "status", "a")))
    got = aq.fold(
        And((inner,)),
        leaf=lambda p: "p",
        not_=lambda n, v: ("not", v),
        and_=lambda n, kids: ("and", kids),
        or_=lambda n, kids: ("or", kids),
    )
    assert ("and", [("not", ("not", "p"))]) == got
