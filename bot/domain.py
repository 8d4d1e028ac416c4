"""Refs and values the core and the adapters share.

Platform ids (guild, team, channel, thread, message, interaction) are first-class
fields, so nothing has to be dug out of a raw payload later. Every ref carries its
tenant: a Discord guild, a Slack team or the console's workspace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class ChannelRef:
    tenant: str
    channel_id: str


@dataclass(frozen=True, slots=True)
class UserRef:
    tenant: str
    user_id: str
    name: str
    # The adapter decides: Discord's Manage Server, a Slack admin or a configured list.
    is_admin: bool = False


@dataclass(frozen=True, slots=True)
class MessageRef:
    channel: ChannelRef
    message_id: str
    # Set when the message sits in a thread, or when sending it opened one.
    thread_id: str | None = None


@dataclass(frozen=True, slots=True)
class InteractionRef:
    """A slash command, button press or form submission the platform wants answered.

    `token` is whatever the adapter needs to answer it later (a Discord interaction
    token, a Slack response_url or trigger_id); the core treats it as opaque.
    """

    interaction_id: str
    user: UserRef
    channel: ChannelRef | None
    token: str = ""
    # Permissions the bot lacks where this happened, named as an admin finds them in the
    # platform's settings ("Create Public Threads"). The adapter decides which ones the bot
    # needs there; empty when nothing is missing or the platform does not say.
    missing: tuple[str, ...] = ()


class ButtonStyle(StrEnum):
    primary = "primary"
    secondary = "secondary"
    danger = "danger"


@dataclass(frozen=True, slots=True)
class Button:
    custom_id: str
    label: str
    style: ButtonStyle = ButtonStyle.primary


@dataclass(frozen=True, slots=True)
class FormField:
    name: str
    label: str
    long: bool = True
    required: bool = True
    max_length: int = 4000
    placeholder: str = ""
    # Prefilled text (an edit form shows what is there now).
    value: str = ""


@dataclass(frozen=True, slots=True)
class Form:
    """A modal on Discord and Slack; the console and the memory chat answer it directly."""

    custom_id: str
    title: str
    fields: tuple[FormField, ...]


@dataclass(frozen=True, slots=True)
class Outgoing:
    text: str
    buttons: tuple[Button, ...] = ()
    # Users the core pings on purpose; every other mention in `text` must stay inert.
    mentions: tuple[UserRef, ...] = ()
    # Open a thread under this message (the daily post); its name.
    thread_name: str | None = None
    # A stable key for this send, so an adapter can make a retried send idempotent.
    nonce: str | None = None
    # Attachments as (file name, bytes): a chart, a CSV. Sent where `Capabilities.files`.
    files: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What an adapter can do; the core degrades where it cannot (no ephemeral -> DM)."""

    threads: bool = True
    ephemeral: bool = True
    modals: bool = True
    buttons: bool = True
    max_message_length: int = 2000
    # Attachments (images, CSV); without it the core sends the text alone.
    files: bool = False


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a message goes: a channel, a thread in it, or privately to one user."""

    channel: ChannelRef | None = None
    thread_id: str | None = None
    user: UserRef | None = None

    @staticmethod
    def to_channel(channel: ChannelRef) -> Destination:
        return Destination(channel=channel)

    @staticmethod
    def to_thread(channel: ChannelRef, thread_id: str) -> Destination:
        return Destination(channel=channel, thread_id=thread_id)

    @staticmethod
    def to_user(user: UserRef) -> Destination:
        return Destination(user=user)


@dataclass(slots=True)
class Reply:
    """What a command or interaction handler answers with."""

    text: str
    private: bool = True
    buttons: tuple[Button, ...] = ()
    form: Form | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # Attachments as (file name, bytes); the text always says everything without them.
    files: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True, slots=True)
class Review:
    """Feedback on one answer: scores per rubric dimension (1 to 4) and what to do next."""

    reviewer: str
    scores: dict[str, int]
    strengths: tuple[str, ...] = ()
    improvements: tuple[str, ...] = ()
    follow_up: str = ""
    note: str = ""


class Refusal(StrEnum):
    """Why a platform refused a send for good: retrying the same call cannot succeed."""

    # The bot lacks a permission in that channel (Discord 403 50001/50013; Slack
    # missing_scope, restricted_action).
    missing_permission = "missing_permission"
    # The member does not accept DMs from the bot (Discord 50007; Slack cannot_dm_bot).
    dm_closed = "dm_closed"
    # The bot is not a member of the channel (Slack not_in_channel).
    not_in_channel = "not_in_channel"
    # The channel, thread or user is gone or archived (Discord 10003; Slack
    # channel_not_found, is_archived, user_not_found).
    gone = "gone"


class DeliveryRefused(Exception):
    """An adapter raises this when the platform refused a send permanently.

    `partial` is set when part of the send went out before the refusal (a daily post whose
    thread could not be opened): the core records what did go out instead of re-sending.
    `detail` names what is missing, in words an admin can act on ("Create Public Threads").
    """

    def __init__(
        self, reason: Refusal, detail: str = "", *, partial: MessageRef | None = None
    ) -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail
        self.partial = partial
