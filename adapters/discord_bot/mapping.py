"""Pure translation between discord.py objects / payloads and the core's values and events.

No I/O here: where a thread's parent channel is not known from the object, the caller
resolves it first and passes a `Place`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import discord

from bot.domain import Button, ButtonStyle, ChannelRef, InteractionRef, MessageRef, UserRef
from bot.events import (
    ButtonPressed,
    CommandInvoked,
    FormSubmitted,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    OptionValue,
)
from bot.text import split_message

MAX_CONTENT = 2000
MAX_NONCE = 25  # Discord rejects longer nonces
# The core's custom ids: "answer:<post_id>" and whatever comes next in the same shape. A
# button or form sent in a DM carries its tenant after "~": a DM interaction has no guild_id,
# so the custom id is the only place Discord gives it back from.
TENANT_MARK = "~"
CUSTOM_ID = (
    r"(?P<kind>[a-z][a-z0-9_-]{0,30}):(?P<arg>[A-Za-z0-9_.:-]{0,60})(?:~(?P<tenant>\d{1,20}))?"
)
# Messages members write; joins, pins and thread-starter notices are not answers.
_USER_MESSAGE_TYPES = (discord.MessageType.default, discord.MessageType.reply)


@dataclass(frozen=True, slots=True)
class Place:
    """Where a message sits, as the core sees it: the study channel, and the thread in it."""

    guild_id: int
    channel_id: int
    thread_id: int | None = None

    @property
    def channel(self) -> ChannelRef:
        return ChannelRef(tenant_of(self.guild_id), str(self.channel_id))


def with_tenant(custom_id: str, tenant: str | None) -> str:
    """The custom id of a component sent in a DM: the core's id, then the tenant."""
    if tenant is None or not tenant.isdigit() or TENANT_MARK in custom_id:
        return custom_id
    return f"{custom_id}{TENANT_MARK}{tenant}"


def split_tenant(custom_id: str) -> tuple[str, str | None]:
    """("peer:7:star:3~123", ...) -> ("peer:7:star:3", "123"); ids without a tenant as they are."""
    core, mark, tenant = custom_id.rpartition(TENANT_MARK)
    if mark and tenant.isdigit():
        return core, tenant
    return custom_id, None


def tenant_of(guild_id: int) -> str:
    """One guild, one tenant: nothing of one server is reachable from another."""
    return str(guild_id)


def shard_of(guild_id: int, shard_count: int) -> int:
    return (guild_id >> 22) % shard_count


def owns_tenant(tenant: str, shard_count: int | None, shard_ids: list[int] | None) -> bool:
    """Whether this process's shards carry the guild `tenant` (all guilds when it runs every shard)."""
    if shard_ids is None or shard_count is None:
        return True
    return tenant.isdigit() and shard_of(int(tenant), shard_count) in shard_ids


def place_of(guild_id: int, channel: object) -> Place | None:
    """The place of a guild channel or thread object; None when the object does not say."""
    if isinstance(channel, discord.Thread):
        return Place(guild_id, channel.parent_id, channel.id)
    if isinstance(channel, discord.abc.GuildChannel):
        return Place(guild_id, channel.id)
    return None


def is_admin(permissions: discord.Permissions) -> bool:
    # Discord's "Manage Server"; Administrator implies every permission.
    return permissions.manage_guild or permissions.administrator


def user_ref(
    guild_id: int, user: discord.abc.User, permissions: discord.Permissions | None = None
) -> UserRef:
    admin = is_admin(permissions) if permissions is not None else False
    return UserRef(tenant_of(guild_id), str(user.id), user.display_name, admin)


# What the bot needs in a study channel, as Discord's channel settings name each one.
_NEEDED: tuple[tuple[str, str], ...] = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("send_messages_in_threads", "Send Messages in Threads"),
    ("create_public_threads", "Create Public Threads"),
    ("read_message_history", "Read Message History"),
)


def missing_permissions(have: discord.Permissions, *, forum: bool = False) -> tuple[str, ...]:
    """The permissions the bot lacks in a channel, from an interaction's app_permissions.
    A forum's posts are threads the bot opens with Send Messages alone."""
    return tuple(
        label
        for flag, label in _NEEDED
        if not getattr(have, flag) and not (forum and flag == "create_public_threads")
    )


def interaction_ref(interaction: discord.Interaction[Any], place: Place) -> InteractionRef:
    channel = interaction.channel
    forum = isinstance(channel, discord.ForumChannel) or (
        isinstance(channel, discord.Thread) and isinstance(channel.parent, discord.ForumChannel)
    )
    return InteractionRef(
        str(interaction.id),
        user_ref(place.guild_id, interaction.user, interaction.permissions),
        place.channel,
        interaction.token,
        missing=missing_permissions(interaction.app_permissions, forum=forum),
    )


def dm_interaction_ref(interaction: discord.Interaction[Any], tenant: str) -> InteractionRef:
    """A button or form in a DM: no guild, no member, so the tenant comes from the custom id
    and the member is nobody's admin here. The core's replies go back to the DM."""
    user = UserRef(tenant, str(interaction.user.id), interaction.user.display_name, False)
    return InteractionRef(str(interaction.id), user, None, interaction.token)


def interaction_place(interaction: discord.Interaction[Any]) -> Place | None:
    """Commands and buttons in a thread (a forum post's starter message) belong to its parent."""
    if interaction.guild_id is None:
        return None
    found = place_of(interaction.guild_id, interaction.channel)
    if found is None and interaction.channel_id is not None:
        return Place(interaction.guild_id, interaction.channel_id)
    return found


def command_event(
    ref: InteractionRef, path: tuple[str, ...], options: Mapping[str, Any]
) -> CommandInvoked:
    values: dict[str, OptionValue] = {
        k: v for k, v in options.items() if isinstance(v, str | int | bool)
    }
    return CommandInvoked(ref, path, values)


def button_event(
    ref: InteractionRef, custom_id: str, message: discord.Message | None, place: Place
) -> ButtonPressed:
    if message is None:
        return ButtonPressed(ref, custom_id)
    thread = str(place.thread_id) if place.thread_id else None
    return ButtonPressed(ref, custom_id, MessageRef(place.channel, str(message.id), thread))


def form_values(components: list[Mapping[str, Any]]) -> dict[str, str]:
    """Text inputs of a modal submission: in action rows (type 1) or in labels (type 18)."""
    out: dict[str, str] = {}
    for comp in components:
        children = comp.get("components") or (
            [comp["component"]] if "component" in comp else [comp]
        )
        for child in children:
            if "custom_id" in child and isinstance(child.get("value"), str):
                out[str(child["custom_id"])] = child["value"]
    return out


def form_event(ref: InteractionRef, data: Mapping[str, Any]) -> FormSubmitted:
    custom_id, _ = split_tenant(str(data.get("custom_id", "")))
    return FormSubmitted(ref, custom_id, form_values(list(data.get("components", []))))


def is_member_message(message: discord.Message, me: int | None) -> bool:
    """A message a member wrote: not the bot's own, not another bot's or a webhook's, not a notice."""
    return (
        message.author.id != me
        and not message.author.bot
        and message.webhook_id is None
        and message.type in _USER_MESSAGE_TYPES
    )


def is_forward(message: discord.Message) -> bool:
    """A message forwarded from elsewhere: someone else's words, never an answer."""
    ref = message.reference
    return bool(message.message_snapshots) or (
        ref is not None and ref.type is discord.MessageReferenceType.forward
    )


def answer_text(message: discord.Message) -> str | None:
    """What a member's message says as an answer; None for what is not one.

    Attachments are noted by name (a diagram, a document), so an attachment-only reply is
    kept as an answer; a sticker, a poll or a forward alone is not an answer and is ignored
    rather than met with "that reply was empty"."""
    if is_forward(message):
        return None
    text = message.content
    files = [a.filename for a in message.attachments]
    if files:
        note = "📎 attached: " + ", ".join(files)
        return f"{text}\n{note}" if text.strip() else note
    if not text.strip() and (message.stickers or message.poll is not None or message.embeds):
        return None
    return text


def reply_to(message: discord.Message, place: Place) -> str | None:
    """The message a channel message replies to (a thread's messages belong to the thread)."""
    ref = message.reference
    if place.thread_id or ref is None or ref.type is discord.MessageReferenceType.forward:
        return None
    return str(ref.message_id) if ref.message_id else None


def message_posted(message: discord.Message, place: Place) -> MessagePosted | None:
    text = answer_text(message)
    if text is None:
        return None
    return MessagePosted(
        place.channel,
        str(message.id),
        str(place.thread_id) if place.thread_id else None,
        user_ref(place.guild_id, message.author),
        text,
        reply_to=reply_to(message, place),
    )


def message_edited(
    data: Mapping[str, Any], message: discord.Message, place: Place
) -> MessageEdited | None:
    """A member's edit of the text; link-preview refreshes (no edited_timestamp) are not edits."""
    if "content" not in data or not data.get("edited_timestamp"):
        return None
    return MessageEdited(
        place.channel,
        str(message.id),
        str(place.thread_id) if place.thread_id else None,
        user_ref(place.guild_id, message.author),
        str(data["content"]),
        reply_to=reply_to(message, place),
    )


def message_deleted(message_id: int, place: Place) -> MessageDeleted:
    return MessageDeleted(
        place.channel, str(message_id), str(place.thread_id) if place.thread_id else None
    )


# -- core values -> Discord ---------------------------------------------------------


def render_text(text: str, mentions: tuple[UserRef, ...] = ()) -> str:
    """The message content: the core's deliberate mentions first. It may exceed Discord's
    2,000 characters: `split_text` cuts it into messages, losing nothing."""
    tags = [
        f"<@{u.user_id}>" for u in mentions if u.user_id.isdigit() and f"<@{u.user_id}>" not in text
    ]
    content = " ".join([*tags, text]) if tags else text
    return content or "\u200b"


def split_text(content: str, limit: int = MAX_CONTENT) -> list[str]:
    """Discord refuses content over 2,000 characters (50035 Invalid Form Body), so a longer
    text goes out as several messages, cut at paragraph boundaries; nothing is lost."""
    return [part for part in split_message(content, limit) if part] or ["\u200b"]


def allowed_mentions(mentions: tuple[UserRef, ...] = ()) -> discord.AllowedMentions:
    """Nobody is pinged except the users the core names on purpose."""
    users = [discord.Object(int(u.user_id)) for u in mentions if u.user_id.isdigit()]
    return discord.AllowedMentions(everyone=False, users=users, roles=False, replied_user=False)


def nonce_for(key: str) -> str:
    """A deterministic nonce within Discord's 25 characters: the same send, the same nonce."""
    return hashlib.sha256(key.encode()).hexdigest()[:MAX_NONCE]


_STYLES = {
    ButtonStyle.primary: discord.ButtonStyle.primary,
    ButtonStyle.secondary: discord.ButtonStyle.secondary,
    ButtonStyle.danger: discord.ButtonStyle.danger,
}


def button_style(button: Button) -> discord.ButtonStyle:
    return _STYLES.get(button.style, discord.ButtonStyle.secondary)


def thread_name(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip() or "Answers"
    return name if len(name) <= 100 else name[:99] + "…"
