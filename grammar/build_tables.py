"""Generate ``ashby_query/_front/tables.py`` from ``grammar/query.lark``.

Run after any change to the grammar (the wheel build runs it too, through
``hatch_build.py``)::

    python grammar/build_tables.py          # rewrite the table module
    python grammar/build_tables.py --check  # exit 1 if the committed module is stale

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


def build(grammar: str) -> dict[str, Any]:
    """Compile ``grammar`` with Lark and keep only plain data."""
    from lark.parsers.lalr_analysis import Shift

    lark = compile_grammar(grammar)
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


def generate(grammar_path: Path = GRAMMAR) -> str:
    """The table module for the grammar at ``grammar_path``."""
    return render(build(grammar_path.read_text("utf-8")))


def main(argv: list[str]) -> int:
    text = generate()
    current = TARGET.read_text("utf-8") if TARGET.exists() else None
    if "--check" in argv:
        if current != text:
            print(f"{TARGET} is stale; run python grammar/build_tables.py", file=sys.stderr)
            return 1
        return 0
    if current != text:
        TARGET.write_text(text, "utf-8")
        print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
