"""Where the text-to-JSON time goes, stage by stage, against a hand-written parser.

Run: python bench/stages.py [--quick]

For each workload of ``parse_bench.py`` it prints microseconds per call of each stage:

- ``lex``: the lexer alone;
- ``parse``: text to AST (lexing included);
- ``validate``: ``validate(ast, text, entity=schema)`` on that AST;
- ``to_params``: ``Query._checked`` on the validated AST, then ``to_params()``;
- ``total``: the whole uncached path, ``_parse(text, schema, limits).to_params()``;
- ``hand``: ``bench/handparser.py`` (parse only), the reference measured in the same run.

Each stage's batches alternate with the hand parser's, and the ratio is the median of
the paired batches: that is what to compare between runs, since the absolute figures move
with the load on the (shared) machine. To compare with another checkout, run this script
with ``PYTHONPATH`` pointing at it. Benchmarks report, tests
assert: this always exits 0.
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


def _batch_us(fn: Callable[[], object], n: int) -> float:
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n * 1e6


def _batch_size(fn: Callable[[], object]) -> int:
    """Calls per batch so that a batch takes about 5 ms."""
    fn()
    n = 1
    while _batch_us(fn, n) * n < 5_000:
        n *= 2
    return n


def stages(text: str, entity: str) -> dict[str, tuple[float, float]]:
    """Each stage's median µs per call and median ratio to the hand parser.

    Batches of a stage and of the hand parser alternate, so load that comes and goes
    (the machine is shared) hits both alike; the ratio is the median of paired batches.
    """
    schema = get_entity(entity)
    ast = parse_text(text, entity, LIMITS)
    checked = validate(ast, text, entity=schema)
    fns: dict[str, Callable[[], object]] = {
        "lex": lambda: lexer.lex(text),
        "parse": lambda: parse_text(text, entity, LIMITS),
        "validate": lambda: validate(ast, text, entity=schema),
        "to_params": lambda: Query._checked(checked, schema).to_params(),
        "total": lambda: _parse(text, schema, LIMITS).to_params(),
    }

    def hand() -> object:
        return hand_parse(text, entity)

    n_hand = _batch_size(hand)
    rows: dict[str, tuple[float, float]] = {}
    hands: list[float] = []
    for name, fn in fns.items():
        n = _batch_size(fn)
        ours: list[float] = []
        ratios: list[float] = []
        deadline = time.perf_counter() + (0.15 if QUICK else 0.6)
        while time.perf_counter() < deadline or len(ours) < 5:
            a = _batch_us(fn, n)
            b = _batch_us(hand, n_hand)
            ours.append(a)
            hands.append(b)
            ratios.append(a / b)
        rows[name] = (statistics.median(ours), statistics.median(ratios))
    rows["hand"] = (statistics.median(hands), 1.0)
    return rows


def main() -> None:
    print(f"python {sys.version.split()[0]}; µs per call (median ratio to the hand parser)")
    names = ("lex", "parse", "validate", "to_params", "total", "hand")
    print(f"{'':4}" + "".join(f"{n:>18}" for n in names))
    for name, text, entity in WORKLOADS:
        if hand_parse(text, entity) != parse_text(text, entity, LIMITS):
            print(f"warning: the hand parser builds another AST for {name}")
        row = stages(text, entity)
        cells = "".join(f"{row[n][0]:10.1f} ({row[n][1]:4.2f}x)" for n in names)
        print(f"{name:4}{cells}")
        check = row["validate"][0] + row["to_params"][0]
        ratio = row["validate"][1] + row["to_params"][1]
        print(f"{'':4}validate + to_params = {check:.1f} µs ({ratio:.2f}x hand)")


if __name__ == "__main__":
    main()
