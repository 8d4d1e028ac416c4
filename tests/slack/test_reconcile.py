"""Slack has no idempotency key: a chat.postMessage whose connection drops after Slack
stored the post looks, to the bot, like a post that failed. The bot must find the post it
already made (by the nonce in its metadata) instead of posting a copy."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp

from bot.domain import ChannelRef
from bot.ports import FakeClock
from bot.scheduling import advance_to
from tests.slack import payloads
from tests.slack.fake_slack import TEAM, FakeSlack
from tests.slack.test_flows import set_up
from tests.slack.world import World, start_world

NINE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def _stored_message_id(w: World) -> str | None:
    post = await w.service.runtime.store.last_post(ChannelRef(TEAM, payloads.CHANNEL))
    return post.message_id if post is not None and post.status == "sent" else None


async def test_the_daily_post_carries_its_nonce_as_metadata(world: World) -> None:
    await set_up(world)
    await advance_to(world.service.runtime.bot, world.clock, NINE)
    [post] = world.posts()
    assert post.metadata is not None and post.metadata["event_type"] == "studybot_post"
    assert str(post.metadata["event_payload"]["nonce"]).startswith("studybot-")


async def test_a_post_whose_answer_was_lost_is_found_not_sent_twice(world: World) -> None:
    await set_up(world)
    world.fake.drop_after_accept("chat.postMessage")  # stored by Slack, answer lost
    await advance_to(world.service.runtime.bot, world.clock, NINE)
    [post] = world.posts()
    assert await _stored_message_id(world) == post.ts
    history = world.fake.called("conversations.history")
    assert history and history[0].args.get("include_all_metadata") in ("1", "true", True)


async def test_a_lost_answer_and_a_failed_look_are_reconciled_on_the_retry(world: World) -> None:
    await set_up(world)
    world.fake.drop_after_accept("chat.postMessage")
    world.fake.drop_after_accept("conversations.history", times=10)  # the look fails too
    await advance_to(world.service.runtime.bot, world.clock, NINE)
    assert len(world.posts()) == 1 and await _stored_message_id(world) is None
    world.fake.drop_after_accept("conversations.history", times=0)  # the network is back
    # The claim's lease runs out and the core sends again: the adapter looks first.
    await advance_to(world.service.runtime.bot, world.clock, NINE.replace(minute=5))
    [post] = world.posts()
    assert await _stored_message_id(world) == post.ts


async def test_a_post_that_never_reached_slack_is_sent_once_after_the_look(world: World) -> None:
    await set_up(world)
    world.fake.drop_before_accept("chat.postMessage")  # cut off before Slack stored it
    await advance_to(world.service.runtime.bot, world.clock, NINE)
    [post] = world.posts()
    assert await _stored_message_id(world) == post.ts
    assert [c.status for c in world.fake.called("chat.postMessage")] == [0, 200]
    assert len(world.fake.called("conversations.history")) == 1


async def _second_process(
    first: World, fake: FakeSlack, db_url: str, clock: FakeClock, session: aiohttp.ClientSession
) -> World:
    """The first process is gone (its memory with it); another starts on the same database."""
    await first.service.stop()
    return await start_world(fake, "http", db_url, clock, session)


async def test_a_post_whose_sender_died_before_recording_it_is_not_sent_again(
    fake: FakeSlack, sqlite_url: str, clock: FakeClock, session: aiohttp.ClientSession
) -> None:
    first = await start_world(fake, "http", sqlite_url, clock, session)
    await set_up(first)

    async def killed(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed after Slack answered, before the claim was updated")

    first.service.runtime.store.finish_post = killed  # type: ignore[method-assign]
    await advance_to(first.service.runtime.bot, clock, NINE)
    assert len(first.posts()) == 1 and await _stored_message_id(first) is None
    second = await _second_process(first, fake, sqlite_url, clock, session)
    try:
        # The claim's lease runs out; the second process takes it over and sends again.
        await advance_to(second.service.runtime.bot, clock, NINE.replace(minute=5))
        [post] = second.posts()
        assert await _stored_message_id(second) == post.ts
        assert fake.called("conversations.history") == []  # the journal knew the ts
    finally:
        await second.service.stop()


async def test_a_lost_post_is_found_by_the_process_that_takes_the_claim_over(
    fake: FakeSlack, sqlite_url: str, clock: FakeClock, session: aiohttp.ClientSession
) -> None:
    first = await start_world(fake, "http", sqlite_url, clock, session)
    await set_up(first)
    fake.drop_after_accept("chat.postMessage")
    fake.drop_after_accept("conversations.history", times=10)
    await advance_to(first.service.runtime.bot, clock, NINE)
    assert len(first.posts()) == 1 and await _stored_message_id(first) is None
    second = await _second_process(first, fake, sqlite_url, clock, session)
    fake.drop_after_accept("conversations.history", times=0)
    try:
        await advance_to(second.service.runtime.bot, clock, NINE.replace(minute=5))
        [post] = second.posts()
        assert await _stored_message_id(second) == post.ts
    finally:
        await second.service.stop()


async def test_a_call_safe_to_repeat_is_still_retried_after_a_dropped_connection(
    world: World,
) -> None:
    world.user("you", admin=True)
    world.fake.drop_before_accept("users.info")  # who is asking: asked again, harmlessly
    await set_up(world)
    assert [c.status for c in world.fake.called("users.info")] == [0, 200]
