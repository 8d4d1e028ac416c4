"""Slack payloads in the shapes Slack sends them (from the API docs' examples), with the
variable parts as arguments. Slash commands are form fields; events and interactions JSON."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from tests.slack.fake_slack import APP_ID, BOT_USER, TEAM

CHANNEL = "C0STUDY"


def slash_command(
    user_id: str,
    user_name: str,
    command: str,
    text: str,
    *,
    response_url: str,
    trigger_id: str | None = None,
    team: str = TEAM,
    channel: str = CHANNEL,
) -> dict[str, str]:
    return {
        "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "team_id": team,
        "team_domain": "study",
        "channel_id": channel,
        "channel_name": "interview-prep",
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or f"13345224609.738474920.{uuid.uuid4().hex[:16]}",
    }


def event_callback(
    event: dict[str, Any], *, event_id: str | None = None, team: str = TEAM
) -> dict[str, Any]:
    return {
        "token": "XXYYZZ",
        "team_id": team,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": 1764500000,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team,
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{uuid.uuid4().hex}",
    }


def message(
    user: str, text: str, ts: str, *, thread_ts: str | None = None, channel: str = CHANNEL
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "client_msg_id": str(uuid.uuid4()),
        "type": "message",
        "text": text,
        "user": user,
        "ts": ts,
        "team": TEAM,
        "blocks": [],
        "channel": channel,
        "event_ts": ts,
        "channel_type": "channel",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = BOT_USER
    return event


def message_changed(
    user: str,
    ts: str,
    thread_ts: str | None,
    old: str,
    new: str,
    *,
    channel: str = CHANNEL,
    edit_ts: str = "",
) -> dict[str, Any]:
    base = {"type": "message", "user": user, "ts": ts, "team": TEAM}
    if thread_ts:
        base["thread_ts"] = thread_ts
    return {
        "type": "message",
        "subtype": "message_changed",
        "message": {**base, "text": new, "edited": {"user": user, "ts": edit_ts or ts}},
        "previous_message": {**base, "text": old},
        "channel": channel,
        "hidden": True,
        "ts": edit_ts or ts,
        "event_ts": edit_ts or ts,
        "channel_type": "channel",
    }


def message_deleted(
    user: str, ts: str, thread_ts: str | None, old: str, *, channel: str = CHANNEL
) -> dict[str, Any]:
    previous = {"type": "message", "user": user, "text": old, "ts": ts, "team": TEAM}
    if thread_ts:
        previous["thread_ts"] = thread_ts
    return {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "deleted_ts": ts,
        "channel": channel,
        "previous_message": previous,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "channel",
    }


def block_actions(
    user_id: str,
    user_name: str,
    action_id: str,
    message_ts: str,
    *,
    response_url: str,
    trigger_id: str | None = None,
    team: str = TEAM,
    channel: str = CHANNEL,
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team},
        "api_app_id": APP_ID,
        "token": "9s8d9as89d8as9d8as989",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id or f"12321423423.333649436676.{uuid.uuid4().hex[:16]}",
        "team": {"id": team, "domain": "study"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "interview-prep"},
        "message": {
            "type": "message",
            "user": BOT_USER,
            "ts": message_ts,
            "bot_id": "BBOT",
            "text": "...",
        },
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "Answer", "emoji": True},
                "value": action_id,
                "style": "primary",
                "type": "button",
                "action_ts": "1764500001.000001",
            }
        ],
    }


def view_submission(
    user_id: str, user_name: str, view: dict[str, Any], values: dict[str, str], *, team: str = TEAM
) -> dict[str, Any]:
    """A submission of `view` (as the bot sent it to views.open) with `values` typed in."""
    state = {
        block["block_id"]: {
            block["element"]["action_id"]: {
                "type": "plain_text_input",
                "value": values.get(block["block_id"]),
            }
        }
        for block in view["blocks"]
        if block["type"] == "input"
    }
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": "study"},
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team},
        "api_app_id": APP_ID,
        "token": "tokentoken",
        "trigger_id": f"12345.98765.{uuid.uuid4().hex[:16]}",
        "view": {
            "id": f"V{uuid.uuid4().hex[:8].upper()}",
            "team_id": team,
            "type": "modal",
            "blocks": view["blocks"],
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view["callback_id"],
            "state": {"values": state},
            "hash": "156772938.1827394",
            "title": view["title"],
            "app_id": APP_ID,
            "bot_id": "BBOT",
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def url_verification(challenge: str) -> dict[str, Any]:
    return {"token": "Jhj5dZrVaK7ZwHHjRyZWjbDl", "challenge": challenge, "type": "url_verification"}


def as_typed(text: str) -> str:
    """Text the way a Slack client sends what a member typed: `@here` becomes the <!here>
    mention, `<...>` written as a mention stays one, a lone `&` is escaped."""
    parts = re.split(r"(<[@!#][^<>]*>)", text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(part)
            continue
        part = part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        out.append(re.sub(r"@(everyone|here|channel)\b", r"<!\1>", part))
    return "".join(out)


def interactive_form(payload: dict[str, Any]) -> dict[str, str]:
    return {"payload": json.dumps(payload)}
