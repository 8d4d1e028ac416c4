"""Peer review lives in DMs: Discord sends those interactions with no guild and no member,
and refuses a DM with 403 50007 when the member does not accept them."""

from __future__ import annotations

from typing import Any

from tests.discord.world import World

SETUP = "/setup time:09:00 timezone:UTC weekdays:daily"
PEER_NOW = "/review settings mode:peer peer_start:now peers:1"


async def _peer_round(world: World) -> None:
    await world.command("you", SETUP, admin=True)
    await world.command("you", PEER_NOW, admin=True)
    await world.command("you", "/post-now", admin=True)
    await world.reply("ana", "Token bucket per API key, refilled every second.")
    await world.reply("bo", "A sliding window counter in Redis, keyed by user.")
    await world.bot.idle()  # the pairing runs in the background


def _labels(message: dict[str, Any]) -> list[str]:
    return [c["label"] for row in message["components"] for c in row["components"]]


async def test_peer_review_scored_and_finished_from_dm_interactions(world: World) -> None:
    await _peer_round(world)
    assignment = next(m for m in world.private_to("bo") if m["components"])
    scores = [label for label in _labels(assignment) if label.endswith(" 4")]
    assert scores, "the assignment carries score buttons"
    for label in scores:
        await world.dm_click("bo", assignment, label)
        answer = world.fake.shown[-1]
        assert answer.to_user == "bo" and "saved" in answer.text, answer.text
    await world.dm_click("bo", assignment, "Finish review")
    form = world.fake.modals[-1]
    assert form["title"] == "Finish your review"
    await world.dm_submit("bo", form["custom_id"], {"comment": "Clear and measurable."})
    assert any(s.to_user == "bo" and "your review is in" in s.text for s in world.fake.shown)
    await world.bot.idle()
    feedback = [m["content"] for m in world.private_to("ana") if "Peer feedback" in m["content"]]
    assert feedback and "Clear and measurable." in feedback[-1]


async def test_a_closed_dm_does_not_stop_the_round_and_is_noticed_in_the_thread(
    world: World,
) -> None:
    world.fake.close_dms(world.user_id("ana"))
    await _peer_round(world)
    refused = [
        r for r in world.fake.requests_to("POST", r"/channels/\d+/messages") if r.status == 403
    ]
    assert refused, "Discord refused the DM to ana"
    # bo still got his assignment; ana is told in the thread, pinged on purpose and alone.
    assert any(m["components"] for m in world.private_to("bo"))
    notice = next(s for s in world.fake.shown if s.where == "thread" and "📭" in s.text)
    assert f"<@{world.user_id('ana')}>" in notice.text and notice.pings
    assert "/review settings to:thread" in notice.text
    notice_sent = next(
        r.body
        for r in world.fake.requests_to("POST", rf"/channels/{notice.channel_id}/messages")
        if "📭" in r.body["content"]
    )
    assert notice_sent["allowed_mentions"] == {"parse": [], "users": [world.user_id("ana")]}

    # Nothing is lost: from the notice, ana sees her assignment privately and scores it there.
    await world.click("ana", world.fake.messages[notice.message_id], "Show my peer reviews")
    assignment = world.fake.shown[-1]
    assert assignment.where == "private" and assignment.to_user == "ana"
    first = next(c for row in assignment.components for c in row["components"])
    await world.click("ana", world.fake.messages[assignment.message_id], first["label"])
    assert world.fake.shown[-1].to_user == "ana" and "saved" in world.fake.shown[-1].text


async def test_a_private_review_reaches_a_closed_dm_through_the_open_interaction(
    world: World,
) -> None:
    await world.command("you", SETUP, admin=True)
    await world.command("you", "/review settings to:private", admin=True)
    await world.command("you", "/post-now", admin=True)
    post = next(s for s in world.fake.shown if s.text.startswith("📌"))
    world.fake.close_dms(world.user_id("ana"))
    await world.click("ana", world.fake.messages[post.message_id], "Answer")
    await world.submit("ana", world.fake.modals[-1]["custom_id"], {"answer": "Shard by tenant."})
    await world.bot.idle()
    review = next(s for s in world.fake.shown if s.text.startswith("🤖"))
    # Not lost: an ephemeral follow-up on the form's interaction, for ana only.
    assert review.where == "private" and review.to_user == "ana"
    followups = world.fake.requests_to("POST", r"/webhooks/\d+/[^/]+")
    assert any(f.body["content"].startswith("🤖") and f.body["flags"] == 64 for f in followups)
    stored = await world.store.last_post(world.guild.ref())
    assert stored is not None
    reviews = await world.bot.svc.reviews.reviews_for_post(stored)
    assert [r.delivered_at is not None for r in reviews.values()] == [True]  # it reached her
