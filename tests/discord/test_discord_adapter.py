"""What a Discord server notices, end to end: gateway payloads in, REST calls to the fake out."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.commands import CommandContext, CommandSpec
from bot.domain import Destination, Outgoing, Reply, UserRef
from bot.ports import FakeClock
from tests.discord import payloads as p
from tests.discord.fake_discord import Fault
from tests.discord.fixtures import MakeWorld
from tests.discord.world import Guild, World

SETUP = "/setup time:09:00 timezone:UTC weekdays:daily"


async def _posted(world: World) -> dict[str, object]:
    await world.command("you", SETUP, admin=True)
    await world.command("you", "/post-now", admin=True)
    post = next(s for s in world.fake.shown if s.text.startswith("📌"))
    return world.fake.messages[post.message_id]


async def test_commands_are_registered_with_types_choices_autocomplete_and_admin_permissions(
    world: World,
) -> None:
    setup = world.registered("setup")
    options = {o["name"]: o for o in setup["options"]}
    assert setup["default_member_permissions"] == "32"  # Manage Server
    assert setup["contexts"] == [0]  # servers only
    assert [c["value"] for c in options["pack"]["choices"]] == ["amazon-backend-developer"]
    assert options["timezone"]["autocomplete"] is True
    assert world.registered("help")["default_member_permissions"] is None

    # A member typing in the time-zone option gets suggestions (autocomplete round trip).
    data = p.slash_command(
        world.fake.app_id, setup, ("setup",), {"timezone": "Europe/Lon"}, guild_id=world.guild.id,
        channel=world.guild.study, who=world.member("you", admin=True), focused="timezone",
    )  # fmt: skip
    await world.interact(data)
    assert {"name": "Europe/London", "value": "Europe/London"} in world.fake.autocompletes[-1]


async def test_a_quick_command_is_answered_directly_and_privately(world: World) -> None:
    data = await world.command("ana", "/help")
    callbacks = world.fake.requests_to("POST", rf"/interactions/{data['id']}/.*/callback")
    assert [c.body["type"] for c in callbacks] == [4]  # one answer, no deferral needed
    assert callbacks[0].body["data"]["flags"] == 64  # ephemeral
    assert "/setup" in callbacks[0].body["data"]["content"]


async def test_slow_work_is_deferred_within_the_deadline_then_followed_up(
    make_world: MakeWorld,
) -> None:
    gate = asyncio.Event()

    async def slow(ctx: CommandContext) -> Reply:
        await gate.wait()
        return Reply("Here is your slow answer.")

    world = await make_world(
        ack_after=0.01, commands=((CommandSpec(("slow",), "Takes its time."), slow),)
    )

    running = asyncio.ensure_future(world.command("ana", "/slow"))

    answered = lambda: bool(world.fake.requests_to("POST", r"/interactions/.*/callback"))  # noqa: E731
    await asyncio.wait_for(
        world.fake.wait_until(answered), 10
    )  # a guard against hanging, not a timing assertion
    deferral = world.fake.requests_to("POST", r"/interactions/.*/callback")[0].body
    assert deferral == {"type": 5, "data": {"flags": 64}}  # "thinking…", ephemeral
    gate.set()
    await running
    edit = world.fake.requests_to("PATCH", r"/webhooks/.*/messages/@original")
    assert [e.body["content"] for e in edit] == ["Here is your slow answer."]
    assert world.fake.shown[-1].where == "private" and world.fake.shown[-1].to_user == "ana"


async def test_admin_command_refused_without_manage_server_and_run_with_it(world: World) -> None:
    await world.command("ana", SETUP, admin=False)
    refusal = world.fake.shown[-1]
    assert (
        refusal.where == "private"
        and "admins only" in refusal.text
        and "Manage Server" in refusal.text
    )
    assert world.fake.requests_to("POST", r"/channels/\d+/messages") == []
    await world.command("you", SETUP, admin=True)
    assert world.fake.shown[-1].text.startswith("Set up this channel")


async def test_daily_post_opens_a_thread_carries_answer_button_nonce_and_pings_nobody(
    world: World,
) -> None:
    post = await _posted(world)
    sent = world.fake.requests_to("POST", rf"/channels/{world.guild.study_id}/messages")[0].body
    assert sent["enforce_nonce"] is True and 0 < len(sent["nonce"]) <= 25
    assert sent["allowed_mentions"] == {"parse": [], "users": []}
    button = post["components"][0]["components"][0]
    assert button["label"] == "Answer" and button["custom_id"].startswith("answer:")
    thread = world.fake.requests_to(
        "POST", rf"/channels/{world.guild.study_id}/messages/{post['id']}/threads"
    )
    assert len(thread) == 1 and thread[0].body["name"].startswith("30 Nov")


async def test_answer_button_opens_a_modal_whose_submission_is_stored(world: World) -> None:
    post = await _posted(world)
    await world.click("bo", post, "Answer")
    modal = world.fake.modals[-1]
    assert modal["custom_id"] == post["components"][0]["components"][0]["custom_id"]
    field = modal["components"][0]["components"][0]
    assert field["style"] == 2 and field["custom_id"] == "answer"  # a long text field

    await world.submit(
        "bo", modal["custom_id"], {"answer": "I led the migration; p99 fell by 40%."}, labels=True
    )
    assert await world.stored_answers() == ["I led the migration; p99 fell by 40%."]
    # The acknowledgement, not the AI review that may follow it privately.
    ack = next(s for s in reversed(world.fake.shown) if s.text.startswith("✅"))
    assert ack.where == "private" and ack.to_user == "bo" and "Answer from bo saved" in ack.text


async def test_thread_reply_edit_and_delete_reach_the_core_and_own_echoes_do_not(
    world: World,
) -> None:
    await _posted(world)
    mid = await world.reply("ana", "Token bucket per API key.")
    # The fake echoed the bot's acknowledgement back as MESSAGE_CREATE; it is not an answer.
    assert world.fake.shown[-1].where == "thread"
    assert await world.stored_answers() == ["Token bucket per API key."]
    await world.edit("ana", mid, "Sliding window in Redis.")
    assert await world.stored_answers() == ["Sliding window in Redis."]
    await world.delete(mid)
    assert await world.stored_answers() == []


async def test_without_message_content_replies_are_ignored_and_the_button_still_works(
    make_world: MakeWorld,
) -> None:
    from adapters.discord_bot.client import ClientOptions

    world = await make_world(options=ClientOptions(message_content=False, guild_ready_timeout=0.01))
    assert not world.client.intents.message_content
    post = await _posted(world)
    shown = len(world.fake.shown)
    await world.reply("ana", "")  # what a reply looks like without the intent
    assert len(world.fake.shown) == shown  # no "your reply was empty" noise
    await world.click("ana", post, "Answer")
    await world.submit("ana", world.fake.modals[-1]["custom_id"], {"answer": "Through the form."})
    assert await world.stored_answers() == ["Through the form."]


async def test_only_deliberate_mentions_ping(world: World) -> None:
    ana = UserRef(str(world.guild.id), str(world.user_id("ana")), "ana")
    await world.chat.send(
        Destination.to_channel(world.guild.ref()), Outgoing("raw @everyone <@123> <@&456>")
    )
    await world.chat.send(
        Destination.to_channel(world.guild.ref()), Outgoing("your turn", mentions=(ana,))
    )
    quiet, deliberate = world.fake.shown[-2:]
    assert not quiet.pings
    assert deliberate.pings and deliberate.text == f"<@{world.user_id('ana')}> your turn"
    bodies = world.fake.requests_to("POST", r"/channels/\d+/messages")
    assert bodies[-1].body["allowed_mentions"] == {"parse": [], "users": [world.user_id("ana")]}


async def test_buttons_keep_working_after_a_restart(make_world: MakeWorld) -> None:
    first = await make_world()
    post = await _posted(first)
    await first.close()

    second = await make_world()  # a new process: new client, same database
    await second.click("cy", post, "Answer")
    assert second.fake.modals and second.fake.modals[-1]["title"] == "Your answer"
    await second.submit("cy", second.fake.modals[-1]["custom_id"], {"answer": "After the restart."})
    assert await second.stored_answers() == ["After the restart."]


async def test_reconnect_posts_once_and_keeps_one_scheduler(
    make_world: MakeWorld, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    world = await make_world(scheduler=True)
    await world.command("you", SETUP, admin=True)
    clock.set(datetime(2026, 11, 30, 9, 0, 30, tzinfo=UTC))
    assert world.scheduler is not None and world.scheduler.aps.running
    await world.scheduler.sync_jobs()
    await world.bot.run_due()  # the 09:00 job fires
    jobs = sorted(j.id for j in world.scheduler.aps.get_jobs())

    await world.ready()
    await world.ready()  # a reconnect: on_ready again
    assert world.client.ready_count == 2
    assert sorted(j.id for j in world.scheduler.aps.get_jobs()) == jobs
    assert len(world.fake.requests_to("POST", rf"/channels/{world.guild.study_id}/messages")) == 1


async def test_429_and_500_on_the_daily_post_leave_exactly_one_message(world: World) -> None:
    await world.command("you", SETUP, admin=True)
    route = rf"/channels/{world.guild.study_id}/messages"
    # Rate limited first; then Discord stores the message but the answer is lost (a 500).
    world.fake.fail("POST", route, Fault(429), Fault(500, committed=True))
    await world.command("you", "/post-now", admin=True)
    attempts = world.fake.requests_to("POST", route)
    assert [a.status for a in attempts] == [429, 500, 200]
    assert len({a.body["nonce"] for a in attempts}) == 1
    posts = [
        s
        for s in world.fake.shown
        if s.channel_id == world.guild.study_id and s.text.startswith("📌")
    ]
    assert len(posts) == 1
    assert len(world.fake.threads()) == 1


async def test_forum_channel_gets_a_new_post_whose_replies_are_answers(world: World) -> None:
    forum = world.guild.forum
    await world.command("you", SETUP, admin=True, channel=forum)
    await world.command("you", "/post-now", admin=True, channel=forum)
    created = world.fake.requests_to("POST", rf"/channels/{forum['id']}/threads")
    assert len(created) == 1 and created[0].body["message"]["components"]
    thread = world.newest_thread()
    await world.reply("ana", "Consistent hashing.", thread=thread)
    assert await world.stored_answers(world.guild.ref(forum)) == ["Consistent hashing."]


async def test_a_button_from_another_server_reaches_nothing(
    make_world: MakeWorld, guild: Guild
) -> None:
    other = Guild(guild.fake, "Other Server")
    world = await make_world(guilds=[guild, other])
    post = await _posted(world)
    # The same custom id pressed in another server (a copied message, a forged payload).
    forged = {**post, "channel_id": other.study["id"]}
    await world.click("mallory", forged, "Answer", guild=other, channel=other.study)
    assert not world.fake.modals
    assert "no longer available" in world.fake.shown[-1].text


async def test_a_lost_answer_retried_later_by_the_core_does_not_post_twice(
    world: World, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    await world.command("you", SETUP, admin=True)
    route = rf"/channels/{world.guild.study_id}/messages"
    # Discord stores the post but answers 503, which discord.py does not retry: the send fails.
    world.fake.fail("POST", route, Fault(503, committed=True))
    await world.command("you", "/post-now", admin=True)
    assert "Something went wrong" in world.fake.shown[-1].text
    caplog.clear()  # the failure was logged, as it should be

    clock.set(
        datetime(2026, 11, 30, 9, 5, tzinfo=UTC)
    )  # the claim's lease is over: the slot is retried
    await world.bot.run_due()
    attempts = world.fake.requests_to("POST", route)
    assert len(attempts) == 2 and attempts[0].body["nonce"] == attempts[1].body["nonce"]
    posts = [
        s
        for s in world.fake.shown
        if s.channel_id == world.guild.study_id and s.text.startswith("📌")
    ]
    assert len(posts) == 1  # the same nonce returned the stored message
    post = await world.store.last_post(world.guild.ref())
    assert post is not None and post.status == "sent" and post.thread_id == str(posts[0].message_id)
