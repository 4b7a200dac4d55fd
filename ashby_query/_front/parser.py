"""Parse query text into the AST.

The language is defined once, in ``grammar/query.lark``. At build time
``grammar/build_tables.py`` compiles it with Lark into two parsers: the recursive-descent
parser of :mod:`.fastparse`, which reads a valid text in one pass, and the plain LALR(1)
tables of :mod:`.tables`, which this module drives with a lean loop of its own. Both build
AST nodes through the same :mod:`.build` calls over tokens from :mod:`.lexer`. A text goes
to the fast parser first; whatever it does not take (a syntax error, a bound, nesting past
``_FAST_DEPTH``) goes to the loop, which parses it or words the error, so positions and
messages come from one place. Nothing here imports Lark or writes a file. No Lark name or
traceback reaches a user: every failure is a :class:`QuerySyntaxError` (worded by the rules
in :mod:`.hints`) or a :class:`QueryError`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import attrs

from .._core.ast import QueryAST
from .._core.errors import Problem, QueryError, Span
from .build import Builder
from .lexer import RawTok, lex

__all__ = ["DEFAULT_LIMITS", "Limits", "parse_condition_text", "parse_text"]


@attrs.frozen
class Limits:
    """Bounds on query text, so hostile or runaway input fails fast and cleanly.

    ``max_length`` characters of text, ``max_depth`` levels of parentheses and ``not``
    around a condition, ``max_in`` values in one ``in`` list, ``max_string`` characters
    in one quoted string, ``max_digits`` characters in one number or duration.
    """

    max_length: int = 65_536
    max_depth: int = 64
    max_in: int = 1_000
    max_string: int = 10_000
    max_digits: int = 100


DEFAULT_LIMITS = Limits()


def _grammar_text() -> str:
    """The grammar's text, from the package or, in a source checkout, the repository."""
    from importlib import resources
    from pathlib import Path

    try:
        return resources.files("ashby_query").joinpath("_grammar/query.lark").read_text("utf-8")
    except (FileNotFoundError, ModuleNotFoundError, NotADirectoryError):
        return (Path(__file__).resolve().parents[2] / "grammar" / "query.lark").read_text("utf-8")


_CALL, _EXPAND1, _HELPER = 0, 1, 2


class _Machine:
    """The generated tables, in the shapes the hot loop wants."""

    def __init__(self) -> None:
        from . import tables  # loaded on the first parse, not on import

        self.states = tables.STATES
        self.start = tables.START
        rows = tables.RULES
        # Unit rules that only pass their one child up need no work but a goto.
        self.passthrough = [
            size == 1 and expand1 and name == origin and len(keep) == 1 and not inline and not nest
            for origin, name, size, keep, inline, expand1, nest in rows
        ]
        self.keep = [keep for _, _, _, keep, _, _, _ in rows]
        self.has_inline = [bool(inline) for _, _, _, _, inline, _, _ in rows]
        self.inline_at = [inline for _, _, _, _, inline, _, _ in rows]
        self.origins = [origin for origin, *_ in rows]
        self.chains: dict[tuple[int, int, str], int] = {}
        # Per rule, everything a reduction needs, worked out once.
        self.plans: list[tuple[str, int, Any, Any, int, int]] = []
        for origin, name, size, keep, _inline, expand1, nest in rows:
            if origin.startswith("_"):
                mode = _HELPER
            elif expand1 and name == origin:
                mode = _EXPAND1
            else:
                mode = _CALL
            func = getattr(Builder, name, None)
            self.plans.append((origin, size, _picker(keep, size), func, mode, nest))


_MACHINE: _Machine | None = None

#: Nesting the generated recursive-descent parser takes (one Python call per level);
#: deeper text, which needs ``Limits(max_depth=...)`` raised, goes to the table loop.
_FAST_DEPTH = 100
_FAST: Any = None


def _fast() -> Any:
    global _FAST
    if _FAST is None:
        from . import fastparse  # loaded on the first parse, not on import

        _FAST = fastparse
    return _FAST


def _machine() -> _Machine:
    global _MACHINE
    if _MACHINE is None:
        _MACHINE = _Machine()
    return _MACHINE


def parse_text(text: str, entity: str, limits: Limits | None = None) -> QueryAST:
    """Parse ``text`` into an unvalidated AST for ``entity``; syntax errors raise here."""
    limits = limits or DEFAULT_LIMITS
    if not isinstance(text, str):
        raise QueryError(
            [
                Problem(
                    "text_type",
                    (),
                    f"Query text must be a string, got {type(text).__name__}.",
                    text,
                )
            ]
        )
    if len(text) > limits.max_length:
        raise QueryError(
            [
                Problem(
                    "too_long",
                    (),
                    f"The query is {len(text)} characters long, over the bound of "
                    f"{limits.max_length}; shorten it, or raise the bound with "
                    f"Limits(max_length=...).",
                    len(text),
                    {"max_length": limits.max_length},
                )
            ]
        )
    tokens, bad = lex(text)
    if bad is not None:
        from .hints import lex_error  # error paths only

        raise lex_error(text, bad, tokens)
    fast = _FAST or _fast()
    tokens.append(("$END", "", len(text), len(text)))
    depth = limits.max_depth
    try:
        result = fast.parse(tokens, Builder(text, entity, limits), min(depth, _FAST_DEPTH))
    except (fast.Bail, QueryError, RecursionError):
        # A syntax error, a bound, or nesting past what recursion may take: the table-driven
        # loop reads the text again and raises (or, past _FAST_DEPTH, parses) it.
        tokens.pop()
        result = _drive(text, tokens, _machine(), Builder(text, entity, limits), limits)
    assert isinstance(result, QueryAST)
    return result


def parse_condition_text(text: str, entity: str, limits: Limits | None = None) -> QueryAST:
    """Parse text holding only a filter (for ``Query.where("...")``)."""
    ast = parse_text(text, entity, limits)
    if ast.sort or ast.limit is not None or ast.fields is not None or ast.cursor:
        raise QueryError(
            [
                Problem(
                    "clause_in_where",
                    (),
                    "where() takes a condition only; use order_by(), limit() and "
                    "select() for the rest.",
                    text,
                )
            ],
            text,
        )
    return ast


def _drive(
    text: str,
    tokens: list[RawTok],
    m: _Machine,
    builder: Builder,
    limits: Limits,
) -> object:
    states = m.states
    plans = m.plans
    keep_at = m.keep
    has_inline = m.has_inline
    passthrough = m.passthrough
    chains = m.chains
    inline_at = m.inline_at
    state_stack = [m.start]
    values: list[Any] = []
    starts: list[int] = []
    ends: list[int] = []
    depth = 0
    max_depth = limits.max_depth
    end_pos = len(text)
    tokens.append(("$END", "", end_pos, end_pos))
    i = 0
    tok = tokens[0]
    kind, _, tstart, tend = tok
    while True:
        action = states[state_stack[-1]].get(kind)
        if action is None:
            tokens.pop()
            from .hints import parse_error  # error paths only

            raise parse_error(text, tokens, i, _acceptable(m, state_stack))
        if action >= 0:
            if kind == "_LPAR" or kind == "_NOT":
                depth += 1
                if depth > max_depth:
                    raise _too_deep(text, depth, max_depth, tstart, tend)
            state_stack.append(action)
            values.append(tok)
            starts.append(tstart)
            ends.append(tend)
            i += 1
            tok = tokens[i]
            kind, _, tstart, tend = tok
            continue
        ridx = -1 - action
        if passthrough[ridx]:
            # A chain of unit reductions (predicate -> atom -> not_expr -> ...) only moves
            # the top state; where it ends depends on the state below, the state on top
            # and the lookahead, so it is worked out once and remembered.
            key = (state_stack[-2], state_stack[-1], kind)
            top = chains.get(key)
            if top is None:
                top = chains[key] = _unit_chain(m, state_stack[-2], ridx, kind)
            state_stack[-1] = top
            continue
        origin, size, pick, func, mode, nest = plans[ridx]
        if size:
            kids = values[-size:]
            span = Span(starts[-size], ends[-1])
            del values[-size:], starts[-size:], ends[-size:], state_stack[-size:]
        else:
            kids = []
            span = Span(tstart, tstart)
        depth -= nest
        if mode == _HELPER:
            value: Any = _inline(kids, inline_at[ridx], keep_at[ridx])
        else:
            if has_inline[ridx]:
                children = _inline(kids, inline_at[ridx], keep_at[ridx])
            else:
                children = kids if pick is None else pick(kids)
            if mode == _CALL:
                value = func(builder, children, span)
            elif len(children) == 1:
                value = children[0]
            else:
                value = func(builder, children, span)
        if origin == "start" and len(state_stack) == 1 and kind == "$END":
            return value
        state_stack.append(states[state_stack[-1]][origin])
        values.append(value)
        starts.append(span.start)
        ends.append(span.end)


def _inline(kids: list[Any], inline: tuple[int, ...], keep: tuple[int, ...]) -> list[Any]:
    """Children of a rule whose ``_helper`` children are spliced in (EBNF repeats)."""
    out: list[Any] = []
    for j, kid in enumerate(kids):
        if j in inline:
            out.extend(kid)
        elif j in keep:
            out.append(kid)
    return out


def _picker(keep: tuple[int, ...], size: int) -> Callable[[list[Any]], Any] | None:
    """How to pick the kept children out of a reduction's values; None keeps them all."""
    if keep == tuple(range(size)):
        return None
    if len(keep) == 1:
        j = keep[0]
        return lambda kids: (kids[j],)
    return operator.itemgetter(*keep)


def _acceptable(m: _Machine, stack: list[int]) -> frozenset[str]:
    """The terminals the parser could really take next from ``stack``.

    An LALR state may list a terminal it would only reduce on and then reject (merged
    lookaheads), so each is tried on a copy of the stack until it shifts or fails.
    """
    out = set()
    for terminal in m.states[stack[-1]]:
        if not (terminal.isupper() or terminal == "$END"):
            continue  # a rule name: a goto, not something to read
        states = list(stack)
        while True:
            action = m.states[states[-1]].get(terminal)
            if action is None:
                break
            if action >= 0 or (terminal == "$END" and m.origins[-1 - action] == "start"):
                out.add(terminal)
                break
            origin, size = m.plans[-1 - action][:2]
            if size:
                del states[-size:]
            goto = m.states[states[-1]].get(origin)
            if goto is None:
                break
            states.append(goto)
    return frozenset(out)


def _unit_chain(m: _Machine, below: int, ridx: int, kind: str) -> int:
    """Follow unit reductions from rule ``ridx`` with lookahead ``kind``; the final state."""
    while True:
        top = m.states[below][m.origins[ridx]]
        action = m.states[top].get(kind)
        if action is None or action >= 0 or not m.passthrough[-1 - action]:
            return top
        ridx = -1 - action


def _too_deep(text: str, depth: int, max_depth: int, start: int, end: int) -> QueryError:
    return QueryError(
        [
            Problem(
                "too_deep",
                (),
                f"The query nests parentheses and 'not' more than {max_depth} levels deep; "
                f"flatten it, or raise the bound with Limits(max_depth=...).",
                depth,
                {"max_depth": max_depth},
                Span(start, end),
            )
        ],
        text,
    )
