"""In-memory engine speed: compiled predicates against hand-written lambdas (the floor).

Run: python bench/engine_bench.py   (medians of repeated runs; compare the ratios.)

Over many records: ``query.matches`` bound once (``pred = query.matches``, then
``pred(record)``) and ``query.evaluate``. Per call: ``query.matches(record)`` on one
record and ``query.evaluate`` on ten, where the fixed cost of a call shows.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
import timeit
from collections.abc import Callable

import ashby_query as aq

N = 200_000


def records(n: int) -> list[dict[str, object]]:
    rng = random.Random(7)
    statuses = ["active", "hired", "archived", "lead"]
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    out = []
    for i in range(n):
        created = start + dt.timedelta(seconds=rng.randrange(2 * 365 * 86400))
        out.append(
            {
                "id": f"app-{i}",
                "status": rng.choice(statuses),
                "archiveReason": rng.choice([None, None, "Spam", "Withdrew"]),
                "createdAt": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    return out


def median_seconds(fn, rows, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn(rows)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def cases() -> list[tuple[str, str, Callable[[dict[str, object]], bool]]]:
    """The three queries: a label, the query text and the hand-written lambda (the floor)."""
    cut = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    return [
        (
            "strings: status = active and archiveReason is null and id like app-1%",
            'status = "active" and archiveReason is null and id like "app-1%"',
            lambda r: (
                r.get("status") == "active"
                and r.get("archiveReason") is None
                and isinstance(r.get("id"), str)
                and r["id"].startswith("app-1")
            ),
        ),
        (
            "with a timestamp: status = active and archiveReason is null and createdAt > 2024-01-01",  # noqa: E501
            'status = "active" and archiveReason is null and createdAt > 2024-01-01',
            lambda r: (
                r.get("status") == "active"
                and r.get("archiveReason") is None
                and r.get("createdAt") is not None
                and dt.datetime.fromisoformat(r["createdAt"]) > cut
            ),
        ),
        (
            "timestamp first (every record parsed): createdAt > 2024-01-01 and status != lead "
            "and archiveReason is null",
            'createdAt > 2024-01-01 and status != "lead" and archiveReason is null',
            lambda r: (
                r.get("createdAt") is not None
                and dt.datetime.fromisoformat(r["createdAt"]) > cut
                and isinstance(r.get("status"), str)
                and r["status"] != "lead"
                and r.get("archiveReason") is None
            ),
        ),
    ]


def per_call_ns(fn: Callable[[], object], number: int) -> float:
    """Best nanoseconds per call of ``fn`` over seven batches of ``number`` calls."""
    return min(timeit.repeat(fn, number=number, repeat=7)) / number * 1e9


def main() -> None:
    rows = records(N)
    print(f"{N:,} records, median of 7 runs")
    for label, text, floor in cases():
        q = aq.parse(text, "applications")
        pred = q.matches
        engine = median_seconds(lambda rs, p=pred: [r for r in rs if p(r)], rows)
        evaluate = median_seconds(q.evaluate, rows)
        hand = median_seconds(lambda rs, f=floor: [r for r in rs if f(r)], rows)
        assert [r for r in rows if pred(r)] == [r for r in rows if floor(r)]
        print(f"\n{label}")
        print(f"  hand-written lambda : {N / hand:12,.0f} records/s")
        for name, secs in (("query.matches", engine), ("query.evaluate", evaluate)):
            ratio = secs / hand
            print(f"  {name:20}: {N / secs:12,.0f} records/s  ({ratio:.2f}x the floor)")
        one, ten = rows[0], rows[:10]
        call = per_call_ns(lambda q=q, r=one: q.matches(r), 20_000)
        lam = per_call_ns(lambda f=floor, r=one: f(r), 20_000)
        print(f"  one call, matches(record): {call:6.0f} ns, lambda {lam:4.0f} ns")
        ev = per_call_ns(lambda q=q, rs=ten: q.evaluate(rs), 2_000) / 1000
        comp = per_call_ns(lambda f=floor, rs=ten: [r for r in rs if f(r)], 2_000) / 1000
        print(f"  one call, evaluate(10 records): {ev:5.2f} µs, list comprehension {comp:4.2f} µs")


if __name__ == "__main__":
    main()
