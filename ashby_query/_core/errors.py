"""Every exception ashby-query raises, and the problem records they carry.

The tree::

    AshbyQueryError                  root of everything raised on purpose
    ├── QueryError (ValueError)      a query is invalid; carries one Problem per fault
    │   ├── QuerySyntaxError         query text that does not parse
    │   └── UnknownFieldError (AttributeError)
    │                                ``Candidates.nme``: an attribute that names no field
    └── ClientError                  calling the connector failed (see ``_client_errors``)

A :class:`Problem` is one fault, shaped like a pydantic-core error record: a stable
``type`` slug for programs, a ``loc`` path into the query, a ``msg`` sentence for people,
the offending ``input``, and, for text queries, the character ``span`` with its line and
column. Where a fault has one clear repair, the problem's ``fix`` holds the :class:`Edit`
records that make it, and ``QueryError.suggestion`` is the query text with them applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import attrs

__all__ = [
    "AshbyQueryError",
    "Edit",
    "Problem",
    "QueryError",
    "QuerySyntaxError",
    "Span",
    "UnknownFieldError",
]

Loc = tuple[str | int, ...]


class Span(NamedTuple):
    """Half-open character range ``[start, end)`` in a query text."""

    start: int
    end: int


class AshbyQueryError(Exception):
    """Root of every exception that ashby-query raises on purpose."""


@attrs.frozen
class Edit:
    """One machine-applicable change to a query text: put ``replacement`` in ``span``.

    >>> Edit(Span(9, 15), '"active"').apply("status = active")
    'status = "active"'
    """

    span: Span
    replacement: str

    def apply(self, text: str) -> str:
        """Return ``text`` with this edit made."""
        return text[: self.span.start] + self.replacement + text[self.span.end :]

    def as_dict(self) -> dict[str, Any]:
        """Return the edit as a plain dict: ``span`` as a pair and ``replacement``."""
        return {"span": (self.span.start, self.span.end), "replacement": self.replacement}


def apply_edits(text: str, edits: Iterable[Edit]) -> str | None:
    """Return ``text`` with every edit made, or ``None`` if two edits overlap.

    >>> apply_edits("a && b", [Edit(Span(2, 4), "and")])
    'a and b'
    """
    pieces = []
    pos = 0
    inserted_at = -1
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end)):
        start, end = edit.span
        if start < pos or (start == end == inserted_at):
            return None  # overlapping, or two insertions at one place: no single reading
        if start == end:
            inserted_at = start
        pieces += [text[pos:start], edit.replacement]
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


@attrs.frozen
class Problem:
    """One fault found in a query.

    ``type`` is a stable slug (``unknown_field``, ``value_type``, ...), ``loc`` the path
    to the bad part (``("filter", "and", 1, "gt", "createdAt")``), ``msg`` a sentence that
    says what was wrong, what was expected and how to fix it.
    """

    type: str
    loc: Loc
    msg: str
    input: Any = None
    ctx: Mapping[str, Any] = attrs.field(factory=dict)
    span: Span | None = None
    line: int | None = None
    column: int | None = None
    fix: tuple[Edit, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Return the problem as a plain dict, the form ``QueryError.errors()`` lists."""
        out: dict[str, Any] = {
            "type": self.type,
            "loc": self.loc,
            "msg": self.msg,
            "input": self.input,
        }
        if self.ctx:
            out["ctx"] = dict(self.ctx)
        if self.span is not None:
            out["span"] = (self.span.start, self.span.end)
            out["line"] = self.line
            out["column"] = self.column
        if self.fix:
            out["fix"] = [e.as_dict() for e in self.fix]
        return out


def locate(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of ``offset`` in ``text``."""
    import bisect  # only error paths place problems: kept off the import (cold start)

    starts = _line_starts(text)
    line = bisect.bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1


# The line starts of the last text located in, so that placing many problems in one
# text reads it once (an error with 100,000 problems stays linear).
_LINES: tuple[str, list[int]] = ("", [0])


def _line_starts(text: str) -> list[int]:
    global _LINES  # a one-entry cache, replaced whole
    cached = _LINES
    if cached[0] is text:
        return cached[1]
    starts = [0]
    i = text.find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    _LINES = (text, starts)
    return starts


def caret_display(text: str, span: Span) -> str:
    """Show the line of ``text`` that holds ``span`` with carets under the span."""
    line_start = text.rfind("\n", 0, span.start) + 1
    line_end = text.find("\n", span.start)
    if line_end == -1:
        line_end = len(text)
    # A window of the line around the span, so a long line is never quoted whole.
    lo = max(line_start, span.start - _CONTEXT)
    hi = min(line_end, max(span.end, span.start + 1) + _CONTEXT, span.start + 2 * _CONTEXT)
    head = "..." if lo > line_start else ""
    tail = "..." if hi < line_end else ""
    width = max(1, min(span.end, hi) - span.start)
    # Tabs keep their width so the carets line up under the characters.
    pad = "".join("\t" if c == "\t" else " " for c in text[lo : span.start])
    return f"  {head}{text[lo:hi]}{tail}\n  {' ' * len(head)}{pad}{'^' * width}"


#: How many characters either side of a span an error message shows.
_CONTEXT = 60


class QueryError(AshbyQueryError, ValueError):
    """A query is invalid. Holds every problem found, not just the first.

    ``errors()`` lists them as dicts, ``error_count()`` counts them, ``problems`` holds the
    :class:`Problem` records, ``text`` the query text when there was one.
    """

    def __init__(self, problems: Iterable[Problem], text: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(_with_position(p, text) for p in problems)
        self.text = text
        super().__init__(self._render())

    def errors(self) -> list[dict[str, Any]]:
        """Return every problem as a dict with ``type``, ``loc``, ``msg`` and ``input``."""
        return [p.as_dict() for p in self.problems]

    def error_count(self) -> int:
        """Return how many problems the query has."""
        return len(self.problems)

    @property
    def type(self) -> str:
        """The slug of the first problem."""
        return self.problems[0].type

    @property
    def suggestion(self) -> str | None:
        """The query text with every problem's fix applied, where each has one clear fix.

        ``None`` when there is no text, or when some problem has no single repair. The
        edits made are in each problem's ``fix``. Syntax errors stop at the first fault,
        so a suggestion may still hold a later one; parse it again to check.
        """
        if self.text is None or not all(p.fix for p in self.problems):
            return None
        return apply_edits(self.text, [e for p in self.problems for e in p.fix])

    def for_agent(self) -> str:
        """Return one short paragraph that says what to change, for an LLM agent."""
        parts = []
        for p in self.problems:
            where = ""
            if p.span is not None and self.text is not None:
                end = min(p.span.end, p.span.start + _CONTEXT)  # quote a bounded prefix
                where = f" (at {self.text[p.span.start : end]!r}, column {p.column})"
            parts.append(f"{p.msg}{where}")
        head = "The query was rejected; fix it and try again."
        suggestion = self.suggestion
        if suggestion is not None:
            parts.append(f"Suggested query: {suggestion}")
        return " ".join([head, *parts])

    def _render(self) -> str:
        count = len(self.problems)
        lines = []
        for p in self.problems[:10]:
            where = f"line {p.line}, column {p.column}: " if p.line is not None else ""
            lines.append(f"{where}{p.msg}")
            if p.span is not None and self.text is not None:
                lines.append(caret_display(self.text, p.span))
        if count > 10:
            lines.append(f"... and {count - 10} more")
        if count == 1:
            return "\n".join(lines)
        return f"The query has {count} problems:\n" + "\n".join(lines)


def _with_position(problem: Problem, text: str | None) -> Problem:
    if problem.span is None or text is None or problem.line is not None:
        return problem
    line, column = locate(text, problem.span.start)
    return attrs.evolve(problem, line=line, column=column)


class QuerySyntaxError(QueryError):
    """Query text that does not parse.

    Besides the problems, carries ``line``, ``column``, ``span``, the offending
    ``fragment`` and ``expected``: what would have been accepted, in plain words.
    """

    def __init__(
        self,
        problems: Iterable[Problem],
        text: str | None = None,
        expected: tuple[str, ...] = (),
    ) -> None:
        super().__init__(problems, text)
        first = self.problems[0]
        self.span = first.span
        self.line = first.line
        self.column = first.column
        self.fragment = first.input
        self.expected = expected


class UnknownFieldError(QueryError, AttributeError):
    """An entity attribute (``Candidates.nme``) that names no searchable field."""


# Tracebacks name the public path, ashby_query.QueryError, not the private module.
for _cls in (AshbyQueryError, QueryError, QuerySyntaxError, UnknownFieldError):
    _cls.__module__ = "ashby_query"
