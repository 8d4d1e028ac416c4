"""The contract cases against the Slack adapter: the real adapter, bolt and slack_sdk in
HTTP mode and in Socket Mode, against the loopback fake Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from bot.domain import ChannelRef, Destination, Outgoing
from bot.ports import FakeClock
from tests.contract.cases import CASES, cases_for
from tests.contract.platform import Delivered, Where
from tests.slack import payloads
from tests.slack.fake_slack import TEAM, FakeSlack, Msg
from tests.slack.world import World, pings, shown, start_world


class SlackPlatform:
    def __init__(self, w: World, restart: Callable[[], Awaitable[World]]) -> None:
        self.w = w
        self._restart = restart
        self.down = False
        self._sent: dict[str, tuple[dict[str, Any], str, str]] = {}  # ts -> (event, event_id, text)
        self._ids = 0

    async def command(self, user: str, line: str, *, admin: bool = False) -> None:
        uid = self.w.user(user)
        self.w.fake.users[uid]["is_admin"] = admin
        await self.w.run(user, "/studybot", line.strip().removeprefix("/"))

    async def post_question(self) -> None:
        await self.command("you", "/post-now", admin=True)

    async def reply(self, user: str, text: str) -> str:
        thread = self.w.newest_post().ts
        typed = payloads.as_typed(text)
        ts = str(
            self.w.fake.member_writes(payloads.CHANNEL, self.w.user(user), typed, thread_ts=thread)[
                "ts"
            ]
        )
        event = payloads.message(self.w.user(user), typed, ts, thread_ts=thread)
        self._ids += 1
        event_id = f"Ev{self._ids:08d}"
        self._sent[ts] = (event, event_id, text)
        if not self.down:
            await self.w.event(event, event_id=event_id)
        return ts

    async def edit(self, user: str, message_id: str, text: str) -> None:
        old = self._sent[message_id][2]
        await self.w.edits(user, message_id, old, text, deliver=not self.down)

    async def delete(self, user: str, message_id: str) -> None:
        await self.w.deletes(user, message_id, self._sent[message_id][2], deliver=not self.down)

    async def go_down(self) -> None:
        await self.w.service.stop()
        self.down = True

    async def come_back(self) -> None:
        await self.w.service.stop()
        self.w = await self._restart()  # returns once its start-up back-fill is done
        await self.w.service.runtime.bot.idle()  # and the reviews it started
        self.down = False

    async def redeliver(self, user: str, message_id: str, text: str) -> None:
        event, event_id, _ = self._sent[message_id]
        await self.w.event(event, event_id=event_id, retry_num=1)

    def delivered(self) -> list[Delivered]:
        return [self._as_delivered(m) for m in self.w.fake.messages]

    def _as_delivered(self, m: Msg) -> Delivered:
        where: Where
        to_user = None
        if m.kind == "ephemeral":
            where, to_user = (
                "private",
                self.w.fake.users.get(m.user or "", {}).get("real_name", m.user),
            )
        elif m.kind == "response":
            where = "private" if m.response_type == "ephemeral" else "channel"
        elif m.thread_ts:
            where = "thread"
        elif m.channel.startswith("D"):  # the bot's DM with the user D<user id>
            where = "private"
            to_user = self.w.fake.users.get(m.channel[1:], {}).get("real_name", m.channel[1:])
        else:
            where = "channel"
        # The cases name commands as /setup; on Slack they read /studybot setup.
        text = shown(m).replace("/studybot ", "/")
        return Delivered(text, where, to_user, pings(m))

    async def stored_answers(self) -> list[str]:
        return await self.w.stored_answers()

    # -- the platform's refusals and private places (issue 10) ----------------------

    def close_dms(self, user: str) -> None:
        # Slack refuses the bot's DMs with messages_tab_disabled (the App Home tab is off).
        self.w.fake.dms_closed.add(self.w.user(user))

    def deny_posting(self) -> None:
        # The bot was removed from the channel: chat.postMessage answers not_in_channel.
        self.w.fake.channel(payloads.CHANNEL).bot_is_member = False

    def deny_threads(self) -> None:
        raise NotImplementedError("a Slack thread is a reply; there is no permission to lack")

    async def announce(self, text: str) -> None:
        channel = ChannelRef(TEAM, payloads.CHANNEL)
        await self.w.service.chat.send(Destination.to_channel(channel), Outgoing(text))

    async def settle(self) -> None:
        await self.w.service.runtime.bot.idle()
        await self.w.settle()

    def _newest_with_buttons(self, user: str) -> Msg:
        dm = "D" + self.w.user(user)
        return next(m for m in reversed(self.w.fake.posted()) if m.channel == dm and m.buttons())

    def private_buttons(self, user: str) -> list[str]:
        return [b["text"]["text"] for b in self._newest_with_buttons(user).buttons()]

    async def press_private(self, user: str, label: str) -> None:
        await self.w.clicks(user, self._newest_with_buttons(user), label)

    async def submit_private_form(self, user: str, values: dict[str, str]) -> None:
        await self.w.submits(user, self.w.fake.views[-1], values)

    def _newest_own(self, user: str) -> Msg:
        uid = self.w.user(user)
        return next(
            m
            for m in reversed(self.w.fake.messages)
            if m.buttons()
            and (
                (m.kind == "response" and m.response_type == "ephemeral")
                or (m.kind == "ephemeral" and m.user == uid)
                or m.channel == "D" + uid
            )
        )

    def own_buttons(self, user: str) -> list[str]:
        return [b["text"]["text"] for b in self._newest_own(user).buttons()]

    async def press_own(self, user: str, label: str) -> None:
        await self.w.clicks(user, self._newest_own(user), label)

    async def submit_own_form(self, user: str, values: dict[str, str]) -> None:
        await self.w.submits(user, self.w.fake.views[-1], values)


@pytest.fixture(params=["http", "socket"])
async def platform(
    request: pytest.FixtureRequest, sqlite_url: str, clock: FakeClock
) -> AsyncIterator[SlackPlatform]:
    fake = FakeSlack()
    await fake.start()
    async with aiohttp.ClientSession() as session:

        async def start() -> World:
            return await start_world(fake, request.param, sqlite_url, clock, session)

        p = SlackPlatform(await start(), start)
        try:
            await p.command("you", "/setup time:09:00 timezone:UTC weekdays:daily", admin=True)
            yield p
        finally:
            await p.w.service.stop()
            await fake.stop()


@pytest.mark.parametrize("case", cases_for("slack"))
async def test_slack_contract(case: str, platform: SlackPlatform) -> None:
    await CASES[case](platform)
