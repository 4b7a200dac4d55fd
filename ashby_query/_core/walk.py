"""The one walk over a condition tree, and the public visitor built on it.

Every stage that reads a filter (validation, lowering, the compiler, the formatter, the
engine, the CLI) folds the tree with :func:`fold`: one handler per node kind, applied
bottom-up. The JSON reader folds JSON with the general form, :func:`reduce_tree`. Back
ends are tables of handlers, in the way sqlglot's generators map node types to
functions; none writes its own traversal.

The walk keeps its own stack, so a tree is only as deep as the parser's limits allow;
Python's recursion limit never enters into it.

>>> from ashby_query import F
>>> tree = (F.status == "active") | ~(F.name == "x")
>>> fold(tree, leaf=lambda p: 1, not_=lambda n, c: c,
...      and_=lambda n, k: sum(k), or_=lambda n, k: sum(k))
2
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import attrs

from .ast import And, Condition, Not, Or, Predicate
from .errors import Loc

__all__ = ["Branch", "Transformer", "fold", "fold_paths", "reduce_tree"]

N = TypeVar("N")
T = TypeVar("T")


@attrs.frozen(slots=True)
class Branch(Generic[N, T]):
    """What a step of :func:`reduce_tree` returns for an inner node.

    ``children`` are walked first (each with its path); ``join`` then gets their results
    in order and returns the node's own.
    """

    children: Sequence[tuple[N, Any]]  # (child, its path: a Loc or any path object)
    join: Callable[[list[T]], T]


class _Join:
    __slots__ = ("count", "join")

    def __init__(self, count: int, join: Callable[[list[Any]], Any]) -> None:
        self.count = count
        self.join = join


def reduce_tree(root: N, step: Callable[[N, Any], T | Branch[N, T]], loc: Any = ()) -> T:
    """Fold any tree bottom-up without recursion.

    ``step(node, path)`` returns the node's result, or a :class:`Branch` naming its
    children and how to join their results. The JSON reader runs it over JSON
    objects; :func:`fold` is the fast form for condition trees.

    >>> def step(n, loc):
    ...     if isinstance(n, list):
    ...         return Branch([(c, (*loc, i)) for i, c in enumerate(n)], sum)
    ...     return n
    >>> reduce_tree([1, [2, 3], [[4]]], step)
    10
    """
    out: list[Any] = []
    stack: list[Any] = [(root, loc)]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        item = pop()
        if type(item) is _Join:
            n = item.count
            kids = out[len(out) - n :]
            del out[len(out) - n :]
            out.append(item.join(kids))
            continue
        node, path = item
        result = step(node, path)
        if type(result) is Branch:
            children = result.children
            push(_Join(len(children), result.join))
            extend(reversed(children))
        else:
            out.append(result)
    return out[0]  # type: ignore[no-any-return]


def all_predicates(nodes: Sequence[Condition]) -> bool:
    """Whether every node is a :class:`Predicate`: the flat shape that skips the frames."""
    for node in nodes:  # noqa: SIM110 (a loop: all() over a generator costs more here)
        if type(node) is not Predicate:
            return False
    return True


class _Up:
    """A frame of the fold's stack: join the last ``count`` results for ``node``
    (``count`` 0: a ``not``, joined with its one result itself, not a list of it)."""

    __slots__ = ("count", "join", "node", "path")

    def __init__(self, count: int, join: Callable[..., Any], node: Condition, path: Loc) -> None:
        self.count = count
        self.join = join
        self.node = node
        self.path = path


def _fold(
    root: Condition,
    leaf: Callable[..., Any],
    not_: Callable[..., Any],
    and_: Callable[..., Any],
    or_: Callable[..., Any],
    loc: Loc | None,
) -> Any:
    """The fold both public forms share; ``loc=None`` passes no paths to the handlers."""
    paths = loc is not None
    kind = type(root)
    if kind is Predicate:
        return leaf(root, loc) if paths else leaf(root)
    if kind is And or kind is Or:
        # The common shape, a flat and/or of predicates, without the stack machine.
        ops = root.operands  # type: ignore[attr-defined]
        if all_predicates(ops):
            join = and_ if kind is And else or_
            if not paths:
                return join(root, [leaf(op) for op in ops])
            key = "and" if kind is And else "or"
            return join(root, [leaf(op, (*loc, key, i)) for i, op in enumerate(ops)], loc)  # type: ignore[misc]
    out: list[Any] = []
    stack: list[Any] = [(root, loc)]
    pop, push = stack.pop, stack.append
    while stack:
        item = pop()
        if type(item) is _Up:
            n = item.count
            if n == 0:
                kid = out.pop()
                out.append(
                    item.join(item.node, kid, item.path) if paths else item.join(item.node, kid)
                )
                continue
            kids = out[len(out) - n :]
            del out[len(out) - n :]
            out.append(
                item.join(item.node, kids, item.path) if paths else item.join(item.node, kids)
            )
            continue
        node, path = item
        kind = type(node)
        if kind is Predicate:
            out.append(leaf(node, path) if paths else leaf(node))
        elif kind is Not:
            operand = node.operand
            if type(operand) is Predicate:  # joined at once: no frames
                if paths:
                    out.append(not_(node, leaf(operand, (*path, "not")), path))
                else:
                    out.append(not_(node, leaf(operand)))
                continue
            push(_Up(0, not_, node, path))
            push((operand, (*path, "not") if paths else None))
        elif kind is And or kind is Or:
            ops = node.operands
            join = and_ if kind is And else or_
            key = "and" if kind is And else "or"
            if all_predicates(ops):  # joined at once, without frames
                if paths:
                    out.append(
                        join(node, [leaf(op, (*path, key, i)) for i, op in enumerate(ops)], path)
                    )
                else:
                    out.append(join(node, [leaf(op) for op in ops]))
                continue
            push(_Up(len(ops), join, node, path))
            for i in range(len(ops) - 1, -1, -1):
                push((ops[i], (*path, key, i) if paths else None))
        else:
            raise TypeError(f"{node!r} is not a condition.")
    return out[0]


def fold_paths(
    root: Condition,
    *,
    leaf: Callable[[Predicate, Loc], T],
    not_: Callable[[Not, T, Loc], T],
    and_: Callable[[And, list[T], Loc], T],
    or_: Callable[[Or, list[T], Loc], T],
    loc: Loc = (),
) -> T:
    """Like :func:`fold`, but every handler also gets the node's path in the wire JSON.

    The path of the second operand of a top-level ``and`` under ``loc`` is
    ``(*loc, "and", 1)``.
    """
    return _fold(root, leaf, not_, and_, or_, loc)  # type: ignore[no-any-return]


def fold(
    root: Condition,
    *,
    leaf: Callable[[Predicate], T],
    not_: Callable[[Not, T], T],
    and_: Callable[[And, list[T]], T],
    or_: Callable[[Or, list[T]], T],
) -> T:
    """Fold a condition tree bottom-up with one handler per node kind.

    ``leaf(predicate)`` gives a predicate's result; ``not_(node, operand_result)``,
    ``and_(node, operand_results)`` and ``or_(node, operand_results)`` combine. No
    recursion, so any depth the limits admit is fine.

    >>> from ashby_query import F
    >>> fold((F.a == 1) & ~(F.b == 2), leaf=lambda p: p.field,
    ...      not_=lambda n, c: f"not {c}", and_=lambda n, k: " and ".join(k),
    ...      or_=lambda n, k: " or ".join(k))
    'a and not b'
    """
    return _fold(root, leaf, not_, and_, or_, None)  # type: ignore[no-any-return]


class Transformer:
    """Rewrite a condition tree bottom-up: override the methods for the nodes you change.

    Each method gets the original node and its operands already transformed, and
    returns the node to put in its place. The defaults rebuild only what changed, so an
    untouched tree comes back as the same object. ``And`` and ``Or`` are re-flattened.
    Validate the result by making a query of it: ``Query(attrs.evolve(q.ast, filter=new))``.

    >>> from ashby_query import F, Predicate
    >>> class Lower(Transformer):
    ...     def predicate(self, node):
    ...         if isinstance(node.value, str):
    ...             return Predicate(node.op, node.field, node.value.lower())
    ...         return node
    >>> new = Lower().transform((F.status == "ACTIVE") | (F.name == "Ann"))
    >>> [p.value for p in new.operands]
    ['active', 'ann']
    """

    def predicate(self, node: Predicate) -> Condition:
        """Return what replaces ``node``; by default ``node`` itself."""
        return node

    def not_(self, node: Not, operand: Condition) -> Condition:
        """Return what replaces ``node`` once its operand became ``operand``."""
        return node if operand is node.operand else Not(operand, node.span)

    def and_(self, node: And, operands: list[Condition]) -> Condition:
        """Return what replaces ``node`` once its operands became ``operands``."""
        if all(a is b for a, b in zip(operands, node.operands, strict=True)):
            return node
        return And.of(*operands, span=node.span)

    def or_(self, node: Or, operands: list[Condition]) -> Condition:
        """Return what replaces ``node`` once its operands became ``operands``."""
        if all(a is b for a, b in zip(operands, node.operands, strict=True)):
            return node
        return Or.of(*operands, span=node.span)

    def transform(self, root: Condition) -> Condition:
        """Return the rewritten tree."""
        return fold(root, leaf=self.predicate, not_=self.not_, and_=self.and_, or_=self.or_)

    __call__ = transform
