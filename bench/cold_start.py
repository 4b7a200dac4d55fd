"""Cold start: `import ashby_query` and the first parse, in fresh processes.

Run: python bench/cold_start.py [runs]

Each figure is the best of ``runs`` fresh interpreters (default 15), with ``python -c pass``
measured in the same run as the reference. Both the wall time and the child's CPU time
(user + system) are shown: on a busy shared machine the CPU time is the steadier figure.
Also lists the slow standard-library modules (issue 15 names hashlib, tempfile and
difflib) that are loaded after the import and after the first parse.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time

WATCH = ("difflib", "hashlib", "tempfile", "asyncio", "json", "lark", "httpx", "inspect")

PROGRAMS = {
    "python -c pass": "pass",
    "import ashby_query": "import ashby_query",
    "import + first parse": (
        "import ashby_query as aq; aq.parse('status = \"a\" and createdAt > 2024-01-01', "
        "'applications')"
    ),
    "import + first compile": (
        "import ashby_query as aq; aq.compile('status = \"a\" and createdAt > 2024-01-01', "
        "entity='applications')"
    ),
}


def best_ms(code: str, runs: int) -> tuple[float, float]:
    """Best wall and CPU time of ``runs`` fresh interpreters running ``code``, in ms."""
    wall = cpu = float("inf")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        wall = min(wall, time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        cpu = min(cpu, used)
    return wall * 1e3, cpu * 1e3


def loaded(code: str) -> list[str]:
    """Which watched modules are in sys.modules after ``code`` runs."""
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {WATCH!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return out.stdout.split()


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    print(f"python {sys.version.split()[0]}, best of {runs} fresh processes each")
    times = {name: best_ms(code, runs) for name, code in PROGRAMS.items()}
    base_wall, base_cpu = times["python -c pass"]
    print(f"{'program':24} {'wall ms':>8} {'cpu ms':>8} {'cpu over pass':>14}  loaded")
    for name, (wall, cpu) in times.items():
        mods = " ".join(loaded(PROGRAMS[name])) or "-"
        print(f"{name:24} {wall:8.1f} {cpu:8.1f} {cpu - base_cpu:14.1f}  {mods}")
    imp = times["import ashby_query"][1] - base_cpu
    first = times["import + first parse"][1] - times["import ashby_query"][1]
    print(
        f"cpu: import {imp:.1f} ms (aim < 30), first parse alone {first:.1f} ms (aim < 5); "
        f"wall over pass: {times['import ashby_query'][0] - base_wall:.1f} ms"
    )


if __name__ == "__main__":
    main()
