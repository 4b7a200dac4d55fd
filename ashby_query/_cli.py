"""The ``ashby-query`` command.

Errors go to stderr with the caret display and exit 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from ._compiler import get_dialect
from ._errors import AshbyQueryError
from ._query import parse
from ._schema import ENTITIES

__all__ = ["main"]

_EPILOG_COMPILE = """example:
  ashby-query compile applications 'status = "active" and createdAt > 2024-01-01'
  echo 'name like "Ann%"' | ashby-query compile candidates --request"""

_EPILOG_FMT = """example:
  ashby-query fmt applications "STATUS == 'active' AND created_at > 2024-01-01\""""


def _read_query(arg: str | None) -> str:
    if arg is not None and arg != "-":
        return arg
    if sys.stdin is None or sys.stdin.isatty():
        raise SystemExit("ashby-query: give the query as an argument or on stdin.")
    return sys.stdin.read().strip()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ashby-query",
        description="Compile, format and run queries on Ashby through Airbyte's connector.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    c = sub.add_parser(
        "compile",
        help="print the context_store_search params for a query",
        description="Print the context_store_search params JSON for a query.",
        epilog=_EPILOG_COMPILE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument("entity", choices=sorted(e for e in ENTITIES if ENTITIES[e].is_searchable))
    c.add_argument("query", nargs="?", help="query text; '-' or absent reads stdin")
    c.add_argument("--request", action="store_true", help="print the whole execute body")
    c.add_argument("--dialect", default="reference", choices=["reference", "2026"])

    f = sub.add_parser(
        "fmt",
        help="print a query in canonical form",
        description="Print a query in canonical form.",
        epilog=_EPILOG_FMT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    f.add_argument("entity", choices=sorted(e for e in ENTITIES if ENTITIES[e].is_searchable))
    f.add_argument("query", nargs="?", help="query text; '-' or absent reads stdin")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        text = _read_query(args.query)
        query = parse(text, args.entity)
        if args.command == "compile":
            dialect = get_dialect(args.dialect)
            out = query.to_request(dialect) if args.request else query.to_params(dialect)
            print(json.dumps(out, indent=2, ensure_ascii=False))
        else:
            print(query)
    except AshbyQueryError as err:
        print(f"ashby-query: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
