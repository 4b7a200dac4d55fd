"""Cold start: `import ashby_query` and the first parse, in fresh processes.

Run: python bench/cold_start.py [runs]

Each figure is the best of ``runs`` fresh interpreters (default 15), with ``python -c pass``
measured in the same run as the reference, so the ratios hold on a busy machine where the
absolute numbers do not. Also lists the slow standard-library modules (issue 15 names
hashlib, tempfile and difflib) that are loaded after the import and after the first parse.
"""

from __future__ import annotations

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


def best_ms(code: str, runs: int) -> float:
    """Best wall time of ``runs`` fresh interpreters running ``code``, in milliseconds."""
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        best = min(best, time.perf_counter() - t)
    return best * 1e3


def loaded(code: str) -> list[str]:
    """Which watched modules are in sys.modules after ``code`` runs."""
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {WATCH!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return out.stdout.split()


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    print(f"python {sys.version.split()[0]}, best of {runs} fresh processes each")
    times = {name: best_ms(code, runs) for name, code in PROGRAMS.items()}
    base = times["python -c pass"]
    print(f"{'program':24} {'ms':>8} {'over pass':>10} {'x pass':>7}  loaded")
    for name, ms in times.items():
        mods = " ".join(loaded(PROGRAMS[name])) or "-"
        print(f"{name:24} {ms:8.1f} {ms - base:10.1f} {ms / base:7.2f}  {mods}")
    first_parse = times["import + first parse"] - times["import ashby_query"]
    print(f"first parse alone: {first_parse:.1f} ms (aims: import < 30 ms, first parse < 5 ms)")


if __name__ == "__main__":
    main()
