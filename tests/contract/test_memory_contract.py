"""The contract cases against the in-memory double (the same cases run on Discord and Slack)."""

from __future__ import annotations

import pytest

from adapters.memory import MemoryChat
from bot.domain import UserRef
from bot.events import MessagePosted
from bot.text import ZWSP
from tests.contract.cases import CASES
from tests.contract.platform import Delivered
from tests.harness import Harness


class MemoryPlatform:
    def __init__(self, h: Harness) -> None:
        self.h = h

    async def command(self, user: str, line: str, *, admin: bool = False) -> None:
        await self.h.user(user, admin=admin).runs(line)

    async def post_question(self) -> None:
        await self.h.admin.runs("/post-now")

    async def reply(self, user: str, text: str) -> str:
        return await self.h.user(user).replies(text)

    async def edit(self, user: str, message_id: str, text: str) -> None:
        await self.h.user(user).edits(message_id, text)

    async def delete(self, user: str, message_id: str) -> None:
        await self.h.user(user).deletes(message_id)

    async def redeliver(self, user: str, message_id: str, text: str) -> None:
        actor = self.h.user(user).user
        thread = self.h.driver.thread_of()
        await self.h.bot.handle(
            MessagePosted(
                self.h.driver.channel,
                message_id,
                thread,
                UserRef(actor.tenant, actor.user_id, actor.name),
                text,
            )
        )

    async def go_down(self) -> None:
        self.h.driver.online = False

    async def come_back(self) -> None:
        self.h = await self.h.restart()
        await self.h.bot.backfill()
        await self.h.bot.idle()

    def delivered(self) -> list[Delivered]:
        return [_as_delivered(s) for s in self.h.chat.sent]

    async def stored_answers(self) -> list[str]:
        post = await self.h.store.last_post(self.h.driver.channel)
        assert post is not None
        return [a.text for a in await self.h.store.answers_for(post)]


def _as_delivered(s: object) -> Delivered:
    from adapters.memory import Sent

    assert isinstance(s, Sent)
    where = "private" if s.private else ("thread" if s.thread_id else "channel")
    text = s.text
    pings = any(
        tok in text for tok in ("@everyone", "@here", "<!channel>", "<!here>", "<@")
    ) or bool(s.mentions)
    return Delivered(text.replace(ZWSP, ""), where, s.to_user.name if s.to_user else None, pings)


@pytest.fixture
async def platform(h: Harness) -> MemoryPlatform:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    return MemoryPlatform(h)


@pytest.mark.parametrize("case", sorted(CASES))
async def test_memory_contract(case: str, platform: MemoryPlatform) -> None:
    await CASES[case](platform)


def test_chat_double_is_a_chatport() -> None:
    from bot.ports import ChatPort

    chat: ChatPort = MemoryChat()
    assert chat.capabilities.threads
