"""Mutation check: does the test suite catch realistic single-point bugs?

Each mutant is one search-and-replace in one file of the package. For each, a copy of
the repository gets the change and the chosen tests run against the copy; a mutant is
killed when a test fails. The working tree is never touched.

Run:  python bench/mutants.py                   (all mutants, the focused tests, ci profile)
      python bench/mutants.py --only engine     (mutants whose name contains "engine")
      python bench/mutants.py --tests tests     (the whole suite per mutant: slow)
      python bench/mutants.py --list            (the mutants, and whether each applies)

A mutant whose search text is not found (the code moved or changed) is reported as
NOT FOUND with its file and text, and counts neither as killed nor as survived: update
its search text. Mutants known to be equivalent (no behaviour changes) say why.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: What a mutant run executes by default: the properties and the example tests that do
#: not lean on the code they check, quick ones first (``-x`` stops at the first failure).
FOCUSED = [
    "tests/test_examples_wire.py",
    "tests/test_retry_math.py",
    "tests/test_laws.py",
    "tests/test_properties.py",
]


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    find: str
    replace: str
    equivalent: str = ""  # why the mutant changes no behaviour, if it does not


M = Mutant
MUTANTS = [
    # Compiler ------------------------------------------------------------------------
    M(
        "compiler: gt compiled as gte",
        "ashby_query/_back/compiler.py",
        "return {key: {field: _wire(value)}}",
        'return {("gte" if key == "gt" else key): {field: _wire(value)}}',
    ),
    M(
        "lower: whole-day equality without its upper bound",
        "ashby_query/_core/lower.py",
        "return And((Predicate(Op.GTE, f, lo, s), Predicate(Op.LT, f, hi, s)), s)",
        "return Predicate(Op.GTE, f, lo, s)",
    ),
    M(
        "lower: whole-day inequality with gt for gte",
        "ashby_query/_core/lower.py",
        "return Or((Predicate(Op.LT, f, lo, s), Predicate(Op.GTE, f, hi, s)), s)",
        "return Or((Predicate(Op.LT, f, lo, s), Predicate(Op.GT, f, hi, s)), s)",
    ),
    M(
        "compiler: desc ignored",
        "ashby_query/_back/compiler.py",
        '"desc" if k.descending else "asc"',
        '"asc"',
    ),
    M(
        "compiler: not dropped for nulls",
        "ashby_query/_back/compiler.py",
        'return {"neq": {operand.field: None}}',
        'return {"eq": {operand.field: None}}',
    ),
    M(
        "lower: relative day bound on > not moved to midnight",
        "ashby_query/_core/lower.py",
        "return midnight_of(value) if op in ORDERING_OPS else value",
        "return value",
        equivalent="a date is turned into its midnight a few lines below anyway",
    ),
    M(
        "lower: 2026 startswith and endswith swapped",
        "ashby_query/_core/lower.py",
        'return "startswith", seg[0]',
        'return "endswith", seg[0]',
    ),
    M(
        "lower: 2026 exact pattern as contains",
        "ashby_query/_core/lower.py",
        'return "eq", seg[0]',
        'return "contains", seg[0]',
    ),
    # Engine --------------------------------------------------------------------------
    M(
        "engine: timestamp > as >=",
        "ashby_query/_back/engine.py",
        "return t is not None and t > v",
        "return t is not None and t >= v",
    ),
    M(
        "engine: timestamp < as <=",
        "ashby_query/_back/engine.py",
        "return t is not None and t < v",
        "return t is not None and t <= v",
    ),
    M(
        "engine: string > as >=",
        "ashby_query/_back/engine.py",
        "return lambda r: type(r.get(f)) is str and r[f] > v",
        "return lambda r: type(r.get(f)) is str and r[f] >= v",
    ),
    M(
        "lower: whole day includes the next midnight",
        "ashby_query/_core/lower.py",
        "lo, hi = midnight(day), midnight(day + dt.timedelta(days=1))",
        "lo, hi = midnight(day), midnight(day + dt.timedelta(days=1)) + dt.timedelta(0, 0, 1)",
    ),
    M(
        "engine: sort desc ignored",
        "ashby_query/_back/engine.py",
        "present.sort(key=lambda vr: vr[0], reverse=key.descending)",
        "present.sort(key=lambda vr: vr[0])",
    ),
    M(
        "engine: records without a value sorted first",
        "ashby_query/_back/engine.py",
        "out = [r for _, r in present] + [r for v, r in keyed if v is None]",
        "out = [r for v, r in keyed if v is None] + [r for _, r in present]",
    ),
    M(
        "engine: is null misses explicit nulls",
        "ashby_query/_back/engine.py",
        "    if op is Op.IS_NULL:\n        return lambda r: r.get(f) is None",
        "    if op is Op.IS_NULL:\n        return lambda r: f not in r",
    ),
    M(
        "engine: in list loses its first value",
        "ashby_query/_back/engine.py",
        "members = frozenset(x for x in v if isinstance(x, str))",
        "members = frozenset(x for x in v[1:] if isinstance(x, str))",
    ),
    M(
        "engine: limit one too many",
        "ashby_query/_back/engine.py",
        "out = out[: query.limit]",
        "out = out[: query.limit + 1]",
    ),
    M(
        "engine: fuzzy needs only its first word",
        "ashby_query/_back/engine.py",
        "    j = 0\n    for w in wanted:",
        "    j = 0\n    for w in wanted[:1]:",
    ),
    M(
        "engine: like escape of a backslash lost",
        "ashby_query/_back/engine.py",
        'if c == "\\\\" and i + 1 < n and pattern[i + 1] in "%\\\\_":',
        'if c == "\\\\" and i + 1 < n and pattern[i + 1] in "%_":',
    ),
    M(
        "values: like escape of a backslash lost (2026 forms)",
        "ashby_query/_core/values.py",
        'pattern[i + 1] in "%\\\\_"',
        'pattern[i + 1] in "%_"',
    ),
    # Formatter -----------------------------------------------------------------------
    M(
        "formatter: \\u escape lost",
        "ashby_query/_back/formatter.py",
        'out.append(f"\\\\u{ord(c):04x}")',
        "out.append(c)",
    ),
    M(
        "formatter: or inside and printed without parentheses",
        "ashby_query/_back/formatter.py",
        "PRECEDENCE: dict[type, int] = {Or: 1, And: 2, Not: 3, Predicate: 4}",
        "PRECEDENCE: dict[type, int] = {Or: 2, And: 2, Not: 3, Predicate: 4}",
    ),
    M(
        "formatter: not of a group printed without parentheses",
        "ashby_query/_back/formatter.py",
        'return "not " + (f"({text})" if isinstance(inner, And | Or) else text)',
        'return "not " + text',
    ),
    M(
        "formatter: desc dropped",
        "ashby_query/_back/formatter.py",
        "f\"{k.field}{' desc' if k.descending else ''}\"",
        'f"{k.field}"',
    ),
    M(
        "formatter: midnight printed as a date in an in list",
        "ashby_query/_back/formatter.py",
        "if op in ORDERING_OPS and value == midnight(value.date()):",
        "if value == midnight(value.date()):",
    ),
    # Decompiler ----------------------------------------------------------------------
    M(
        "decompiler: DESC read as ascending",
        "ashby_query/_front/decompiler.py",
        'keys.append(SortKey(field, direction.lower() == "desc"))',
        'keys.append(SortKey(field, direction == "desc"))',
    ),
    M(
        "decompiler: endswith value not escaped",
        "ashby_query/_front/decompiler.py",
        '"endswith": lambda s: "%" + escape_like(s),',
        '"endswith": lambda s: "%" + s,',
    ),
    M(
        "decompiler: startswith value not escaped",
        "ashby_query/_front/decompiler.py",
        '"startswith": lambda s: escape_like(s) + "%",',
        '"startswith": lambda s: s + "%",',
    ),
    M(
        "decompiler: several operators in one object ORed",
        "ashby_query/_front/decompiler.py",
        "return kids[0] if len(kids) == 1 else And(tuple(kids))",
        "return kids[0] if len(kids) == 1 else Or(tuple(kids))",
    ),
    # Validation ----------------------------------------------------------------------
    M(
        "lower: a several-day range folded into one day",
        "ashby_query/_core/lower.py",
        "if lo != midnight(day) or hi != midnight(day + dt.timedelta(days=1)):",
        "if lo != midnight(day) or hi <= lo:",
    ),
    M(
        "validate: date bound of > left a whole day",
        "ashby_query/_core/validate.py",
        "return midnight(value) if op in ORDERING_OPS else value",
        "return value",
    ),
    M(
        "validate: != null read as is null",
        "ashby_query/_core/validate.py",
        "return node if op is Op.EQ else Not(node, p.span)",
        "return node",
    ),
    M(
        "validate: limit 1000 refused",
        "ashby_query/_core/validate.py",
        "not 1 <= limit <= MAX_LIMIT",
        "not 1 <= limit < MAX_LIMIT",
    ),
    M(
        "types: booleans take >",
        "ashby_query/_core/types.py",
        "FieldType.BOOLEAN: frozenset({Op.EQ, Op.NEQ, Op.IN, Op.IS_NULL}),",
        "FieldType.BOOLEAN: frozenset({Op.EQ, Op.NEQ, Op.GT, Op.IN, Op.IS_NULL}),",
    ),
    # Client core ---------------------------------------------------------------------
    M(
        "client: retry budget forgets the waits made",
        "ashby_query/_client/core.py",
        "waited += wait",
        "waited = wait",
    ),
    M(
        "client: Retry-After ignored",
        "ashby_query/_client/core.py",
        "if isinstance(error, RateLimitError) and error.retry_after is not None:",
        "if False:",
    ),
    M(
        "client: one attempt too many",
        "ashby_query/_client/core.py",
        "if attempt >= self.attempts or not retryable(error):",
        "if attempt > self.attempts or not retryable(error):",
    ),
]


def _copy_repo(dest: Path) -> None:
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "__pycache__", ".hypothesis", ".mypy_cache", ".ruff_cache", "site"
    )
    for part in ("ashby_query", "grammar", "tests", "docs"):
        if (ROOT / part).exists():
            shutil.copytree(ROOT / part, dest / part, ignore=ignore)
    for part in ("pyproject.toml", "README.md", "mkdocs.yml", "docs_hooks.py"):
        if (ROOT / part).exists():
            shutil.copy2(ROOT / part, dest / part)


def _where_imported(copy: Path, env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", "import ashby_query; print(ashby_query.__file__)"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def _run_tests(
    copy: Path, tests: list[str], env: dict[str, str], timeout: float
) -> tuple[int, str]:
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-rf", "-p", "no:randomly", *tests]
    try:
        done = subprocess.run(
            cmd, cwd=copy, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return -1, "timed out"
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", done.stdout, re.MULTILINE)
    return done.returncode, failed[0] if failed else done.stdout.strip().splitlines()[-1:][0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the mutants whose name contains this text")
    parser.add_argument("--tests", nargs="+", default=FOCUSED, help="test paths to run")
    parser.add_argument("--profile", default="ci", help="Hypothesis profile (default ci)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per mutant")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if not args.only or args.only.lower() in m.name.lower()]
    # Stopped with kill, still remove the copy.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with tempfile.TemporaryDirectory(prefix="aq-mutants-") as tmp:
        copy = Path(tmp)
        _copy_repo(copy)
        # No bytecode cache: a mutant the same size as the code, written in the same second,
        # could otherwise run from the unmutated cache.
        env = {
            **os.environ,
            "PYTHONPATH": str(copy),
            "HYPOTHESIS_PROFILE": args.profile,
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        env.pop("PYTEST_ADDOPTS", None)
        where = _where_imported(copy, env)
        if not where.startswith(str(copy)):
            print(f"The copy is not what gets imported ({where}); stopping.", file=sys.stderr)
            return 2
        missing = []
        for m in chosen:
            text = (copy / m.path).read_text("utf-8")
            if text.count(m.find) != 1:
                how = "not found" if m.find not in text else f"found {text.count(m.find)} times"
                missing.append(m)
                print(f"NOT FOUND  {m.name}: the search text is {how} in {m.path}:")
                print("           " + m.find.replace("\n", "\n           "))
        runnable = [m for m in chosen if m not in missing]
        if args.list:
            for m in runnable:
                note = f" (equivalent: {m.equivalent})" if m.equivalent else ""
                print(f"applies    {m.name}{note}")
            return 0
        code, last = _run_tests(copy, args.tests, env, args.timeout)
        if code != 0:
            print(f"The unmutated suite fails ({last}); fix it first.", file=sys.stderr)
            return 2
        killed, survived = [], []
        for m in runnable:
            target = copy / m.path
            original = target.read_text("utf-8")
            target.write_text(original.replace(m.find, m.replace), "utf-8")
            start = time.monotonic()
            try:
                code, last = _run_tests(copy, args.tests, env, args.timeout)
            finally:
                target.write_text(original, "utf-8")
            took = time.monotonic() - start
            if code != 0:
                killed.append(m)
                print(f"killed     {m.name}  [{took:.0f}s]  by {last}")
            else:
                survived.append(m)
                why = f"equivalent: {m.equivalent}" if m.equivalent else "NOT EQUIVALENT"
                print(f"SURVIVED   {m.name}  [{took:.0f}s]  ({why})")
            sys.stdout.flush()
        equivalent = [m for m in survived if m.equivalent]
        real = [m for m in survived if not m.equivalent]
        print()
        print(
            f"{len(killed)} of {len(runnable)} mutants killed; {len(equivalent)} survivor(s) "
            f"equivalent, {len(real)} not; {len(missing)} not found."
        )
        return 1 if real or missing else 0


if __name__ == "__main__":
    sys.exit(main())
