"""What comes into the core. Adapters map platform payloads to these with pure functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain import ChannelRef, InteractionRef, MessageRef, UserRef

OptionValue = str | int | bool


@dataclass(frozen=True, slots=True)
class CommandInvoked:
    interaction: InteractionRef
    # The command's path: ("setup",) or ("prep", "set").
    path: tuple[str, ...]
    # Raw or typed values; the core coerces them against the command's declared options.
    options: dict[str, OptionValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MessagePosted:
    channel: ChannelRef
    message_id: str
    thread_id: str | None
    user: UserRef
    text: str
    # When the platform says it was written; set when read back from a thread's history
    # (a back-filled reply is late or not by when it was written, not when it was read).
    posted_at: datetime | None = None
    # The message this one replies to, when it sits in the channel itself (not a thread): a
    # reply to a daily post that has no thread is an answer to it.
    reply_to: str | None = None

    @property
    def ref(self) -> MessageRef:
        return MessageRef(self.channel, self.message_id, self.thread_id)


@dataclass(frozen=True, slots=True)
class MessageEdited:
    channel: ChannelRef
    message_id: str
    thread_id: str | None
    user: UserRef
    text: str
    reply_to: str | None = None


@dataclass(frozen=True, slots=True)
class MessageDeleted:
    channel: ChannelRef
    message_id: str
    thread_id: str | None


@dataclass(frozen=True, slots=True)
class ButtonPressed:
    interaction: InteractionRef
    custom_id: str
    message: MessageRef | None = None


@dataclass(frozen=True, slots=True)
class FormSubmitted:
    interaction: InteractionRef
    custom_id: str
    values: dict[str, str]


Event = (
    CommandInvoked | MessagePosted | MessageEdited | MessageDeleted | ButtonPressed | FormSubmitted
)
