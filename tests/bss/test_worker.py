"""The simulator's background worker sleeps until something is due, and a write wakes it."""

from __future__ import annotations

import asyncio

from bss.runtime import Simulator
from switchboard.settings import Settings


def _counting(simulator: Simulator) -> list[int]:
    """Count the worker's steps (each takes what is due first)."""
    steps = [0]
    run_due = simulator.run_due

    async def counted(*, limit: int = 10_000) -> int:
        steps[0] += 1
        return await run_due(limit=limit)

    simulator.run_due = counted  # type: ignore[method-assign]
    return steps


async def test_an_idle_worker_sleeps_and_an_outside_write_wakes_it(settings: Settings) -> None:
    # The demo clock (60 simulated seconds a second): nothing in the seeded world is due soon.
    simulator = Simulator(database_url=settings.resolved_bss_database_url, clock_speed=60)
    await simulator.ensure_ready()
    steps = _counting(simulator)
    worker = asyncio.create_task(simulator.run_worker(max_sleep=0.25))
    try:
        await asyncio.sleep(1.0)
        # Its own transactions used to wake it at once: it stepped hundreds of times a second.
        assert steps[0] <= 1.0 / 0.25 + 2, f"{steps[0]} steps in 1 s while idle"

        idle = steps[0]
        async with simulator.transaction():  # another writer (a request) commits
            pass
        await asyncio.sleep(0.05)  # well under max_sleep: only the wake-up explains a step
        assert steps[0] > idle, "a write from another task did not wake the worker"
    finally:
        simulator.stop()
        await asyncio.wait_for(worker, 10)
        await simulator.close()
