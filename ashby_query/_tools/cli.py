"""The ``ashby-query`` command: compile, fmt, explain, fields, decompile, search.

Query text comes from an argument, or from stdin when the argument is ``-`` or absent.
Errors go to stderr: query errors with the caret display and exit 1; usage errors (bad
arguments, entities, files, URLs, missing settings) on one line with exit 2. No input
makes it print a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TextIO, cast

import attrs

from .._back.compiler import get_dialect
from .._back.formatter import format_value
from .._client.errors import ClientError, ConfigurationError
from .._core.ast import And, Condition, Not, Predicate, QueryAST, Value, iter_nodes
from .._core.errors import AshbyQueryError, QueryError
from .._core.schema import ENTITIES, SEARCHABLE, Entity, get_entity
from .._core.types import Op
from .._core.validate import op_word, rebuild
from .._front.builder import Query, from_params, parse
from . import mcp as mcp_server

__all__ = ["main"]

#: The most bytes read from stdin or a --data file: past it the input is refused.
MAX_INPUT_BYTES = 256 * 1024 * 1024
#: How deeply a --data record may nest objects and lists.
MAX_RECORD_DEPTH = 100
#: The widest a table cell grows before it is cut with "…".
MAX_CELL = 40
#: Rows per block of table output: each block is measured and printed as it comes.
TABLE_BLOCK = 100


class UsageError(Exception):
    """Bad command-line input (arguments, entities, files, URLs, settings): exit 2."""


def _epilog(*lines: str) -> str:
    return "example:\n" + "\n".join(f"  {line}" for line in lines)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ashby-query")
    except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        return "unknown (not installed)"


class _VersionAction(argparse.Action):
    """``--version``, reading the installed version only when asked: importing
    importlib.metadata would add about 12 ms to every command's start (cold start)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "show program's version number and exit")
        super().__init__(option_strings, argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        print(f"ashby-query {_version()}")
        parser.exit()


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
    p.add_argument("--version", action=_VersionAction)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_: str, *examples: str) -> argparse.ArgumentParser:
        c = sub.add_parser(
            name,
            help=help_,
            description=help_[0].upper() + help_[1:] + ".",
            epilog=_epilog(*examples),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        c.set_defaults(usage=c.format_usage)  # a usage error shows this command's usage
        return c

    def entity_arg(c: argparse.ArgumentParser) -> None:
        c.add_argument("entity", metavar="ENTITY", help=f"one of: {', '.join(SEARCHABLE)}")

    def query_arg(c: argparse.ArgumentParser) -> None:
        c.add_argument("query", nargs="?", metavar="QUERY", help="query text; '-' or absent: stdin")

    def json_arg(c: argparse.ArgumentParser, what: str) -> None:
        c.add_argument("--json", action="store_true", help=f"print {what} as compact JSON")

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
    json_arg(c, "the JSON on one line")

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
        "ashby-query explain candidates 'name like \"A%\"' --json",
    )
    entity_arg(e)
    query_arg(e)
    json_arg(e, "the explanation")

    fl = command(
        "fields",
        "list entities, or one entity's searchable fields, types and operators",
        "ashby-query fields",
        "ashby-query fields applications --json",
    )
    fl.add_argument(
        "entity", nargs="?", metavar="ENTITY", help="an entity's fields (absent: every entity)"
    )
    json_arg(fl, "the list")

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
        "run a query against the connector, or over records in a file (--data); a table "
        "on a terminal, JSON lines otherwise",
        "ashby-query search candidates 'name like \"A%\"' --data sample",
        "ashby-query search applications 'status = \"active\"' --all   # uses AIRBYTE_* variables",
        "ashby-query search jobs 'status = \"Open\"' --data jobs.jsonl --json",
    )
    entity_arg(s)
    query_arg(s)
    s.add_argument(
        "--data",
        metavar="FILE",
        help="search records in FILE, no network: a JSON array, a JSON object of entity to "
        "records, or JSON lines (in memory, or in DuckDB when the duckdb extra is installed), "
        "or Parquet or CSV (DuckDB); 'sample' is the bundled sample data",
    )
    s.add_argument("--all", action="store_true", help="walk every page (default: one page)")
    s.add_argument(
        "--connector-id",
        metavar="ID",
        help="the Ashby agent connector's id (default: AIRBYTE_CONNECTOR_ID)",
    )
    s.add_argument("--base-url", help="connector API base URL (default: AIRBYTE_BASE_URL)")
    s.add_argument("--dialect", default="reference", choices=["reference", "2026"])
    s.add_argument(
        "--json", action="store_true", help="print JSON lines even on a terminal (no table)"
    )
    s.add_argument("--count", action="store_true", help="print how many records match")

    q = command(
        "sql",
        "print a query as SQL (needs pip install 'ashby-query[sql]')",
        "ashby-query sql applications 'status = \"active\"' --dialect postgres",
        "ashby-query sql jobs 'title like \"%Eng%\"' --dialect snowflake --airbyte --schema ASHBY "
        "--like-case sensitive",
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


# --------------------------------------------------------------------------- input


def _decode(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{what} is not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start} "
            f"cannot be decoded; save it as UTF-8."
        ) from None


def _read_stream(stream: Any, what: str) -> str:
    """Read at most MAX_INPUT_BYTES from a binary or text stream."""
    data = stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise UsageError(f"{what} is larger than {MAX_INPUT_BYTES // 2**20} MiB.")
    return _decode(data, what) if isinstance(data, bytes) else data


def _read(arg: str | None, what: str, stdin: TextIO | None) -> str:
    if arg is not None and arg != "-":
        return arg
    if stdin is None or stdin.isatty():
        raise UsageError(f"give the {what} as an argument or on stdin")
    return _read_stream(getattr(stdin, "buffer", stdin), f"the {what} on stdin").strip()


def _entity(name: str, *, searchable: bool = True) -> Entity:
    """The entity named on the command line; a wrong name is a usage error."""
    try:
        return get_entity(name, searchable=searchable)
    except QueryError as err:
        raise UsageError(str(err)) from None


def _dumps(value: object, compact: bool = False) -> str:
    if compact:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


# --------------------------------------------------------------------------- commands


def _compile(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> None:
    q = parse(_read(args.query, "query", stdin), _entity(args.entity).name)
    dialect = get_dialect(args.dialect)
    body = q.to_request(dialect) if args.request else q.to_params(dialect)
    out.write(_dumps(body, compact=args.json) + "\n")


def _fmt(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> None:
    text = _read(args.query, "query", stdin)
    if args.entity:
        out.write(str(parse(text, _entity(args.entity).name)) + "\n")
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


def _clauses(ast: QueryAST) -> list[str]:
    lines = [f"order by {k.field} {'desc' if k.descending else 'asc'}" for k in ast.sort]
    if ast.limit is not None:
        lines.append(f"limit {ast.limit}")
    if ast.fields is not None:
        lines.append(f"select {', '.join('.'.join(p) for p in ast.fields)}")
    return lines


def _explain(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> None:
    text = _read(args.query, "query", stdin)
    entity = _entity(args.entity).name
    try:
        q = parse(text, entity)
    except QueryError as err:
        if args.json:
            report = {"query": text, "entity": entity, "valid": False, "errors": err.errors()}
            out.write(_dumps(report, compact=True) + "\n")
        else:
            out.write(f"query:     {text}\nentity:    {entity}\n")
            out.write("valid:     no (the problems follow on stderr)\n")
        raise
    ast: QueryAST = q.ast
    tree = _tree(ast.filter) + _clauses(ast)
    if args.json:
        report = {
            "query": text,
            "entity": entity,
            "valid": True,
            "canonical": str(q),
            "tree": tree,
            "params": q.to_params(),
        }
        out.write(_dumps(report, compact=True) + "\n")
        return
    out.write(f"query:     {text}\nentity:    {entity}\n")
    out.write(f"canonical: {q}\nvalid:     yes\n\ntree:\n")
    out.write("".join(f"  {line}\n" for line in tree))
    out.write("\nparams:\n" + _dumps(q.to_params()) + "\n")


def _table(rows: list[list[str]], widths: list[int] | None = None, header: bool = True) -> str:
    if widths is None:
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    if header:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def _fields(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> None:
    if not args.entity:
        listing = [
            {"entity": e.name, "actions": list(e.actions), "searchable": list(e.searchable)}
            for e in ENTITIES.values()
        ]
        if args.json:
            out.write(_dumps(listing, compact=True) + "\n")
            return
        rows = [["entity", "actions", "searchable fields"]]
        for item in listing:
            rows.append(
                [
                    str(item["entity"]),
                    ", ".join(item["actions"]),
                    ", ".join(item["searchable"]) or "-",
                ]
            )
        out.write(_table(rows))
        return
    e = _entity(args.entity, searchable=False)
    fields: list[dict[str, Any]] = [
        {
            "name": f.name,
            "type": f.type.value,
            "operators": [op_word(o) for o in Op if o in f.type.operators],
            "description": f.description,
        }
        for f in e.searchable.values()
    ]
    if args.json:
        detail = {
            "entity": e.name,
            "actions": list(e.actions),
            "searchable": fields,
            "record_fields": {n: t.value for n, t in e.record_fields.items()},
        }
        out.write(_dumps(detail, compact=True) + "\n")
        return
    if not e.is_searchable:
        out.write(
            f"{e.name} has no searchable fields (actions: {', '.join(e.actions)}).\n"
            f"Record fields: {', '.join(e.record_fields)}\n"
        )
        return
    rows = [["field", "type", "operators", "description"]]
    rows += [[f["name"], f["type"], ", ".join(f["operators"]), f["description"]] for f in fields]
    out.write(_table(rows))


def _decompile(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> None:
    raw = _read(args.json, "params JSON", stdin)
    params = _parse_json(raw, "the params text")
    if isinstance(params, dict) and "params" in params and "entity" in params:
        params = params["params"]  # a whole execute body
    out.write(str(from_params(params, _entity(args.entity).name)) + "\n")


def _parse_json(text: str, what: str, line: int | None = None) -> Any:
    """Parse JSON; a line number is counted in the whole file, not in the line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno if line is None else line}, column {exc.colno}"
        raise UsageError(f"{what} is not valid JSON at {where}: {exc.msg}.") from None
    except ValueError as exc:
        raise UsageError(f"{what} is not valid JSON: {exc}") from None
    except RecursionError:
        where = "" if line is None else f", line {line},"
        raise UsageError(f"{what}{where} is nested too deeply to read.") from None


def _load_data(path: str, entity: str) -> list[dict[str, Any]]:
    if path == "sample":
        from .sample import sample_records

        return sample_records()[entity]
    try:
        with open(path, "rb") as fh:
            text = _read_stream(fh, path)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")) and not _looks_like_lines(stripped):
        data = _parse_json(text, path)
    else:
        data = [
            _parse_json(line, path, line=n)
            for n, line in enumerate(text.splitlines(), 1)
            if line.strip()
        ]
    if isinstance(data, dict):
        if entity not in data:
            keys = ", ".join(str(k)[:40] for k in list(data)[:20])
            raise UsageError(f"{path} has no {entity!r} key; keys: {keys}")
        data = data[entity]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise UsageError(f"{path} must hold a list of record objects")
    _check_depth(data, path)
    return data


def _check_depth(data: list[Any], path: str) -> None:
    """Refuse records nested past MAX_RECORD_DEPTH, without recursion."""
    stack: list[tuple[Any, int]] = [(r, 1) for r in data]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_RECORD_DEPTH:
            raise UsageError(
                f"{path} has records nested more than {MAX_RECORD_DEPTH} levels deep; flatten them."
            )
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def _looks_like_lines(text: str) -> bool:
    first = text.split("\n", 1)[0].strip()
    if not first.startswith("{"):
        return False
    try:
        json.loads(first)
    except (ValueError, RecursionError):
        return False
    return "\n" in text.strip()


def _base_url(value: str | None) -> str | None:
    if value is None:
        return None
    import httpx

    try:
        url = httpx.URL(value)
        ok = url.scheme in ("http", "https") and bool(url.host)
    except (httpx.InvalidURL, ValueError, TypeError):
        ok = False
    if not ok:
        raise UsageError(
            f"--base-url {value[:100]!r} is not an http(s) URL; give one such as "
            f"https://api.airbyte.ai, or leave it out for the default."
        )
    return value


def _search(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> None:
    e = _entity(args.entity)
    q: Query = parse(_read(args.query, "query", stdin), e.name)
    table = not args.json and out.isatty()
    note = sys.stderr.isatty()
    if args.data:
        from . import duck

        path = args.data
        if path != "sample" and not os.path.isfile(path):
            raise UsageError(f"cannot read {path}: it is not a file")
        if duck.wants_duckdb(path):  # Parquet, CSV, and JSON when DuckDB is installed
            try:
                if args.count:
                    out.write(f"{duck.count(q, path)}\n")
                else:
                    _write_records(duck.search(q, path), out, e, q, table)
                return
            except duck.DuckDBError as exc:
                if not path.lower().endswith((".json", ".jsonl", ".ndjson")):
                    raise UsageError(f"{path} cannot be read: {exc.detail}") from None
                # JSON that DuckDB cannot take: the in-memory reader says exactly why.
        records = _load_data(path, e.name)
        rows = q.evaluate(records)
        if args.count:
            out.write(f"{len(rows)}\n")
            return
        found = _write_records(rows, out, e, q, table)
        if not found and note:
            sys.stderr.write(_zero_note(q, records) + "\n")
        return
    from .._client.client import AshbyClient

    base_url = _base_url(args.base_url)
    env = os.environ
    if not (args.connector_id or env.get("AIRBYTE_CONNECTOR_ID")):
        raise UsageError(
            "no connector id: pass --connector-id ID or set AIRBYTE_CONNECTOR_ID to the id "
            "of your Ashby agent connector."
        )
    if not (env.get("AIRBYTE_TOKEN") or env.get("AIRBYTE_CLIENT_ID")):
        raise UsageError(
            "no credentials: set AIRBYTE_TOKEN, or AIRBYTE_CLIENT_ID and "
            "AIRBYTE_CLIENT_SECRET, in the environment."
        )
    try:
        client = AshbyClient(args.connector_id, base_url=base_url)
    except ConfigurationError as err:
        raise UsageError(str(err)) from None
    with client:
        resource = getattr(client, e.name)
        if not args.all:
            page = resource.search(q, dialect=args.dialect)
            if args.count:
                out.write(f"{len(page.records)}\n")
                return
            found = _write_records(page.records, out, e, q, table)
            if note and not found:
                sys.stderr.write(_zero_note(q, []) + "\n")
            elif note and page.has_more:
                sys.stderr.write(
                    f"{_plural(found, 'record')}; more pages follow: add --all for every page\n"
                )
            return
        walk = resource.iter_search(q, dialect=args.dialect)
        # The progress line redraws only when stdout is not the same terminal, so records
        # never run into it; the summary line always ends with a newline.
        progress = note and not out.isatty()
        shown = -1
        count = 0

        def stream() -> Iterator[dict[str, Any]]:
            nonlocal shown, count
            for record in walk:
                if progress and walk.pages != shown:
                    shown = walk.pages
                    sys.stderr.write(f"\r{_count(count, shown)}")
                    sys.stderr.flush()
                count += 1
                yield record

        if args.count:
            for _ in stream():
                pass
        else:
            _write_records(stream(), out, e, q, table)
        if note:
            sys.stderr.write(("\r" if progress else "") + _count(count, walk.pages) + "\n")
        if args.count:
            out.write(f"{count}\n")


def _sql(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> None:
    from .duck import sql_text

    q = parse(_read(args.query, "query", stdin), _entity(args.entity).name)
    opts = {"table": args.table, "schema": args.schema, "airbyte": args.airbyte}
    opts["like_case"] = args.like_case
    out.write(sql_text(q, args.dialect, count=args.count, **opts))


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _count(records: int, pages: int) -> str:
    return f"{_plural(records, 'record')}, {_plural(pages, 'page')}"


def _write_records(
    rows: Iterable[Mapping[str, Any]], out: TextIO, entity: Entity, q: Query, table: bool
) -> int:
    """Write records as JSON lines, or as a table in blocks; return how many."""
    if not table:
        n = 0
        for r in rows:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
        return n
    columns = _columns(entity, q)
    n = 0
    widths: list[int] | None = None
    block: list[list[str]] = []

    def flush() -> None:
        nonlocal widths
        if not block:
            return
        first = widths is None
        if first:
            rows_ = [columns, *block]
            widths = [min(MAX_CELL, max(len(r[i]) for r in rows_)) for i in range(len(columns))]
            _fit(widths, columns, shutil.get_terminal_size().columns)
            block.insert(0, columns)
        assert widths is not None
        cut = [[_cut(c, w) for c, w in zip(r, widths, strict=True)] for r in block]
        out.write(_table(cut, widths, header=first))
        block.clear()

    for r in rows:
        block.append([_cell(_get(r, c)) for c in columns])
        n += 1
        if len(block) >= TABLE_BLOCK:
            flush()
    flush()
    return n


def _fit(widths: list[int], columns: list[str], room: int) -> None:
    """Narrow the widest columns until the table fits ``room`` characters, if it can."""
    floors = [max(len(c), 8) for c in columns]
    while sum(widths) + 2 * (len(widths) - 1) > room:
        i = max(range(len(widths)), key=lambda k: widths[k] - floors[k])
        if widths[i] <= floors[i]:
            return
        widths[i] -= 1


def _columns(entity: Entity, q: Query) -> list[str]:
    if q.ast.fields:
        return [".".join(p) for p in q.ast.fields]
    return list(entity.searchable)


def _get(record: Mapping[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    # Control characters (newlines, terminal escapes) never reach the terminal raw.
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[: MAX_CELL * 4])


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _zero_note(q: Query, records: list[dict[str, Any]]) -> str:
    """The stderr note for an empty result, with a case hint when one would help."""
    note = "0 records (matching is case-sensitive: check the case of quoted values)"
    hint = _case_hint(q, records) if records else None
    return note if hint is None else f"{note}; {hint}"


def _case_hint(q: Query, records: list[dict[str, Any]]) -> str | None:
    """Respell ``=``/``in`` text values as the records spell them; report what that finds."""
    flt = q.ast.filter
    if flt is None:
        return None
    wanted = {
        (n.field, v.casefold())
        for n, _ in iter_nodes(flt)
        if isinstance(n, Predicate) and n.op in (Op.EQ, Op.IN)
        for v in (n.value if isinstance(n.value, tuple) else (n.value,))
        if isinstance(v, str)
    }
    if not wanted:
        return None
    spelling: dict[tuple[str, str], str] = {}
    for r in records:
        for field, folded in wanted:
            v = r.get(field)
            if isinstance(v, str) and v.casefold() == folded:
                spelling.setdefault((field, folded), v)
    if not spelling:
        return None

    def respell(p: Predicate, loc: object) -> Condition:
        def one(v: object) -> object:
            return spelling.get((p.field, v.casefold()), v) if isinstance(v, str) else v

        value = tuple(map(one, p.value)) if isinstance(p.value, tuple) else one(p.value)
        return attrs.evolve(p, value=cast(Value, value))

    try:
        other = Query(attrs.evolve(q.ast, filter=rebuild(flt, respell)), q.schema)
        found = len(other.evaluate(records))
    except AshbyQueryError:
        return None
    if not found:
        return None
    return f"ignoring case, {found} match: {str(other)[:200]}"


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


def _unwritable(err: UnicodeEncodeError) -> str:
    char = err.object[err.start : err.start + 1]
    if "\ud800" <= char <= "\udfff":
        return (
            f"the output holds {char!r}, a lone surrogate, which is not a character and "
            f"cannot be written as UTF-8; remove it from the query or data, or use a "
            f"\\uXXXX escape of a real character."
        )
    return (
        f"the output holds {char!r}, which the output encoding ({err.encoding}) cannot "
        f"write; set PYTHONIOENCODING=utf-8."
    )


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 query or API error, 2 usage).

    Reads ``stdin`` (default ``sys.stdin``) and writes to ``sys.stdout`` and ``sys.stderr``.
    """
    parser = _parser()
    try:
        args, extra = parser.parse_known_args(argv)
        # argparse cannot place an optional positional after an option ("compile ENTITY
        # --request QUERY"); take one leftover word as that positional.
        slot = next((n for n in ("query", "json") if getattr(args, n, "") is None), None)
        if extra and slot is not None and len(extra) == 1 and not extra[0].startswith("--"):
            setattr(args, slot, extra[0])
        elif extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exit_:  # --help, --version and argparse's own usage errors
        return exit_.code if isinstance(exit_.code, int) else 2
    command = args.command
    try:
        _COMMANDS[command](args, sys.stdout, sys.stdin if stdin is None else stdin)
        sys.stdout.flush()
    except (UsageError, mcp_server.DataError) as err:
        sys.stderr.write(args.usage())
        print(f"ashby-query {command}: error: {err}", file=sys.stderr)
        return 2
    except (QueryError, ClientError, AshbyQueryError) as err:
        print(f"ashby-query: {err}", file=sys.stderr)
        return 1
    except UnicodeEncodeError as err:
        print(f"ashby-query {command}: error: {_unwritable(err)}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (| head); stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
    except Exception as err:  # the last line of defence: never a traceback
        text = str(err).splitlines()[0][:300] if str(err) else ""
        print(
            f"ashby-query {command}: internal error: {type(err).__name__}: {text} "
            f"(this is a bug in ashby-query; please report it with the command you ran)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
