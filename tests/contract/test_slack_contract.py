"""The contract cases against the Slack adapter: the real adapter, bolt and slack_sdk in
HTTP mode and in Socket Mode, against the loopback fake Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.ports import FakeClock
from tests.contract.cases import CASES, cases_for
from tests.contract.platform import Delivered, Where
from tests.slack import payloads
from tests.slack.fake_slack import FakeSlack, Msg
from tests.slack.world import World, pings, shown, start_world


class SlackPlatform:
    def __init__(self, w: World) -> None:
        self.w = w
        self._sent: dict[str, tuple[dict[str, Any], str, str]] = {}  # ts -> (event, event_id, text)
        self._ids = 0

    async def command(self, user: str, line: str, *, admin: bool = False) -> None:
        uid = self.w.user(user)
        self.w.fake.users[uid]["is_admin"] = admin
        await self.w.run(user, "/studybot", line.strip().removeprefix("/"))

    async def post_question(self) -> None:
        await self.command("you", "/post-now", admin=True)

    async def reply(self, user: str, text: str) -> str:
        ts = self.w.fake.next_ts()
        event = payloads.message(
            self.w.user(user), payloads.as_typed(text), ts, thread_ts=self.w.newest_post().ts
        )
        self._ids += 1
        event_id = f"Ev{self._ids:08d}"
        self._sent[ts] = (event, event_id, text)
        await self.w.event(event, event_id=event_id)
        return ts

    async def edit(self, user: str, message_id: str, text: str) -> None:
        old = self._sent[message_id][2]
        await self.w.edits(user, message_id, old, text)

    async def delete(self, user: str, message_id: str) -> None:
        await self.w.deletes(user, message_id, self._sent[message_id][2])

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
        else:
            where = "private" if m.channel.startswith("D") else "channel"
        # The cases name commands as /setup; on Slack they read /studybot setup.
        text = shown(m).replace("/studybot ", "/")
        return Delivered(text, where, to_user, pings(m))

    async def stored_answers(self) -> list[str]:
        return await self.w.stored_answers()


@pytest.fixture(params=["http", "socket"])
async def platform(
    request: pytest.FixtureRequest, sqlite_url: str, clock: FakeClock
) -> AsyncIterator[SlackPlatform]:
    fake = FakeSlack()
    await fake.start()
    async with aiohttp.ClientSession() as session:
        world = await start_world(fake, request.param, sqlite_url, clock, session)
        try:
            p = SlackPlatform(world)
            await p.command("you", "/setup time:09:00 timezone:UTC weekdays:daily", admin=True)
            yield p
        finally:
            await world.service.stop()
            await fake.stop()


@pytest.mark.parametrize("case", cases_for("slack"))
async def test_slack_contract(case: str, platform: SlackPlatform) -> None:
    await CASES[case](platform)
