"""F2 after downtime, through the in-memory chat: what members did in a question's thread
while no bot was listening is read back at start-up, once. (The same case runs against
Discord and Slack in the contract suite.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from adapters.memory import MemoryChat
from bot.content import Pack
from bot.domain import ChannelRef
from bot.events import MessagePosted
from bot.ports import FakeClock
from bot.storage.store import Store
from tests.harness import Harness, build


@pytest.fixture
async def posted(h: Harness) -> Harness:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    await h.advance(timedelta(hours=2, minutes=5))
    assert len(h.chat.posts()) == 1
    return h


async def _answers(h: Harness) -> list[tuple[str, str, bool]]:
    post = await h.store.last_post(h.driver.channel)
    assert post is not None
    return [(a.user_name, a.text, a.late) for a in await h.store.answers_for(post)]


async def test_a_reply_edit_and_delete_made_while_down_are_backfilled_once(
    posted: Harness,
) -> None:
    h = posted
    draft = await h.user("bo").replies("First draft.")
    regret = await h.user("cy").replies("Never mind.")
    h.driver.online = False
    await h.user("ana").replies("Written while the bot was down.")
    await h.user("bo").edits(draft, "Rewritten while down.")
    await h.user("cy").deletes(regret)
    assert await _answers(h) == [("bo", "First draft.", False), ("cy", "Never mind.", False)]

    second = await h.restart()
    done = await second.bot.backfill()
    assert (done.added, done.updated, done.removed) == (1, 1, 1)
    assert sorted(await _answers(h)) == [
        ("ana", "Written while the bot was down.", False),
        ("bo", "Rewritten while down.", False),
    ]
    thread = [s.text for s in h.chat.in_thread(h.driver.thread_of())]
    assert any(t.startswith("✅ Answer from ana saved") and "offline" in t for t in thread)
    assert any(t.startswith("✅ Answer from bo updated") and "offline" in t for t in thread)

    await h.idle()  # the back-filled answers' reviews are out before counting
    said = len(h.chat.sent)
    third = await h.restart(instance_id="third")
    done = await third.bot.backfill()
    await h.idle()  # and anything the third bot started would be out too
    assert (done.added, done.updated, done.removed) == (0, 0, 0)
    assert len(h.chat.sent) == said


async def test_a_reply_written_in_time_but_read_after_the_close_is_not_late(
    posted: Harness,
) -> None:
    h = posted
    h.driver.online = False
    await h.user("ana").replies("On time, while the bot was down.")
    h.clock.advance(timedelta(hours=25))  # the bot stays down past the close
    second = await h.restart()
    await second.bot.backfill()
    assert await _answers(h) == [("ana", "On time, while the bot was down.", False)]


async def test_a_reply_written_after_the_close_while_down_is_kept_and_marked_late(
    posted: Harness,
) -> None:
    h = posted
    h.driver.online = False
    h.clock.advance(timedelta(hours=25))  # past the close, still down
    await h.user("ana").replies("After the close.")
    second = await h.restart()
    await second.advance(timedelta(minutes=1))  # the first tick closes the window first
    await second.bot.backfill()  # a post closed in the last day is still read
    first = await h.store.get_slot(h.driver.channel, "2026-11-30")
    assert first is not None and first.closed_at is not None
    [answer] = await h.store.answers_for(first)
    assert (answer.text, answer.late) == ("After the close.", True)


async def test_form_answers_and_a_thread_that_cannot_be_read_are_left_alone(
    posted: Harness,
) -> None:
    h = posted
    post = h.chat.posts()[0]
    await h.user("ana").clicks(post.number, "Answer")
    await h.user("ana").submits(h.chat.forms[-1].form.custom_id, answer="Through the form.")
    await h.user("bo").replies("In the thread.")

    # A fresh chat knows nothing of the thread (a console started again): nothing is removed.
    elsewhere = build(h.store, MemoryChat(), h.clock, h.bot.svc.packs, instance_id="other")
    done = await elsewhere.bot.backfill()
    assert done.unreadable == 1
    assert len(await _answers(h)) == 2

    # The chat that holds the thread: the form's answer has no message there and stays.
    done = await (await h.restart()).bot.backfill()
    assert (done.added, done.updated, done.removed) == (0, 0, 0)
    assert sorted(a[1] for a in await _answers(h)) == ["In the thread.", "Through the form."]


async def test_a_hidden_mode_reply_while_down_gets_the_private_note_when_backfilled(
    posted: Harness,
) -> None:
    h = posted
    await h.admin.runs("/review settings visibility:hidden")
    h.driver.online = False
    await h.user("ana").replies("Written in the open thread.")
    await (await h.restart()).bot.backfill()
    assert await _answers(h) == [("ana", "Written in the open thread.", False)]
    assert "go through the Answer button" in h.chat.to("u-ana")[-1].text
    assert h.chat.in_thread(h.driver.thread_of()) == []


class ChatWithLiveEvents(MemoryChat):
    """A chat where members act at a chosen point: while the bot is reading a thread back."""

    def __init__(self) -> None:
        super().__init__()
        self.during_read: list[Callable[[], Awaitable[object]]] = []

    async def thread_messages(self, channel: ChannelRef, thread_id: str) -> list[MessagePosted]:
        read = await super().thread_messages(channel, thread_id)
        for act in self.during_read:  # live events, after the read and before it is applied
            await act()
        return read


async def test_what_members_do_live_while_the_thread_is_read_is_not_undone(
    store: Store, clock: FakeClock, packs: dict[str, Pack]
) -> None:
    chat = ChatWithLiveEvents()
    h = build(store, chat, clock, packs)
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    await h.admin.runs("/post-now")
    edited = await h.user("ana").replies("Before.")
    deleted = await h.user("bo").replies("Soon gone.")

    second = await h.restart()
    chat.during_read = [
        lambda: second.user("cy").replies("Arrived while the thread was read."),
        lambda: second.user("ana").edits(edited, "Edited while the thread was read."),
        lambda: second.user("bo").deletes(deleted),
    ]
    done = await second.bot.backfill()
    assert (done.added, done.updated, done.removed) == (0, 0, 0)
    assert sorted(a[1] for a in await _answers(second)) == [
        "Arrived while the thread was read.",
        "Edited while the thread was read.",
    ]
    # The live edit is reviewed again in the background: let it finish before the store closes.
    await second.bot.idle()
    await h.bot.idle()
