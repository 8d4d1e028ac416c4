"""The contract cases against the in-memory double (the same cases run on Discord and Slack)."""

from __future__ import annotations

import pytest

from adapters.memory import MemoryChat, Sent
from bot.domain import Destination, InteractionRef, Outgoing, UserRef
from bot.events import ButtonPressed, FormSubmitted, MessagePosted
from bot.text import ZWSP
from tests.contract.cases import CASES, cases_for
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

    def close_dms(self, user: str) -> None:
        self.h.chat.closed_dms.add(self.h.user(user).user.user_id)

    def deny_posting(self) -> None:
        self.h.chat.no_posting.add(self.h.driver.channel)

    def deny_threads(self) -> None:
        self.h.chat.no_threads.add(self.h.driver.channel)

    async def announce(self, text: str) -> None:
        await self.h.chat.send(Destination.to_channel(self.h.driver.channel), Outgoing(text))

    async def settle(self) -> None:
        await self.h.bot.idle()

    def _newest_with_buttons(self, user: str) -> Sent:
        uid = self.h.user(user).user.user_id
        return next(s for s in reversed(self.h.chat.to(uid)) if s.buttons)

    def private_buttons(self, user: str) -> list[str]:
        return [b.label for b in self._newest_with_buttons(user).buttons]

    def _dm_interaction(self, user: str) -> InteractionRef:
        # In a DM: no channel, as a platform reports a private interaction.
        return InteractionRef(self.h.driver.next_id("i"), self.h.user(user).user, None)

    async def press_private(self, user: str, label: str) -> None:
        sent = self._newest_with_buttons(user)
        button = next(b for b in sent.buttons if b.label == label)
        await self.h.bot.handle(ButtonPressed(self._dm_interaction(user), button.custom_id))

    async def submit_private_form(self, user: str, values: dict[str, str]) -> None:
        form = self.h.chat.forms[-1].form
        await self.h.bot.handle(FormSubmitted(self._dm_interaction(user), form.custom_id, values))

    def own_buttons(self, user: str) -> list[str]:
        return self.private_buttons(user)

    async def press_own(self, user: str, label: str) -> None:
        await self.h.user(user).clicks(self._newest_with_buttons(user).number, label)

    async def submit_own_form(self, user: str, values: dict[str, str]) -> None:
        await self.h.user(user).submits(self.h.chat.forms[-1].form.custom_id, **values)


def _as_delivered(s: object) -> Delivered:
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


@pytest.mark.parametrize("case", cases_for("memory"))
async def test_memory_contract(case: str, platform: MemoryPlatform) -> None:
    await CASES[case](platform)


def test_chat_double_is_a_chatport() -> None:
    from bot.ports import ChatPort

    chat: ChatPort = MemoryChat()
    assert chat.capabilities.threads
