"""The contract cases against the Discord adapter: real discord.py objects from gateway
payloads, REST answered by the loopback fake, the real core and database."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain import Destination, Outgoing
from tests.contract.cases import CASES, cases_for
from tests.contract.platform import Delivered
from tests.discord import fixtures
from tests.discord.fake_discord import ZWSP
from tests.discord.fixtures import MakeWorld
from tests.discord.world import World

# The Discord fixtures, shared with tests/discord (a conftest there does not reach here).
fake, guild, make_world = fixtures.fake, fixtures.guild, fixtures.make_world


class DiscordPlatform:
    def __init__(self, world: World, make_world: MakeWorld) -> None:
        self.w = world
        self.make_world = make_world
        self.down = False

    async def command(self, user: str, line: str, *, admin: bool = False) -> None:
        await self.w.command(user, line, admin=admin)

    async def post_question(self) -> None:
        await self.w.command("you", "/post-now", admin=True)

    async def reply(self, user: str, text: str) -> str:
        return str(await self.w.reply(user, text, deliver=not self.down))

    async def edit(self, user: str, message_id: str, text: str) -> None:
        await self.w.edit(user, int(message_id), text, deliver=not self.down)

    async def delete(self, user: str, message_id: str) -> None:
        await self.w.delete(int(message_id), deliver=not self.down)

    async def go_down(self) -> None:
        await self.w.close()
        self.down = True

    async def come_back(self) -> None:
        """A new process: logs in, then its gateway session starts (READY), which is when it
        reads back the open threads."""
        await self.w.close()
        self.w = await self.make_world()
        await self.w.ready()
        await self.w.bot.idle()  # the reviews the back-fill started
        self.down = False

    async def redeliver(self, user: str, message_id: str, text: str) -> None:
        from tests.discord import payloads as p

        t = self.w.newest_thread()
        data = p.message_create(
            int(message_id), int(t["id"]), self.w.guild.id, self.w.user_id(user), user, text
        )
        await self.w.feed("MESSAGE_CREATE", data)

    def delivered(self) -> list[Delivered]:
        return [
            Delivered(s.text.replace(ZWSP, ""), s.where, s.to_user, s.pings)  # type: ignore[arg-type]
            for s in self.w.fake.shown
        ]

    async def stored_answers(self) -> list[str]:
        return await self.w.stored_answers()

    def close_dms(self, user: str) -> None:
        self.w.fake.close_dms(self.w.user_id(user))

    def deny_posting(self) -> None:
        self.w.fake.deny(self.w.guild.study_id, "SEND_MESSAGES")

    def deny_threads(self) -> None:
        self.w.fake.deny(self.w.guild.study_id, "CREATE_PUBLIC_THREADS")

    async def announce(self, text: str) -> None:
        await self.w.chat.send(Destination.to_channel(self.w.guild.ref()), Outgoing(text))

    async def settle(self) -> None:
        await self.w.bot.idle()

    def _newest_with_buttons(self, user: str) -> dict[str, Any]:
        return next(m for m in reversed(self.w.private_to(user)) if m["components"])

    def private_buttons(self, user: str) -> list[str]:
        message = self._newest_with_buttons(user)
        return [c["label"] for row in message["components"] for c in row["components"]]

    async def press_private(self, user: str, label: str) -> None:
        await self.w.dm_click(user, self._newest_with_buttons(user), label)

    async def submit_private_form(self, user: str, values: dict[str, str]) -> None:
        await self.w.dm_submit(user, self.w.fake.modals[-1]["custom_id"], values)

    def _newest_own(self, user: str) -> dict[str, Any]:
        shown = next(s for s in reversed(self.w.fake.shown) if s.to_user == user and s.components)
        return self.w.fake.messages[shown.message_id]

    def own_buttons(self, user: str) -> list[str]:
        message = self._newest_own(user)
        return [c["label"] for row in message["components"] for c in row["components"]]

    async def press_own(self, user: str, label: str) -> None:
        message = self._newest_own(user)
        if message.get("guild_id") is None:  # a DM: pressed in the DM
            await self.w.dm_click(user, message, label)
        else:  # an ephemeral reply: pressed in the channel it was given in
            await self.w.click(user, message, label)

    async def submit_own_form(self, user: str, values: dict[str, str]) -> None:
        await self.w.submit(user, self.w.fake.modals[-1]["custom_id"], values)


@pytest.fixture
async def platform(make_world: MakeWorld) -> DiscordPlatform:
    world = await make_world()
    await world.command("you", "/setup time:09:00 timezone:UTC weekdays:daily", admin=True)
    return DiscordPlatform(world, make_world)


@pytest.mark.parametrize("case", cases_for("discord"))
async def test_discord_contract(case: str, platform: DiscordPlatform) -> None:
    await CASES[case](platform)
