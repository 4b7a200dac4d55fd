"""Hypothesis's ``hypothesis`` entry point: ``st.from_type(Query)`` draws queries.

Hypothesis runs :func:`_hypothesis_setup_hook` when it is imported. The hook only
registers a function; :mod:`ashby_query.strategies` loads the first time a test asks
Hypothesis for a :class:`~ashby_query.Query`. Set ``HYPOTHESIS_NO_PLUGINS=1`` to skip it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from ._front.builder import Query


def _hypothesis_setup_hook() -> None:
    from hypothesis import strategies as st

    from ._front.builder import Query

    st.register_type_strategy(Query, _queries_of_any_entity)


def _queries_of_any_entity(_: type) -> SearchStrategy[Query]:
    from hypothesis import strategies as st

    from . import strategies
    from ._core.schema import SEARCHABLE

    return st.sampled_from(SEARCHABLE).flatmap(strategies.queries)
