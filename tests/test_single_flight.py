"""Concurrent lookups of one key share one read; a caller giving up spares the others."""

from __future__ import annotations

import asyncio

import pytest

from bot.storage.single_flight import SingleFlight


async def test_concurrent_callers_share_one_read_and_later_ones_read_again() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    reads = 0
    gate = asyncio.Event()

    async def read() -> int:
        nonlocal reads
        reads += 1
        await gate.wait()
        return reads

    callers = [asyncio.create_task(flight.run("k", read)) for _ in range(50)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*callers) == [1] * 50
    assert await flight.run("k", read) == 2  # nothing is cached: that is the caller's job


async def test_a_failed_read_reaches_every_waiter_and_the_next_call_retries() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    attempts = 0

    async def flaky() -> int:
        nonlocal attempts
        attempts += 1
        await asyncio.sleep(0)
        if attempts == 1:
            raise OSError("database went away")
        return 7

    first = [asyncio.create_task(flight.run("k", flaky)) for _ in range(3)]
    results = await asyncio.gather(*first, return_exceptions=True)
    assert all(isinstance(r, OSError) for r in results)
    assert await flight.run("k", flaky) == 7


async def test_one_caller_cancelled_does_not_cancel_the_shared_read() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    gate = asyncio.Event()

    async def read() -> str:
        await gate.wait()
        return "post"

    quitter = asyncio.create_task(flight.run("k", read))
    stayer = asyncio.create_task(flight.run("k", read))
    await asyncio.sleep(0)
    quitter.cancel()
    gate.set()
    assert await stayer == "post"
    with pytest.raises(asyncio.CancelledError):
        await quitter
