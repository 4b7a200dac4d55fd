"""Split query text into tokens with the one scanner regex generated from the grammar."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

__all__ = ["RawTok", "Tok", "lex", "unescape"]

#: A token as the lexer makes it and the parsers read it: terminal name, text, start, end.
#: A plain tuple, since a named one costs a Python call per token to build.
RawTok = tuple[str, str, int, int]


class Tok(NamedTuple):
    """A token with named parts, for the error paths (``Tok._make(raw)``)."""

    type: str
    text: str
    start: int
    end: int


_SCAN: Callable[[str], Iterator[re.Match[str]]] | None = None
_KEYWORDS: dict[str, str] = {}


def _scanner() -> Callable[[str], Iterator[re.Match[str]]]:
    # Loaded and compiled on first use, so importing the package costs nothing here.
    global _SCAN
    if _SCAN is None:
        from . import tables

        _KEYWORDS.update(tables.KEYWORDS)
        _SCAN = re.compile(tables.SCANNER).finditer
    return _SCAN


def lex(text: str) -> tuple[list[RawTok], int | None]:
    """Return the tokens of ``text`` and the offset of the first bad character, if any.

    Whitespace is skipped inside the regex. Keywords are matched as names and looked up
    case-insensitively. Lexing stops at the first character no terminal accepts.
    """
    tokens: list[RawTok] = []
    append = tokens.append
    scan = _scanner()
    keywords = _KEYWORDS
    for mo in scan(text):
        kind = mo.lastgroup
        word = mo.group(kind)  # type: ignore[arg-type]
        end = mo.end()
        if kind == "NAME":
            kind = keywords.get(word.lower(), "NAME")
        elif kind == "ERROR":
            return tokens, end - 1
        append((kind, word, end - len(word), end))  # type: ignore[arg-type]
    return tokens, None


_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")


def unescape(raw: str) -> str:
    """The text of a quoted string literal: quotes dropped, escapes resolved.

    Unknown escapes keep their backslash, since like patterns use ``\\%`` and ``\\_``.
    """
    body = raw[1:-1]
    if "\\" not in body:
        return body
    out = []
    i = 0
    simple = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t", "r": "\r"}
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in simple:
                out.append(simple[nxt])
            elif nxt == "u" and _HEX4.fullmatch(body[i + 2 : i + 6]):
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
                continue
            else:
                out.append(c)
                out.append(nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)
