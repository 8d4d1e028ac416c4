"""A bot over the in-memory chat, a real SQLite (or PostgreSQL) database and a fake clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from adapters.memory import ChatDriver, MemoryChat, UserActions
from bot.app import StudyBot
from bot.content import Pack, load_packs
from bot.domain import ChannelRef
from bot.ports import FakeClock, Reviewer
from bot.review.rubric import RubricReviewer
from bot.scheduling import advance_to
from bot.services import Services, Tuning
from bot.storage.engine import create_engine, upgrade
from bot.storage.store import Store

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
DEFAULT_PACK = "amazon-backend-developer"
CHANNEL = ChannelRef("guild-1", "study")


def real_packs() -> dict[str, Pack]:
    return load_packs([CONTENT])


@dataclass
class Harness:
    bot: StudyBot
    chat: MemoryChat
    clock: FakeClock
    store: Store
    driver: ChatDriver
    # The bots of restarts made from this one: their background work holds connections too.
    restarts: list[Harness] = field(default_factory=list)

    def user(self, name: str, *, admin: bool | None = None) -> UserActions:
        return self.driver.as_user(name, admin=admin)

    @property
    def admin(self) -> UserActions:
        return self.driver.as_user("you", admin=True)

    async def advance(self, delta: timedelta) -> None:
        await advance_to(self.bot, self.clock, self.clock.now() + delta)

    async def advance_to(self, when: datetime) -> None:
        await advance_to(self.bot, self.clock, when)

    async def restart(self, *, instance_id: str = "second") -> Harness:
        """A new bot process on the same database and chat (what a restart looks like)."""
        second = build(
            self.store,
            self.chat,
            self.clock,
            self.bot.svc.packs,
            instance_id=instance_id,
            channel=self.driver.channel,
        )
        self.restarts.append(second)
        return second

    async def idle(self) -> None:
        """This bot's background work and that of every restart made from it, finished."""
        await self.bot.idle()
        for second in self.restarts:
            await second.idle()

    def texts(self) -> list[str]:
        return [s.text for s in self.chat.sent]


def build(
    store: Store,
    chat: MemoryChat,
    clock: FakeClock,
    packs: dict[str, Pack],
    *,
    instance_id: str = "first",
    channel: ChannelRef = CHANNEL,
    reviewer: Reviewer | None = None,
) -> Harness:
    services = Services(
        chat=chat,
        store=store,
        clock=clock,
        packs=packs,
        tuning=Tuning(instance_id=instance_id),
        reviewer=reviewer or RubricReviewer(),
    )
    bot = StudyBot(
        services, default_pack=DEFAULT_PACK if DEFAULT_PACK in packs else next(iter(packs))
    )
    harness = Harness(bot, chat, clock, store, ChatDriver(bot, chat, channel, admins={"you"}))
    BUILT.setdefault(id(store), []).append(harness)
    return harness


# Every bot built on a store, by the store's id: a second bot a test builds on the fixture's
# store (another server, say) has background work holding connections too, and it must end
# before the store closes (the `store` fixture waits for them all: `idle_all`).
BUILT: dict[int, list[Harness]] = {}


async def idle_all(store: Store) -> None:
    """The background work of every bot built on `store`, finished."""
    for harness in BUILT.pop(id(store), []):
        await harness.idle()


async def open_store(url: str) -> Store:
    engine = create_engine(url)
    await upgrade(engine)
    return Store(engine)
