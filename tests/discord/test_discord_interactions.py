"""Interactions as Discord treats them: every one must be answered, a failed acknowledgement
must not cost the member their answer, /setup names the permissions the bot lacks, and
over-long texts arrive whole."""

from __future__ import annotations

from bot.commands import CommandContext, CommandSpec
from bot.domain import Button, Destination, Outgoing, Reply
from tests.discord.fake_discord import MAX_CONTENT, UNKNOWN_INTERACTION, Fault
from tests.discord.fixtures import MakeWorld
from tests.discord.world import World

SETUP = "/setup time:09:00 timezone:UTC weekdays:daily"
# Three paragraphs of 900 characters: 2,704 in all, more than one Discord message holds.
LONG = "\n\n".join(f"Paragraph {n}: " + "word " * 178 for n in range(1, 4))


async def test_setup_names_the_permissions_the_bot_lacks_and_changes_nothing(
    world: World,
) -> None:
    world.fake.deny(world.guild.study_id, "CREATE_PUBLIC_THREADS", "READ_MESSAGE_HISTORY")
    await world.command("you", SETUP, admin=True)
    reply = world.fake.shown[-1]
    assert reply.where == "private"
    assert "Create Public Threads" in reply.text and "Read Message History" in reply.text
    assert "Send Messages" not in reply.text  # only what is missing
    assert await world.store.get_channel(world.guild.ref()) is None
    assert not world.fake.requests_to("POST", rf"/channels/{world.guild.study_id}/messages")


async def test_a_forum_needs_no_create_public_threads(world: World) -> None:
    forum = world.guild.forum
    world.fake.deny(int(forum["id"]), "CREATE_PUBLIC_THREADS")
    await world.command("you", SETUP, admin=True, channel=forum)
    assert world.fake.shown[-1].text.startswith("Set up this channel")


async def test_a_stale_button_is_acknowledged_not_left_to_fail(world: World) -> None:
    await world.chat.send(
        Destination.to_channel(world.guild.ref()),
        Outgoing("An old message", buttons=(Button("retired:7", "Old"),)),
    )
    old = world.fake.messages[world.fake.shown[-1].message_id]
    data = await world.click("ana", old, "Old")
    callbacks = world.fake.requests_to("POST", rf"/interactions/{data['id']}/.*/callback")
    assert [c.body["type"] for c in callbacks] == [4]
    assert world.fake.shown[-1].to_user == "ana" and "out of date" in world.fake.shown[-1].text


async def test_a_failed_defer_does_not_drop_a_form_answer(make_world: MakeWorld) -> None:
    world = await make_world(ack_after=0)  # defer at once
    await world.command("you", SETUP, admin=True)
    await world.command("you", "/post-now", admin=True)
    post = next(s for s in world.fake.shown if s.text.startswith("📌"))
    form_id = post.components[0]["components"][0]["custom_id"]  # the Answer form's id
    # The deferral of the form submission fails (the interaction is gone for Discord).
    world.fake.fail(
        "POST", r"/interactions/\d+/[^/]+/callback", Fault(404, body=UNKNOWN_INTERACTION)
    )
    await world.submit("ana", form_id, {"answer": "Kept anyway."})
    assert await world.stored_answers() == ["Kept anyway."]


async def test_a_long_message_is_split_at_paragraphs_and_loses_nothing(world: World) -> None:
    await world.chat.send(Destination.to_channel(world.guild.ref()), Outgoing(LONG))
    sent = world.fake.requests_to("POST", rf"/channels/{world.guild.study_id}/messages")
    parts = [r.body["content"] for r in sent]
    assert len(parts) == 2 and all(r.status == 200 for r in sent)
    assert all(len(part) <= MAX_CONTENT for part in parts)
    assert parts[0].rstrip().endswith("word") and parts[1].startswith("Paragraph 3")
    assert "".join(parts).split() == LONG.split()


async def test_a_long_reply_to_a_command_arrives_whole(make_world: MakeWorld) -> None:
    async def long_reply(ctx: CommandContext) -> Reply:
        return Reply(LONG)

    world = await make_world(commands=((CommandSpec(("long",), "A long answer."), long_reply),))
    await world.command("ana", "/long")
    mine = [s.text for s in world.fake.shown if s.to_user == "ana"]
    assert len(mine) == 2 and " ".join(mine).split() == LONG.split()
