"""Generate ``ashby_query/_front/tables.py`` and ``fastparse.py`` from ``grammar/query.lark``.

Run after any change to the grammar (the wheel build runs it too, through
``hatch_build.py``)::

    python grammar/build_tables.py          # rewrite the two modules
    python grammar/build_tables.py --check  # exit 1 if a committed module is stale

Lark compiles the grammar into LALR(1) tables; this script keeps only plain data (the
parse table, the rules, the terminals as one scanner regex, the keywords) and writes it
as a Python module. The installed package reads that module and never imports Lark.
Lark internals (``lark.parsers.lalr_analysis``) and ``re._parser`` are used here only,
at build time; ``tests/test_tables.py`` rebuilds the module and fails if it differs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GRAMMAR = ROOT / "grammar" / "query.lark"
TARGET = ROOT / "ashby_query" / "_front" / "tables.py"

# Tokens that come often, to be tried first where the grammar allows it.
FREQUENT = ("NAME", "STRING", "_LPAR", "_RPAR", "_COMMA", "EQ")


def first_chars(regex: str) -> frozenset[str] | None:
    """The ASCII characters a match of ``regex`` can start with; ``None`` if unknown.

    Read off the regular expression's parse tree, so lexer ordering can follow the
    grammar's own terminals instead of a hand-kept list.
    """
    try:
        from re import _constants as c  # type: ignore[attr-defined]
        from re import _parser as sre  # type: ignore[attr-defined]

        tree = sre.parse(regex)
    except Exception:  # any surprise means: do not reorder
        return None
    ascii_ = [chr(i) for i in range(128)]
    categories = {
        c.CATEGORY_DIGIT: set("0123456789"),
        c.CATEGORY_WORD: {ch for ch in ascii_ if ch.isalnum() or ch == "_"},
        c.CATEGORY_SPACE: set(" \t\n\r\f\v"),
    }

    def seq(items: Any) -> tuple[set[str] | None, bool]:
        out: set[str] = set()
        for op, av in items:
            first, nullable = item(op, av)
            if first is None:
                return None, False
            out |= first
            if not nullable:
                return out, False
        return out, True

    def item(op: Any, av: Any) -> tuple[set[str] | None, bool]:
        if op is c.LITERAL:
            ch = chr(av)
            return {ch, ch.swapcase()}, False
        if op is c.IN:
            chars: set[str] = set()
            for kind, val in av:
                if kind is c.LITERAL:
                    chars |= {chr(val), chr(val).swapcase()}
                elif kind is c.RANGE:
                    chars |= {chr(i) for i in range(val[0], min(val[1], 127) + 1)}
                elif kind is c.CATEGORY and val in categories:
                    chars |= categories[val]
                else:
                    return None, False
            return chars, False
        if op is c.SUBPATTERN:
            return seq(av[-1])
        if op is c.BRANCH:
            total: set[str] = set()
            nullable = False
            for branch in av[1]:
                first, n = seq(branch)
                if first is None:
                    return None, False
                total |= first
                nullable = nullable or n
            return total, nullable
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            first, n = seq(av[2])
            return first, n or av[0] == 0
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            return set(), True
        return None, False

    first, _ = seq(tree)
    return None if first is None else frozenset(first)


def lexer_order(terminals: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Order terminals for one alternation: Lark's priority order wherever two terminals
    can start with the same character, frequent tokens first everywhere else."""
    firsts = [first_chars(rx) for _, rx in terminals]
    if any(f is None for f in firsts):
        return list(terminals)
    # Terminals that can start alike form a group; a group keeps its members' order.
    group = list(range(len(terminals)))

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for i in range(len(terminals)):
        for j in range(i):
            if firsts[i] & firsts[j]:  # type: ignore[operator]
                group[root(i)] = root(j)
    rank = {name: k for k, name in enumerate(FREQUENT)}

    def key(i: int) -> tuple[int, int]:
        members = [k for k in range(len(terminals)) if root(k) == root(i)]
        best = min(rank.get(terminals[k][0], len(rank)) for k in members)
        return best, root(i)

    order = sorted(range(len(terminals)), key=lambda i: (*key(i), i))
    return [terminals[i] for i in order]


def _first_sets(rules: list[Any]) -> dict[str, set[str]]:
    """FIRST set of every rule: the terminals a phrase of that rule can start with."""
    first: dict[str, set[str]] = {}
    nullable: set[str] = set()
    changed = True
    while changed:
        changed = False
        for r in rules:
            origin = r.origin.name
            acc = first.setdefault(origin, set())
            before = (len(acc), origin in nullable)
            all_nullable = True
            for sym in r.expansion:
                if sym.is_term:
                    acc.add(sym.name)
                    all_nullable = False
                    break
                acc |= first.get(sym.name, set())
                if sym.name not in nullable:
                    all_nullable = False
                    break
            if all_nullable:
                nullable.add(origin)
            if before != (len(acc), origin in nullable):
                changed = True
    return first


def terminals(lark: Any) -> tuple[dict[str, str], dict[str, str], list[tuple[str, str]]]:
    """Split Lark's terminals: keywords (word -> terminal), one-spelling punctuation
    (terminal -> text), and every non-keyword terminal as a regex in Lark's priority order.
    """
    keywords: dict[str, str] = {}
    literals: dict[str, str] = {}
    regex_terms = []
    name_re = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
    terms = sorted(
        lark.terminals,
        key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name),
    )
    for t in terms:
        if t.pattern.type == "str" and name_re.match(t.pattern.value):
            keywords[str(t.pattern.value).lower()] = str(t.name)
            continue
        regex_terms.append((str(t.name), str(t.pattern.to_regexp())))
        if t.pattern.type == "str":
            literals[str(t.name)] = str(t.pattern.value)
        elif (spelling := _shortest_spelling(str(t.pattern.value))) is not None:
            literals[str(t.name)] = spelling  # EQ: "==" | "=" reads as '='
    return keywords, literals, regex_terms


def _shortest_spelling(regex: str) -> str | None:
    """The shortest string of an alternation of plain strings (``(?:==|=)``), else None."""
    m = re.fullmatch(r"\(\?:(.*)\)", regex)
    if m is None:
        return None
    spellings = []
    for alt in m.group(1).split("|"):
        text = re.sub(r"\\(.)", r"\1", alt)
        if re.escape(text) != alt:
            return None
        spellings.append(text)
    return min(spellings, key=len)


def operator_phrases(lark: Any, literals: dict[str, str], keywords: dict[str, str]) -> list[str]:
    """How each predicate's operator reads (``=``, ``not in``, ``is null``), in grammar order:
    the terminals after the field, up to the first operand."""
    words = {term: word for word, term in keywords.items()}
    phrases: list[str] = []
    for r in lark.rules:
        if r.origin.name != "predicate" or not r.expansion or r.expansion[0].name != "field":
            continue
        parts = []
        for sym in r.expansion[1:]:
            if not sym.is_term or sym.name == "_LPAR":
                break
            parts.append(words.get(sym.name) or literals[sym.name])
        phrase = " ".join(parts)
        if phrase not in phrases:
            phrases.append(phrase)
    return phrases


def compile_grammar(grammar: str) -> Any:
    """Lark's LALR(1) parser for ``grammar``, as the tables are built from it."""
    from lark import Lark

    return Lark(grammar, parser="lalr", lexer="basic")


def build(grammar: str, lark: Any = None) -> dict[str, Any]:
    """Compile ``grammar`` with Lark (unless given ``lark``) and keep only plain data."""
    from lark.parsers.lalr_analysis import Shift

    lark = lark or compile_grammar(grammar)
    pt = lark.parser.parser.parser.parse_table
    # Lark numbers states and orders rules by set iteration, which varies with the hash
    # seed; sort rules and number states breadth-first so the output is reproducible.
    rules = sorted(
        lark.rules,
        key=lambda r: (r.origin.name, [s.name for s in r.expansion], r.alias or ""),
    )
    index = {id(r): i for i, r in enumerate(rules)}
    number: dict[int, int] = {pt.start_states["start"]: 0}
    queue = [pt.start_states["start"]]
    for old in queue:
        for _, (action, arg) in sorted(pt.states[old].items()):
            if action is Shift and arg not in number:
                number[arg] = len(number)
                queue.append(arg)
    for old in sorted(pt.states):  # anything not reached by a shift, in Lark's order
        number.setdefault(old, len(number))
    states: list[dict[str, int]] = [{} for _ in pt.states]
    for old, actions in pt.states.items():
        states[number[old]] = {
            str(sym): (number[arg] if action is Shift else -1 - index[id(arg)])
            for sym, (action, arg) in sorted(actions.items())
        }
    keywords, literals, regex_terms = terminals(lark)
    rule_rows = []
    for r in rules:
        keep = tuple(
            i
            for i, s in enumerate(r.expansion)
            if not (s.is_term and (getattr(s, "filter_out", False) or s.name.startswith("_")))
        )
        inline = tuple(
            i for i, s in enumerate(r.expansion) if not s.is_term and s.name.startswith("_")
        )
        nest = sum(1 for s in r.expansion if s.is_term and s.name in ("_LPAR", "_NOT"))
        rule_rows.append(
            (
                str(r.origin.name),
                str(r.alias or r.origin.name),
                len(r.expansion),
                keep,
                inline,
                bool(r.options.expand1),
                nest,
            )
        )
    ignore = sorted(str(n) for n in lark.ignore_tokens)
    ignore_rx = [rx for name, rx in regex_terms if name in ignore]
    ordered = lexer_order([(n, rx) for n, rx in regex_terms if n not in ignore])
    alts = "|".join(f"(?P<{name}>{rx})" for name, rx in ordered)
    skip = "(?:" + "|".join(ignore_rx) + ")?" if ignore_rx else ""
    # Every non-blank position starts a token or an ERROR, so nothing is skipped.
    scanner = f"{skip}(?:{alts}|(?P<ERROR>[^ \\t\\r\\n]))"
    first = _first_sets(rules)
    operators = sorted(
        {
            str(r.expansion[1].name)
            for r in rules
            if r.origin.name == "predicate"
            and len(r.expansion) > 1
            and r.expansion[0].name == "field"
            and r.expansion[1].is_term
        }
    )
    return {
        "states": states,
        "start": number[pt.start_states["start"]],
        "end": number[pt.end_states["start"]],
        "rules": rule_rows,
        "keywords": dict(sorted(keywords.items())),
        "literals": dict(sorted(literals.items())),
        "terminals": [name for name, _ in ordered],
        "scanner": scanner,
        "value_start": sorted(str(n) for n in first["value"]),
        "phrases": operator_phrases(lark, literals, keywords),
        "operators": operators,
    }


def render(data: dict[str, Any]) -> str:
    """The table module's source text: plain literals, one state or rule per line."""
    out = [
        '"""LALR(1) tables for the text language, generated from grammar/query.lark.',
        "",
        "Do not edit: run ``python grammar/build_tables.py`` after changing the grammar.",
        '"""',
        "",
        "# fmt: off",
        f"START: int = {data['start']!r}",
        f"END: int = {data['end']!r}",
        "",
        "# Per state: terminal or rule name -> shift target (>= 0) or -1 - rule index.",
        "STATES: tuple[dict[str, int], ...] = (",
        *(f"    {row!r}," for row in data["states"]),
        ")",
        "",
        "# Per rule: origin, alias, size, kept children, inlined children, expand1, nesting.",
        "RULES: tuple[tuple[str, str, int, tuple[int, ...], tuple[int, ...], bool, int], ...] = (",
        *(f"    {row!r}," for row in data["rules"]),
        ")",
        "",
        "# Keywords (matched as NAME, then looked up in lower case) -> terminal.",
        f"KEYWORDS: dict[str, str] = {data['keywords']!r}",
        "",
        "# How punctuation terminals are written (the shortest, where there are several).",
        f"LITERALS: dict[str, str] = {data['literals']!r}",
        "",
        "# The scanner's alternation order, then the scanner itself.",
        f"TERMINALS: tuple[str, ...] = {tuple(data['terminals'])!r}",
        f"SCANNER: str = {data['scanner']!r}",
        "",
        "# Terminals a value can start with; terminals that can follow a field.",
        f"VALUE_START: frozenset[str] = frozenset({tuple(data['value_start'])!r})",
        f"OPERATORS: frozenset[str] = frozenset({tuple(data['operators'])!r})",
        "",
        "# How each predicate's operator reads, in grammar order.",
        f"OPERATOR_PHRASES: tuple[str, ...] = {tuple(data['phrases'])!r}",
        "",
    ]
    return "\n".join(out)


# The fast parser --------------------------------------------------------------------------
#
# Besides the tables, the grammar is compiled into straight-line Python: a recursive-descent
# parser for the same language, one decision per token, building the AST through the same
# Builder calls as the table-driven loop. Left recursion becomes a loop, shared prefixes
# are factored, and every rule is inlined into its caller except where a cycle needs a
# function (``not_expr``: one level of nesting costs one Python call) or many places would
# each copy a rule of several ways (``value``). The generator
# refuses a grammar that is not LL(1) after factoring. The generated parser gives up
# (raises ``Bail``) on anything unexpected; the table-driven loop then parses the text
# again and words the error, so positions and messages come from one place.

FAST_TARGET = ROOT / "ashby_query" / "_front" / "fastparse.py"

# Where the parser chooses among ways on, it tests the ones that come often first.
COMMON = ("NAME", "STRING", "EQ", "_LPAR", "_AND", "_OR", "_COMMA", "_RPAR", "_IN", "NUMBER")


class NotLL1(Exception):
    """The grammar needs more than one token of lookahead somewhere."""


class FastParserGenerator:
    """Write the recursive-descent module for Lark's ``rules`` (in RULES order)."""

    def __init__(self, rules: list[Any], rows: list[tuple[Any, ...]]) -> None:
        self.rows = rows
        self.alts: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        self.terms: set[str] = set()
        for idx, r in enumerate(rules):
            syms = tuple(str(s.name) for s in r.expansion)
            self.alts.setdefault(str(r.origin.name), []).append((idx, syms))
            self.terms |= {str(s.name) for s in r.expansion if s.is_term}
        self.first, self.nullable = self._first()
        self.follow = self._follow(loops=True)
        self.stop = self._follow(loops=False)
        self.funcs = self._functions()
        self.consts: dict[frozenset[str], str] = {}
        self.builders: set[str] = set()
        self.lines: list[str] = []
        self.level = 0

    # Grammar analysis ----------------------------------------------------------------
    def _first(self) -> tuple[dict[str, frozenset[str]], set[str]]:
        first: dict[str, set[str]] = {n: set() for n in self.alts}
        nullable: set[str] = set()
        changed = True
        while changed:
            changed = False
            for n, alts in self.alts.items():
                for _, syms in alts:
                    before = (len(first[n]), n in nullable)
                    for s in syms:
                        first[n] |= {s} if s in self.terms else first[s]
                        if s in self.terms or s not in nullable:
                            break
                    else:
                        nullable.add(n)
                    changed |= before != (len(first[n]), n in nullable)
        return {n: frozenset(f) for n, f in first.items()}, nullable

    def first_of(self, syms: tuple[str, ...]) -> frozenset[str]:
        out: set[str] = set()
        for s in syms:
            out |= {s} if s in self.terms else self.first[s]
            if s in self.terms or s not in self.nullable:
                break
        return frozenset(out)

    def _follow(self, loops: bool) -> dict[str, frozenset[str]]:
        """FOLLOW sets; without ``loops``, a rule's own left recursion adds nothing (what
        may follow once the repeat has stopped)."""
        follow: dict[str, set[str]] = {n: set() for n in self.alts}
        follow["start"].add("$END")
        changed = True
        while changed:
            changed = False
            for n, alts in self.alts.items():
                for _, syms in alts:
                    for j, s in enumerate(syms):
                        if s in self.terms or (j == 0 and s == n and not loops):
                            continue
                        rest = syms[j + 1 :]
                        new = set(self.first_of(rest))
                        if all(r in self.alts and r in self.nullable for r in rest):
                            new |= follow[n]
                        if not new <= follow[s]:
                            follow[s] |= new
                            changed = True
        return {n: frozenset(f) for n, f in follow.items()}

    def _calls(self, n: str) -> set[str]:
        """The rules ``n`` descends into (its own left recursion is a loop, not a call)."""
        out = set()
        for _, syms in self.alts[n]:
            for j, s in enumerate(syms):
                if s in self.alts and not (j == 0 and s == n):
                    out.add(s)
        return out

    def _functions(self) -> list[str]:
        """Rules that become functions: the start, enough to break every cycle, and rules
        with several ways that many places use (inlined, each place would copy them all)."""
        uses = dict.fromkeys(self.alts, 0)
        for n, alts in self.alts.items():
            for _, syms in alts:
                for j, s in enumerate(syms):
                    if s in uses and not (j == 0 and s == n):
                        uses[s] += 1
        funcs = {"start"} | {n for n in self.alts if n in self._calls(n)}
        funcs |= {n for n, k in uses.items() if k > 5 and len(self.alts[n]) > 1}
        while True:
            cycle = self._cycle(funcs)
            if cycle is None:
                return sorted(funcs)
            funcs.add(min(cycle))

    def _cycle(self, funcs: set[str]) -> list[str] | None:
        """A cycle of calls that passes through no function, if any (depth-first, iterative)."""
        for root in sorted(self.alts):
            path = [root]
            todo = [iter(sorted(self._calls(root)))]
            while todo:
                nxt = next(todo[-1], None)
                if nxt is None:
                    todo.pop()
                    path.pop()
                    continue
                if nxt in funcs:
                    continue
                if nxt in path:
                    return path[path.index(nxt) :]
                path.append(nxt)
                todo.append(iter(sorted(self._calls(nxt))))
        return None

    # Code generation -----------------------------------------------------------------
    def var(self, stem: str, pos: int | None = None) -> str:
        """A local named by how deep the rule it belongs to is inlined: branches that
        cannot both run share names, which keeps the functions' frames small."""
        return f"{stem}{self.level}" if pos is None else f"{stem}{self.level}_{pos}"

    def const(self, terms: frozenset[str]) -> str:
        if terms not in self.consts:
            self.consts[terms] = f"_T{len(self.consts)}"
        return self.consts[terms]

    def cond(self, terms: frozenset[str]) -> str:
        if len(terms) == 1:
            return f"kind == {next(iter(terms))!r}"
        return f"kind in {self.const(terms)}"

    def emit(self, ind: int, line: str) -> None:
        self.lines.append("    " * ind + line)

    def rule(self, n: str, ind: int, out: str, known: frozenset[str] | None = None) -> None:
        """Code that parses one ``n`` at the current token into variable ``out``.

        ``known``: the current token is known to be one of these (no need to test again).
        """
        if n in self.funcs:
            self.emit(ind, f"{out}, i = _p_{n}(toks, i, b, depth, maxd)")
            self.emit(ind, "tok = toks[i]")
            self.emit(ind, "kind = tok[0]")
            return
        self.body(n, ind, out, known)

    def body(self, n: str, ind: int, out: str, known: frozenset[str] | None = None) -> None:
        self.level += 1
        start = self.var("s")
        if any(self.spans(idx) for idx, _ in self.alts[n]):
            self.emit(ind, f"{start} = tok[2]")
        base = [(idx, syms) for idx, syms in self.alts[n] if not syms or syms[0] != n]
        loop = [(idx, syms) for idx, syms in self.alts[n] if syms and syms[0] == n]
        self.trie(n, base, 0, [], ind, start, out, known)
        if loop:
            first = frozenset().union(*(self.first_of(syms[1:]) for _, syms in loop))
            if first & self.stop[n]:
                raise NotLL1(f"{n}: repeat or stop on {sorted(first & self.stop[n])}")
            self.emit(ind, f"while {self.cond(first)}:")
            self.trie(n, loop, 1, [out], ind + 1, start, out, first)
        self.level -= 1

    def trie(
        self,
        n: str,
        alts: list[tuple[int, tuple[str, ...]]],
        pos: int,
        kids: list[str],
        ind: int,
        start: str,
        out: str,
        known: frozenset[str] | None = None,
    ) -> None:
        ends = [idx for idx, syms in alts if len(syms) == pos]
        groups: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for idx, syms in alts:
            if len(syms) > pos:
                groups.setdefault(syms[pos], []).append((idx, syms))
        if len(ends) > 1:
            raise NotLL1(f"{n}: rules {ends} are the same")
        rank = {t: r for r, t in enumerate(COMMON)}

        def common(sym: str) -> int:
            first = {sym} if sym in self.terms else self.first[sym]
            return min(rank.get(t, len(rank)) for t in first)

        groups = dict(sorted(groups.items(), key=lambda kv: common(kv[0])))
        firsts = []
        for sym in groups:
            if sym in self.alts and sym in self.nullable:
                raise NotLL1(f"{n}: {sym} can be empty")
            first = frozenset({sym}) if sym in self.terms else self.first[sym]
            for other in firsts:
                if first & other:
                    raise NotLL1(f"{n}: two ways on {sorted(first & other)}")
            if ends and first & self.follow[n]:
                raise NotLL1(f"{n}: go on or stop on {sorted(first & self.follow[n])}")
            firsts.append(first)
        # Where there is one way on, test nothing if the token is known to start it, or if
        # it is a rule: the rule's own code tests the token (and gives up on anything else).
        single = next(iter(groups)) if len(groups) == 1 and not ends else None
        sure = single is not None and (
            single in self.alts or (known is not None and known <= firsts[0])
        )
        for k, (sym, group) in enumerate(groups.items()):
            inner = ind
            if not sure:
                self.emit(ind, f"{'if' if k == 0 else 'elif'} {self.cond(firsts[k])}:")
                inner = ind + 1
            kid = self.var("k", pos)
            if sym in self.terms:
                if sym[0] != "_" or sym in ("_LPAR", "_NOT"):
                    self.emit(inner, f"{kid} = tok")
                if sym in ("_LPAR", "_NOT"):
                    self.emit(inner, "depth += 1")
                    self.emit(inner, "if depth > maxd:")
                    self.emit(inner + 1, "raise Bail")
                self.emit(inner, "i += 1")
                self.emit(inner, "tok = toks[i]")
                self.emit(inner, "kind = tok[0]")
            else:
                self.rule(sym, inner, kid, known if sure else firsts[k])
            self.trie(n, group, pos + 1, [*kids, kid], inner, start, out)
        if sure:
            return
        if ends:
            if groups:
                self.emit(ind, "else:")
                self.reduce(ends[0], kids, ind + 1, start, out)
            else:
                self.reduce(ends[0], kids, ind, start, out)
        else:
            self.emit(ind, "else:")
            self.emit(ind + 1, "raise Bail")

    def spans(self, idx: int) -> bool:
        """Whether reducing rule ``idx`` hands the Builder a span from the rule's start."""
        origin, name, size, *_, expand1, _ = self.rows[idx]
        return bool(size) and not origin.startswith("_") and not (expand1 and name == origin)

    def reduce(self, idx: int, kids: list[str], ind: int, start: str, out: str) -> None:
        """What the table-driven loop does when it reduces rule ``idx`` (see parser._drive)."""
        origin, name, size, keep, inline, expand1, nest = self.rows[idx]
        if nest:
            self.emit(ind, f"depth -= {nest}")
        parts = [
            f"*{kids[j]}" if j in inline else kids[j]
            for j in range(size)
            if j in inline or j in keep
        ]
        listed = "[" + ", ".join(parts) + "]"
        if origin.startswith("_"):
            self.emit(ind, f"{out} = {listed}")
            return
        if expand1 and name == origin:
            if inline or len(parts) != 1:
                raise NotLL1(f"{origin}: an inlined rule with more than one child")
            if parts[0] != out:
                self.emit(ind, f"{out} = {parts[0]}")
            return
        span = f"_S(Span, ({start}, toks[i - 1][3]))" if size else "_S(Span, (tok[2], tok[2]))"
        self.builders.add(name)
        self.emit(ind, f"{out} = _{name}(b, {listed}, {span})")

    def render(self) -> str:
        code: list[str] = []
        for n in self.funcs:
            self.lines = []
            self.body(n, 1, "v")
            # One local may hold a token here and a node there: type them all Any.
            names = sorted(set(re.findall(r"\b[ksv]\d*(?:_\d+)?\b(?= = )", "\n".join(self.lines))))
            code += [
                "",
                "",
                f"def _p_{n}(toks: list[Any], i: int, b: Builder, depth: int, maxd: int) -> Any:",
                *(f"    {name}: Any" for name in names),
                "    tok = toks[i]",
                "    kind = tok[0]",
                *self.lines,
                "    return v, i",
            ]
        head = [
            '"""A recursive-descent parser for the query language, generated from the grammar.',
            "",
            "From grammar/query.lark. Do not edit: run ``python grammar/build_tables.py``.",
            "It builds the AST through the same Builder calls as the table-driven loop in",
            "parser.py, and raises Bail on anything else: that loop then reads the text again",
            "and words the error.",
            '"""',
            "",
            "# fmt: off",
            "# ruff: noqa",
            "from typing import Any",
            "",
            "from .._core.errors import Span",
            "from .build import Builder",
            "",
            "",
            "class Bail(Exception):",
            '    """Not a text this parser takes: leave it to the table-driven loop."""',
            "",
            "",
            "_S = tuple.__new__",
            *(f"_{name} = Builder.{name}" for name in sorted(self.builders)),
            *(
                f"{name} = frozenset({tuple(sorted(terms))!r})"
                for terms, name in sorted(self.consts.items(), key=lambda kv: kv[1])
            ),
            "",
            "",
            "def parse(toks: list[Any], b: Builder, maxd: int) -> Any:",
            '    """The AST of ``toks`` (ending in the end token), nested at most ``maxd``."""',
            "    v, i = _p_start(toks, 0, b, 0, maxd)",
            "    if toks[i][0] != '$END':",
            "        raise Bail",
            "    return v",
        ]
        return "\n".join([*head, *code, ""])


def build_fast(grammar: str) -> str:
    """The fast parser module's source for ``grammar``."""
    lark = compile_grammar(grammar)
    rules = sorted(
        lark.rules,
        key=lambda r: (r.origin.name, [s.name for s in r.expansion], r.alias or ""),
    )
    rows = build(grammar, lark)["rules"]
    return FastParserGenerator(rules, rows).render()


def generate(grammar_path: Path = GRAMMAR) -> str:
    """The table module for the grammar at ``grammar_path``."""
    return render(build(grammar_path.read_text("utf-8")))


def generate_fast(grammar_path: Path = GRAMMAR) -> str:
    """The recursive-descent module for the grammar at ``grammar_path``."""
    return build_fast(grammar_path.read_text("utf-8"))


def main(argv: list[str]) -> int:
    stale = 0
    for target, text in ((TARGET, generate()), (FAST_TARGET, generate_fast())):
        current = target.read_text("utf-8") if target.exists() else None
        if current == text:
            continue
        if "--check" in argv:
            print(f"{target} is stale; run python grammar/build_tables.py", file=sys.stderr)
            stale = 1
        else:
            target.write_text(text, "utf-8")
            print(f"wrote {target}")
    return stale


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
