"""DuckDB against the in-memory engine and a hand-written Python filter, with memory.

Run: python bench/sql_bench.py              (200,000 and 2,000,000 records)
     python bench/sql_bench.py 50000        (other sizes)

Records are generated once per size and written as JSON lines and Parquet. Each contender
runs in its own process, so its peak memory (``VmHWM`` above the process's own
baseline after imports) is its alone:

- in-memory: read the JSON lines into dicts (load, timed apart), then count with
  ``query.evaluate`` (the engine) and with a hand-written lambda (the floor);
- DuckDB: load the Parquet file into a table (timed apart), then count with the SQL from
  ``query.to_sql("duckdb", count=True)``.

Query times are medians of repeated runs; compare the ratios printed at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SIZES = [200_000, 2_000_000]
CUT = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
QUERIES = [
    (
        'status = "active" and archiveReason is null',
        lambda r: r.get("status") == "active" and r.get("archiveReason") is None,
    ),
    (
        'status in ("active", "hired") and createdAt > 2024-01-01',
        lambda r: (
            r.get("status") in ("active", "hired")
            and r.get("createdAt") is not None
            and dt.datetime.fromisoformat(r["createdAt"]) > CUT
        ),
    ),
    (
        'not archiveReason like "Spam%" and createdAt = 2024-03-01',
        lambda r: (
            not (isinstance(r.get("archiveReason"), str) and r["archiveReason"].startswith("Spam"))
            and r.get("createdAt") is not None
            and dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
            <= dt.datetime.fromisoformat(r["createdAt"])
            < dt.datetime(2024, 3, 2, tzinfo=dt.UTC)
        ),
    ),
]


def write_records(n: int, root: Path) -> tuple[Path, Path]:
    rng = random.Random(7)
    statuses = ["active", "hired", "archived", "lead"]
    reasons = [None, None, "Spam", "Withdrew", "Hired elsewhere"]
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    jsonl = root / f"apps-{n}.jsonl"
    with jsonl.open("w", encoding="utf-8") as fh:
        for i in range(n):
            created = start + dt.timedelta(seconds=rng.randrange(2 * 365 * 86400))
            record = {
                "id": f"app-{i:08d}",
                "status": rng.choice(statuses),
                "archiveReason": rng.choice(reasons),
                "createdAt": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "updatedAt": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "candidate": {"id": f"c-{i}", "name": f"Candidate {i}"},
                "job": {"id": f"j-{i % 500}", "title": "Engineer"},
            }
            fh.write(json.dumps(record) + "\n")
    parquet = root / f"apps-{n}.parquet"
    import duckdb

    duckdb.sql(f"COPY (SELECT * FROM read_json('{jsonl}')) TO '{parquet}' (FORMAT parquet)")
    return jsonl, parquet


def rss_mib() -> float:
    """Peak resident memory of this process (Linux ``VmHWM``; ``ru_maxrss`` elsewhere).

    ``ru_maxrss`` survives exec, so a child would inherit its parent's peak; ``VmHWM`` does not.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median(fn: Any, runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def child_memory(path: str) -> dict[str, Any]:
    import ashby_query as aq

    base = rss_mib()
    t = time.perf_counter()
    with open(path, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    load = time.perf_counter() - t
    out: dict[str, Any] = {"load": load, "engine": [], "python": [], "counts": []}
    for text, hand in QUERIES:
        q = aq.parse(text, "applications")
        secs, n = median(lambda q=q: len(q.evaluate(rows)), 3)
        out["engine"].append(secs)
        out["counts"].append(n)
        secs, m = median(lambda hand=hand: sum(1 for r in rows if hand(r)), 3)
        assert n == m, (text, n, m)
        out["python"].append(secs)
    out["memory"] = rss_mib() - base
    return out


def child_duckdb(path: str) -> dict[str, Any]:
    import ashby_query as aq
    from ashby_query._tools import duck

    con = duck.connect()
    base = rss_mib()
    t = time.perf_counter()
    table = duck.load(con, path, "applications", materialize=True)
    load = time.perf_counter() - t
    out: dict[str, Any] = {"load": load, "duckdb": [], "counts": []}
    for text, _hand in QUERIES:
        q = aq.parse(text, "applications")

        def run(q: Any = q) -> int:
            sq = q.to_sql("duckdb", table, count=True)
            return int(con.execute(sq.sql, list(sq.params)).fetchone()[0])

        secs, n = median(run, 5)
        out["duckdb"].append(secs)
        out["counts"].append(n)
    out["memory"] = rss_mib() - base
    return out


def spawn(mode: str, path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory(prefix="aq-sqlbench-") as tmp:
        for n in sizes:
            jsonl, parquet = write_records(n, Path(tmp))
            mem = spawn("memory", jsonl)
            duck = spawn("duckdb", parquet)
            assert mem["counts"] == duck["counts"], (mem["counts"], duck["counts"])
            print(f"\n{n:,} records")
            print(
                f"  load: dicts from JSON lines {mem['load']:.2f} s, "
                f"DuckDB table from Parquet {duck['load']:.2f} s"
            )
            print("  per query (count)        engine    python   duckdb  engine/duckdb")
            for i in range(len(QUERIES)):
                e, p, d = mem["engine"][i], mem["python"][i], duck["duckdb"][i]
                print(f"  q{i + 1} ({mem['counts'][i]:>8,} hits)  {e:8.3f} s {p:7.3f} s "
                      f"{d:7.3f} s  {e / d:8.1f}x")  # fmt: skip
            print(
                f"  memory: dicts {mem['memory']:.0f} MiB, DuckDB {duck['memory']:.0f} MiB "
                f"({duck['memory'] / mem['memory']:.2f} of the dicts)"
            )
        print("\n  queries:")
        for i, (text, _) in enumerate(QUERIES):
            print(f"  q{i + 1}: {text}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        mode, path = sys.argv[2], sys.argv[3]
        result = child_memory(path) if mode == "memory" else child_duckdb(path)
        print(json.dumps(result))
    else:
        main([int(a) for a in sys.argv[1:]] or SIZES)
