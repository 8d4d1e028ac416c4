"""The discord.py client: start-up work in setup_hook, listeners that only translate.

setup_hook runs once per process, before the gateway connects, so the commands, the
persistent buttons and the scheduler start exactly once; on_ready fires again on every
reconnect and therefore does nothing but log.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import discord
import yarl
from discord import app_commands

from adapters.discord_bot import commands, mapping
from adapters.discord_bot.chat import DiscordChat, no_blind_forum_retries
from adapters.discord_bot.pacing import GLOBAL_RATE, GlobalPacer, paced_requests
from bot.app import StudyBot
from bot.events import ButtonPressed, Event
from bot.scheduling import Scheduler
from bot.storage.app_state import AppState

log = logging.getLogger(__name__)

NOT_IN_A_SERVER = "studybot works inside a server; run this in a server channel."


@dataclass(frozen=True)
class ClientOptions:
    message_content: bool = True
    shard_count: int | None = None
    shard_ids: list[int] | None = None
    gateway_url: str | None = None
    guild_ready_timeout: float = 2.0
    # Register the commands even when their hash says they are unchanged (`discord sync`).
    force_sync: bool = False
    # Requests per second this process sends (Discord's global limit is per bot token:
    # processes sharing a token share it, so each takes its part).
    global_rate: float = GLOBAL_RATE


def intents(message_content: bool) -> discord.Intents:
    """The least the bot needs: guilds (channels and threads in cache) and guild messages
    (thread replies, edits, deletes); message content only when the organizer enabled it."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.message_content = message_content
    return wanted


def use_endpoints(rest_base: str | None, gateway_url: str | None) -> None:
    """Point discord.py at other addresses (a proxy, a gateway relay). These are class-level
    settings in discord.py, so they hold for the whole process."""
    if rest_base:
        discord.http.Route.BASE = rest_base
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class CoreButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=re.compile(mapping.CUSTOM_ID)
):
    """Every button the core sends ("answer:<post_id>", ...), matched by its custom id, so
    buttons on messages sent before a restart keep working."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(custom_id=custom_id))

    @classmethod
    async def from_custom_id(  # type: ignore[override]
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Button[Any],
        match: re.Match[str],
    ) -> CoreButton:
        return cls(str(item.custom_id))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        client = interaction.client
        if isinstance(client, StudyClient):
            await client.on_core_button(interaction, str(self.item.custom_id))


class StudyClient(discord.AutoShardedClient):
    def __init__(self, options: ClientOptions | None = None) -> None:
        self.options = options or ClientOptions()
        shards: dict[str, Any] = {"shard_count": self.options.shard_count}
        if self.options.shard_ids is not None:
            shards["shard_ids"] = self.options.shard_ids
        super().__init__(
            intents=intents(self.options.message_content),
            **shards,
            allowed_mentions=discord.AllowedMentions.none(),  # a default; each send sets its own
            guild_ready_timeout=self.options.guild_ready_timeout,
            max_messages=None,  # the core keeps what matters; no message cache
            http_trace=paced_requests(
                no_blind_forum_retries(), GlobalPacer(self.options.global_rate)
            ),
        )
        self.tree: app_commands.CommandTree[StudyClient] = app_commands.CommandTree(
            self,
            allowed_contexts=app_commands.AppCommandContext(guild=True),
            allowed_installs=app_commands.AppInstallationType(guild=True, user=False),
        )
        self.bot: StudyBot | None = None
        self.chat: DiscordChat | None = None
        self.scheduler: Scheduler | None = None
        self.ready_count = 0
        self._parents: dict[int, int] = {}  # thread id -> parent channel id, for uncached threads

    def attach(self, bot: StudyBot, chat: DiscordChat, scheduler: Scheduler | None) -> None:
        self.bot, self.chat, self.scheduler = bot, chat, scheduler

    def owns_tenant(self, tenant: str) -> bool:
        return mapping.owns_tenant(tenant, self.options.shard_count, self.options.shard_ids)

    # -- start-up -------------------------------------------------------------------

    async def setup_hook(self) -> None:
        if self.bot is None:
            raise RuntimeError("attach the core before starting the client")
        self.add_dynamic_items(CoreButton)
        for command in commands.render(self.bot.commands.all(), self.run_command):
            self.tree.add_command(command)
        await self.sync_commands(force=self.options.force_sync)
        if self.scheduler is not None:
            await self.scheduler.start()

    async def sync_commands(self, *, force: bool = False) -> bool:
        """Register the command set with Discord when it changed since the last sync (its
        hash is kept in the database), so restarts and every shard process do not each
        re-register it. True when a sync was made."""
        assert self.bot is not None
        digest = commands.digest(self.tree)
        key = f"discord.commands.{self.application_id}"
        state = AppState(self.bot.svc.store.engine)
        if not force and await state.get(key) == digest:
            log.info("slash commands unchanged; not synced")
            return False
        synced = await self.tree.sync()
        await state.set(key, digest, self.bot.svc.clock.now())
        log.info("slash commands synced", extra={"count": len(synced)})
        return True

    async def launch_shards(self) -> None:
        # With DISCORD_GATEWAY_URL set, discord.py would still take the address from the API
        # when it asks for the shard count; ask for the count only, so the override holds.
        if self.options.gateway_url and self.shard_count is None:
            self.shard_count, _, _ = await self.http.get_bot_gateway()
        await super().launch_shards()

    async def on_ready(self) -> None:
        self.ready_count += 1
        log.info(
            "connected to Discord",
            extra={"guilds": len(self.guilds), "ready_count": self.ready_count},
        )

    async def on_shard_ready(self, shard_id: int) -> None:
        """A new gateway session (the first, or a reconnect that could not resume) replays
        nothing: read back what members did in open question threads meanwhile, for the
        guilds of this shard only."""
        if self.bot is None:
            return
        count = self.shard_count or 1
        if count == 1:
            await self.bot.backfill()
            return
        await self.bot.backfill(
            lambda tenant: tenant.isdigit() and mapping.shard_of(int(tenant), count) == shard_id
        )

    async def close(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown()
        await super().close()

    # -- into the core ------------------------------------------------------------------

    async def deliver(self, event: Event | None) -> None:
        if event is not None and self.bot is not None:
            await self.bot.handle(event)

    async def _serve(self, interaction: discord.Interaction[Any], event: Event) -> None:
        if self.chat is None:
            return
        await self.chat.serve(interaction, lambda: self.deliver(event))

    async def run_command(
        self, interaction: discord.Interaction[Any], path: tuple[str, ...], options: dict[str, Any]
    ) -> None:
        place = mapping.interaction_place(interaction)
        if place is None:
            await interaction.response.send_message(NOT_IN_A_SERVER, ephemeral=True)
            return
        ref = mapping.interaction_ref(interaction, place)
        await self._serve(interaction, mapping.command_event(ref, path, options))

    async def on_core_button(self, interaction: discord.Interaction[Any], custom_id: str) -> None:
        core_id, tenant = mapping.split_tenant(custom_id)
        place = mapping.interaction_place(interaction)
        if place is not None:
            ref = mapping.interaction_ref(interaction, place)
            await self._serve(
                interaction, mapping.button_event(ref, core_id, interaction.message, place)
            )
        elif tenant is not None:  # a button in a DM (peer review): its tenant rode along
            dm = mapping.dm_interaction_ref(interaction, tenant)
            await self._serve(interaction, ButtonPressed(dm, core_id))
        else:
            await interaction.response.send_message(NOT_IN_A_SERVER, ephemeral=True)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        # Modal submissions are handled here, not by discord.py's modal store, which forgets
        # every open form at a restart.
        if interaction.type is not discord.InteractionType.modal_submit or not isinstance(
            interaction.data, dict
        ):
            return
        place = mapping.interaction_place(interaction)
        _, tenant = mapping.split_tenant(str(interaction.data.get("custom_id", "")))
        if place is not None:
            ref = mapping.interaction_ref(interaction, place)
        elif tenant is not None:  # a form opened from a DM button
            ref = mapping.dm_interaction_ref(interaction, tenant)
        else:
            await interaction.response.send_message(NOT_IN_A_SERVER, ephemeral=True)
            return
        await self._serve(interaction, mapping.form_event(ref, interaction.data))

    async def on_message(self, message: discord.Message) -> None:
        # Without the message content intent a reply reads as empty: the Answer button is the way in.
        if not self.options.message_content or message.guild is None:
            return
        if not mapping.is_member_message(message, self.user.id if self.user else None):
            return
        place = await self.place(message.guild.id, message.channel)
        if place is not None:
            await self.deliver(mapping.message_posted(message, place))

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if not self.options.message_content or payload.guild_id is None:
            return
        if not mapping.is_member_message(payload.message, self.user.id if self.user else None):
            return
        place = await self.place(payload.guild_id, payload.message.channel)
        if place is not None:
            await self.deliver(mapping.message_edited(payload.data, payload.message, place))

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if payload.guild_id is None:
            return
        channel = self.get_channel(payload.channel_id) or discord.Object(payload.channel_id)
        place = await self.place(payload.guild_id, channel)
        if place is not None:
            await self.deliver(mapping.message_deleted(payload.message_id, place))

    async def place(self, guild_id: int, channel: object) -> mapping.Place | None:
        """Where a message sits; a thread missing from the cache is looked up once."""
        found = mapping.place_of(guild_id, channel)
        if found is not None or not isinstance(channel, discord.abc.Snowflake):
            return found
        cid = channel.id
        if cid not in self._parents:
            try:
                fetched = await self.fetch_channel(cid)
            except discord.HTTPException:
                log.warning("could not look up channel %s", cid)
                return None
            parent = fetched.parent_id if isinstance(fetched, discord.Thread) else None
            self._parents[cid] = parent or 0
        parent_id = self._parents[cid]
        return (
            mapping.Place(guild_id, parent_id, cid) if parent_id else mapping.Place(guild_id, cid)
        )
