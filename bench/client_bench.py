"""Client overhead: ashby-query's client against the SDK's, and FakeAshby in process
against FakeAshby on loopback, the same calls in the same run.

Run: python bench/client_bench.py   (medians of repeated runs; compare the ratios.)
The SDK comparison needs the test extra (airbyte-agent-sdk); it is skipped without it.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time

from ashby_query import RetryPolicy
from ashby_query._tools.sample import sample_records
from ashby_query.testing import FakeAshby

CALLS = 200
RUNS = 5


def per_call(fn) -> float:
    """Median seconds per call over RUNS runs of CALLS calls."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) / CALLS)
    return statistics.median(times)


def ours(fake: FakeAshby) -> float:
    with fake.client(retry=RetryPolicy(attempts=1)) as client:

        def calls() -> None:
            for _ in range(CALLS):
                client.jobs.list(limit=5)

        return per_call(calls)


def sdk(fake: FakeAshby) -> float | None:
    try:
        from airbyte_agent_sdk.connectors.ashby import AirbyteAuthConfig, AshbyConnector
    except ImportError:
        return None
    os.environ.setdefault("AIRBYTE_TELEMETRY_MODE", "disabled")
    os.environ["SDK_DEV_ADP_API_HOST"] = fake.url
    auth = AirbyteAuthConfig(
        airbyte_client_id=fake.client_id,
        airbyte_client_secret=fake.client_secret,
        connector_id=fake.connector_id,
    )

    async def calls() -> None:
        conn = AshbyConnector(auth_config=auth)
        try:
            for _ in range(CALLS):
                await conn.jobs.list(limit=5)
        finally:
            await conn.close()

    return per_call(lambda: asyncio.run(calls()))


def main() -> None:
    records = sample_records()
    with FakeAshby(records) as loopback:
        ours_loopback = ours(loopback)
        theirs = sdk(loopback)
    with FakeAshby(records, in_process=True) as memory:
        ours_memory = ours(memory)
    print(f"ashby-query, loopback:   {ours_loopback * 1e6:8.0f} us/call")
    print(f"ashby-query, in process: {ours_memory * 1e6:8.0f} us/call")
    print(f"in process / loopback:   {ours_memory / ours_loopback:8.2f}")
    if theirs is not None:
        print(f"SDK, loopback:           {theirs * 1e6:8.0f} us/call")
        print(f"ashby-query / SDK:       {ours_loopback / theirs:8.2f}")


if __name__ == "__main__":
    main()
