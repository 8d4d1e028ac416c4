"""Fixtures for the Discord tests: the REST fake, a guild, and bot processes (`make_world`)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import discord
import pytest

from bot.content import Pack
from bot.ports import FakeClock
from bot.storage.store import Store
from tests.discord.fake_discord import FakeDiscord
from tests.discord.world import Guild, World

MakeWorld = Callable[..., Awaitable[World]]


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    f = FakeDiscord()
    url = await f.start()
    # Every REST call of discord.py (bot routes and interaction webhooks) goes to the fake.
    monkeypatch.setattr(discord.http.Route, "BASE", url)
    yield f
    await f.stop()


@pytest.fixture
def guild(fake: FakeDiscord) -> Guild:
    return Guild(fake)


@pytest.fixture
async def make_world(
    fake: FakeDiscord,
    guild: Guild,
    store: Store,
    clock: FakeClock,
    packs: dict[str, Pack],
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[MakeWorld]:
    """Start a bot process; several calls are several processes (or a restart) on one store."""
    worlds: list[World] = []
    caplog.set_level(logging.WARNING)

    async def make(**kw: Any) -> World:
        guilds = kw.pop("guilds", None) or [guild]
        w = World(fake, store, clock, packs, guilds, **kw)
        worlds.append(w)
        return await w.start()

    yield make
    for w in worlds:
        await w.close()
    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, "errors were logged:\n" + "\n".join(errors)


@pytest.fixture
async def world(make_world: MakeWorld) -> World:
    return await make_world()
