"""An edited answer's review is edited in place on Discord (PATCH of the bot's message, with
allowed_mentions so nothing pings), and a message Discord will not edit any more is
replaced by a new one: the core hears DeliveryRefused, never a raw HTTP error."""

from __future__ import annotations

import pytest

from bot.domain import DeliveryRefused, Destination, MessageRef, Outgoing, Refusal
from tests.discord.world import World

SETUP = "/setup time:09:00 timezone:UTC weekdays:daily"
WEAK = "Limit requests per user with a counter."
STRONG = (
    "A token bucket per API key in Redis, refilled at a fixed rate and updated atomically "
    "with a Lua script at the gateway; over the limit the client gets 429 with Retry-After. "
    "The trade-off is a network hop per request; if Redis is down we fail open with a local "
    "limit, accepting some over-admission."
)


async def _answered(world: World) -> tuple[int, int]:
    """(ana's reply, the review's message) once her answer was reviewed in the thread."""
    await world.command("you", SETUP, admin=True)
    await world.command("you", "/post-now", admin=True)
    mid = await world.reply("ana", WEAK)
    await world.bot.idle()
    review = next(s for s in world.fake.shown if s.text.startswith("🤖"))
    assert review.where == "thread" and not review.edit
    return mid, review.message_id


async def test_an_edited_answer_edits_the_review_in_place(world: World) -> None:
    mid, review_id = await _answered(world)
    before = world.fake.current(review_id)
    await world.edit("ana", mid, STRONG)
    await world.bot.idle()

    [patch] = world.fake.requests_to("PATCH", rf"/channels/\d+/messages/{review_id}")
    assert patch.status == 200
    assert patch.body["allowed_mentions"]["parse"] == []  # echoed text never pings
    now = world.fake.current(review_id)
    assert now != before and "(updated: the answer was edited)" in now
    # One review in the thread: no second 🤖 message was posted.
    posted = [s for s in world.fake.shown if s.text.startswith("🤖") and not s.edit]
    assert [s.message_id for s in posted] == [review_id]


async def test_a_review_deleted_by_a_moderator_is_posted_anew(world: World) -> None:
    mid, review_id = await _answered(world)
    world.fake.messages.pop(review_id)  # a moderator deleted it
    await world.edit("ana", mid, STRONG)
    await world.bot.idle()
    [patch] = world.fake.requests_to("PATCH", rf"/channels/\d+/messages/{review_id}")
    assert patch.status == 404
    fresh = [s for s in world.fake.shown if s.text.startswith("🤖") and not s.edit]
    assert len(fresh) == 2 and "(updated: the answer was edited)" in fresh[-1].text


@pytest.mark.parametrize(
    ("situation", "status", "reason"),
    [
        ("deleted", 404, Refusal.gone),
        ("not the bot's", 403, Refusal.gone),
        ("archived thread", 400, Refusal.gone),
        ("cannot see the channel", 403, Refusal.missing_permission),
    ],
)
async def test_an_edit_discord_refuses_is_a_delivery_refusal(
    world: World, situation: str, status: int, reason: Refusal
) -> None:
    await world.command("you", SETUP, admin=True)
    await world.command("you", "/post-now", admin=True)
    thread = world.newest_thread()
    ref = await world.chat.send(
        Destination.to_thread(world.guild.ref(), str(thread["id"])), Outgoing("🤖 a review")
    )
    mid = int(ref.message_id)
    if situation == "deleted":
        world.fake.messages.pop(mid)
    elif situation == "not the bot's":
        mid = await world.reply("ana", "my answer")
    elif situation == "archived thread":
        thread["thread_metadata"]["archived"] = True
    else:
        world.fake.deny(world.guild.study_id, "VIEW_CHANNEL")
    target = MessageRef(ref.channel, str(mid), ref.thread_id)
    with pytest.raises(DeliveryRefused) as refused:
        await world.chat.edit(target, Outgoing("🤖 the new review"))
    assert refused.value.reason is reason
    [call] = world.fake.requests_to("PATCH", rf"/channels/\d+/messages/{mid}")
    assert call.status == status  # refused once, not retried


async def test_an_edit_keeps_deliberate_mentions_only(world: World) -> None:
    await world.command("you", SETUP, admin=True)
    await world.command("you", "/post-now", admin=True)
    thread = world.newest_thread()
    ref = await world.chat.send(
        Destination.to_thread(world.guild.ref(), str(thread["id"])), Outgoing("🤖 a review")
    )
    await world.chat.edit(ref, Outgoing("🤖 said by <@123> and @everyone"))
    edit = world.fake.shown[-1]
    assert edit.edit and edit.message_id == int(ref.message_id) and not edit.pings
