"""Cold start: `import ashby_query` and the first parse, in fresh processes.

Run: python bench/cold_start.py [runs]

Each figure is the best of ``runs`` fresh interpreters (default 15; the first parse is
timed inside each, see ``summary``), with ``python -c pass`` and ``import attrs`` measured in the
same run, the programs taking turns so that load which comes and goes hits them alike.
The figures are the child's CPU time (user + system), steadier than wall time on a busy
shared machine; wall time is shown too.

Two ways the package can start, both measured:

- ``installed``: from bytecode, as after ``pip install`` (pip compiles the ``.pyc`` files
  at install time). The bench compiles them once into a temporary ``PYTHONPYCACHEPREFIX``
  directory, outside the source tree, and deletes it at the end. This is what users get.
- ``source``: no bytecode for the package (``PYTHONDONTWRITEBYTECODE=1``, as an editable
  checkout with bytecode writing off), so every start compiles each of its modules it
  imports. The children run on a copy of the package without ``__pycache__`` folders, in
  a temporary directory, so stray ``.pyc`` files in the checkout cannot mix the modes.

``import attrs`` alone (with the ``typing`` and ``inspect`` it pulls in) is a floor the
package cannot go under while its value objects are attrs classes, so the part the package
controls is printed as "ours over attrs". The bench also checks that importing, parsing
and compiling write nothing to disk (no file appears in the package or the temporary
directory), lists the slow standard-library modules loaded after each program, and
times each attrs class the import creates (best of ``runs`` fresh processes).
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

WATCH = (
    "difflib",
    "hashlib",
    "tempfile",
    "asyncio",
    "json",
    "uuid",
    "random",
    "lark",
    "httpx",
    "inspect",
)

PASS, TYPING, ATTRS = "python -c pass", "import typing", "import attrs"
IMPORT, PARSE = "import ashby_query", "+ first parse"
PROGRAMS = {
    PASS: "pass",
    # typing is part of attrs' cost, and a part the package would pay without attrs too.
    TYPING: "import typing",
    ATTRS: "import attrs",
    IMPORT: "import ashby_query",
    # Prints the CPU time of the parse itself, measured inside the fresh process.
    PARSE: (
        "import time, ashby_query as aq; t = time.process_time(); "
        "aq.parse('status = \"a\" and createdAt > 2024-01-01', 'applications'); "
        "print((time.process_time() - t) * 1e3)"
    ),
    "+ first compile": (
        "import ashby_query as aq; aq.compile('status = \"a\" and createdAt > 2024-01-01', "
        "entity='applications')"
    ),
    # The command line, start to finish (for reference: no aim is set for it).
    "ashby-query compile": (
        "import runpy, sys; sys.argv = ['ashby-query', 'compile', 'applications', "
        "'status = \"a\"']; runpy.run_module('ashby_query', run_name='__main__')"
    ),
}
MODES = ("installed", "source")
AIM_IMPORT_MS, AIM_PARSE_MS = 30.0, 5.0
PACKAGE = Path(__file__).resolve().parent.parent / "ashby_query"


def _env(mode: str, pycache: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPYCACHEPREFIX", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if mode == "installed":
        env["PYTHONPYCACHEPREFIX"] = pycache
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _run_ms(code: str, env: dict[str, str], cwd: str) -> tuple[float, float, str]:
    """Wall and CPU ms of one fresh interpreter running ``code`` in ``cwd``, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    run = [sys.executable, "-c", code]
    out = subprocess.run(run, check=True, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall * 1e3, cpu * 1e3, out.stdout


def _files(*roots: Path) -> Iterator[str]:
    for root in roots:
        for path in root.rglob("*"):
            yield str(path)


# (mode, program): one (wall ms, cpu ms, output) a round
Times = dict[tuple[str, str], list[tuple[float, float, str]]]


def measure(runs: int) -> tuple[Times, list[str]]:
    """Every (wall, cpu) ms per (mode, program), one a round, and any files written."""
    pycache = tempfile.mkdtemp(prefix="aq-cold-pyc-")
    scratch = tempfile.mkdtemp(prefix="aq-cold-tmp-")
    # The child's cwd comes first on sys.path: the source mode imports a copy without
    # bytecode, the installed mode the checkout, with its bytecode in `pycache`.
    copy = tempfile.mkdtemp(prefix="aq-cold-src-")
    shutil.copytree(
        PACKAGE, Path(copy) / PACKAGE.name, ignore=shutil.ignore_patterns("__pycache__")
    )
    cwds = {"installed": str(PACKAGE.parent), "source": copy}
    try:
        envs = {mode: _env(mode, pycache) for mode in MODES}
        for env in envs.values():  # keeps its own files out of the "written" check below
            env["TMPDIR"] = scratch
        # Compile the bytecode once, as pip does at install time.
        for code in PROGRAMS.values():
            subprocess.run(
                [sys.executable, "-c", code],
                env=envs["installed"],
                cwd=cwds["installed"],
                capture_output=True,
            )
        before = set(_files(PACKAGE, Path(scratch), Path(copy)))
        times: Times = {(mode, name): [] for mode in MODES for name in PROGRAMS}
        for _ in range(runs):
            for mode in MODES:
                for name, code in PROGRAMS.items():
                    times[mode, name].append(_run_ms(code, envs[mode], cwds[mode]))
        written = sorted(set(_files(PACKAGE, Path(scratch), Path(copy))) - before)
    finally:
        for folder in (pycache, scratch, copy):
            shutil.rmtree(folder, ignore_errors=True)
    return times, written


def best(times: Times, mode: str, name: str) -> tuple[float, float]:
    """The best wall and the best CPU ms of one program."""
    return min(t[0] for t in times[mode, name]), min(t[1] for t in times[mode, name])


def summary(times: Times, mode: str) -> dict[str, float]:
    """CPU ms of the import over pass, typing and attrs over pass, ours over attrs, and the
    first parse.

    The first three are differences of best times. The first parse, a millisecond or two
    beside a 50 ms start and so less than the spread of the best times, is the median of
    the CPU time each fresh process measured around its own first parse.
    """
    cpu = {name: best(times, mode, name)[1] for name in PROGRAMS}
    return {
        "import": cpu[IMPORT] - cpu[PASS],
        "typing": cpu[TYPING] - cpu[PASS],
        "attrs": cpu[ATTRS] - cpu[PASS],
        "ours": cpu[IMPORT] - cpu[ATTRS],
        "parse": statistics.median(float(t[2]) for t in times[mode, PARSE]),
    }


def loaded(code: str) -> list[str]:
    """Which watched modules are in sys.modules after ``code`` runs."""
    # Printed at exit, as the command line program ends with sys.exit().
    report = f"print(*[m for m in {WATCH!r} if m in sys.modules], file=sys.stderr)"
    code = f"import atexit, sys\natexit.register(lambda: {report})\n{code}"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stderr.split()


# Runs in a child: times attrs' class builder around `import ashby_query`. It wraps a
# private attrs method, so on an attrs without it the listing is skipped.
_CLASS_PROBE = """
import time, attrs
try:
    from attr._make import _ClassBuilder
except ImportError:
    raise SystemExit(0)
build = _ClassBuilder.build_class
def timed(self):
    t = time.perf_counter()
    cls = build(self)
    print(f"{cls.__module__}.{cls.__qualname__} {(time.perf_counter() - t) * 1e6:.0f}")
    return cls
_ClassBuilder.build_class = timed
import ashby_query
"""


def attrs_class_costs(runs: int) -> dict[str, float]:
    """Best µs to build each attrs class that `import ashby_query` creates, installed."""
    pycache = tempfile.mkdtemp(prefix="aq-cold-pyc-")
    env = _env("installed", pycache)
    best: dict[str, float] = {}
    try:
        for _ in range(runs):
            out = subprocess.run(
                [sys.executable, "-c", _CLASS_PROBE],
                env=env,
                cwd=PACKAGE.parent,
                capture_output=True,
                text=True,
            )
            for line in out.stdout.splitlines():
                name, us = line.rsplit(" ", 1)
                best[name] = min(best.get(name, float("inf")), float(us))
    finally:
        shutil.rmtree(pycache, ignore_errors=True)
    return best


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    print(f"python {sys.version.split()[0]}, best of {runs} fresh processes each")
    times, written = measure(runs)
    print(f"{'mode':10} {'program':20} {'wall ms':>8} {'cpu ms':>8} {'cpu over pass':>14}  loaded")
    for mode in MODES:
        for name, code in PROGRAMS.items():
            wall, cpu = best(times, mode, name)
            mods = (" ".join(loaded(code)) or "-") if mode == MODES[0] else "(as above)"
            over = cpu - best(times, mode, PASS)[1]
            print(f"{mode:10} {name:20} {wall:8.1f} {cpu:8.1f} {over:14.1f}  {mods}")
    for mode in MODES:
        s = summary(times, mode)
        print(
            f"{mode}: import {s['import']:.1f} ms cpu over pass (aim < {AIM_IMPORT_MS:g}), of "
            f"which import attrs alone {s['attrs']:.1f} (typing {s['typing']:.1f} of it) and "
            f"ours over attrs {s['ours']:.1f}; first parse {s['parse']:.1f} ms "
            f"(aim < {AIM_PARSE_MS:g})"
        )
    print("written to disk:", ", ".join(written) if written else "nothing")
    costs = attrs_class_costs(runs)
    if costs:
        print(f"\nattrs classes built by the import, installed, best µs of {runs}:")
        for name, us in sorted(costs.items(), key=lambda kv: -kv[1]):
            print(f"  {us:6.0f}  {name.removeprefix('ashby_query.')}")
        total = sum(costs.values()) / 1e3
        print(
            f"  {total:6.1f} ms for {len(costs)} classes "
            f"({total / summary(times, MODES[0])['ours']:.0%} of ours over attrs)"
        )


if __name__ == "__main__":
    main()
