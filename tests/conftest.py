"""Shared test settings: Hypothesis profiles.

- ``ci`` (the default): 150 examples per property, what ``.ci/run`` and a plain ``pytest`` use.
- ``fast``: 20 examples per property, for day-to-day runs (``HYPOTHESIS_PROFILE=fast``).
- ``thorough``: 10,000 examples per property, for a long hunt before a release.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fast", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
