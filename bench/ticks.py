"""What the scheduler's tick costs: statements and CPU per tick, idle and busy.

Seven channels post daily, each in its own zone, with a 24-hour answer window (the shape
of tests/test_dst.py). Measured on a SQLite file and on PostgreSQL (skipped with a note
when it is not reachable), side by side:

- idle: the production scheduler's minute tick (`run_due`) between posting times, when
  nothing is due: statements and CPU milliseconds per tick;
- busy: the simulated clock stepping through `--days` days (`advance_to`: `next_due`,
  then `run_due` at each due time, a post and a window close at most steps): steps,
  statements and CPU milliseconds per step.

    python bench/ticks.py [--days 60] [--idle 300]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.memory import MemoryChat
from bench.pgdb import pg_database
from bot.domain import ChannelRef
from bot.ports import FakeClock
from bot.scheduling import advance_to
from bot.storage.records import WEEKDAYS, ChannelSettings
from bot.storage.store import Store
from tests.harness import build, open_store, real_packs

START = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
CHANNELS = {
    "ny": ("America/New_York", "02:30"),
    "london": ("Europe/London", "01:30"),
    "lord-howe": ("Australia/Lord_Howe", "02:15"),
    "kolkata": ("Asia/Kolkata", "09:00"),
    "chatham": ("Pacific/Chatham", "03:00"),
    "berlin": ("Europe/Berlin", "08:00"),
    "tokyo": ("Asia/Tokyo", "09:00"),
}


@contextmanager
def counted(store: Store) -> Iterator[list[int]]:
    seen = [0]

    def count(*_: Any) -> None:
        seen[0] += 1

    event.listen(store.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", count)


async def run(url: str, days: int, idle_ticks: int) -> dict[str, float]:
    store = await open_store(url)
    clock = FakeClock(START)
    h = build(store, MemoryChat(), clock, real_packs())
    try:
        for cid, (zone, hhmm) in CHANNELS.items():
            settings = ChannelSettings(
                ChannelRef("bench", cid),
                "amazon-backend-developer",
                hhmm,
                zone,
                WEEKDAYS,
                window_minutes=24 * 60,
                created_at=START,
            )
            await store.save_channel(settings, START - timedelta(days=1))
        # Every channel's first post out and closed; then minute ticks from 16:00 UTC, when
        # no channel posts or closes for five hours.
        await advance_to(h.bot, clock, START + timedelta(days=1, hours=16))
        with counted(store) as seen:
            cpu = time.process_time()
            for _ in range(idle_ticks):
                clock.advance(timedelta(minutes=1))
                await h.bot.run_due()
            idle_cpu = time.process_time() - cpu
        idle_statements = seen[0]

        steps = 0
        original = h.bot.run_due

        async def step() -> None:
            nonlocal steps
            steps += 1
            await original()

        h.bot.run_due = step  # type: ignore[method-assign]
        with counted(store) as seen:
            cpu = time.process_time()
            await advance_to(h.bot, clock, clock.now() + timedelta(days=days))
            busy_cpu = time.process_time() - cpu
        await h.bot.idle()
        return {
            "idle statements/tick": idle_statements / idle_ticks,
            "idle ms/tick": 1000 * idle_cpu / idle_ticks,
            "busy steps": steps,
            "busy statements/step": seen[0] / steps,
            "busy ms/step": 1000 * busy_cpu / steps,
        }
    finally:
        await store.close()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--idle", type=int, default=300)
    args = ap.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = await run(f"sqlite+aiosqlite:///{tmp}/ticks.db", args.days, args.idle)
    pg = await pg_database()
    if pg is not None:
        url, (admin, name) = pg
        try:
            results["PostgreSQL"] = await run(url, args.days, args.idle)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    print(f"{len(CHANNELS)} channels, {args.idle} idle minute ticks, {args.days} simulated days")
    names = list(results)
    print(f"{'':24}" + "".join(f"{n:>14}" for n in names))
    for key in next(iter(results.values())):
        print(f"{key:24}" + "".join(f"{results[n][key]:>14.2f}" for n in names))


if __name__ == "__main__":
    asyncio.run(main())
