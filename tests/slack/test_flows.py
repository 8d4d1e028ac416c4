"""What a Slack workspace sees, end to end, in both transports (HTTP mode and Socket Mode):
the real adapter, bolt and slack_sdk against the loopback fake Slack."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain import ChannelRef, Destination, Outgoing
from bot.scheduling import advance_to
from tests.slack import payloads
from tests.slack.fake_slack import TEAM, Msg
from tests.slack.world import World, pings, shown

SETUP = "setup time:09:00 timezone:UTC weekdays:daily"


async def set_up(w: World) -> None:
    w.user("you", admin=True)
    await w.run("you", "/studybot", SETUP)
    assert "Set up this channel" in shown(w.last_private())


async def post_question(w: World) -> Msg:
    await w.run("you", "/studybot", "post-now")
    return w.newest_post()


async def test_slash_command_is_acked_and_answered_privately(world: World) -> None:
    ack = await world.run("ana", "/studybot", "help")
    assert ack.status == 200
    reply = world.last_private()
    assert reply.kind == "response" and reply.response_type == "ephemeral"
    assert "/studybot setup" in shown(reply) and "/studybot post-now" in shown(reply)


async def test_a_wrong_sub_command_gets_help(world: World) -> None:
    await world.run("ana", "/studybot", "nope")
    reply = shown(world.last_private())
    assert "no command /nope" in reply and "Try /studybot help" in reply
    await world.run("ana", "/studybot", 'setup time:"09:00')
    assert "close your quotes" in shown(world.last_private())


async def test_short_commands_are_the_sub_commands(world: World) -> None:
    await world.run("ana", "/sb-help", "command:setup")
    assert "/studybot setup" in shown(world.last_private()) and "timezone" in shown(
        world.last_private()
    )


async def test_an_admin_command_is_refused_for_a_member(world: World) -> None:
    await set_up(world)
    await world.run("ana", "/studybot", "post-now")
    assert "admins only" in shown(world.last_private())
    assert world.posts() == []


async def test_workspace_owners_are_admins(world: World) -> None:
    world.user("olga", owner=True)
    await world.run("olga", "/studybot", SETUP)
    assert "Set up this channel" in shown(world.last_private())


async def test_the_daily_post_opens_a_thread_with_an_answer_button(world: World) -> None:
    await set_up(world)
    post = await post_question(world)
    assert "Question of the day" in shown(post) and post.channel == payloads.CHANNEL
    assert [b["text"]["text"] for b in post.buttons()] == ["Answer"]
    stored = await world.service.runtime.store.last_post(ChannelRef(TEAM, payloads.CHANNEL))
    assert stored is not None and stored.thread_id == post.ts and stored.message_id == post.ts


async def test_thread_reply_edit_and_delete_are_the_answer(world: World) -> None:
    await set_up(world)
    post = await post_question(world)
    ts = await world.replies("ana", "I would use a token bucket per client key.")
    assert await world.stored_answers() == ["I would use a token bucket per client key."]
    ack = [m for m in world.in_thread(post.ts) if shown(m).startswith("✅")][-1]
    assert "Answer from ana saved" in shown(ack)

    await world.edits(
        "ana", ts, "I would use a token bucket per client key.", "A sliding window log, in Redis."
    )
    assert await world.stored_answers() == ["A sliding window log, in Redis."]
    # The AI review of the first version may land in between: look at the whole thread.
    assert any("Answer from ana updated" in shown(m) for m in world.in_thread(post.ts))

    await world.deletes("ana", ts, "A sliding window log, in Redis.")
    assert await world.stored_answers() == []
    assert any("deleted" in shown(m) for m in world.in_thread(post.ts))


async def test_an_event_delivered_twice_is_handled_once(world: World) -> None:
    await set_up(world)
    post = await post_question(world)
    event = payloads.message(
        world.user("bo"), "Use idempotency keys.", world.fake.next_ts(), thread_ts=post.ts
    )
    await world.event(event, event_id="Ev0SAME")
    acks = len(world.in_thread(post.ts))
    await world.event(event, event_id="Ev0SAME", retry_num=1)
    assert len(world.in_thread(post.ts)) == acks == 1
    assert await world.stored_answers() == ["Use idempotency keys."]


async def test_a_redelivered_edit_is_applied_once(world: World) -> None:
    # The database's unique key stops a second copy of a reply; an edit has no such key,
    # so only the event_id check keeps a retried edit from being acknowledged twice.
    await set_up(world)
    post = await post_question(world)
    ts = await world.replies("ana", "Use a queue.")
    edit = payloads.message_changed(
        world.user("ana"), ts, post.ts, "Use a queue.", "Use SQS.", edit_ts="1.5"
    )
    await world.event(edit, event_id="Ev0EDIT")
    await world.event(edit, event_id="Ev0EDIT", retry_num=1)
    # Acknowledgements only: the AI review of the answer may land in between.
    assert [
        shown(m).split(" (")[0] for m in world.in_thread(post.ts) if shown(m).startswith("✅")
    ] == [
        "✅ Answer from ana saved",
        "✅ Answer from ana updated",
    ]
    assert await world.stored_answers() == ["Use SQS."]


async def test_echoed_text_never_pings(world: World) -> None:
    await set_up(world)
    post = await post_question(world)
    await world.replies(
        "ana", "hey @everyone @here <!channel> <!subteam^S0TEAM|@leads> <@UBO> & a<b look"
    )
    ack = [m for m in world.in_thread(post.ts) if shown(m).startswith("✅")][-1]
    assert "look" in shown(ack) and "a<b" in shown(ack)
    assert not any(pings(m) for m in world.fake.messages)


async def test_edits_that_change_no_text_and_bot_messages_are_ignored(world: World) -> None:
    await set_up(world)
    post = await post_question(world)
    ts = await world.replies("ana", "Cache aside.")
    before = len(world.fake.messages)
    await world.edits("ana", ts, "Cache aside.", "Cache aside.")  # an unfurl arriving
    bot_reply = payloads.message("UBOT", "x", world.fake.next_ts(), thread_ts=post.ts)
    await world.event({**bot_reply, "bot_id": "BBOT"})
    assert len(world.fake.messages) == before
    assert await world.stored_answers() == ["Cache aside."]


async def test_a_429_on_the_daily_post_still_posts_exactly_once(world: World) -> None:
    await set_up(world)
    assert world.posts() == []
    world.fake.fail_next("chat.postMessage", status=429, retry_after=0)
    await advance_to(
        world.service.runtime.bot, world.clock, datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    )
    attempts = [c.status for c in world.fake.called("chat.postMessage")]
    assert attempts == [429, 200]
    assert len(world.posts()) == 1


async def test_answer_button_opens_a_modal_and_the_form_is_the_answer(world: World) -> None:
    await set_up(world)
    post = await post_question(world)
    ack = await world.clicks("ana", post, "Answer")
    assert ack.status == 200
    [opened] = world.fake.called("views.open")
    view = opened.args["view"]
    assert view["type"] == "modal" and view["callback_id"].startswith("answer:")
    assert [b["block_id"] for b in view["blocks"]] == ["answer"]

    await world.submits(
        "ana", view, {"answer": "Situation: the queue backed up. Action: I added a DLQ."}
    )
    assert await world.stored_answers() == [
        "Situation: the queue backed up. Action: I added a DLQ."
    ]
    reply = world.last_private()
    assert "Answer from ana saved" in shown(reply) and reply.response_type == "ephemeral"
    assert world.in_thread(post.ts) == []  # a form answer stays private


async def test_one_workspace_never_sees_another(world: World) -> None:
    await set_up(world)
    post = await post_question(world)
    other = "T0OTHER"
    world.user("zed", admin=True)
    await world.run("zed", "/studybot", "status", team=other)
    assert "not set up" in shown(world.last_private())
    # A reply in the same channel id and thread ts, but from another workspace.
    await world.event(
        payloads.message(world.user("zed"), "leak?", world.fake.next_ts(), thread_ts=post.ts),
        team=other,
    )
    assert await world.stored_answers() == []
    assert world.in_thread(post.ts) == []
    assert await world.service.runtime.store.last_post(ChannelRef(other, payloads.CHANNEL)) is None


async def test_a_message_over_slacks_limit_arrives_whole_in_parts(http: World) -> None:
    long = "\n\n".join(f"Part {n}. " + "lorem & ipsum " * 110 for n in range(1, 4))
    ref = await http.service.chat.send(
        Destination.to_channel(ChannelRef(TEAM, payloads.CHANNEL)), Outgoing(long)
    )
    sent = http.fake.posted()
    assert len(sent) >= 2 and ref.message_id == sent[0].ts
    assert all(len(m.text) <= 3000 for m in sent)
    assert " ".join(shown(m) for m in sent).split() == long.split()
