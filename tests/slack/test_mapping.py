"""Slack payloads -> core events: pure functions against payloads in Slack's shapes."""

from __future__ import annotations

import pytest

from adapters.slack import mapping
from bot.commands import CommandError
from bot.domain import ChannelRef
from bot.events import (
    ButtonPressed,
    CommandInvoked,
    FormSubmitted,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
)
from tests.slack import payloads
from tests.slack.fake_slack import TEAM

C = ChannelRef(TEAM, payloads.CHANNEL)
PARENT = "1764500000.000001"
REPLY = "1764500000.000002"


def test_a_thread_reply_is_posted_in_its_parents_thread() -> None:
    body = payloads.event_callback(payloads.message("UANA", "My answer", REPLY, thread_ts=PARENT))
    event = mapping.message(body)
    assert isinstance(event, MessagePosted)
    assert (event.channel, event.message_id, event.thread_id, event.text) == (
        C,
        REPLY,
        PARENT,
        "My answer",
    )
    assert event.user.user_id == "UANA" and event.user.tenant == TEAM


def test_a_top_level_message_is_in_no_thread() -> None:
    event = mapping.message(payloads.event_callback(payloads.message("UANA", "hi", REPLY)))
    assert isinstance(event, MessagePosted) and event.thread_id is None


def test_a_thread_broadcast_counts_as_the_reply() -> None:
    raw = {
        **payloads.message("UANA", "also to channel", REPLY, thread_ts=PARENT),
        "subtype": "thread_broadcast",
    }
    event = mapping.message(payloads.event_callback(raw))
    assert isinstance(event, MessagePosted) and event.thread_id == PARENT


@pytest.mark.parametrize(
    "change",
    [
        {"bot_id": "B1"},
        {"subtype": "bot_message"},
        {"subtype": "channel_join"},
        {"user": None},
    ],
)
def test_messages_that_are_not_a_member_writing_are_dropped(change: dict[str, object]) -> None:
    raw = {**payloads.message("UANA", "x", REPLY, thread_ts=PARENT), **change}
    assert mapping.message(payloads.event_callback(raw)) is None


def test_an_edit_carries_the_new_text() -> None:
    raw = payloads.message_changed("UANA", REPLY, PARENT, "old", "new &amp; better")
    event = mapping.message(payloads.event_callback(raw))
    assert isinstance(event, MessageEdited)
    assert (event.message_id, event.thread_id, event.text) == (REPLY, PARENT, "new & better")


def test_a_change_without_new_text_is_no_edit() -> None:
    raw = payloads.message_changed("UANA", REPLY, PARENT, "same", "same")
    assert mapping.message(payloads.event_callback(raw)) is None


def test_a_delete_names_the_message_and_its_thread() -> None:
    event = mapping.message(
        payloads.event_callback(payloads.message_deleted("UANA", REPLY, PARENT, "gone"))
    )
    assert event == MessageDeleted(C, REPLY, PARENT)


def test_the_tenant_is_the_team() -> None:
    raw = payloads.message("UANA", "x", REPLY, thread_ts=PARENT)
    event = mapping.message(payloads.event_callback(raw, team="T0OTHER"))
    assert isinstance(event, MessagePosted) and event.channel == ChannelRef(
        "T0OTHER", payloads.CHANNEL
    )


@pytest.mark.parametrize(
    ("wire", "plain"),
    [
        ("<!here> and <!channel> and <!everyone>", "@here and @channel and @everyone"),
        ("ask <@U123> or <@U9|bo>", "ask @U123 or @bo"),
        ("<!subteam^S1|@leads> please", "@leads please"),
        (
            "see <https://aws.amazon.com|AWS> in <#C1|general>",
            "see https://aws.amazon.com in #general",
        ),
        ("a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"),
        ("&amp;lt; stays literal", "&lt; stays literal"),
    ],
)
def test_wire_text_becomes_what_the_member_sees(wire: str, plain: str) -> None:
    assert mapping.plain_text(wire) == plain


@pytest.mark.parametrize(
    ("command", "text", "path", "options"),
    [
        (
            "/studybot",
            "setup time:09:00 timezone:UTC",
            ("setup",),
            {"time": "09:00", "timezone": "UTC"},
        ),
        ("/studybot", "", ("help",), {}),
        ("/studybot", "  ", ("help",), {}),
        ("/sb-post-now", "", ("post-now",), {}),
        ("/sb-help", "command:setup", ("help",), {"command": "setup"}),
        ("/studybot", "prep set date:2026-12-20", ("prep", "set"), {"date": "2026-12-20"}),
    ],
)
def test_slash_commands(
    command: str, text: str, path: tuple[str, ...], options: dict[str, str]
) -> None:
    body = payloads.slash_command(
        "UANA", "ana", command, text, response_url="https://hooks.slack.com/commands/1"
    )
    event = mapping.command(body)
    assert isinstance(event, CommandInvoked)
    assert (event.path, event.options) == (path, options)
    assert event.interaction.channel == C and event.interaction.user.user_id == "UANA"
    token = mapping.Token.decode(event.interaction.token)
    assert (
        token.response_url == "https://hooks.slack.com/commands/1"
        and token.trigger_id == body["trigger_id"]
    )


def test_an_unreadable_command_is_a_message_for_the_user() -> None:
    body = payloads.slash_command("UANA", "ana", "/studybot", 'setup time:"09', response_url="u")
    with pytest.raises(CommandError, match="close your quotes"):
        mapping.command(body)


def test_a_button_press() -> None:
    body = payloads.block_actions(
        "UANA", "ana", "answer:7", PARENT, response_url="https://hooks/r", trigger_id="tr1"
    )
    event = mapping.button(body)
    assert isinstance(event, ButtonPressed)
    assert (
        event.custom_id == "answer:7"
        and event.message is not None
        and event.message.message_id == PARENT
    )
    assert (
        event.interaction.channel == C
        and mapping.Token.decode(event.interaction.token).trigger_id == "tr1"
    )


def test_a_view_submission_brings_back_its_channel_and_values() -> None:
    context = mapping.FormContext(payloads.CHANNEL, "https://hooks/r").encode()
    view = {
        "callback_id": "answer:7",
        "private_metadata": context,
        "title": {"type": "plain_text", "text": "Your answer"},
        "blocks": [
            {
                "type": "input",
                "block_id": "answer",
                "element": {"type": "plain_text_input", "action_id": "answer"},
            },
            {
                "type": "input",
                "block_id": "note",
                "element": {"type": "plain_text_input", "action_id": "note"},
            },
        ],
    }
    event = mapping.form(payloads.view_submission("UANA", "ana", view, {"answer": "STAR"}))
    assert isinstance(event, FormSubmitted)
    assert event.custom_id == "answer:7" and event.values == {"answer": "STAR", "note": ""}
    assert event.interaction.channel == C
    assert mapping.Token.decode(event.interaction.token).response_url == "https://hooks/r"


def test_tokens_survive_garbage() -> None:
    assert mapping.Token.decode("not json") == mapping.Token()
    assert mapping.FormContext.decode("[1]") == mapping.FormContext()
