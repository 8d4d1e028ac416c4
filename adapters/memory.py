"""An in-memory chat that records every send: the test double, and the console's engine.

`ChatDriver` speaks as users (`as_user("ana").says(...)`, `.runs("/setup ...")`,
`.replies(...)`, `.clicks(...)`), so feature tests read like what members do.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.app import StudyBot
from bot.commands import parse_command_line
from bot.domain import (
    Button,
    Capabilities,
    ChannelRef,
    DeliveryRefused,
    Destination,
    Form,
    InteractionRef,
    MessageRef,
    Outgoing,
    Refusal,
    Reply,
    UserRef,
)
from bot.events import (
    ButtonPressed,
    CommandInvoked,
    FormSubmitted,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
)
from bot.ports import ThreadUnreadable
from bot.text import split_message


@dataclass(frozen=True)
class Sent:
    """One message the bot sent. `number` is its place in the transcript, from 1."""

    number: int
    message_id: str
    text: str
    channel: ChannelRef | None
    thread_id: str | None = None  # in a thread
    to_user: UserRef | None = None  # privately to this user
    opened_thread: str | None = None  # the thread this message opened
    buttons: tuple[Button, ...] = ()
    mentions: tuple[UserRef, ...] = ()
    nonce: str | None = None
    files: tuple[tuple[str, bytes], ...] = ()  # attachments, as (file name, bytes)

    @property
    def private(self) -> bool:
        return self.to_user is not None


@dataclass
class OpenedForm:
    interaction: InteractionRef
    form: Form


class MemoryChat:
    """A ChatPort that keeps everything in lists."""

    def __init__(self, capabilities: Capabilities | None = None, *, id_prefix: str = "") -> None:
        # Several console processes on one database need message ids no other process uses,
        # as a real platform's are; `id_prefix` gives each its own.
        self._prefix = id_prefix
        self._caps = capabilities or Capabilities(max_message_length=4000, files=True)
        self.sent: list[Sent] = []
        self.forms: list[OpenedForm] = []
        self._ids = itertools.count(1)
        self.listeners: list[Callable[[Sent], None]] = []
        # What members wrote in threads, as the platform keeps it (edits applied, deletes
        # gone), oldest first: what `thread_messages` reads back after downtime.
        self.threads: dict[tuple[ChannelRef, str], dict[str, MessagePosted]] = {}
        # Refusals to simulate, as a real platform would answer them for good: members whose
        # DMs are closed (user ids), channels where the bot may not open threads, or post.
        self.closed_dms: set[str] = set()
        self.no_threads: set[ChannelRef] = set()
        self.no_posting: set[ChannelRef] = set()
        # Edits of the bot's own messages, in order: (message id, text before, text after).
        # `sent` always holds each message's current text, as members now read it.
        self.edits: list[tuple[str, str, str]] = []
        # Messages the platform will no longer edit (deleted by a moderator, or too old).
        self.uneditable: set[str] = set()

    @property
    def capabilities(self) -> Capabilities:
        return self._caps

    def _record(self, sent: Sent) -> Sent:
        self.sent.append(sent)
        for listener in self.listeners:
            listener(sent)
        return sent

    async def send(self, dest: Destination, message: Outgoing) -> MessageRef:
        if dest.user is not None and dest.channel is None and dest.user.user_id in self.closed_dms:
            raise DeliveryRefused(Refusal.dm_closed, "the member does not accept direct messages")
        if dest.channel in self.no_posting and dest.user is None:
            raise DeliveryRefused(Refusal.missing_permission, "Send Messages")
        refuse_thread = (
            message.thread_name is not None
            and dest.thread_id is None
            and dest.user is None
            and dest.channel in self.no_threads
        )
        if refuse_thread:
            message = replace(message, thread_name=None)
        parts = split_message(message.text, self._caps.max_message_length)
        first: MessageRef | None = None
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            piece = replace(
                message,
                text=part,
                buttons=message.buttons if last else (),
                thread_name=message.thread_name if i == 0 else None,
            )
            ref = await self._send_one(dest, piece)
            first = first or ref
        assert first is not None
        if refuse_thread:
            raise DeliveryRefused(
                Refusal.missing_permission, "Create Public Threads", partial=first
            )
        return first

    async def _send_one(self, dest: Destination, message: Outgoing) -> MessageRef:
        n = len(self.sent) + 1
        mid = f"m{self._prefix}{next(self._ids)}"
        opened = (
            f"t{mid}"
            if message.thread_name and dest.thread_id is None and dest.user is None
            else None
        )
        self._record(
            Sent(
                number=n,
                message_id=mid,
                text=message.text,
                channel=dest.channel,
                thread_id=dest.thread_id,
                to_user=dest.user,
                opened_thread=opened,
                buttons=message.buttons,
                mentions=message.mentions,
                nonce=message.nonce,
                files=message.files if self._caps.files else (),
            )
        )
        channel = dest.channel or ChannelRef(dest.user.tenant if dest.user else "", f"dm-{mid}")
        return MessageRef(channel, mid, opened or dest.thread_id)

    async def edit(self, ref: MessageRef, message: Outgoing) -> None:
        at = next((i for i, s in enumerate(self.sent) if s.message_id == ref.message_id), None)
        if at is None or ref.message_id in self.uneditable:
            raise DeliveryRefused(Refusal.gone, "that message can no longer be edited")
        old = self.sent[at]
        text = split_message(message.text, self._caps.max_message_length)[0]
        self.sent[at] = replace(old, text=text)
        self.edits.append((ref.message_id, old.text, text))

    async def respond(self, interaction: InteractionRef, reply: Reply) -> MessageRef | None:
        if reply.private or interaction.channel is None:
            dest = Destination.to_user(interaction.user)
            if interaction.channel is not None:
                dest = Destination(channel=interaction.channel, user=interaction.user)
        else:
            dest = Destination.to_channel(interaction.channel)
        # An answer to the member's own interaction is never a refused DM.
        if dest.channel is None and dest.user is not None:
            return await self._send_one(
                dest, Outgoing(reply.text, buttons=reply.buttons, files=reply.files)
            )
        return await self.send(dest, Outgoing(reply.text, buttons=reply.buttons, files=reply.files))

    async def open_form(self, interaction: InteractionRef, form: Form) -> None:
        self.forms.append(OpenedForm(interaction, form))

    async def thread_messages(self, channel: ChannelRef, thread_id: str) -> list[MessagePosted]:
        kept = self.threads.get((channel, thread_id))
        if kept is None and not any(s.opened_thread == thread_id for s in self.sent):
            # A thread of an earlier process (the console keeps no chat between runs): what
            # members wrote there is unknown, which must not read as "all deleted".
            raise ThreadUnreadable(f"this chat never saw thread {thread_id}")
        return list((kept or {}).values())

    # -- what members write, as the platform keeps it -------------------------------

    def member_posted(self, event: MessagePosted) -> None:
        if event.thread_id is not None:
            self.threads.setdefault((event.channel, event.thread_id), {})[event.message_id] = event

    def member_edited(self, event: MessageEdited) -> None:
        kept = self.threads.get((event.channel, event.thread_id or ""), {})
        if event.message_id in kept:
            kept[event.message_id] = dataclasses.replace(kept[event.message_id], text=event.text)

    def member_deleted(self, event: MessageDeleted) -> None:
        self.threads.get((event.channel, event.thread_id or ""), {}).pop(event.message_id, None)

    # -- reading the transcript ---------------------------------------------------

    def in_channel(self, channel: ChannelRef | None = None) -> list[Sent]:
        return [
            s
            for s in self.sent
            if s.thread_id is None
            and s.to_user is None
            and (channel is None or s.channel == channel)
        ]

    def in_thread(self, thread_id: str) -> list[Sent]:
        return [s for s in self.sent if s.thread_id == thread_id and s.to_user is None]

    def to(self, user_id: str) -> list[Sent]:
        return [s for s in self.sent if s.to_user is not None and s.to_user.user_id == user_id]

    def posts(self) -> list[Sent]:
        """Messages that opened a thread: the daily questions."""
        return [s for s in self.sent if s.opened_thread]

    def by_number(self, number: int) -> Sent:
        if not 1 <= number <= len(self.sent):
            raise KeyError(f"there is no message [{number}]")
        return self.sent[number - 1]


class ChatDriver:
    """Plays members against a StudyBot over a MemoryChat.

    With `online` False the bot is down: what members write is kept by the chat (as a
    platform keeps it) but no event reaches the bot, as after a lost gateway session."""

    def __init__(
        self, bot: StudyBot, chat: MemoryChat, channel: ChannelRef, admins: set[str] | None = None
    ) -> None:
        self.bot = bot
        self.chat = chat
        self.channel = channel
        self.admins = admins if admins is not None else {"you"}
        self.online = True
        self._ids = itertools.count(1)

    def as_user(self, name: str, *, admin: bool | None = None) -> UserActions:
        is_admin = name in self.admins if admin is None else admin
        return UserActions(self, UserRef(self.channel.tenant, f"u-{name}", name, is_admin))

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    def thread_of(self, post_number: int | None = None) -> str:
        """The thread of post N (its transcript number), or of the newest post."""
        if post_number is None:
            posts = self.chat.posts()
            if not posts:
                raise LookupError(
                    "no question has been posted yet, so there is no thread to reply in"
                )
            return posts[-1].opened_thread or ""
        sent = self.chat.by_number(post_number)
        if not sent.opened_thread:
            raise LookupError(f"message [{post_number}] did not open a thread")
        return sent.opened_thread


@dataclass
class UserActions:
    driver: ChatDriver
    user: UserRef
    _last: list[str] = field(default_factory=list)

    def _interaction(self) -> InteractionRef:
        return InteractionRef(self.driver.next_id("i"), self.user, self.driver.channel)

    async def runs(self, line: str) -> None:
        path, options = parse_command_line(line)
        await self.driver.bot.handle(CommandInvoked(self._interaction(), path, options))

    async def says(self, text: str, *, thread_id: str | None = None) -> str:
        mid = self.driver.next_id("u")
        event = MessagePosted(self.driver.channel, mid, thread_id, self.user, text)
        at = self.driver.bot.svc.clock.now()
        self.driver.chat.member_posted(dataclasses.replace(event, posted_at=at))
        if self.driver.online:
            await self.driver.bot.handle(event)
        return mid

    async def replies(self, text: str, *, to: int | None = None) -> str:
        """Reply in the thread of post `to` (transcript number), or of the newest post."""
        return await self.says(text, thread_id=self.driver.thread_of(to))

    async def edits(self, message_id: str, text: str, *, to: int | None = None) -> None:
        thread = self.driver.thread_of(to)
        event = MessageEdited(self.driver.channel, message_id, thread, self.user, text)
        self.driver.chat.member_edited(event)
        if self.driver.online:
            await self.driver.bot.handle(event)

    async def deletes(self, message_id: str, *, to: int | None = None) -> None:
        thread = self.driver.thread_of(to)
        event = MessageDeleted(self.driver.channel, message_id, thread)
        self.driver.chat.member_deleted(event)
        if self.driver.online:
            await self.driver.bot.handle(event)

    async def clicks(self, number: int, label: str) -> None:
        sent = self.driver.chat.by_number(number)
        button = next((b for b in sent.buttons if b.label.lower() == label.lower()), None)
        if button is None:
            raise LookupError(f"message [{number}] has no button {label!r}")
        ref = MessageRef(self.driver.channel, sent.message_id)
        await self.driver.bot.handle(ButtonPressed(self._interaction(), button.custom_id, ref))

    async def submits(self, custom_id: str, **values: str) -> None:
        await self.driver.bot.handle(FormSubmitted(self._interaction(), custom_id, dict(values)))
