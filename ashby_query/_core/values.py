"""Dates and times: a strict ISO 8601 reader and the one wire form for timestamps.

Rules, in one place:

- digits are ASCII ``0-9`` only;
- a date ``2024-01-31`` is midnight UTC when a single instant is needed;
- a datetime with an offset is converted to UTC; one without an offset is UTC;
- the wire form is ``YYYY-MM-DDTHH:MM:SSZ``, with ``.ffffff`` (trailing zeros dropped)
  only when there are fractions of a second.
"""

from __future__ import annotations

import datetime as dt
import re
import reprlib
from collections.abc import Callable

__all__ = ["format_wire", "like_matcher", "midnight", "parse_iso", "range_problem", "shown"]

UTC = dt.UTC

#: The first and last instants the wire form (``YYYY-MM-DDTHH:MM:SSZ``) and Python hold.
MIN_INSTANT = dt.datetime(1, 1, 1, tzinfo=UTC)
MAX_INSTANT = dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
#: Said in every message about a value outside that range.
RANGE_TEXT = "0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z"

_ISO = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})"
    r"(?:[Tt ](?P<h>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]{1,9}))?)?"
    r"(?P<tz>[Zz]|[+-][0-9]{2}:?[0-9]{2})?)?",
    re.ASCII,
)


class DateError(ValueError):
    """A string shaped like a date that names no real date or time."""


def looks_like_date(text: str) -> bool:
    """Whether ``text`` has the shape of an ISO date or datetime."""
    return _ISO.fullmatch(text) is not None


def parse_iso(text: str) -> dt.date | dt.datetime:
    """Read an ISO 8601 date or datetime strictly; datetimes come back in UTC.

    >>> parse_iso("2024-01-31")
    datetime.date(2024, 1, 31)
    >>> parse_iso("2024-01-31T09:30:00+02:00")
    datetime.datetime(2024, 1, 31, 7, 30, tzinfo=datetime.timezone.utc)

    Raises :class:`DateError` for anything else, with the reason.
    """
    m = _ISO.fullmatch(text)
    if m is None:
        raise DateError(
            f"{text!r} is not an ISO 8601 date or datetime; write 2024-01-31 or "
            "2024-01-31T09:30:00Z."
        )
    # The two common shapes, a date and the wire form, are read by C once the pattern
    # has vouched for the ASCII digits; whatever C refuses (year 0, February 30, hour
    # 24, which newer Pythons read as the next midnight) takes the road below, which
    # says why.
    n = len(text)
    if n == 10:
        try:
            return _DATE_FROM_ISO(text)
        except ValueError:
            pass
    elif n == 20 and text[10] == "T" and text[19] == "Z" and text[11:13] < "24":
        try:
            return _FROM_ISO(text)
        except ValueError:
            pass
    return _read_match(text, m)


def _read_match(text: str, m: re.Match[str]) -> dt.date | dt.datetime:
    """Read what the ISO pattern matched, field by field: the road that says what is wrong."""
    y, mo, d = int(m["y"]), int(m["mo"]), int(m["d"])
    if y < 1:
        raise DateError(_out_of_range(text))
    try:
        day = dt.date(y, mo, d)
    except ValueError:
        raise DateError(_bad_date(text, y, mo, d)) from None
    if m["h"] is None:
        return day
    h, mi, s = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
    frac = (m["f"] or "").ljust(6, "0")[:6]
    tz = UTC
    if m["tz"] and m["tz"] not in ("Z", "z"):
        sign = -1 if m["tz"][0] == "-" else 1
        digits = m["tz"][1:].replace(":", "")
        oh, om = int(digits[:2]), int(digits[2:])
        if oh > 23 or om > 59:
            raise DateError(f"{text!r} has an impossible UTC offset {m['tz']}.")
        tz = dt.timezone(sign * dt.timedelta(hours=oh, minutes=om))
    try:
        value = dt.datetime(y, mo, d, h, mi, s, int(frac or 0), tzinfo=tz)
    except ValueError:
        raise DateError(
            f"{text!r} has an impossible time of day {m['h']}:{m['mi']}"
            f"{':' + m['s'] if m['s'] else ''}; hours run 00-23, minutes and seconds 00-59."
        ) from None
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise DateError(_out_of_range(text)) from None


def _out_of_range(text: str) -> str:
    return (
        f"{shown(text)} lies outside the times that can be represented, {RANGE_TEXT}; "
        f"use a date in that range."
    )


def range_problem(value: dt.date | dt.datetime, *, whole_day: bool = False) -> str | None:
    """Say why ``value`` cannot be sent or compared, or return ``None`` if it can.

    A datetime must lie, in UTC, between :data:`MIN_INSTANT` and :data:`MAX_INSTANT`. A
    date that stands for a whole day (``= 2024-01-31``) also needs the next midnight, so
    9999-12-31 is out; as a bound (``> 9999-12-31``) it is fine.

    >>> range_problem(dt.date(9999, 12, 31), whole_day=True) is not None
    True
    >>> range_problem(dt.date(9999, 12, 31)) is None
    True
    """
    if isinstance(value, dt.datetime):
        try:
            to_utc(value)
        except OverflowError:
            return (
                f"{value.isoformat()} lies outside the instants that can be represented, "
                f"{RANGE_TEXT}; use a time in that range."
            )
        return None
    if whole_day and value == dt.date.max:
        return (
            f"{value.isoformat()} as a whole day would end at the next midnight, which "
            f"cannot be represented (times run {RANGE_TEXT}); compare with >= "
            f"{value.isoformat()} instead."
        )
    return None


def _bad_date(text: str, y: int, mo: int, d: int) -> str:
    if not 1 <= mo <= 12:
        return f"{text!r} is not a real date: month {mo:02d} does not exist (01-12)."
    last = 31 if mo == 12 else (dt.date(y, mo + 1, 1) - dt.timedelta(days=1)).day
    return f"{text!r} is not a real date: {y}-{mo:02d} has {last} days, not {d}."


def read_timestamp(value: object) -> dt.datetime | None:
    """Read a timestamp from a record, strictly; ``None`` when it is not one.

    Records go through the same reader as queries (:func:`parse_iso`), with one
    tolerance: a date alone is read as midnight UTC. A ``datetime`` object is taken as
    it is (naive means UTC). Anything else, such as ``20240101T1000``, is no timestamp.

    >>> read_timestamp("2024-01-31")
    datetime.datetime(2024, 1, 31, 0, 0, tzinfo=datetime.timezone.utc)
    >>> read_timestamp("20240131T1000") is None
    True
    """
    if type(value) is not str:
        if not isinstance(value, dt.datetime):
            return None
        try:
            return to_utc(value)
        except OverflowError:  # an aware time past either end of what UTC can hold
            return None
    n = len(value)
    # value[4::3] is the characters at 4, 7, 10, 13, 16 and 19: one slice tests them all.
    if n == 20 and value[4::3] == "--T::Z" and value.isascii():
        # the wire form itself: C reads it faster, and refuses a non-digit just as strictly
        try:
            return _FROM_ISO(value)
        except ValueError:
            return None
    if n < 10 or n > 40:
        return None
    try:
        parsed = parse_iso(value)
    except DateError:
        return None
    return parsed if isinstance(parsed, dt.datetime) else midnight(parsed)


_FROM_ISO = dt.datetime.fromisoformat
_DATE_FROM_ISO = dt.date.fromisoformat


def to_utc(value: dt.datetime) -> dt.datetime:
    """Return ``value`` in UTC; a naive datetime is taken to be UTC already."""
    tz = value.tzinfo
    if tz is UTC:
        return value
    if tz is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def midnight(day: dt.date) -> dt.datetime:
    """Return midnight UTC at the start of ``day``."""
    return _COMBINE(day, _MIDNIGHT)  # a datetime's own time and zone are ignored


_COMBINE = dt.datetime.combine
_MIDNIGHT = dt.time(0, tzinfo=UTC)


def format_wire(value: dt.date | dt.datetime) -> str:
    """Return the wire form of a date (midnight UTC) or datetime.

    >>> format_wire(dt.date(2024, 1, 1))
    '2024-01-01T00:00:00Z'
    """
    if not isinstance(value, dt.datetime):
        value = midnight(value)
    if type(value) is dt.datetime and value.tzinfo is UTC:
        # The wire form of a UTC instant, which is what validated queries hold, is
        # memoised: queries repeat their instants, and a datetime caches its hash.
        text = _WIRE.get(value)
        if text is None:
            if len(_WIRE) >= _WIRE_SIZE:
                _WIRE.clear()
            text = _WIRE[value] = _wire_text(value)
        return text
    value = to_utc(value)
    if type(value) is dt.datetime:
        return _wire_text(value)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")  # a subclass may print itself otherwise
    if value.year < 1000:
        text = f"{value.year:04d}" + text[text.index("-") :]
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def _wire_text(value: dt.datetime) -> str:
    """The wire form of a UTC ``datetime`` (not a subclass, which may print otherwise)."""
    # isoformat pads the year to four digits and writes a fraction with six; in UTC it
    # ends in "+00:00", which the wire form writes as "Z".
    text = value.isoformat()[:-6]
    return (text.rstrip("0") if value.microsecond else text) + "Z"


_WIRE: dict[dt.datetime, str] = {}
_WIRE_SIZE = 1024

Clock = dt.datetime | Callable[[], dt.datetime] | None


def now_utc(clock: Clock) -> dt.datetime:
    """Read ``clock`` (a datetime, a callable returning one, or ``None`` for now)."""
    if clock is None:
        return dt.datetime.now(UTC)
    value = clock() if callable(clock) else clock
    return value if value.tzinfo else value.replace(tzinfo=UTC)


#: The kinds of a like pattern's tokens besides a literal character (kind ``""``):
#: ``ANY`` for ``%``, ``ONE`` for a ``_`` read as a wildcard.
ANY = "%"
ONE = "_"


def like_tokens(pattern: str, underscore_wildcard: bool = False) -> list[tuple[str, str]]:
    r"""Read a like pattern once into ``(kind, character)`` tokens.

    ``\%``, ``\_`` and ``\\`` are literal characters; a bare ``_`` is a literal unless
    ``underscore_wildcard``. Every reader of like patterns (engine, SQL, the 2026
    mapping) starts from these tokens, so they agree on the escapes.

    >>> like_tokens(r"5\%_%", underscore_wildcard=True)
    [('', '5'), ('', '%'), ('_', '_'), ('%', '%')]
    """
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n and pattern[i + 1] in "%\\_":
            tokens.append(("", pattern[i + 1]))
            i += 2
            continue
        if c == "%":
            tokens.append((ANY, c))
        elif c == "_" and underscore_wildcard:
            tokens.append((ONE, c))
        else:
            tokens.append(("", c))
        i += 1
    return tokens


def like_segments(pattern: str) -> list[str | None]:
    r"""Split a like pattern into literal strings and ``None`` for each ``%``.

    ``\%`` is a literal percent sign and ``\\`` a literal backslash; ``_`` is an
    ordinary character. Runs of ``%`` count as one.

    >>> like_segments(r"50\% off%")
    ['50% off', None]
    """
    parts: list[str | None] = []
    buf: list[str] = []
    for kind, char in like_tokens(pattern):
        if kind == ANY:
            if buf:
                parts.append("".join(buf))
                buf = []
            if not parts or parts[-1] is not None:
                parts.append(None)
        else:
            buf.append(char)
    if buf:
        parts.append("".join(buf))
    return parts


def escape_like(text: str) -> str:
    r"""Escape ``text`` so that a like pattern matches it literally.

    >>> escape_like("50% off")
    '50\\% off'
    """
    return text.replace("\\", "\\\\").replace("%", "\\%")


def like_matcher(
    pattern: str,
    *,
    ignore_case: bool = False,
    underscore_wildcard: bool = False,
    substring: bool = False,
) -> Callable[[str], bool]:
    r"""Return a test of whether a string matches a like pattern, without backtracking.

    The pattern splits at ``%`` into fixed-length segments. The first must start the
    value, the last must end it, and each one between is found leftmost, in order, in
    what lies between: the greedy segment match, exact for ``%`` and never exponential.
    ``ignore_case`` compares as ``re.IGNORECASE`` does, ``underscore_wildcard`` makes a
    bare ``_`` any one character, and ``substring`` lets the pattern match any part of
    the value (as if wrapped in ``%``).

    >>> m = like_matcher("%a%a%b")
    >>> m("xaxab"), m("aab"), m("ab")
    (True, True, False)
    >>> like_matcher("a_c", underscore_wildcard=True, ignore_case=True)("AbC")
    True
    """
    # Segments between the % signs: lists of (character, is a wildcard).
    segments: list[list[tuple[str, bool]]] = [[]]
    for kind, char in like_tokens(pattern, underscore_wildcard):
        if kind == ANY:
            segments.append([])
        else:
            segments[-1].append((char, kind == ONE))
    if substring:
        segments = [[], *segments, []]
    plain = not ignore_case and not any(w for seg in segments for _, w in seg)
    if plain:
        texts = ["".join(c for c, _ in seg) for seg in segments]
        if len(texts) == 1:
            return texts[0].__eq__
        return _plain_segments(texts[0], texts[1:-1], texts[-1])
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    compiled = [
        re.compile("".join("." if w else re.escape(c) for c, w in seg), flags) for seg in segments
    ]
    if len(compiled) == 1:
        return lambda value: compiled[0].fullmatch(value) is not None
    head, middle, tail = compiled[0], compiled[1:-1], compiled[-1]
    head_len, tail_len = len(segments[0]), len(segments[-1])

    def match(value: str) -> bool:
        end = len(value) - tail_len
        if end < head_len or head.match(value) is None or tail.match(value, end) is None:
            return False
        pos = head_len
        for seg in middle:
            found = seg.search(value, pos, end)
            if found is None:
                return False
            pos = found.end()
        return True

    return match


def _plain_segments(head: str, middle: list[str], tail: str) -> Callable[[str], bool]:
    """The matcher for case-sensitive segments without wildcards: string methods only."""
    fixed = len(head) + len(tail)

    def match(value: str) -> bool:
        if len(value) < fixed or not value.startswith(head) or not value.endswith(tail):
            return False
        pos, end = len(head), len(value) - len(tail)
        for lit in middle:
            found = value.find(lit, pos, end)
            if found < 0:
                return False
            pos = found + len(lit)
        return True

    return match


class _Shown(reprlib.Repr):
    """``reprlib`` with bounds on everything, and integers shown without ``str()``."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxstring = 60
        self.maxother = 60
        self.maxlong = 40

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:  # past ~38 digits: say its size, not its digits
            return f"<an integer of about {int(x.bit_length() * 0.30103) + 1} digits>"
        return super().repr_int(x, level)


_SHOWN = _Shown()


def shown(value: object) -> str:
    """Quote ``value`` for an error message, cut to a bounded length, never failing.

    Long strings and lists are cut with ``...``, deep ones stop at three levels, and huge
    integers are described rather than converted (Python refuses to print one of more
    than 4,300 digits).

    >>> len(shown("a" * 10_000))
    60
    >>> shown(10**5000)
    '<an integer of about 5001 digits>'
    """
    try:
        return _SHOWN.repr(value)
    except Exception:
        return f"<{type(value).__name__} object>"
