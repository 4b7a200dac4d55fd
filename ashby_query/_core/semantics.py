"""What each operator means when records are matched in memory: one options object.

The in-memory engine and ``FakeAshby`` both match records by a :class:`Semantics`. Its
defaults follow what Airbyte's agent SDK documents for the connector (``startswith``,
``endswith`` and ``contains`` ignore case; ``fuzzy`` is an ordered word match ignoring
case; ``keyword`` is "any word present"). Where the service's meaning is not documented,
the option is a named choice you can switch; ``docs/language.md`` has the table of which
choice the live service is believed to make, and why.

>>> Semantics().fuzzy
'ordered_words'
>>> Semantics(eq_case="insensitive").eq_case
'insensitive'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, get_args

import attrs

__all__ = ["DEFAULT_SEMANTICS", "Semantics"]

LikeMode = Literal["pattern", "substring"]
Case = Literal["sensitive", "insensitive"]
Underscore = Literal["literal", "wildcard"]
Fuzzy = Literal["ordered_words", "any_order_prefix"]
Nulls = Literal["no_match", "neq_matches"]
DateOnly = Literal["whole_day", "midnight"]


def _one_of(kind: object) -> Callable[[Any, Any, Any], None]:
    allowed = get_args(kind)

    def check(instance: object, attribute: Any, value: object) -> None:
        if value not in allowed:
            raise ValueError(
                f"Semantics.{attribute.name} must be one of "
                f"{', '.join(repr(a) for a in allowed)}, got {value!r}."
            )

    return check


@attrs.frozen
class Semantics:
    """How the in-memory engine and ``FakeAshby`` read each operator.

    - ``like_mode``: ``"pattern"`` (default: ``like`` matches the whole value, ``%`` is
      any run of characters, as in SQL) or ``"substring"`` (the pattern may match any
      part of the value, as SDK 0.1.300's introspection labels ``like``).
    - ``like_case``: whether ``like`` (and so ``startswith``, ``endswith``,
      ``contains``, which the 2026 dialect writes for it) ignores case. Default
      ``"insensitive"``, as the SDK documents for those three.
    - ``eq_case``: whether ``=``, ``!=`` and ``in`` on text ignore case. Undocumented;
      default ``"sensitive"``.
    - ``like_underscore``: ``"literal"`` (default: ``_`` is itself) or ``"wildcard"``
      (``_`` is any one character, as in SQL).
    - ``fuzzy``: ``"ordered_words"`` (default, the SDK's "ordered word text match": each
      word of the text starts a word of the field, in the same order) or
      ``"any_order_prefix"`` (the same, in any order).
    - ``nulls``: ``"no_match"`` (default: a missing or null field matches no comparison,
      ``!=`` included) or ``"neq_matches"`` (``!=`` and ``not in`` match it).
    - ``date_only``: what ``= 2024-01-31`` means: ``"whole_day"`` (default, that UTC
      day) or ``"midnight"`` (exactly midnight UTC).
    """

    like_mode: LikeMode = attrs.field(default="pattern", validator=_one_of(LikeMode))
    like_case: Case = attrs.field(default="insensitive", validator=_one_of(Case))
    eq_case: Case = attrs.field(default="sensitive", validator=_one_of(Case))
    like_underscore: Underscore = attrs.field(default="literal", validator=_one_of(Underscore))
    fuzzy: Fuzzy = attrs.field(default="ordered_words", validator=_one_of(Fuzzy))
    nulls: Nulls = attrs.field(default="no_match", validator=_one_of(Nulls))
    date_only: DateOnly = attrs.field(default="whole_day", validator=_one_of(DateOnly))


DEFAULT_SEMANTICS = Semantics()
