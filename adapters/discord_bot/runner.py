"""`studybot run` with DISCORD_TOKEN: settings -> client + chat + core -> connected bot."""

from __future__ import annotations

import logging
import sys

import discord

from adapters.discord_bot.chat import DiscordChat
from adapters.discord_bot.client import ClientOptions, StudyClient, use_endpoints
from adapters.discord_bot.settings import DiscordSettings
from bot.ports import SystemClock
from bot.runtime import start as start_runtime
from bot.scheduling import Scheduler
from bot.settings import Settings

log = logging.getLogger(__name__)


def build_client(ds: DiscordSettings, *, force_sync: bool = False) -> StudyClient:
    shard_count, shard_ids = ds.shards()
    use_endpoints(ds.rest_base(), ds.gateway_url)
    return StudyClient(
        ClientOptions(
            message_content=ds.message_content,
            shard_count=shard_count,
            shard_ids=shard_ids,
            gateway_url=ds.gateway_url,
            force_sync=force_sync,
            global_rate=ds.global_rate,
        )
    )


async def sync(settings: Settings, ds: DiscordSettings | None = None) -> int:
    """`studybot discord sync`: register the slash commands now, whatever the stored hash
    says (REST only: log in, sync, leave; no gateway connection, no scheduler)."""
    if settings.discord_token is None:
        print("studybot: set DISCORD_TOKEN to sync the commands.", file=sys.stderr)
        return 2
    try:
        client = build_client(ds or DiscordSettings(), force_sync=True)
    except ValueError as err:
        print(f"studybot: {err}", file=sys.stderr)
        return 2
    chat = DiscordChat(client)
    runtime = await start_runtime(settings, chat, SystemClock(), owns_tenant=client.owns_tenant)
    client.attach(runtime.bot, chat, None)
    try:
        async with client:
            await client.login(settings.discord_token.get_secret_value())  # runs setup_hook
    except discord.LoginFailure:
        print("studybot: Discord refused DISCORD_TOKEN.", file=sys.stderr)
        return 2
    finally:
        await runtime.close()
    print("studybot: slash commands synced.")
    return 0


async def run(settings: Settings, ds: DiscordSettings | None = None) -> int:
    if settings.discord_token is None:
        print(
            "studybot: set DISCORD_TOKEN to run on Discord (see docs/discord.md).", file=sys.stderr
        )
        return 2
    try:
        client = build_client(ds or DiscordSettings())
    except ValueError as err:
        print(f"studybot: {err}", file=sys.stderr)
        return 2
    chat = DiscordChat(client)
    runtime = await start_runtime(
        settings,
        chat,
        SystemClock(),
        owns_tenant=client.owns_tenant,
        connected=lambda: client.is_ready() and not client.is_closed(),
    )
    client.attach(runtime.bot, chat, Scheduler(runtime.bot))
    try:
        async with client:
            await client.start(settings.discord_token.get_secret_value())
    except discord.LoginFailure:
        print(
            "studybot: Discord refused DISCORD_TOKEN; copy the bot token again (docs/discord.md).",
            file=sys.stderr,
        )
        return 2
    except discord.PrivilegedIntentsRequired:
        print(
            "studybot: Discord refused the Message Content intent. Enable it for the bot in the Developer "
            "Portal (Bot > Privileged Gateway Intents), or set DISCORD_MESSAGE_CONTENT=false to take answers "
            "through the Answer button only.",
            file=sys.stderr,
        )
        return 2
    finally:
        await runtime.close()
    return 0
