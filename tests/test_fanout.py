"""Many channels due at once: the core hands them to the chat together, a bounded number
at a time, each still posted exactly once and each failing alone; the Discord adapter keeps
its requests under Discord's global limit before it is hit (bench/fanout.py measures it)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from adapters.discord_bot.pacing import GlobalPacer
from adapters.memory import MemoryChat
from bot.content import Pack
from bot.domain import ChannelRef, Destination, MessageRef, Outgoing
from bot.features import daily
from bot.ports import FakeClock
from bot.services import Services, Tuning
from bot.storage.records import WEEKDAYS, ChannelSettings
from bot.storage.store import Store
from tests.harness import DEFAULT_PACK, open_store

NOW = datetime(2026, 11, 30, 9, 0, 5, tzinfo=UTC)  # a Monday, just after the 09:00 slot
CHANNELS = [ChannelRef("guild-1", f"c{i}") for i in range(7)]


class GatedChat(MemoryChat):
    """Holds every daily post until `bound` of them are under way at once."""

    def __init__(self, bound: int, broken: set[ChannelRef] | None = None) -> None:
        super().__init__()
        self.bound = bound
        self.broken = broken or set()
        self.in_flight = 0
        self.most = 0
        self.all_there = asyncio.Event()

    async def send(self, dest: Destination, message: Outgoing) -> MessageRef:
        if message.thread_name is None:
            return await super().send(dest, message)
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            if self.in_flight >= self.bound:
                self.all_there.set()
            await self.all_there.wait()
            if dest.channel in self.broken:
                raise ConnectionError("the platform is down for this channel")
            return await super().send(dest, message)
        finally:
            self.in_flight -= 1


async def channels_due(url: str) -> Store:
    store = await open_store(url)
    for ref in CHANNELS:
        settings = ChannelSettings(
            ref, DEFAULT_PACK, "09:00", "UTC", WEEKDAYS, created_at=NOW - timedelta(days=3)
        )
        await store.save_channel(settings, NOW - timedelta(days=3))
    return store


def posts_per_channel(chat: MemoryChat) -> dict[ChannelRef, int]:
    counts = dict.fromkeys(CHANNELS, 0)
    for s in chat.sent:
        if s.opened_thread and s.channel in counts:
            counts[s.channel] += 1
    return counts


async def test_due_channels_go_out_together_within_the_bound_each_once(
    sqlite_url: str, packs: dict[str, Pack]
) -> None:
    store = await channels_due(sqlite_url)
    chat = GatedChat(bound=3)
    svc = Services(
        chat=chat, store=store, clock=FakeClock(NOW), packs=packs,
        tuning=Tuning(post_concurrency=3),
    )  # fmt: skip
    try:
        # Posted one after another, the first post would wait forever for the others.
        await asyncio.wait_for(daily.run_due(svc), 30)
        assert chat.most == 3  # three under way at once, never more
        assert set(posts_per_channel(chat).values()) == {1}
        await daily.run_due(svc)  # the next tick finds every slot settled
        assert set(posts_per_channel(chat).values()) == {1}
    finally:
        await store.close()


async def test_a_broken_channel_fails_alone_while_the_others_post(
    sqlite_url: str, packs: dict[str, Pack]
) -> None:
    store = await channels_due(sqlite_url)
    broken = CHANNELS[1]
    chat = GatedChat(bound=4, broken={broken})
    svc = Services(
        chat=chat, store=store, clock=FakeClock(NOW), packs=packs,
        tuning=Tuning(post_concurrency=4),
    )  # fmt: skip
    try:
        await asyncio.wait_for(daily.run_due(svc), 30)
        counts = posts_per_channel(chat)
        assert counts.pop(broken) == 0
        assert set(counts.values()) == {1}
        failed = await store.last_post(broken)
        assert failed is not None and failed.status == "failed"  # a later tick takes it over
    finally:
        await store.close()


async def test_the_global_pacer_keeps_any_second_under_the_rate() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = GlobalPacer(48.0, clock=lambda: now[0], sleep=sleep)
    sent = []
    for _ in range(200):
        await pacer.take()
        sent.append(now[0])
    # (a hair under a second: 48 spacings of 1/48 s add up to 1 s give or take a rounding)
    busiest = max(sum(1 for t in sent if start <= t < start + 1.0 - 1e-6) for start in sent)
    assert busiest == 48
    assert sent[9] == 0.0  # a few go at once
    assert sent[-1] <= 200 / 48  # and the rest no slower than the rate
