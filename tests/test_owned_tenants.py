"""A process schedules only the tenants it owns (a Discord shard's share of the guilds)."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.memory import ChatDriver, MemoryChat
from bot.app import StudyBot
from bot.content import Pack
from bot.domain import ChannelRef
from bot.ports import FakeClock
from bot.services import Services, Tuning
from bot.storage.store import Store
from tests.harness import DEFAULT_PACK


async def test_run_due_posts_only_in_owned_tenants(
    store: Store, clock: FakeClock, packs: dict[str, Pack]
) -> None:
    mine, theirs = ChannelRef("guild-a", "study"), ChannelRef("guild-b", "study")
    chat = MemoryChat()
    setup_bot = StudyBot(Services(chat, store, clock, packs), default_pack=DEFAULT_PACK)
    for ref in (mine, theirs):
        await (
            ChatDriver(setup_bot, chat, ref)
            .as_user("you", admin=True)
            .runs("/setup time:09:00 weekdays:daily")
        )
    tuning = Tuning(instance_id="shard-0", owns_tenant=lambda tenant: tenant == "guild-a")
    bot = StudyBot(Services(chat, store, clock, packs, tuning), default_pack=DEFAULT_PACK)
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await bot.run_due()
    assert [s.channel for s in chat.posts()] == [mine]
