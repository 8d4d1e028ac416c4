"""One bot process on Discord, made of the real adapter, the real core, the loopback REST
fake and gateway payloads fed through discord.py's own connection state."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from adapters.discord_bot.chat import DiscordChat
from adapters.discord_bot.client import ClientOptions, StudyClient
from bot.app import StudyBot
from bot.commands import CommandSpec, Handler, parse_command_line
from bot.content import Pack
from bot.domain import ChannelRef
from bot.ports import FakeClock
from bot.scheduling import Scheduler
from bot.services import Services, Tuning
from bot.storage.store import Store
from tests.discord import payloads as p
from tests.discord.fake_discord import FakeDiscord
from tests.harness import DEFAULT_PACK

TOKEN = "fake-bot-token"


class Guild:
    """A server as the tests lay it out: a study text channel and a forum."""

    def __init__(self, fake: FakeDiscord, name: str = "Interview Club") -> None:
        self.id = p.snowflake()
        self.name = name
        self.study = fake.add_channel(p.text_channel(p.snowflake(), self.id, "study"))
        self.forum = fake.add_channel(p.forum_channel(p.snowflake(), self.id, "questions"))
        self.fake = fake

    @property
    def study_id(self) -> int:
        return int(self.study["id"])

    def ref(self, channel: dict[str, Any] | None = None) -> ChannelRef:
        return ChannelRef(str(self.id), (channel or self.study)["id"])

    def payload(self) -> dict[str, Any]:
        threads = [t for t in self.fake.threads() if t["guild_id"] == str(self.id)]
        return p.guild_create(self.id, self.name, [self.study, self.forum], threads)


class World:
    def __init__(
        self,
        fake: FakeDiscord,
        store: Store,
        clock: FakeClock,
        packs: dict[str, Pack],
        guilds: list[Guild],
        *,
        ack_after: float = 2.0,
        scheduler: bool = False,
        options: ClientOptions | None = None,
        commands: tuple[tuple[CommandSpec, Handler], ...] = (),
    ) -> None:
        self.fake = fake
        self.guilds = guilds
        self.client = StudyClient(options or ClientOptions(guild_ready_timeout=0.01))
        self.chat = DiscordChat(self.client, ack_after=ack_after)
        tuning = Tuning(instance_id=f"test-{id(self)}", owns_tenant=self.client.owns_tenant)
        services = Services(chat=self.chat, store=store, clock=clock, packs=packs, tuning=tuning)
        self.bot = StudyBot(services, default_pack=DEFAULT_PACK)
        for spec, handler in commands:  # extra core commands, declared before start-up
            self.bot.commands.add(spec, handler)
        self.store = store
        self.scheduler = Scheduler(self.bot) if scheduler else None
        self.client.attach(self.bot, self.chat, self.scheduler)
        self._ids: dict[str, int] = {}

    @property
    def guild(self) -> Guild:
        return self.guilds[0]

    async def start(self) -> World:
        """Log in (REST: who am I, the application, the command sync; then setup_hook) and
        receive each guild, as discord.py does after IDENTIFY."""
        await self.client.login(TOKEN)
        state = self.client._connection
        state.shard_count = self.client.shard_count or 1
        state.shard_ids = self.client.shard_ids or [0]
        for g in self.guilds:
            await self.feed("GUILD_CREATE", g.payload())
        return self

    async def close(self) -> None:
        # Reviews still running hold database connections: they finish before the loop ends.
        await self.bot.idle()
        await self.client.close()

    # -- the gateway --------------------------------------------------------------

    async def feed(self, event: str, data: dict[str, Any]) -> None:
        """One gateway dispatch through discord.py's parser; waits for the handlers it starts,
        then feeds what Discord would send back (the bot's own messages, new threads)."""
        before = asyncio.all_tasks()
        self.client._connection.parsers[event](data)
        started = asyncio.all_tasks() - before
        if started:
            await asyncio.gather(*started)
        while self.fake.events:
            echo, payload = self.fake.events.pop(0)
            await self.feed(echo, payload)

    async def ready(self) -> None:
        """A (re)connect: READY, then the guilds, then discord.py's on_ready."""
        waiter = asyncio.ensure_future(self.client.wait_for("ready"))
        await self.feed(
            "READY", p.ready(self.fake.bot_user, self.fake.app_id, [g.id for g in self.guilds])
        )
        for g in self.guilds:
            await self.feed("GUILD_CREATE", g.payload())
        await waiter
        await asyncio.sleep(0)  # let the listeners scheduled with it start
        # ... and finish: each shard's start-up work (the back-fill of open threads).
        await asyncio.gather(
            *(t for t in asyncio.all_tasks() if t.get_name() == "discord.py: on_shard_ready")
        )

    # -- members ------------------------------------------------------------------

    def user_id(self, name: str) -> int:
        if name not in self._ids:
            self._ids[name] = p.snowflake()
            self.fake.names[self._ids[name]] = name
        return self._ids[name]

    def member(self, name: str, *, admin: bool = False) -> dict[str, Any]:
        return p.member(self.user_id(name), name, admin=admin)

    def registered(self, name: str) -> dict[str, Any]:
        return next(c for c in self.fake.commands if c["name"] == name)

    async def interact(self, data: dict[str, Any]) -> None:
        # Discord sends the bot's permissions in the channel with every interaction.
        data["app_permissions"] = self.fake.app_permissions(int(data["channel_id"]))
        self.fake.register_interaction(data)
        await self.feed("INTERACTION_CREATE", data)

    async def command(
        self,
        user: str,
        line: str,
        *,
        admin: bool = False,
        channel: dict[str, Any] | None = None,
        guild: Guild | None = None,
    ) -> dict[str, Any]:
        path, options = parse_command_line(line)
        g = guild or self.guild
        data = p.slash_command(
            self.fake.app_id,
            self.registered(path[0]),
            path,
            options,
            guild_id=g.id,
            channel=channel or g.study,
            who=self.member(user, admin=admin),
        )
        await self.interact(data)
        return data

    async def click(
        self,
        user: str,
        message: dict[str, Any],
        label: str,
        *,
        guild: Guild | None = None,
        channel: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        button = next(
            c for row in message["components"] for c in row["components"] if c.get("label") == label
        )
        g = guild or self.guild
        where = channel or self.fake.channels[int(message["channel_id"])]
        data = p.button_press(
            self.fake.app_id, g.id, where, self.member(user), message, button["custom_id"]
        )
        await self.interact(data)
        return data

    async def submit(
        self,
        user: str,
        custom_id: str,
        values: dict[str, str],
        *,
        channel: dict[str, Any] | None = None,
        labels: bool = False,
    ) -> None:
        data = p.modal_submit(
            self.fake.app_id,
            self.guild.id,
            channel or self.guild.study,
            self.member(user),
            custom_id,
            values,
            labels=labels,
        )
        await self.interact(data)

    def dm_of(self, name: str) -> dict[str, Any]:
        """The bot's DM channel with this member (it exists once the bot wrote to them)."""
        uid = self.user_id(name)
        return self.fake.channels[self.fake._dms[uid]]

    def private_to(self, name: str) -> list[dict[str, Any]]:
        """The DM messages the bot sent this member, oldest first."""
        dm = int(self.dm_of(name)["id"])
        return [m for m in self.fake.messages.values() if int(m["channel_id"]) == dm]

    async def dm_click(self, user: str, message: dict[str, Any], label: str) -> dict[str, Any]:
        """A press on a button of a message in the member's DM with the bot."""
        button = next(
            c for row in message["components"] for c in row["components"] if c.get("label") == label
        )
        data = p.dm_button_press(
            self.fake.app_id, self.dm_of(user), p.user(self.user_id(user), user), message,
            button["custom_id"],
        )  # fmt: skip
        await self.interact(data)
        return data

    async def dm_submit(self, user: str, custom_id: str, values: dict[str, str]) -> None:
        data = p.dm_modal_submit(
            self.fake.app_id, self.dm_of(user), p.user(self.user_id(user), user), custom_id, values
        )
        await self.interact(data)

    def newest_thread(self) -> dict[str, Any]:
        return self.fake.threads()[-1]

    async def reply(
        self,
        user: str,
        text: str,
        *,
        thread: dict[str, Any] | None = None,
        deliver: bool = True,
    ) -> int:
        """`user` replies in a thread; Discord keeps it, and (with `deliver`) this bot hears of
        it. Without `deliver` no gateway session of this bot saw it (the bot was down)."""
        t = thread or self.newest_thread()
        msg = self.fake.member_writes(int(t["id"]), self.user_id(user), user, text)
        if deliver:  # a copy: discord.py's parser must not change what the fake keeps
            await self.feed("MESSAGE_CREATE", copy.deepcopy(msg))
        return int(msg["id"])

    async def edit(
        self,
        user: str,
        mid: int,
        text: str,
        *,
        thread: dict[str, Any] | None = None,
        deliver: bool = True,
    ) -> None:
        t = thread or self.newest_thread()
        if mid in self.fake.messages:
            self.fake.member_edits(mid, text)
        if deliver:
            await self.feed(
                "MESSAGE_UPDATE",
                p.message_update(mid, int(t["id"]), self.guild.id, self.user_id(user), user, text),
            )

    async def delete(
        self, mid: int, *, thread: dict[str, Any] | None = None, deliver: bool = True
    ) -> None:
        t = thread or self.newest_thread()
        self.fake.member_deletes(mid)
        if deliver:
            await self.feed("MESSAGE_DELETE", p.message_delete(mid, int(t["id"]), self.guild.id))

    async def stored_answers(self, channel: ChannelRef | None = None) -> list[str]:
        post = await self.store.last_post(channel or self.guild.ref())
        assert post is not None, "no question was posted"
        return [a.text for a in await self.store.answers_for(post)]
