"""``ashby-query mcp``: a Model Context Protocol server over Ashby data.

Tools (``tools/list``), for the entities the data source holds:

- ``search_<entity>`` for each searchable entity: ``query`` text, ``limit``, ``cursor``;
  returns ``{"records": [...], "next_cursor": "..." | null}``.
- ``list_<entity>`` for every entity (``limit``, ``cursor``, same answer) and
  ``get_<entity without the s>`` (``id``) for those that have ``get``.
- ``check_query``: the canonical text and the params JSON of a query, without running it.
- ``describe_entity``: an entity's fields and the query language, as text.

Each entity's schema is also a resource, ``ashby://schema/<entity>`` (JSON).

Data comes from the hosted connector (``AIRBYTE_*`` variables, as for ``ashby-query
search``) or, with ``--data FILE`` or ``--data sample``, from records held in memory and
searched with the in-memory engine, cursor paging included. A bad query or a failed call
never stops the server: the tool answers with ``isError`` and a text an agent can act on
(``QueryError.for_agent()``, or the client error's message, which never holds a secret).

The ``mcp`` package is imported only when the server starts (``pip install
'ashby-query[mcp]'``); the rest of this module works without it:

>>> backend = LocalData({"jobs": [{"id": "j1", "title": "Staff Engineer", "status": "Open"}]})
>>> [t["name"] for t in tool_specs(backend)]
['search_jobs', 'list_jobs', 'get_job', 'check_query', 'describe_entity']
>>> import asyncio
>>> asyncio.run(call_tool(backend, "search_jobs", {"query": 'title like "Staff%"'}))[0]
{'records': [{'id': 'j1', 'title': 'Staff Engineer', 'status': 'Open'}], 'next_cursor': None}
>>> asyncio.run(call_tool(backend, "search_jobs", {"query": "status = Open"}))[0]["error"]["type"]
'unquoted_value'
"""

from __future__ import annotations

import argparse
import builtins
import copy
import functools
import json
import logging
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from .._client.errors import ClientError, NotFoundError
from .._core.errors import AshbyQueryError, QueryError
from .._core.schema import ENTITIES, SEARCHABLE, Entity, get_entity
from .._core.types import Op
from .._core.validate import MAX_LIMIT, op_word
from .._front.builder import Query, parse

if TYPE_CHECKING:  # pathlib loads with the first --data path (CLI cold start)
    from pathlib import Path

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "Hosted",
    "LocalData",
    "MissingExtraError",
    "add_arguments",
    "build_server",
    "call_tool",
    "load_data",
    "main",
    "resource_specs",
    "tool_specs",
]

log = logging.getLogger("ashby_query.mcp")

DEFAULT_PAGE_SIZE = 25
"""Records per page when neither the ``limit`` argument nor the query sets one."""

_INSTALL = "pip install 'ashby-query[mcp]'"
_SCHEMA_URI = "ashby://schema/"


class MissingExtraError(AshbyQueryError, ImportError):
    """An optional dependency is not installed; the message names the ``pip install``."""


class DataError(AshbyQueryError, ValueError):
    """``--data`` names a file that cannot be read as records."""


class ArgumentError(AshbyQueryError, ValueError):
    """A tool was called with arguments its input schema does not accept."""


# --------------------------------------------------------------------------- data sources


class Backend(Protocol):
    """A data source: the hosted connector, or records in memory."""

    def entities(self) -> list[Entity]:
        """The entities this source can answer for."""

    async def search(
        self, entity: Entity, q: Query, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of matches and the cursor of the next page (``None`` at the end)."""

    async def list(
        self, entity: Entity, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of records and the cursor of the next page."""

    async def get(self, entity: Entity, record_id: str) -> dict[str, Any]:
        """One record by id."""

    async def close(self) -> None:
        """Release connections."""


def _entity_names(only: Collection[str] | None) -> frozenset[str] | None:
    """The wire names of the entities in ``only`` (any spelling); unknown ones raise."""
    if only is None:
        return None
    return frozenset(get_entity(name, searchable=False).name for name in only)


def _select(only: frozenset[str] | None) -> list[Entity]:
    return [e for e in ENTITIES.values() if only is None or e.name in only]


def _not_found(entity: Entity, record_id: str) -> NotFoundError:
    tools = f"list_{entity.name}" + (f" or search_{entity.name}" if entity.is_searchable else "")
    return NotFoundError(
        f"No {entity.name} record has id {record_id!r}; find ids with {tools}.",
        status_code=404,
    )


def _bad_cursor(cursor: str, why: str) -> ArgumentError:
    return ArgumentError(
        f"The cursor {cursor[:40]!r} {why}. Send the same query as the page the cursor "
        "came from, or drop the cursor to start again."
    )


class LocalData:
    """Records held in memory, searched with the in-memory engine and paged by offset.

    A cursor encodes the entity, a hash of the query (without its limit) and the offset
    of the next record, so a cursor only continues the query it came from.

    >>> data = LocalData({"sources": [{"id": str(i)} for i in range(3)]})
    >>> import asyncio
    >>> page, nxt = asyncio.run(data.list(ENTITIES["sources"], 2, None))
    >>> [r["id"] for r in page], asyncio.run(data.list(ENTITIES["sources"], 2, nxt))
    (['0', '1'], ([{'id': '2'}], None))
    """

    def __init__(
        self,
        records: Mapping[str, Sequence[Mapping[str, Any]]],
        *,
        only: Collection[str] | None = None,
    ) -> None:
        self._matches: dict[str, list[Mapping[str, Any]]] = {}
        self._records: dict[str, list[dict[str, Any]]] = {
            get_entity(name, searchable=False).name: [dict(r) for r in rows]
            for name, rows in records.items()
        }
        self._only = _entity_names(only)

    def entities(self) -> list[Entity]:
        """The entities the data holds records for (and ``only`` names), in order."""
        return [e for e in _select(self._only) if e.name in self._records]

    @staticmethod
    def _cursor(entity: Entity, key: str, offset: int) -> str:
        import base64  # the cursor helpers load with the first page (CLI cold start)
        import hashlib

        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        raw = json.dumps({"e": entity.name, "q": digest, "o": offset}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @staticmethod
    def _offset(entity: Entity, key: str, cursor: str | None) -> int:
        if cursor is None:
            return 0
        import base64
        import binascii
        import hashlib

        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            data = json.loads(raw)
            entity_name, digest, offset = data["e"], data["q"], data["o"]
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise _bad_cursor(cursor, "is not one this server gave out") from None
        if entity_name != entity.name or not isinstance(offset, int) or offset < 0:
            raise _bad_cursor(cursor, f"does not belong to {entity.name}")
        if digest != hashlib.sha256(key.encode()).hexdigest()[:16]:
            raise _bad_cursor(cursor, "belongs to another query")
        return offset

    def _page(
        self,
        entity: Entity,
        rows: Sequence[Mapping[str, Any]],
        key: str,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        start = self._offset(entity, key, cursor)
        end = start + limit
        nxt = self._cursor(entity, key, end) if end < len(rows) else None
        return [dict(r) for r in rows[start:end]], nxt

    async def search(
        self, entity: Entity, q: Query, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of ``q``'s matches, in the query's order."""
        whole = q.limit(None).cursor(None)
        key = f"search:{entity.name}:{whole}"
        rows = self._matches.get(key)
        if rows is None:  # a walk reads each page of the same answer, so keep a few
            if len(self._matches) >= 16:
                self._matches.clear()
            rows = self._matches[key] = whole.evaluate(self._records.get(entity.name, []))
        return self._page(entity, rows, key, limit, cursor)

    async def list(
        self, entity: Entity, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the entity's records, in the data's order."""
        return self._page(entity, self._records.get(entity.name, []), "list", limit, cursor)

    async def get(self, entity: Entity, record_id: str) -> dict[str, Any]:
        """The record whose ``id`` is ``record_id``."""
        for row in self._all(entity):
            if row.get("id") == record_id:
                return row
        raise _not_found(entity, record_id)

    def _all(self, entity: Entity) -> builtins.list[dict[str, Any]]:
        return self._records.get(entity.name, [])

    async def close(self) -> None:
        """Nothing to release."""


class FileData(LocalData):
    """Records in files or database tables, one per entity, searched in DuckDB.

    :meth:`folder` reads ``<entity>.jsonl`` (or ``.ndjson``, ``.json``, ``.parquet``,
    ``.csv``) files, such as tables exported from Airbyte's destination; :meth:`database`
    reads the tables of a DuckDB database file that are named after entities. A page
    re-runs the query through the SQL back end and streams past the records before it,
    so no answer is held in memory; an entity without searchable fields is read into
    memory when first asked for.
    """

    def __init__(
        self,
        sources: Mapping[str, Any],
        *,
        con: Any = None,
        only: Collection[str] | None = None,
    ) -> None:
        super().__init__({}, only=only)
        self._files: dict[str, Any] = dict(sources)
        self._con = con

    @classmethod
    def folder(cls, folder: Path, *, only: Collection[str] | None = None) -> FileData:
        """The files in ``folder`` named after entities."""
        from .duck import FILE_SUFFIXES

        files: dict[str, Path] = {}
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in FILE_SUFFIXES and path.stem in ENTITIES:
                files.setdefault(path.stem, path)
        if not files:
            raise DataError(
                f"{folder} holds no file named after an entity; name them like "
                f"candidates.parquet or applications.jsonl ({', '.join(FILE_SUFFIXES)})."
            )
        return cls(files, only=only)

    @classmethod
    def database(cls, path: Path, *, only: Collection[str] | None = None) -> FileData:
        """The tables of the DuckDB database at ``path`` named after entities."""
        from .duck import connect

        if not path.is_file():
            raise DataError(f"{path} is not a file; give the path of a DuckDB database.")
        try:
            con = connect(str(path))
            names = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        except AshbyQueryError:
            raise
        except Exception as exc:  # DuckDB's errors share no base class worth naming
            raise DataError(f"Cannot open {path} as a DuckDB database: {str(exc)[:200]}") from None
        tables = {n: con.table(n) for n in ENTITIES if n in names}
        if not tables:
            raise DataError(
                f"{path} has no table named after an entity (such as candidates or jobs)."
            )
        return cls(tables, con=con, only=only)

    def entities(self) -> list[Entity]:
        """The entities with a file or table (and ``only`` names), in order."""
        return [e for e in _select(self._only) if e.name in self._files]

    def _rows(self, entity: Entity, q: Query, skip: int, take: int) -> list[dict[str, Any]]:
        from itertools import islice

        from .duck import search

        stream = search(q, self._files[entity.name], entity.name, con=self._con)
        return [dict(r) for r in islice(stream, skip, skip + take)]

    def _loaded(self, entity: Entity) -> list[dict[str, Any]]:
        rows = self._records.get(entity.name)
        if rows is None:
            from pathlib import Path

            source = self._files[entity.name]
            try:
                suffix = source.suffix.lower() if isinstance(source, Path) else ""
                if suffix in (".jsonl", ".ndjson"):
                    with source.open(encoding="utf-8") as fh:
                        rows = [json.loads(line) for line in fh if line.strip()]
                elif suffix == ".json":
                    rows = json.loads(source.read_text("utf-8"))
                else:  # typed columns (Parquet, CSV, a table): read each row as JSON
                    from .duck import FILE_SUFFIXES, _quote, _string, connect

                    if suffix:
                        reader = FILE_SUFFIXES[suffix].split("(")[0]
                        table = f"{reader}({_string(str(source))})"
                        found = connect().execute(f"SELECT to_json(t) FROM {table} AS t")
                    else:
                        found = self._con.execute(
                            f"SELECT to_json(t) FROM {_quote(entity.name)} AS t"
                        )
                    rows = [json.loads(row[0]) for row in found.fetchall()]
            except (OSError, ValueError, RecursionError) as exc:
                raise DataError(f"Cannot read {source}: {str(exc)[:200]}.") from None
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise DataError(f"{source} must hold records (JSON objects), one per line.")
            self._records[entity.name] = rows
        return rows

    def _all(self, entity: Entity) -> list[dict[str, Any]]:
        return self._loaded(entity)

    async def search(
        self, entity: Entity, q: Query, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of ``q``'s matches, in the query's order."""
        whole = q.limit(None).cursor(None)
        key = f"search:{entity.name}:{whole}"
        start = self._offset(entity, key, cursor)
        rows = self._rows(entity, whole, start, limit + 1)
        nxt = self._cursor(entity, key, start + limit) if len(rows) > limit else None
        return rows[:limit], nxt

    async def list(
        self, entity: Entity, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the entity's records."""
        if entity.name not in SEARCHABLE:
            return self._page(entity, self._loaded(entity), "list", limit, cursor)
        start = self._offset(entity, "list", cursor)
        rows = self._rows(entity, parse("", entity.name), start, limit + 1)
        nxt = self._cursor(entity, "list", start + limit) if len(rows) > limit else None
        return rows[:limit], nxt

    async def get(self, entity: Entity, record_id: str) -> dict[str, Any]:
        """The record whose ``id`` is ``record_id``."""
        if entity.name not in SEARCHABLE:
            return await super().get(entity, record_id)
        found = self._rows(entity, parse(f"id = {json.dumps(record_id)}", entity.name), 0, 1)
        if not found:
            raise _not_found(entity, record_id)
        return found[0]


class Hosted:
    """The hosted connector, through an :class:`AsyncAshbyClient` (``client``, or one made
    from the ``AIRBYTE_*`` variables on first use, so that a missing credential is a tool
    error rather than a server that does not start)."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        connector_id: str | None = None,
        client: Any = None,
        only: Collection[str] | None = None,
    ) -> None:
        self._base_url = base_url
        self._connector_id = connector_id
        self._client = client
        self._only = _entity_names(only)

    def entities(self) -> list[Entity]:
        """Every entity of the connector, or those ``only`` names."""
        return _select(self._only)

    def _resource(self, entity: Entity) -> Any:
        if self._client is None:
            from .._client.client import AsyncAshbyClient

            self._client = AsyncAshbyClient(self._connector_id, base_url=self._base_url)
        return getattr(self._client, entity.name)

    async def search(
        self, entity: Entity, q: Query, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page from ``context_store_search``."""
        page = await self._resource(entity).context_store_search(q, limit=limit, cursor=cursor)
        return page.records, page.cursor if page.has_more else None

    async def list(
        self, entity: Entity, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page from ``list``."""
        page = await self._resource(entity).list(limit=limit, cursor=cursor)
        return page.records, page.cursor if page.has_more else None

    async def get(self, entity: Entity, record_id: str) -> dict[str, Any]:
        """One record from ``get``."""
        return await self._resource(entity).get(record_id)  # type: ignore[no-any-return]

    async def close(self) -> None:
        """Close the client's connections."""
        if self._client is not None:
            await self._client.aclose()


def load_data(source: str, *, only: Collection[str] | None = None) -> LocalData:
    """Records for ``--data``: ``"sample"``, a JSON file of entity name to records, a
    folder of files named after entities, or a DuckDB database (``.duckdb``) whose tables
    are named after entities (the last two searched in DuckDB; see :class:`FileData`).

    >>> len(load_data("sample").entities())
    12
    """
    if source == "sample":
        from .sample import sample_records

        return LocalData(sample_records(), only=only)
    from pathlib import Path

    if Path(source).is_dir():
        return FileData.folder(Path(source), only=only)
    if Path(source).suffix.lower() in (".duckdb", ".ddb"):
        return FileData.database(Path(source), only=only)
    try:
        data = json.loads(Path(source).read_text("utf-8"))
    except OSError as exc:
        raise DataError(f"Cannot read {source}: {exc.strerror}.") from None
    except RecursionError:
        raise DataError(f"{source} is nested too deeply to be records.") from None
    except ValueError as exc:
        raise DataError(
            f"{source} is not JSON ({str(exc)[:200]}); give an object of entity name to records."
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(rows, list) and all(isinstance(r, dict) for r in rows) for rows in data.values()
    ):
        raise DataError(
            f"{source} must hold a JSON object mapping entity names to lists of records, "
            'such as {"candidates": [{"id": "c1", "name": "Ann"}]}.'
        )
    return LocalData(data, only=only)


# --------------------------------------------------------------------------- tools


def _singular(entity: Entity) -> str:
    return entity.name[:-1] if entity.name.endswith("s") else entity.name


def _paging_properties() -> dict[str, Any]:
    return {
        "limit": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_LIMIT,
            "description": f"Records per page (default {DEFAULT_PAGE_SIZE}).",
        },
        "cursor": {
            "type": "string",
            "maxLength": 4096,
            "description": "next_cursor of the previous page.",
        },
    }


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def tool_specs(backend: Backend) -> list[dict[str, Any]]:
    """The server's tools as MCP tool objects (``name``, ``description``, ``inputSchema``)."""
    return copy.deepcopy(list(_tools(_names(backend)).values()))


def _names(backend: Backend) -> tuple[str, ...]:
    return tuple(e.name for e in backend.entities())


@functools.lru_cache(maxsize=16)
def _tools(names: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """The tools for the entities ``names``, by tool name (built once; do not mutate)."""
    from .agent import tool_schema

    tools: list[dict[str, Any]] = []
    entities = [ENTITIES[n] for n in names]
    for e in entities:
        if e.is_searchable:
            tools.append(tool_schema(e.name, format="mcp", paging=True))
        tools.append(
            {
                "name": f"list_{e.name}",
                "description": f"List Ashby {e.name} ({e.description[:-1].lower()}); "
                "returns records and next_cursor.",
                "inputSchema": _object(_paging_properties(), []),
            }
        )
        if "get" in e.actions:
            tools.append(
                {
                    "name": f"get_{_singular(e)}",
                    "description": f"Get one Ashby {_singular(e).replace('_', ' ')} by id.",
                    "inputSchema": _object(
                        {"id": {"type": "string", "minLength": 1, "maxLength": 256}}, ["id"]
                    ),
                }
            )
    searchable = [e.name for e in entities if e.is_searchable] or list(SEARCHABLE)
    tools.append(
        {
            "name": "check_query",
            "description": "Check a query without running it: returns its canonical text and "
            "the context_store_search params JSON, or the error with its fix.",
            "inputSchema": _object(
                {
                    "entity": {"type": "string", "enum": searchable},
                    "query": {"type": "string", "maxLength": 65536},
                },
                ["entity", "query"],
            ),
        }
    )
    tools.append(
        {
            "name": "describe_entity",
            "description": "Describe an entity: its fields, types and operators, and the "
            "query language with examples.",
            "inputSchema": _object(
                {"entity": {"type": "string", "enum": [e.name for e in entities]}}, ["entity"]
            ),
        }
    )
    return {t["name"]: t for t in tools}


def schema_document(entity: Entity) -> dict[str, Any]:
    """An entity's schema as JSON: actions, record fields, searchable fields."""
    return {
        "name": entity.name,
        "description": entity.description,
        "actions": list(entity.actions),
        "get_param": entity.get_param,
        "record_fields": {name: t.value for name, t in entity.record_fields.items()},
        "searchable_fields": [
            {
                "name": f.name,
                "type": f.type.value,
                "operators": [op_word(o) for o in Op if o in f.type.operators],
                "description": f.description,
            }
            for f in entity.searchable.values()
        ],
    }


def resource_specs(backend: Backend) -> list[dict[str, Any]]:
    """The server's resources: one JSON schema document per entity."""
    return [
        {
            "uri": _SCHEMA_URI + e.name,
            "name": f"{e.name} schema",
            "description": f"Fields, types and operators of Ashby {e.name}.",
            "mimeType": "application/json",
        }
        for e in backend.entities()
    ]


def read_resource(backend: Backend, uri: str) -> str:
    """The text of resource ``uri``."""
    names = {e.name for e in backend.entities()}
    name = uri.removeprefix(_SCHEMA_URI)
    if not uri.startswith(_SCHEMA_URI) or name not in names:
        raise ArgumentError(
            f"There is no resource {uri!r}; resources are {_SCHEMA_URI}<entity> for "
            f"{', '.join(sorted(names))}."
        )
    return json.dumps(schema_document(ENTITIES[name]), indent=2)


@functools.lru_cache(maxsize=64)
def _validator(names: tuple[str, ...], tool: str) -> Any:
    try:
        import jsonschema  # type: ignore[import-untyped]
    except ImportError:  # a dependency of mcp
        raise MissingExtraError(f"Checking tool arguments needs jsonschema: {_INSTALL}") from None
    return jsonschema.Draft202012Validator(_tools(names)[tool]["inputSchema"])


def _validate_arguments(
    names: tuple[str, ...], tool: dict[str, Any], arguments: Mapping[str, Any]
) -> None:

    errors = sorted(
        _validator(names, tool["name"]).iter_errors(dict(arguments)),
        key=lambda e: list(e.path),
    )
    if errors:
        first = errors[0]
        where = ".".join(map(str, first.path)) or "the arguments"
        raise ArgumentError(
            f"{tool['name']} rejected {where}: {first.message}. "
            f"Accepted arguments: {', '.join(tool['inputSchema']['properties'])}."
        )


def _error(err: Exception) -> dict[str, Any]:
    """The structured tool error: text an agent can act on, and the problems as records."""
    if isinstance(err, QueryError):
        text = err.for_agent()
        if err.type not in text:
            text += f" (error type: {err.type})"
        body: dict[str, Any] = {
            "type": err.type,
            "message": text,
            "problems": _jsonable(err.errors()),
        }
        # The parser may attach a repaired query; read it defensively.
        suggestion = getattr(err, "suggestion", None)
        if isinstance(suggestion, str):
            body["suggestion"] = suggestion
        return body
    if isinstance(err, ClientError):
        body = {"type": type(err).__name__, "message": f"{type(err).__name__}: {err}"}
        for attr in ("status_code", "retry_after", "request_id"):
            value = getattr(err, attr, None)
            if value is not None:
                body[attr] = value
        return body
    return {"type": type(err).__name__, "message": str(err)}


def _jsonable(value: Any) -> Any:
    """``value`` made JSON-safe (records may hold dates or other objects from a file)."""
    return json.loads(json.dumps(value, default=str))


async def _run(backend: Backend, name: str, args: Mapping[str, Any]) -> dict[str, Any]:
    names = _names(backend)
    tools = _tools(names)
    if name not in tools:
        raise ArgumentError(f"There is no tool {name!r}; tools: {', '.join(tools)}.")
    _validate_arguments(names, tools[name], args)
    if name == "check_query":
        q = parse(args["query"], args["entity"])
        return {"canonical": str(q), "params": q.to_params()}
    if name == "describe_entity":
        from .agent import describe

        return {"text": describe(args["entity"])}
    action, _, rest = name.partition("_")
    entity = next(e for e in backend.entities() if rest in (e.name, _singular(e)))
    if action == "get":
        return {"record": _jsonable(await backend.get(entity, args["id"]))}
    cursor = args.get("cursor")
    if action == "list":
        rows, nxt = await backend.list(entity, args.get("limit", DEFAULT_PAGE_SIZE), cursor)
    else:
        q = parse(args.get("query", ""), entity.name)
        limit = args.get("limit") or q.ast.limit or DEFAULT_PAGE_SIZE
        rows, nxt = await backend.search(entity, q, limit, cursor or q.ast.cursor)
    return {"records": _jsonable(rows), "next_cursor": nxt}


async def call_tool(
    backend: Backend, name: str, arguments: Mapping[str, Any] | None
) -> tuple[dict[str, Any], bool]:
    """Run tool ``name``; return ``(structured result, is_error)``. Never raises for a bad
    query, bad arguments or a failed call: those come back as ``{"error": {...}}``."""
    try:
        return await _run(backend, name, arguments or {}), False
    except (AshbyQueryError, TypeError) as err:
        return {"error": _error(err)}, True
    except Exception as err:  # a bug: say so without a traceback, keep serving
        log.exception("tool %s failed", name)
        return {
            "error": {
                "type": "internal_error",
                "message": f"{name} failed: {type(err).__name__}. The server logged the details.",
            }
        }, True


# --------------------------------------------------------------------------- the server


def _import_mcp() -> Any:
    try:
        import mcp.server.lowlevel
    except ImportError:
        raise MissingExtraError(
            f"ashby-query mcp needs the mcp package, which is not installed; run {_INSTALL}"
        ) from None
    return mcp


def build_server(backend: Backend) -> Any:
    """An ``mcp.server.lowlevel.Server`` that serves ``backend``'s tools and resources."""
    _import_mcp()
    import mcp_types as types
    from mcp.server.lowlevel import Server

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[types.Tool(**t) for t in tool_specs(backend)])

    async def on_call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        result, is_error = await call_tool(backend, params.name, params.arguments)
        text = result["error"]["message"] if is_error else json.dumps(result, ensure_ascii=False)
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=text)],
            structured_content=result,
            is_error=is_error,
        )

    async def list_resources(ctx: Any, params: Any) -> types.ListResourcesResult:
        return types.ListResourcesResult(
            resources=[types.Resource(**r) for r in resource_specs(backend)]
        )

    async def on_read_resource(
        ctx: Any, params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        text = read_resource(backend, str(params.uri))
        return types.ReadResourceResult(
            contents=[
                types.TextResourceContents(
                    uri=str(params.uri), mime_type="application/json", text=text
                )
            ]
        )

    def input_schema(name: str) -> dict[str, Any] | None:
        tool = _tools(_names(backend)).get(name)
        return None if tool is None else dict(tool["inputSchema"])

    return Server(
        "ashby-query",
        instructions="Search Ashby recruiting data with the ashby-query language. Call "
        "describe_entity first to learn an entity's fields; check_query validates a query "
        "without running it. A rejected query comes back with what to change.",
        get_tool_input_schema=input_schema,
        on_list_tools=list_tools,
        on_call_tool=on_call_tool,
        on_list_resources=list_resources,
        on_read_resource=on_read_resource,
    )


async def _serve_stdio(backend: Backend) -> None:
    from mcp.server.stdio import stdio_server

    server = build_server(backend)
    try:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())
    finally:
        await backend.close()


async def _serve_http(backend: Backend, host: str, port: int) -> None:
    import uvicorn

    app = build_server(backend).streamable_http_app(host=host)
    try:
        await uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning")).serve()
    finally:
        await backend.close()


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``mcp`` subcommand's options."""
    p.add_argument(
        "--data",
        metavar="FILE",
        help="serve records from FILE (a JSON object of entity name to records), from a "
        "folder of files named after entities (candidates.parquet, jobs.jsonl, ...) or a "
        "DuckDB database (.duckdb) with tables named after entities (both searched in "
        "DuckDB: the duckdb extra), or 'sample' (the bundled sample data), instead of the "
        "hosted connector",
    )
    p.add_argument(
        "--entities",
        metavar="A,B",
        help="serve tools for these entities only (comma-separated), to use less of an "
        "agent's context; default: every entity the data has",
    )
    p.add_argument("--http", action="store_true", help="serve streamable HTTP, not stdio")
    p.add_argument("--host", default="127.0.0.1", help="HTTP address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    p.add_argument("--base-url", help="connector API base URL (default: AIRBYTE_BASE_URL)")
    p.add_argument(
        "--connector-id", help="the Ashby connector's id (default: AIRBYTE_CONNECTOR_ID)"
    )


def main(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> None:
    """Run the server until the client disconnects (stdio) or it is interrupted (HTTP)."""
    _import_mcp()
    import anyio

    only = [n.strip() for n in args.entities.split(",") if n.strip()] if args.entities else None
    backend: Backend = (
        load_data(args.data, only=only)
        if args.data
        else Hosted(args.base_url, connector_id=args.connector_id, only=only)
    )
    if args.http:
        anyio.run(_serve_http, backend, args.host, args.port)
    else:
        anyio.run(_serve_stdio, backend)
