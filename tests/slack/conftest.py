from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.ports import FakeClock
from tests.slack.fake_slack import FakeSlack
from tests.slack.world import World, start_world


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    await slack.start()
    yield slack
    await slack.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


async def _world(
    fake: FakeSlack, mode: str, sqlite_url: str, clock: FakeClock, session: aiohttp.ClientSession
) -> AsyncIterator[World]:
    world = await start_world(fake, mode, sqlite_url, clock, session)  # type: ignore[arg-type]
    try:
        yield world
    finally:
        await world.service.stop()


@pytest.fixture
async def http(
    fake: FakeSlack, sqlite_url: str, clock: FakeClock, session: aiohttp.ClientSession
) -> AsyncIterator[World]:
    """The bot in HTTP mode: its aiohttp server on loopback, requests signed like Slack's."""
    async for world in _world(fake, "http", sqlite_url, clock, session):
        yield world


@pytest.fixture
async def socket(
    fake: FakeSlack, sqlite_url: str, clock: FakeClock, session: aiohttp.ClientSession
) -> AsyncIterator[World]:
    """The bot in Socket Mode, connected to the fake's websocket."""
    async for world in _world(fake, "socket", sqlite_url, clock, session):
        yield world


@pytest.fixture(params=["http", "socket"])
async def world(
    request: pytest.FixtureRequest,
    fake: FakeSlack,
    sqlite_url: str,
    clock: FakeClock,
    session: aiohttp.ClientSession,
) -> AsyncIterator[World]:
    """Each test using this runs once per transport."""
    async for w in _world(fake, request.param, sqlite_url, clock, session):
        yield w
