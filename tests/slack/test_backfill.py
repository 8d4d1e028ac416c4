"""Slack: what members did in a question's thread while the bot was down (past Slack's event
retries) is read back with conversations.replies at start-up, once per open question, and
never polled; hidden mode's private note is ephemeral beside the reply."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.ports import FakeClock
from tests.slack import payloads
from tests.slack.fake_slack import FakeSlack
from tests.slack.world import Mode, World, shown, start_world

SETUP = "setup time:09:00 timezone:UTC weekdays:daily"


class Restarts:
    """Bot processes started one after another on one fake Slack and one database."""

    def __init__(
        self,
        fake: FakeSlack,
        mode: Mode,
        db_url: str,
        clock: FakeClock,
        session: aiohttp.ClientSession,
    ) -> None:
        self.args = (fake, mode, db_url, clock, session)
        self.current: World | None = None

    async def start(self) -> World:
        """Returns once the new process has done its start-up back-fill (and its reviews)."""
        await self.stop()
        self.current = await start_world(*self.args)
        await self.current.service.runtime.bot.idle()
        return self.current

    async def stop(self) -> None:
        if self.current is not None:
            await self.current.service.stop()
            self.current = None


@pytest.fixture(params=["http", "socket"])
async def restarts(
    request: pytest.FixtureRequest,
    fake: FakeSlack,
    sqlite_url: str,
    clock: FakeClock,
    session: aiohttp.ClientSession,
) -> AsyncIterator[Restarts]:
    r = Restarts(fake, request.param, sqlite_url, clock, session)
    yield r
    await r.stop()


async def _posted(w: World, *settings: str) -> str:
    w.user("you", admin=True)
    await w.run("you", "/studybot", SETUP)
    for line in settings:
        await w.run("you", "/studybot", line)
    await w.run("you", "/studybot", "post-now")
    return w.newest_post().ts


async def test_replies_edits_and_deletes_made_while_down_are_read_back_once(
    restarts: Restarts, fake: FakeSlack
) -> None:
    first = await restarts.start()
    thread = await _posted(first, "review settings mode:none")
    draft = await first.replies("ana", "First draft.")
    regret = await first.replies("cy", "Never mind.")
    await restarts.stop()

    # While the bot is down: more replies than one page holds (15 for new apps).
    for n in range(16):
        await first.replies(f"m{n}", f"Answer number {n}.", deliver=False)
    await first.edits("ana", draft, "First draft.", "Rewritten while down.", deliver=False)
    await first.deletes("cy", regret, "Never mind.", deliver=False)

    calls = len(fake.called("conversations.replies"))
    second = await restarts.start()
    reads = fake.called("conversations.replies")[calls:]
    assert [r.args["ts"] for r in reads] == [thread] * len(reads)
    assert len(reads) == 2 and "cursor" not in reads[0].args and reads[1].args["cursor"]
    answers = await second.stored_answers()
    assert len(answers) == 17 and "Rewritten while down." in answers
    assert "Never mind." not in answers and answers.count("Answer number 7.") == 1
    acks = [shown(m) for m in second.in_thread(thread) if "offline" in shown(m)]
    assert len(acks) == 17
    # Names come from users.info, as for live events.
    assert any(a.startswith("✅ Answer from m7 saved") for a in acks)

    said = len(fake.messages)
    await second.replies("ana", "Live again.")  # events flow; nothing is polled
    assert len(fake.called("conversations.replies")) == calls + 2
    third = await restarts.start()
    assert len(fake.messages) == said + 1  # only the live reply's ack: nothing back-filled twice
    assert len(await third.stored_answers()) == 18


async def test_a_rate_limited_read_waits_and_still_back_fills(
    restarts: Restarts, fake: FakeSlack
) -> None:
    first = await restarts.start()
    await _posted(first)
    await restarts.stop()
    await first.replies("ana", "Written while down.", deliver=False)
    fake.fail_next("conversations.replies", status=429, retry_after=0)
    second = await restarts.start()
    assert [c.status for c in fake.called("conversations.replies")] == [429, 200]
    assert await second.stored_answers() == ["Written while down."]


async def test_a_thread_that_cannot_be_read_leaves_the_answers_alone(
    restarts: Restarts, fake: FakeSlack
) -> None:
    first = await restarts.start()
    await _posted(first)
    await first.replies("ana", "Stored live.")
    await restarts.stop()
    fake.held.clear()  # Slack answers channel_not_found (the bot was removed, say)
    second = await restarts.start()
    [call] = fake.called("conversations.replies")
    assert call.args["channel"] == payloads.CHANNEL
    assert await second.stored_answers() == ["Stored live."]


async def test_a_hidden_mode_thread_reply_is_stored_and_explained_ephemerally(
    restarts: Restarts, fake: FakeSlack
) -> None:
    w = await restarts.start()
    thread = await _posted(w, "review settings visibility:hidden")
    await w.replies("ana", "I would shard by user id.")
    assert await w.stored_answers() == ["I would shard by user id."]
    [note] = fake.called("chat.postEphemeral")
    # Beside the reply, seen by ana alone; and it does not pretend the reply is hidden.
    assert note.args["user"] == "UANA" and note.args["thread_ts"] == thread
    assert (
        "Answer button" in note.args["text"] and "stays visible in the thread" in note.args["text"]
    )
    assert w.in_thread(thread) == []  # the bot adds nothing to the thread
