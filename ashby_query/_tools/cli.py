"""The ``ashby-query`` command: compile, fmt, explain, fields, decompile, search.

Query text comes from an argument, or from stdin when the argument is ``-`` or absent.
Errors go to stderr with the caret display and exit 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from .._back.compiler import get_dialect
from .._back.formatter import format_value
from .._client.errors import ClientError
from .._core.ast import And, Condition, Not, Predicate, QueryAST, iter_nodes
from .._core.errors import AshbyQueryError, QueryError
from .._core.schema import ENTITIES, SEARCHABLE
from .._core.types import Op
from .._core.validate import op_word
from .._front.builder import Query, from_params, parse
from . import mcp as mcp_server
from .sample import sample_records

__all__ = ["main"]


class UsageError(Exception):
    """Bad command-line input: exit 2."""


def _epilog(*lines: str) -> str:
    return "example:\n" + "\n".join(f"  {line}" for line in lines)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ashby-query",
        description="Compile, format, explain and run queries on Ashby data through "
        "Airbyte's Ashby agent connector.",
        epilog=_epilog(
            "ashby-query compile applications 'status = \"active\" and createdAt > 2024-01-01'",
            "ashby-query search candidates 'name like \"A%\"' --data sample",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_: str, *examples: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help_,
            description=help_[0].upper() + help_[1:] + ".",
            epilog=_epilog(*examples),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    def entity_arg(c: argparse.ArgumentParser) -> None:
        c.add_argument("entity", metavar="ENTITY", help=f"one of: {', '.join(SEARCHABLE)}")

    def query_arg(c: argparse.ArgumentParser) -> None:
        c.add_argument("query", nargs="?", metavar="QUERY", help="query text; '-' or absent: stdin")

    c = command(
        "compile",
        "print the context_store_search params for a query",
        "ashby-query compile applications 'status = \"active\" and createdAt > 2024-01-01'",
        "echo 'name like \"Ann%\"' | ashby-query compile candidates --request --dialect 2026",
    )
    entity_arg(c)
    query_arg(c)
    c.add_argument("--request", action="store_true", help="print the whole execute body")
    c.add_argument("--dialect", default="reference", choices=["reference", "2026"])

    f = command(
        "fmt",
        "print a query in canonical form",
        "ashby-query fmt \"STATUS == 'active' AND created_at > 2024-01-01\"",
        "ashby-query fmt 'name LIKE \"A%\"' --entity candidates",
    )
    query_arg(f)
    f.add_argument(
        "--entity",
        help="check against this entity (default: the first searchable entity "
        "the query is valid for)",
    )

    e = command(
        "explain",
        "show the parsed tree, the validation result and the JSON of a query",
        'ashby-query explain applications \'(status = "a" or status = "b") and not id = "x"\'',
    )
    entity_arg(e)
    query_arg(e)

    fl = command(
        "fields",
        "list entities, or one entity's searchable fields, types and operators",
        "ashby-query fields",
        "ashby-query fields applications",
    )
    fl.add_argument("entity", nargs="?", metavar="ENTITY")

    d = command(
        "decompile",
        "turn context_store_search params (JSON) back into query text",
        "ashby-query decompile applications "
        '\'{"query": {"filter": {"eq": {"status": "active"}}}}\'',
    )
    entity_arg(d)
    d.add_argument("json", nargs="?", metavar="JSON", help="params JSON; '-' or absent: stdin")

    s = command(
        "search",
        "run a query against the connector, or over records in a file (--data)",
        "ashby-query search candidates 'name like \"A%\"' --data sample",
        "ashby-query search applications 'status = \"active\"' --all   # uses AIRBYTE_* variables",
        "ashby-query search jobs 'status = \"Open\"' --data jobs.jsonl",
    )
    entity_arg(s)
    query_arg(s)
    s.add_argument(
        "--data",
        metavar="FILE",
        help="search records in FILE (JSON array, JSON object of entity to records, or JSON "
        "lines) with the in-memory engine, no network; 'sample' is the bundled sample data",
    )
    s.add_argument("--all", action="store_true", help="walk every page (default: one page)")
    s.add_argument("--base-url", help="connector API base URL (default: AIRBYTE_BASE_URL)")
    s.add_argument("--dialect", default="reference", choices=["reference", "2026"])
    s.add_argument("--count", action="store_true", help="print how many records match")

    q = command(
        "sql",
        "print a query as SQL (needs pip install 'ashby-query[sql]')",
        "ashby-query sql applications 'status = \"active\"' --dialect postgres",
        "ashby-query sql jobs 'title like \"%Eng%\"' --dialect snowflake --airbyte --schema ASHBY",
    )
    entity_arg(q)
    query_arg(q)
    q.add_argument("--dialect", default="duckdb", help="duckdb, sqlite, postgres, snowflake, ...")
    q.add_argument("--table", help="table name (default: the entity)")
    q.add_argument("--schema", help="schema (namespace) of the table")
    q.add_argument("--airbyte", action="store_true", help="Airbyte destination tables")
    q.add_argument("--count", action="store_true", help="select COUNT(*) instead of the records")
    q.add_argument("--like-case", choices=["insensitive", "sensitive"], default="insensitive",
                   help="like ignores case (default; no exact SQL) or not")  # fmt: skip

    mcp_server.add_arguments(
        command("mcp", "serve search tools to AI agents over MCP", "ashby-query mcp --data sample")
    )
    return p


def _read(arg: str | None, what: str, stdin: TextIO) -> str:
    if arg is not None and arg != "-":
        return arg
    if stdin is None or stdin.isatty():
        raise UsageError(f"give the {what} as an argument or on stdin")
    return stdin.read().strip()


def _entity(name: str) -> str:
    from .._core.schema import get_entity

    return get_entity(name).name


# --------------------------------------------------------------------------- commands


def _compile(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> None:
    q = parse(_read(args.query, "query", stdin), _entity(args.entity))
    dialect = get_dialect(args.dialect)
    body = q.to_request(dialect) if args.request else q.to_params(dialect)
    out.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")


def _fmt(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> None:
    text = _read(args.query, "query", stdin)
    if args.entity:
        out.write(str(parse(text, _entity(args.entity))) + "\n")
        return
    best: QueryError | None = None
    for name in SEARCHABLE:
        try:
            q = parse(text, name)
        except QueryError as err:
            if best is None or err.error_count() < best.error_count():
                best = err
            if err.type not in ("unknown_field", "field_not_searchable", "sort_not_searchable"):
                raise
            continue
        out.write(str(q) + "\n")
        return
    assert best is not None
    raise best


def _tree(node: Condition | None, indent: str = "") -> list[str]:
    if node is None:
        return [f"{indent}(no filter: every record)"]
    lines: list[str] = []
    for n, path in iter_nodes(node):
        pad = indent + "  " * sum(isinstance(k, str) for k in path)
        if isinstance(n, Predicate):
            value = "" if n.op is Op.IS_NULL else f" {format_value(n.value, n.op)}"
            lines.append(f"{pad}{n.field} {op_word(n.op)}{value}")
        else:
            word = "not" if isinstance(n, Not) else "and" if isinstance(n, And) else "or"
            lines.append(f"{pad}{word}")
    return lines


def _explain(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> None:
    text = _read(args.query, "query", stdin)
    entity = _entity(args.entity)
    out.write(f"query:     {text}\nentity:    {entity}\n")
    try:
        q = parse(text, entity)
    except QueryError:
        out.write("valid:     no (the problems follow on stderr)\n")
        raise
    ast: QueryAST = q.ast
    out.write(f"canonical: {q}\nvalid:     yes\n\ntree:\n")
    out.write("\n".join(_tree(ast.filter, "  ")) + "\n")
    for key in ast.sort:
        out.write(f"  order by {key.field} {'desc' if key.descending else 'asc'}\n")
    if ast.limit is not None:
        out.write(f"  limit {ast.limit}\n")
    if ast.fields is not None:
        out.write(f"  select {', '.join('.'.join(p) for p in ast.fields)}\n")
    out.write("\nparams:\n" + json.dumps(q.to_params(), indent=2, ensure_ascii=False) + "\n")


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def _fields(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> None:
    if not args.entity:
        rows = [["entity", "actions", "searchable fields"]]
        for e in ENTITIES.values():
            rows.append([e.name, ", ".join(e.actions), ", ".join(e.searchable) or "-"])
        out.write(_table(rows))
        return
    from .._core.schema import get_entity

    e = get_entity(args.entity, searchable=False)
    if not e.is_searchable:
        out.write(
            f"{e.name} has no searchable fields (actions: {', '.join(e.actions)}).\n"
            f"Record fields: {', '.join(e.record_fields)}\n"
        )
        return
    rows = [["field", "type", "operators", "description"]]
    for f in e.searchable.values():
        ops = ", ".join(op_word(o) for o in Op if o in f.type.operators)
        rows.append([f.name, f.type.value, ops, f.description])
    out.write(_table(rows))


def _decompile(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> None:
    raw = _read(args.json, "params JSON", stdin)
    try:
        params = json.loads(raw)
    except ValueError as exc:
        raise UsageError(f"the params are not valid JSON: {exc}") from None
    except RecursionError:
        raise UsageError("the params JSON is nested too deeply to read") from None
    if isinstance(params, dict) and "params" in params and "entity" in params:
        params = params["params"]  # a whole execute body
    out.write(str(from_params(params, _entity(args.entity))) + "\n")


def _load_data(path: str, entity: str) -> list[dict[str, Any]]:
    if path == "sample":
        return sample_records()[entity]
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    stripped = text.lstrip()
    try:
        if stripped.startswith(("[", "{")) and not _looks_like_lines(stripped):
            data = json.loads(text)
        else:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError as exc:
        raise UsageError(f"{path} is neither JSON nor JSON lines: {exc}") from None
    if isinstance(data, dict):
        if entity not in data:
            raise UsageError(f"{path} has no {entity!r} key; keys: {', '.join(map(str, data))}")
        data = data[entity]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise UsageError(f"{path} must hold a list of record objects")
    return data


def _looks_like_lines(text: str) -> bool:
    first = text.split("\n", 1)[0].strip()
    if not first.startswith("{"):
        return False
    try:
        json.loads(first)
    except ValueError:
        return False
    return "\n" in text.strip()


def _search(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> None:
    entity = _entity(args.entity)
    q: Query = parse(_read(args.query, "query", stdin), entity)
    if args.data:
        from . import duck

        if duck.wants_duckdb(args.data):  # Parquet, CSV, and JSON when DuckDB is installed
            if args.count:
                out.write(f"{duck.count(q, args.data)}\n")
            else:
                _write_lines(duck.search(q, args.data), out)
            return
        rows: Iterable[Any] = q.evaluate(_load_data(args.data, entity))
        if args.count:
            out.write(f"{len(list(rows))}\n")
            return
        _write_lines(rows, out)
        return
    from .._client.client import AshbyClient

    with AshbyClient(base_url=args.base_url) as client:
        resource = getattr(client, entity)
        if not args.all:
            records = resource.search(q, dialect=args.dialect).records
            if args.count:
                out.write(f"{len(records)}\n")
                return
            _write_lines(records, out)
            return
        walk = resource.iter_search(q, dialect=args.dialect)
        progress = sys.stderr.isatty()
        count = 0
        for record in walk:
            if not args.count:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
            if progress and count % 100 == 0:
                sys.stderr.write(f"\r{count} records, {walk.pages} pages")
        if progress:
            sys.stderr.write(f"\r{count} records, {walk.pages} pages\n")
        if args.count:
            out.write(f"{count}\n")


def _sql(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> None:
    from .duck import sql_text

    q = parse(_read(args.query, "query", stdin), _entity(args.entity))
    opts = {"table": args.table, "schema": args.schema, "airbyte": args.airbyte}
    opts["like_case"] = args.like_case
    out.write(sql_text(q, args.dialect, count=args.count, **opts))


def _write_lines(rows: Iterable[Any], out: TextIO) -> None:
    for r in rows:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")


_COMMANDS = {
    "compile": _compile,
    "fmt": _fmt,
    "explain": _explain,
    "fields": _fields,
    "decompile": _decompile,
    "search": _search,
    "sql": _sql,
    "mcp": mcp_server.main,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    # argparse cannot place an optional positional after an option ("compile ENTITY
    # --request QUERY"); take one leftover word as that positional.
    slot = next((n for n in ("query", "json") if getattr(args, n, "") is None), None)
    if extra and slot is not None and len(extra) == 1 and not extra[0].startswith("--"):
        setattr(args, slot, extra[0])
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        _COMMANDS[args.command](args, sys.stdout, sys.stdin)
    except UsageError as err:
        parser.print_usage(sys.stderr)
        print(f"ashby-query {args.command}: error: {err}", file=sys.stderr)
        return 2
    except (QueryError, ClientError, AshbyQueryError) as err:
        print(f"ashby-query: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (| head); stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
