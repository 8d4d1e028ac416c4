"""The scheduler's tick: one probe instead of a query per feature (issue 11), and still
every row another process writes is seen on the next tick."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event

from bot.domain import ChannelRef
from bot.storage.activity import Tick, upcoming
from bot.storage.drill_store import DrillStore
from bot.storage.records import WEEKDAYS, ChannelSettings
from bot.storage.store import Store
from tests.harness import Harness, open_store


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(store.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", count)


async def test_an_idle_tick_costs_three_statements(h: Harness) -> None:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily window:2h")
    await h.advance(timedelta(hours=6))  # posted at 09:00, closed at 11:00: nothing is due
    with statements(h.store) as seen:
        await h.bot.run_due()
        due = await h.bot.next_due(h.clock.now())
    # run_due: the probe and the channels; next_due: every due time the database holds at
    # once, the channels read by run_due at this same instant reused.
    assert len(seen) == 3, seen
    assert due is not None and due.hour == 9  # tomorrow's post


async def test_another_process_rows_are_seen_on_the_next_tick(sqlite_url: str, h: Harness) -> None:
    other = await open_store(sqlite_url)  # a second process on the same database
    try:
        now = h.clock.now
        first = await Tick(h.store, now, timedelta(minutes=2)).activity()
        assert not (first.reminders or first.preps)

        await DrillStore(other.engine).set_reminder("guild-1", "u-bo", "bo", "08:00", "UTC")
        await other.save_prep("guild-1", "u-bo", "bo", "study", date(2027, 1, 4), None, now())
        later = await Tick(h.store, now, timedelta(minutes=2)).activity()
        assert later.reminders and later.preps

        # Channels another process set up change the fingerprint next_due compares, so the
        # channels a tick read are not reused past that change.
        tick = Tick(h.store, now, timedelta(minutes=2))
        assert await tick.channels() == []
        assert tick.still(now(), (await upcoming(h.store.engine, now())).channels)
        await other.save_channel(
            ChannelSettings(
                ChannelRef("guild-1", "c2"), "amazon-backend-developer", "09:00", "UTC", WEEKDAYS
            ),
            now(),
        )
        assert not tick.still(now(), (await upcoming(h.store.engine, now())).channels)
        assert [
            s.channel.channel_id for s in await Tick(h.store, now, timedelta(minutes=2)).channels()
        ] == ["c2"]
    finally:
        await other.close()
