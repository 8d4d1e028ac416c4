"""Command registration: once per change of the command set (its hash is kept in the
database), not at every start of every shard process; `studybot discord sync` forces it."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.discord_bot.client import ClientOptions
from adapters.discord_bot.runner import sync
from bot.commands import CommandContext, CommandSpec
from bot.domain import Reply
from bot.settings import Settings
from tests.discord.fake_discord import FakeDiscord
from tests.discord.fixtures import MakeWorld

PUT = r"/applications/\d+/commands"


async def _extra(ctx: CommandContext) -> Reply:
    return Reply("new")


async def test_restarts_do_not_resync_an_unchanged_command_set(
    make_world: MakeWorld, fake: FakeDiscord
) -> None:
    first = await make_world()
    await first.close()
    assert len(fake.requests_to("PUT", PUT)) == 1
    await make_world()  # a restart, or a second shard process, on the same database
    assert len(fake.requests_to("PUT", PUT)) == 1

    await make_world(options=ClientOptions(force_sync=True, guild_ready_timeout=0.01))
    assert len(fake.requests_to("PUT", PUT)) == 2

    # A release that changes the commands registers them again, once.
    extra = ((CommandSpec(("extra",), "Something new."), _extra),)
    await make_world(commands=extra)
    await make_world(commands=extra)
    assert len(fake.requests_to("PUT", PUT)) == 3
    assert "extra" in {c["name"] for c in fake.commands}


async def test_studybot_discord_sync_forces_a_sync(
    fake: FakeDiscord, sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(
        DISCORD_TOKEN="fake-bot-token", STUDYBOT_DB_URL=sqlite_url, STUDYBOT_DATA=tmp_path
    )  # type: ignore[call-arg]
    assert await sync(settings) == 0
    assert await sync(settings) == 0
    assert len(fake.requests_to("PUT", PUT)) == 2
    assert "synced" in capsys.readouterr().out
