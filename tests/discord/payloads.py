"""Gateway payloads in the JSON shapes of Discord's documentation (API v10)."""

from __future__ import annotations

import itertools
from typing import Any

DISCORD_EPOCH_MS = 1420070400000
BASE_MS = 1796000000000  # late 2026: ids look like today's
_seq = itertools.count(1)

MANAGE_GUILD = 1 << 5
# What an ordinary member has in a channel: view, send, read history, use app commands, threads.
MEMBER_PERMS = (1 << 10) | (1 << 11) | (1 << 16) | (1 << 31) | (1 << 38)
TS = "2026-11-30T09:00:00.000000+00:00"


def snowflake() -> int:
    return ((BASE_MS - DISCORD_EPOCH_MS) << 22) | next(_seq)


def user(uid: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(uid),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "public_flags": 0,
    }
    if bot:
        out["bot"] = True
    return out


def member(uid: int, name: str, *, admin: bool = False) -> dict[str, Any]:
    return {
        "user": user(uid, name),
        "nick": None,
        "avatar": None,
        "roles": [],
        "joined_at": TS,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "permissions": str(MEMBER_PERMS | (MANAGE_GUILD if admin else 0)),
    }


def text_channel(cid: int, guild_id: int, name: str) -> dict[str, Any]:
    return {
        "id": str(cid),
        "type": 0,
        "guild_id": str(guild_id),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "parent_id": None,
        "nsfw": False,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }


def forum_channel(cid: int, guild_id: int, name: str) -> dict[str, Any]:
    return {
        **text_channel(cid, guild_id, name),
        "type": 15,
        "available_tags": [],
        "default_reaction_emoji": None,
        "default_thread_rate_limit_per_user": 0,
        "default_sort_order": None,
        "default_forum_layout": 0,
    }


def thread(tid: int, guild_id: int, parent_id: int, name: str, owner_id: int) -> dict[str, Any]:
    return {
        "id": str(tid),
        "type": 11,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": TS,
            "locked": False,
            "create_timestamp": TS,
        },
    }


def guild_create(
    guild_id: int, name: str, channels: list[dict[str, Any]], threads: list[dict[str, Any]]
) -> dict[str, Any]:
    everyone = {
        "id": str(guild_id),
        "name": "@everyone",
        "permissions": str(MEMBER_PERMS),
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "owner_id": "1",
        "unavailable": False,
        "large": False,
        "member_count": 3,
        "joined_at": TS,
        "roles": [everyone],
        "emojis": [],
        "stickers": [],
        "features": [],
        "channels": channels,
        "threads": threads,
        "members": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "system_channel_flags": 0,
    }


def ready(
    bot_user: dict[str, Any], app_id: int, guild_ids: list[int], shard: tuple[int, int] = (0, 1)
) -> dict[str, Any]:
    return {
        "v": 10,
        "user": bot_user,
        "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
        "session_id": f"session-{snowflake()}",
        "resume_gateway_url": "wss://gateway.invalid",
        "shard": list(shard),
        "application": {"id": str(app_id), "flags": 0},
        "private_channels": [],
    }


def message(
    mid: int,
    channel_id: int,
    guild_id: int | None,
    author: dict[str, Any],
    content: str,
    *,
    components: list[Any] | None = None,
    edited: str | None = None,
    flags: int = 0,
    nonce: str | None = None,
    kind: int = 0,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(mid),
        "channel_id": str(channel_id),
        "author": author,
        "content": content,
        "timestamp": TS,
        "edited_timestamp": edited,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": kind,
        "flags": flags,
        "components": components or [],
    }
    if guild_id is not None:
        out["guild_id"] = str(guild_id)
    if nonce is not None:
        out["nonce"] = nonce
    return out


def message_create(
    mid: int, channel_id: int, guild_id: int, uid: int, name: str, content: str
) -> dict[str, Any]:
    data = message(mid, channel_id, guild_id, user(uid, name), content)
    data["member"] = {
        k: v for k, v in member(uid, name).items() if k not in ("user", "permissions")
    }
    return data


def message_update(
    mid: int, channel_id: int, guild_id: int, uid: int, name: str, content: str
) -> dict[str, Any]:
    data = message_create(mid, channel_id, guild_id, uid, name, content)
    data["edited_timestamp"] = "2026-11-30T09:05:00.000000+00:00"
    return data


def message_delete(mid: int, channel_id: int, guild_id: int) -> dict[str, Any]:
    return {"id": str(mid), "channel_id": str(channel_id), "guild_id": str(guild_id)}


def _interaction(
    kind: int,
    app_id: int,
    guild_id: int,
    channel: dict[str, Any],
    who: dict[str, Any],
    data: dict[str, Any],
) -> dict[str, Any]:
    iid = snowflake()
    return {
        "id": str(iid),
        "application_id": str(app_id),
        "type": kind,
        "data": data,
        "guild_id": str(guild_id),
        "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
        "channel_id": channel["id"],
        "channel": channel,
        "member": who,
        "token": f"itoken-{iid}",
        "version": 1,
        "app_permissions": "562949953421311",
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild_id)},
        "context": 0,
        "attachment_size_limit": 10485760,
    }


_OPTION_TYPES = {3: str, 4: int, 5: bool}


def slash_command(
    app_id: int,
    registered: dict[str, Any],
    path: tuple[str, ...],
    options: dict[str, Any],
    *,
    guild_id: int,
    channel: dict[str, Any],
    who: dict[str, Any],
    focused: str | None = None,
) -> dict[str, Any]:
    """What Discord sends when a member runs a registered command (or types in an
    autocomplete option, when `focused` names it: type 4). Option values are typed the
    way the registered schema says, as Discord's client would."""
    node = registered
    for name in path[1:]:
        node = next(o for o in node["options"] if o["name"] == name)
    schema = {o["name"]: o for o in node.get("options", []) if o["type"] not in (1, 2)}
    leaf: list[dict[str, Any]] = []
    for name, raw in options.items():
        spec = schema[name]
        value = (
            _OPTION_TYPES[spec["type"]](raw)
            if spec["type"] != 5
            else str(raw).lower() in ("yes", "true", "1")
        )
        opt = {"type": spec["type"], "name": name, "value": value}
        if name == focused:
            opt["focused"] = True
        leaf.append(opt)
    for depth in range(len(path) - 1, 0, -1):
        kind = 1 if depth == len(path) - 1 else 2
        leaf = [{"type": kind, "name": path[depth], "options": leaf}]
    data = {
        "id": registered["id"],
        "name": path[0],
        "type": 1,
        "options": leaf,
        "guild_id": str(guild_id),
    }
    return _interaction(4 if focused else 2, app_id, guild_id, channel, who, data)


def button_press(
    app_id: int,
    guild_id: int,
    channel: dict[str, Any],
    who: dict[str, Any],
    msg: dict[str, Any],
    custom_id: str,
) -> dict[str, Any]:
    data = _interaction(
        3, app_id, guild_id, channel, who, {"custom_id": custom_id, "component_type": 2}
    )
    data["message"] = msg
    return data


def modal_submit(
    app_id: int,
    guild_id: int,
    channel: dict[str, Any],
    who: dict[str, Any],
    custom_id: str,
    values: dict[str, str],
    *,
    labels: bool = False,
) -> dict[str, Any]:
    """Text inputs in action rows, or (the newer layout) each inside a label component."""
    if labels:
        rows = [
            {"type": 18, "id": i, "component": {"type": 4, "custom_id": k, "value": v}}
            for i, (k, v) in enumerate(values.items())
        ]
    else:
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
            for k, v in values.items()
        ]
    return _interaction(
        5, app_id, guild_id, channel, who, {"custom_id": custom_id, "components": rows}
    )


def dm_channel(cid: int, recipient: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(cid), "type": 1, "last_message_id": None, "flags": 0,
            "recipients": [recipient]}  # fmt: skip


def _dm_interaction(
    kind: int, app_id: int, channel: dict[str, Any], who: dict[str, Any], data: dict[str, Any]
) -> dict[str, Any]:
    """An interaction in the bot's DM with a member, as Discord sends it: no guild_id, no
    guild, no member; the invoking user under `user`; context 1 (BOT_DM); a guild-installed
    app is authorized by "0" when the interaction comes from a bot DM."""
    iid = snowflake()
    return {
        "id": str(iid),
        "application_id": str(app_id),
        "type": kind,
        "data": data,
        "channel_id": channel["id"],
        "channel": channel,
        "user": who,
        "token": f"itoken-{iid}",
        "version": 1,
        "app_permissions": "562949953421311",
        "locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": "0"},
        "context": 1,
        "attachment_size_limit": 10485760,
    }


def dm_button_press(
    app_id: int, channel: dict[str, Any], who: dict[str, Any], msg: dict[str, Any], custom_id: str
) -> dict[str, Any]:
    data = _dm_interaction(3, app_id, channel, who, {"custom_id": custom_id, "component_type": 2})
    data["message"] = msg
    return data


def dm_modal_submit(
    app_id: int,
    channel: dict[str, Any],
    who: dict[str, Any],
    custom_id: str,
    values: dict[str, str],
) -> dict[str, Any]:
    rows = [
        {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
        for k, v in values.items()
    ]
    return _dm_interaction(5, app_id, channel, who, {"custom_id": custom_id, "components": rows})
