"""Buttons that open a modal: Slack lets a trigger_id open a view for 3 seconds only, so
nothing slow may run before views.open. The fake keeps its own clock, so "slow" is a chosen
number of seconds on that clock, never a real wait."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.features import peer_review
from bot.scheduling import advance_to
from tests.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.slack.test_flows import post_question, set_up
from tests.slack.world import World, shown


async def test_the_fake_expires_a_trigger_after_three_seconds(fake: FakeSlack) -> None:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
    view = {"type": "modal", "title": {"type": "plain_text", "text": "x"}, "blocks": []}
    fresh, stale = fake.issue_trigger(), fake.issue_trigger()
    fake.now += 2.5
    assert (await client.views_open(trigger_id=fresh, view=view))["ok"]
    with pytest.raises(SlackApiError) as used:
        await client.views_open(trigger_id=fresh, view=view)
    assert used.value.response["error"] == "exchanged_trigger_id"
    fake.now += 1.0
    with pytest.raises(SlackApiError) as late:
        await client.views_open(trigger_id=stale, view=view)
    assert late.value.response["error"] == "expired_trigger_id"


async def test_the_answer_button_opens_its_modal_even_when_looking_up_the_member_is_slow(
    world: World,
) -> None:
    await set_up(world)
    post = await post_question(world)
    # ana was never looked up; a users.info call now takes longer than a trigger lives.
    world.fake.slow("users.info", 4.0)
    await world.clicks("ana", post, "Answer")
    opened = world.fake.called("views.open")
    assert [c.status for c in opened] == [200] and len(world.fake.views) == 1
    assert world.fake.views[0]["callback_id"].startswith("answer:")

    # The submission has no trigger to lose: the member's display name is looked up then.
    await world.submits("ana", world.fake.views[0], {"answer": "Shard by customer id."})
    assert await world.stored_answers() == ["Shard by customer id."]
    assert "Answer from ana saved" in shown(world.last_private())


ANA = "A token bucket per API key in Redis, updated atomically; over the limit a 429."
BO = "Count requests per user and return an error when the count is exceeded."


async def test_finish_review_opens_its_modal_even_when_looking_up_the_reviewer_is_slow(
    world: World,
) -> None:
    await set_up(world)
    await world.run("you", "/studybot", "review settings mode:peer")
    await post_question(world)
    await world.replies("ana", ANA)
    await world.replies("bo", BO)
    bot = world.service.runtime.bot
    await advance_to(bot, world.clock, world.clock.now() + timedelta(hours=24))  # the close
    task = next(
        m for m in world.fake.posted() if m.channel == "DUBO" and ANA[:30] in shown(m)
    )  # bo's peer review of ana's answer, in bo's DM
    labels = [b["text"]["text"] for b in task.buttons()]
    for dimension in dict.fromkeys(label.rsplit(" ", 1)[0] for label in labels[:-1]):
        await world.clicks("bo", task, f"{dimension} 3")
    assert "press Finish review" in shown(world.last_private())

    # A minute later bo's name is no longer cached, and users.info has become slow.
    world.service.inbound._directory._cache.clear()
    world.fake.slow("users.info", 4.0)
    await world.clicks("bo", task, "Finish review")
    [view] = world.fake.views
    assert view["callback_id"].startswith(f"{peer_review.FINISH}:")
    await world.submits("bo", view, {"comment": "Name the failure mode first."})
    assert "your review is in" in shown(world.last_private())
