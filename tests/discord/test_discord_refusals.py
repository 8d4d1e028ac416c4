"""Discord refuses for good (403 with its JSON error codes); the bot must not retry into a
storm, must record what did go out, and must tell the admins what is missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.ports import FakeClock
from tests.discord import payloads as p
from tests.discord.fake_discord import Fault
from tests.discord.world import World

SETUP = "/setup time:09:00 timezone:UTC weekdays:daily"


def _posts(world: World) -> list[object]:
    return [
        s
        for s in world.fake.shown
        if s.channel_id == world.guild.study_id and s.text.startswith("📌")
    ]


async def test_a_refused_thread_leaves_one_post_answered_by_the_button_and_one_notice(
    world: World, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    await world.command("you", SETUP, admin=True)
    world.fake.deny(world.guild.study_id, "CREATE_PUBLIC_THREADS")
    await world.command("you", "/post-now", admin=True)

    reply = world.fake.shown[-1]
    assert reply.where == "private" and "Create Public Threads" in reply.text
    assert "Something went wrong" not in reply.text
    refused = world.fake.requests_to("POST", r"/channels/\d+/messages/\d+/threads")
    assert [r.status for r in refused] == [403]
    notices = [s for s in world.fake.shown if s.where == "channel" and "Admins" in s.text]
    assert len(notices) == 1 and "Create Public Threads" in notices[0].text

    # The post is a post: recorded as sent, never sent again by later ticks.
    post = await world.store.last_post(world.guild.ref())
    assert post is not None and post.status == "sent" and post.thread_id is None
    for minutes in (5, 10, 30, 120):
        clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC) + timedelta(minutes=minutes))
        await world.bot.run_due()
    # post-now took today's slot early; the ticks after it post no copies, no more notices.
    assert len(_posts(world)) == 1
    assert len([s for s in world.fake.shown if "Admins" in s.text]) == 1

    # Members answer with the button on the thread-less post.
    message = world.fake.messages[_posts(world)[0].message_id]  # type: ignore[attr-defined]
    await world.click("ana", message, "Answer")
    await world.submit("ana", world.fake.modals[-1]["custom_id"], {"answer": "Sharding by key."})
    assert await world.stored_answers() == ["Sharding by key."]


async def test_a_refused_message_is_not_retried_and_post_now_names_the_permission(
    world: World, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    await world.command("you", SETUP, admin=True)
    world.fake.deny(world.guild.study_id, "SEND_MESSAGES")
    await world.command("you", "/post-now", admin=True)
    reply = world.fake.shown[-1]
    assert reply.where == "private" and "Send Messages" in reply.text
    assert "Something went wrong" not in reply.text
    post = await world.store.last_post(world.guild.ref())
    assert post is not None and post.status == "refused"

    route = rf"/channels/{world.guild.study_id}/messages"
    before = len(world.fake.requests_to("POST", route))
    clock.set(datetime(2026, 11, 30, 8, 30, tzinfo=UTC))  # past the lease: no retry
    await world.bot.run_due()
    assert len(world.fake.requests_to("POST", route)) == before
    await world.command("you", "/status", admin=True)
    assert "refused" in world.fake.shown[-1].text and "Send Messages" in world.fake.shown[-1].text


async def test_a_channel_the_bot_cannot_see_is_named_as_such(world: World) -> None:
    await world.command("you", SETUP, admin=True)
    world.fake.deny(world.guild.study_id, "VIEW_CHANNEL")
    await world.command("you", "/post-now", admin=True)
    assert "View Channel" in world.fake.shown[-1].text


async def test_a_forum_post_whose_answer_was_lost_is_found_not_posted_again(world: World) -> None:
    forum = world.guild.forum
    await world.command("you", SETUP, admin=True, channel=forum)
    route = rf"/channels/{forum['id']}/threads"
    # Discord makes the post, then the answer is lost (a 502 from its edge, say).
    world.fake.fail("POST", route, Fault(502, committed=True))
    await world.command("you", "/post-now", admin=True, channel=forum)
    assert [r.status for r in world.fake.requests_to("POST", route)] == [502]  # never re-sent
    assert len([t for t in world.fake.threads() if t["parent_id"] == forum["id"]]) == 1
    assert world.fake.shown[-1].text.startswith("Posted question")
    post = await world.store.last_post(world.guild.ref(forum))
    assert post is not None and post.status == "sent"
    thread = world.newest_thread()
    assert post.thread_id == thread["id"]
    await world.reply("ana", "Consistent hashing.", thread=thread)
    assert await world.stored_answers(world.guild.ref(forum)) == ["Consistent hashing."]


async def test_replies_to_a_post_without_a_thread_are_its_answers(world: World) -> None:
    await world.command("you", SETUP, admin=True)
    world.fake.deny(world.guild.study_id, "CREATE_PUBLIC_THREADS")
    await world.command("you", "/post-now", admin=True)
    post = _posts(world)[0]
    # A member's reply to the post, in the channel: Discord's REPLY message (type 19).
    mid = p.snowflake()
    data = p.message_create(
        mid, world.guild.study_id, world.guild.id, world.user_id("ana"), "ana", "Shard by key."
    )
    data["type"] = 19
    data["message_reference"] = {"type": 0, "message_id": str(post.message_id),  # type: ignore[attr-defined]
                                 "channel_id": str(world.guild.study_id),
                                 "guild_id": str(world.guild.id)}  # fmt: skip
    await world.feed("MESSAGE_CREATE", data)
    assert await world.stored_answers() == ["Shard by key."]
    ack = world.fake.shown[-1]
    assert ack.where == "channel" and ack.text.startswith("✅ Answer from ana")
    edit = {**data, "content": "Shard by tenant.", "edited_timestamp": "2026-11-30T09:05:00+00:00"}
    await world.feed("MESSAGE_UPDATE", edit)
    assert await world.stored_answers() == ["Shard by tenant."]
    # A plain channel message (no reply) is not an answer.
    other = p.message_create(
        p.snowflake(), world.guild.study_id, world.guild.id, world.user_id("bo"), "bo", "hi all"
    )
    await world.feed("MESSAGE_CREATE", other)
    assert await world.stored_answers() == ["Shard by tenant."]


async def test_a_forum_post_retried_by_the_core_is_looked_for_first(
    world: World, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    forum = world.guild.forum
    clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    await world.command("you", SETUP, admin=True, channel=forum)
    route = rf"/channels/{forum['id']}/threads"
    # Discord makes the post but answers 503, which discord.py does not retry: the send fails.
    world.fake.fail("POST", route, Fault(503, committed=True))
    await world.command("you", "/post-now", admin=True, channel=forum)
    caplog.clear()  # the failure was logged, as it should be
    clock.set(datetime(2026, 11, 30, 8, 10, tzinfo=UTC))  # the claim's lease ran out
    await world.bot.run_due()
    assert len(world.fake.requests_to("POST", route)) == 1  # found, not posted again
    post = await world.store.last_post(world.guild.ref(forum))
    assert (
        post is not None and post.status == "sent" and post.thread_id == world.newest_thread()["id"]
    )
