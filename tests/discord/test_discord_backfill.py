"""Discord: what members did in a question's thread while the bot was down is read back
from the thread's history when a gateway session starts; hidden mode's private note."""

from __future__ import annotations

import logging

import pytest

from adapters.discord_bot.client import ClientOptions
from tests.discord import payloads as p
from tests.discord.fixtures import MakeWorld
from tests.discord.world import World

SETUP = "/setup time:09:00 timezone:UTC weekdays:daily"


async def _posted(world: World, *settings: str) -> dict[str, object]:
    await world.command("you", SETUP, admin=True)
    for line in settings:
        await world.command("you", line, admin=True)
    await world.command("you", "/post-now", admin=True)
    post = next(s for s in world.fake.shown if s.text.startswith("📌"))
    return world.fake.messages[post.message_id]


def _history_reads(world: World, thread_id: str) -> list[dict[str, str]]:
    return [r.query for r in world.fake.requests_to("GET", rf"/channels/{thread_id}/messages")]


async def test_replies_written_while_the_bot_was_down_are_answers_once_it_is_back(
    make_world: MakeWorld,
) -> None:
    first = await make_world()
    await _posted(first, "/review settings mode:none")
    thread = first.newest_thread()
    draft = await first.reply("ana", "First draft.")
    await first.close()

    # While no bot is connected: another bot chats (a page and more of it), bo answers,
    # ana rewrites her answer. Discord keeps it all; no gateway session hears of it.
    other = p.user(p.snowflake(), "otherbot", bot=True)
    for n in range(101):
        msg = p.message(p.snowflake(), int(thread["id"]), first.guild.id, other, f"beep {n}")
        first.fake.messages[int(msg["id"])] = msg
    await first.reply("bo", "Written while the bot was down.", deliver=False)
    await first.edit("ana", draft, "Rewritten while it was down.", deliver=False)

    second = await make_world()
    await second.ready()  # the new gateway session: the open threads are read
    assert sorted(await second.stored_answers()) == [
        "Rewritten while it was down.",
        "Written while the bot was down.",
    ]
    reads = _history_reads(second, thread["id"])
    assert len(reads) >= 2 and all(r["limit"] == "100" for r in reads)  # paged, oldest first
    acks = [s.text[:30] for s in second.fake.shown if "while the bot was offline" in s.text]
    assert sorted(acks) == ["✅ Answer from ana updated (5 w", "✅ Answer from bo saved (6 word"]

    shown = len(second.fake.shown)
    await second.ready()  # a reconnect that could not resume reads again, and adds nothing
    assert len(_history_reads(second, thread["id"])) == 2 * len(reads)
    assert len(second.fake.shown) == shown
    assert len(await second.stored_answers()) == 2


async def test_a_reply_deleted_while_the_bot_was_down_no_longer_counts(
    make_world: MakeWorld,
) -> None:
    first = await make_world()
    await _posted(first)
    gone = await first.reply("ana", "Never mind.")
    await first.reply("bo", "Kept.")
    await first.close()
    await first.delete(gone, deliver=False)

    second = await make_world()
    await second.ready()
    assert await second.stored_answers() == ["Kept."]
    assert "no longer counts" in second.fake.shown[-1].text


async def test_without_message_content_the_threads_are_not_read_and_answers_stay(
    make_world: MakeWorld, caplog: pytest.LogCaptureFixture
) -> None:
    first = await make_world()
    await _posted(first)
    await first.reply("ana", "Stored before the restart.")
    await first.close()

    quiet = ClientOptions(message_content=False, guild_ready_timeout=0.01)
    second = await make_world(options=quiet)
    await second.ready()
    # Without the intent Discord shows every reply empty: nothing is read, nothing removed.
    assert _history_reads(second, first.newest_thread()["id"]) == []
    assert await second.stored_answers() == ["Stored before the restart."]
    assert any(
        "back-fill" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
    )


async def test_without_read_message_history_no_answer_is_taken_for_deleted(
    make_world: MakeWorld,
) -> None:
    first = await make_world()
    await _posted(first)
    await first.reply("ana", "Stored before the restart.")
    await first.close()
    thread = first.newest_thread()
    first.fake.no_history.add(int(thread["id"]))  # an overwrite took the permission away

    second = await make_world()
    await second.ready()
    assert len(_history_reads(second, thread["id"])) == 1  # read, and found empty
    assert await second.stored_answers() == ["Stored before the restart."]
    assert not any("no longer counts" in s.text for s in second.fake.shown)


async def test_a_hidden_mode_thread_reply_is_stored_and_explained_in_a_dm(world: World) -> None:
    await _posted(world, "/review settings visibility:hidden")
    thread = world.newest_thread()
    in_thread = len([s for s in world.fake.shown if s.channel_id == int(thread["id"])])
    await world.reply("ana", "I would shard by user id.")
    assert await world.stored_answers() == ["I would shard by user id."]
    # Discord has no ephemeral message outside an interaction: the note is a DM.
    [dm] = world.fake.requests_to("POST", r"/users/@me/channels")
    assert dm.body == {"recipient_id": world.user_id("ana")}
    note = world.fake.shown[-1]
    assert note.where == "private" and note.to_user == "ana"
    assert "Answer button" in note.text and "stays visible in the thread" in note.text
    assert len([s for s in world.fake.shown if s.channel_id == int(thread["id"])]) == in_thread
