"""Slack payloads -> core events. Pure functions, tested against recorded-shape payloads.

Who a user is (display name, admin) is not in most payloads; the events built here carry
what the payload says (the user id, or a username) and `Directory` fills in the rest.
The tenant is always the workspace (team) id, so one workspace never sees another's data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.commands import parse_command_line
from bot.domain import ChannelRef, InteractionRef, MessageRef, UserRef
from bot.events import (
    ButtonPressed,
    CommandInvoked,
    FormSubmitted,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
)

Payload = dict[str, Any]
ROOT_COMMAND = "/studybot"
# `/sb-setup time:09:00` is short for `/studybot setup time:09:00`.
SHORT_PREFIX = "/sb-"
# Message subtypes that are a person writing; the others (joins, bots, topics) are not.
_WRITTEN = {None, "thread_broadcast", "file_share"}
_MARKUP = re.compile(r"<([^<>]*)>")


@dataclass(frozen=True, slots=True)
class Token:
    """What answering an interaction needs later; the core carries it as an opaque string."""

    response_url: str = ""
    trigger_id: str = ""

    def encode(self) -> str:
        return json.dumps({"r": self.response_url, "t": self.trigger_id}, separators=(",", ":"))

    @staticmethod
    def decode(raw: str) -> Token:
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            return Token()
        if not isinstance(data, dict):
            return Token()
        return Token(str(data.get("r") or ""), str(data.get("t") or ""))


@dataclass(frozen=True, slots=True)
class FormContext:
    """Kept in a modal's private_metadata: where the form was opened, how to answer."""

    channel_id: str = ""
    response_url: str = ""

    def encode(self) -> str:
        return json.dumps({"c": self.channel_id, "r": self.response_url}, separators=(",", ":"))

    @staticmethod
    def decode(raw: str) -> FormContext:
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            return FormContext()
        if not isinstance(data, dict):
            return FormContext()
        return FormContext(str(data.get("c") or ""), str(data.get("r") or ""))


def plain_text(slack_text: str) -> str:
    """What the member sees, from Slack's wire text: `<!here>` -> `@here`, `<@U1>` -> `@U1`,
    `<https://x|x>` -> `https://x`, `&lt;` -> `<`. The core stores and quotes this."""

    def one(m: re.Match[str]) -> str:
        inner = m.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!"):
            return "@" + target[1:]
        if target.startswith("@"):
            return label if label.startswith("@") else "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        return target  # a link: keep the address, which says more than its label

    text = _MARKUP.sub(one, slack_text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def tenant_of(body: Payload) -> str:
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    if not team:
        team = (body.get("user") or {}).get("team_id") or body.get("enterprise_id")
    if not team:
        raise ValueError("a Slack payload without a team id")
    return str(team)


# -- slash commands -------------------------------------------------------------------


def command_line(command: str, text: str) -> str:
    """`/studybot setup time:9` -> `setup time:9`; `/sb-post-now` -> `post-now`; `/studybot` -> `help`."""
    name = command.strip().lower()
    rest = text.strip()
    if name.startswith(SHORT_PREFIX):
        rest = f"{name.removeprefix(SHORT_PREFIX)} {rest}"
    elif name != ROOT_COMMAND:
        rest = f"{name.lstrip('/')} {rest}"
    return rest.strip() or "help"


def command(body: Payload) -> CommandInvoked:
    """A slash command; raises CommandError (a message for the user) when it cannot be read."""
    line = command_line(str(body["command"]), str(body.get("text") or ""))
    path, options = parse_command_line(plain_text(line))
    return CommandInvoked(command_interaction(body), path, options)


def command_interaction(body: Payload) -> InteractionRef:
    """Who ran a slash command, where, and how to answer them (its response_url)."""
    team = tenant_of(body)
    user = UserRef(team, str(body["user_id"]), str(body.get("user_name") or body["user_id"]))
    channel = ChannelRef(team, str(body["channel_id"])) if body.get("channel_id") else None
    token = Token(str(body.get("response_url") or ""), str(body.get("trigger_id") or ""))
    return InteractionRef(str(body.get("trigger_id") or ""), user, channel, token.encode())


# -- message events -------------------------------------------------------------------

MessageEvent = MessagePosted | MessageEdited | MessageDeleted


def message(body: Payload) -> MessageEvent | None:
    """An Events API `message` event callback -> posted / edited / deleted, or None when it is
    not a person's message (bots, joins, the bot's own posts, edits that changed no text)."""
    event: Payload = body.get("event") or {}
    if event.get("type") != "message":
        return None
    team = tenant_of(body)
    channel = ChannelRef(team, str(event.get("channel") or ""))
    subtype = event.get("subtype")
    if subtype == "message_changed":
        return _changed(channel, event)
    if subtype == "message_deleted":
        previous: Payload = event.get("previous_message") or {}
        ts = str(event.get("deleted_ts") or previous.get("ts") or "")
        return MessageDeleted(channel, ts, _thread_of(previous, ts)) if ts else None
    if subtype not in _WRITTEN or _by_bot(event) or not event.get("user"):
        return None
    ts = str(event["ts"])
    user = UserRef(team, str(event["user"]), str(event["user"]))
    return MessagePosted(
        channel, ts, _thread_of(event, ts), user, plain_text(str(event.get("text") or ""))
    )


def _changed(channel: ChannelRef, event: Payload) -> MessageEdited | None:
    new: Payload = event.get("message") or {}
    old: Payload = event.get("previous_message") or {}
    if _by_bot(new) or not new.get("user") or new.get("subtype") == "tombstone":
        return None
    if "text" in old and old.get("text") == new.get("text"):
        return None  # an unfurl, a reaction count, a reply count: not the member's edit
    ts = str(new.get("ts") or "")
    user = UserRef(channel.tenant, str(new["user"]), str(new["user"]))
    return MessageEdited(
        channel, ts, _thread_of(new, ts), user, plain_text(str(new.get("text") or ""))
    )


def _thread_of(msg: Payload, ts: str) -> str | None:
    """A reply's thread is its parent's ts; a parent (thread_ts == ts) is in no thread."""
    thread = msg.get("thread_ts")
    return str(thread) if thread and str(thread) != ts else None


def _by_bot(msg: Payload) -> bool:
    return bool(msg.get("bot_id")) or msg.get("subtype") == "bot_message"


# -- interactivity --------------------------------------------------------------------


def _interaction_user(body: Payload, team: str) -> UserRef:
    u: Payload = body.get("user") or {}
    uid = str(u.get("id") or "")
    return UserRef(team, uid, str(u.get("username") or u.get("name") or uid))


def button(body: Payload) -> ButtonPressed | None:
    """A `block_actions` payload whose first action is a button press."""
    actions: list[Payload] = body.get("actions") or []
    if body.get("type") != "block_actions" or not actions or actions[0].get("type") != "button":
        return None
    team = tenant_of(body)
    channel_id = str(
        (body.get("channel") or {}).get("id")
        or (body.get("container") or {}).get("channel_id")
        or ""
    )
    channel = ChannelRef(team, channel_id) if channel_id else None
    token = Token(str(body.get("response_url") or ""), str(body.get("trigger_id") or ""))
    user = _interaction_user(body, team)
    interaction_id = str(body.get("trigger_id") or actions[0].get("action_ts") or "")
    interaction = InteractionRef(interaction_id, user, channel, token.encode())
    msg: Payload = body.get("message") or {}
    ts = str(msg.get("ts") or (body.get("container") or {}).get("message_ts") or "")
    ref = MessageRef(channel, ts, _thread_of(msg, ts)) if channel and ts else None
    return ButtonPressed(interaction, str(actions[0].get("action_id") or ""), ref)


def form(body: Payload) -> FormSubmitted | None:
    """A `view_submission`: the modal's callback_id and each input's value by block_id."""
    view: Payload = body.get("view") or {}
    if body.get("type") != "view_submission" or not view.get("callback_id"):
        return None
    team = tenant_of(body)
    context = FormContext.decode(str(view.get("private_metadata") or ""))
    channel = ChannelRef(team, context.channel_id) if context.channel_id else None
    values: dict[str, str] = {}
    state: dict[str, dict[str, Payload]] = (view.get("state") or {}).get("values") or {}
    for block_id, inputs in state.items():
        for element in inputs.values():
            values[block_id] = str(element.get("value") or "")
    interaction = InteractionRef(
        str(view.get("id") or body.get("trigger_id") or ""),
        _interaction_user(body, team),
        channel,
        Token(context.response_url).encode(),
    )
    return FormSubmitted(interaction, str(view["callback_id"]), values)
