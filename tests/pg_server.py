"""A throwaway PostgreSQL server for the SQL tests, started from the installed binaries.

Looks for ``initdb`` and ``pg_ctl`` on PATH or under ``/usr/lib/postgresql/*/bin`` (Debian's
``postgresql`` package, which ``.ci/run`` installs), initialises a cluster in a temporary
directory, and listens on a free loopback port. The default collation is ICU ``en-US``, so
the tests meet a locale that does not sort by code point, as most servers do not. As root
(where ``initdb`` refuses to run) it runs the server as the ``postgres`` user. Without a
server the tests skip with the reason; with ``CI=true`` they fail instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def missing(reason: str) -> None:
    """Skip, or fail when CI=true: CI must run every engine."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true, so this fails instead of skipping)")
    pytest.skip(reason)


def _bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


def start() -> Iterator[Any]:
    """Yield a psycopg connection (autocommit, UTC session) to a fresh server; stop it after."""
    try:
        import psycopg
    except ImportError:
        missing("psycopg is not installed (pip install -e '.[test]')")
    bindir = _bindir()
    if bindir is None:
        missing("no PostgreSQL server binaries (apt-get install postgresql)")
    assert bindir is not None
    root = Path(tempfile.mkdtemp(prefix="aq-pg-"))
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    if os.geteuid() == 0:
        try:
            shutil.chown(root, "postgres")
            shutil.chown(sockets, "postgres")
        except (LookupError, OSError):
            missing("running as root and there is no postgres user to run the server as")
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
              "-E", "UTF8", "--locale=C.UTF-8"]  # fmt: skip
    try:
        try:
            icu = ["--locale-provider=icu", "--icu-locale=en-US"]
            subprocess.run(_as_server_user([*initdb, *icu]), check=True, capture_output=True,
                           env=env, timeout=120)  # fmt: skip
        except subprocess.CalledProcessError:  # a server built without ICU (or before 15)
            shutil.rmtree(data, ignore_errors=True)
            subprocess.run(_as_server_user(initdb), check=True, capture_output=True,
                           env=env, timeout=120)  # fmt: skip
        subprocess.run(
            _as_server_user(
                [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"),
                 "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off",
                 "start"]
            ),
            check=True, capture_output=True, env=env, timeout=120,
        )  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        out = getattr(exc, "stderr", b"") or b""
        shutil.rmtree(root, ignore_errors=True)
        missing(f"could not start PostgreSQL: {exc} {out.decode(errors='replace')[-400:]}")
    try:
        con = psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True
        )
        con.execute("SET TimeZone = 'UTC'")
        yield con
        con.close()
    finally:
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True, env=env, timeout=60, check=False,
        )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)
