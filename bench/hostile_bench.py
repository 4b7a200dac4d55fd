"""Hostile input: the cost per element at growing sizes, which stays flat when linear.

Run: python bench/hostile_bench.py [--quick]

Each family is timed at several sizes; the last column is the cost per element relative
to the smallest size measured in the same run. A linear family stays near 1.0x; a
quadratic one grows with the size (4x the size, about 4x the ratio). As ``timeit`` does,
the cyclic garbage collector is paused while timing: its passes over millions of live
objects would otherwise add a growth that is the collector's, not the library's.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable

import ashby_query as aq
from ashby_query import Candidates, F

RAISED = aq.Limits(max_length=10**9, max_depth=10**7, max_in=10**7)


def chain(n: int) -> Callable[[], object]:
    text = " and ".join(f'id = "{i}"' for i in range(n))
    return lambda: aq.parse(text, "candidates", limits=RAISED)


def unknown_fields(n: int) -> Callable[[], object]:
    text = " and ".join(f'nme{i} = "{i}"' for i in range(n))

    def run() -> object:
        try:
            aq.parse(text, "candidates", limits=RAISED)
        except aq.QueryError as exc:
            return exc.error_count()
        raise AssertionError("expected a QueryError")

    return run


def deep_where(n: int) -> Callable[[], object]:
    cond = F.name == "x"
    for i in range(n):
        cond = ~cond if i % 3 else (cond | (F.name == str(i)))
    return lambda: Candidates.where(cond, limits=RAISED)


def deep_eq_hash_repr(n: int) -> Callable[[], object]:
    a, b = F.name == "x", F.name == "x"
    for _ in range(n):
        a, b = ~a, ~b
    return lambda: (a == b, hash(a), len(repr(a)))


def deep_params_refused(n: int) -> Callable[[], object]:
    obj: object = {"eq": {"id": "x"}}
    for _ in range(n):
        obj = {"not": obj}
    params = {"query": {"filter": obj}}

    def run() -> object:
        try:
            aq.from_params(params, "candidates")
        except aq.QueryError as exc:
            return exc.type
        raise AssertionError("expected a QueryError")

    return run


def deep_params_read(n: int) -> Callable[[], object]:
    obj: object = {"eq": {"id": "x"}}
    for _ in range(n):
        obj = {"not": obj}
    params = {"query": {"filter": obj}}
    return lambda: aq.from_params(params, "candidates", limits=RAISED)


def like_hostile(n: int) -> Callable[[], object]:
    # Backtracking took minutes at n = 50; each literal is now found once, left to right.
    q = aq.parse('name like "%a%a%a%a%a%a%a%a%a%a%a%a%b%"', "candidates")
    rows = [{"name": "a" * n + "c" * i} for i in range(200)]
    return lambda: q.evaluate(rows)


FAMILIES: list[tuple[str, Callable[[int], Callable[[], object]], list[int]]] = [
    ("flat and-chain, parse", chain, [2_500, 10_000, 40_000]),
    ("unknown fields, parse", unknown_fields, [2_500, 10_000, 40_000]),
    ("deep builder tree, where()", deep_where, [2_500, 10_000, 40_000]),
    ("deep ~ chain, == hash repr", deep_eq_hash_repr, [2_500, 10_000, 40_000]),
    ("deep params, refused", deep_params_refused, [10_000, 100_000]),
    ("deep params, read (raised)", deep_params_read, [2_500, 10_000, 40_000]),
    ("like %a..%b, a*n", like_hostile, [10_000, 100_000, 1_000_000]),
]


def best_of(fn: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            t = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t)
        finally:
            gc.enable()
    return best


def main() -> None:
    quick = "--quick" in sys.argv
    runs = 1 if quick else 3
    print(f"{'family':32} {'n':>10} {'seconds':>9} {'us/elem':>9} {'vs first':>9}")
    for name, make, sizes in FAMILIES:
        first = None
        for n in sizes[:2] if quick else sizes:
            seconds = best_of(make(n), runs)
            per = seconds / n * 1e6
            first = first or per
            print(f"{name:32} {n:>10,} {seconds:>9.3f} {per:>9.2f} {per / first:>8.1f}x")


if __name__ == "__main__":
    main()
