"""Where the text-to-JSON time goes, stage by stage, against a hand-written parser.

Run: python bench/stages.py [--quick]

For each workload of ``parse_bench.py`` it prints microseconds per call of each stage:

- ``lex``: the lexer alone;
- ``parse``: text to AST (lexing included);
- ``validate``: ``validate(ast, text, entity=schema)`` on that AST;
- ``to_params``: ``Query._checked`` on the validated AST, then ``to_params()``;
- ``total``: the whole uncached path, ``_parse(text, schema, limits).to_params()``;
- ``hand``: ``bench/handparser.py`` (parse only), the reference measured in the same run.

The ratios (each stage over ``hand``) are what to compare between runs; the absolute
figures move with the load on the machine. Benchmarks report, tests assert: this always
exits 0.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from handparser import hand_parse
from parse_bench import LIMITS, W1, W2_APPS, W3, W4

from ashby_query._core.schema import get_entity
from ashby_query._core.validate import validate
from ashby_query._front import lexer
from ashby_query._front.builder import Query, _parse
from ashby_query._front.parser import parse_text

QUICK = "--quick" in sys.argv
WORKLOADS = (
    ("W1", W1, "applications"),
    ("W2", W2_APPS, "applications"),
    ("W3", W3, "candidates"),
    ("W4", W4, "applications"),
)


def per_call_us(fn: Callable[[], object], target: float) -> float:
    """Median microseconds per call over repeated timed batches."""
    fn()
    n = 1
    while True:
        t = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t > 0.01:
            break
        n *= 2
    samples = []
    deadline = time.perf_counter() + target
    while time.perf_counter() < deadline or len(samples) < 5:
        t = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t) / n * 1e6)
    return statistics.median(samples)


def stages(text: str, entity: str) -> dict[str, float]:
    """Microseconds per call of each stage for one text."""
    target = 0.1 if QUICK else 0.4
    schema = get_entity(entity)
    ast = parse_text(text, entity, LIMITS)
    checked = validate(ast, text, entity=schema)
    return {
        "lex": per_call_us(lambda: lexer.lex(text), target),
        "parse": per_call_us(lambda: parse_text(text, entity, LIMITS), target),
        "validate": per_call_us(lambda: validate(ast, text, entity=schema), target),
        "to_params": per_call_us(lambda: Query._checked(checked, schema).to_params(), target),
        "total": per_call_us(lambda: _parse(text, schema, LIMITS).to_params(), target),
        "hand": per_call_us(lambda: hand_parse(text, entity), target),
    }


def main() -> None:
    print(f"python {sys.version.split()[0]}; µs per call (ratio to the hand parser)")
    names = ("lex", "parse", "validate", "to_params", "total", "hand")
    print(f"{'':4}" + "".join(f"{n:>18}" for n in names))
    for name, text, entity in WORKLOADS:
        if hand_parse(text, entity) != parse_text(text, entity, LIMITS):
            print(f"warning: the hand parser builds another AST for {name}")
        row = stages(text, entity)
        hand = row["hand"]
        cells = "".join(f"{row[n]:10.1f} ({row[n] / hand:4.2f}x)" for n in names)
        print(f"{name:4}{cells}")
        check = row["validate"] + row["to_params"]
        print(f"{'':4}validate + to_params = {check:.1f} µs ({check / hand:.2f}x hand)")


if __name__ == "__main__":
    main()
