"""What the core needs from the outside world, as protocols it is handed at composition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.domain import (
    Capabilities,
    ChannelRef,
    Destination,
    Form,
    InteractionRef,
    MessageRef,
    Outgoing,
    Reply,
    Review,
)
from bot.events import MessagePosted
from bot.review.models import ReviewRequest


class ChatPort(Protocol):
    """One chat platform, seen from the core."""

    @property
    def capabilities(self) -> Capabilities: ...

    async def send(self, dest: Destination, message: Outgoing) -> MessageRef:
        """Post a message; opens a thread under it when `message.thread_name` is set."""

    async def respond(self, interaction: InteractionRef, reply: Reply) -> MessageRef | None:
        """Answer a command, button press or form submission (privately when asked)."""

    async def open_form(self, interaction: InteractionRef, form: Form) -> None:
        """Show a form (a modal) to the user who triggered the interaction."""

    async def edit(self, ref: MessageRef, message: Outgoing) -> None:
        """Replace the text of a message the bot sent (mentions stay inert, buttons are
        kept as the message had them). Raises `DeliveryRefused` when the platform will not
        edit it for good (deleted, or too old to edit): the core then sends a new one."""

    async def thread_messages(self, channel: ChannelRef, thread_id: str) -> list[MessagePosted]:
        """Every member's message now in this thread, oldest first, with its current text
        (the bot's own and other bots' left out): what the platform holds, read back after
        downtime. Raises `ThreadUnreadable` (or any error) when the whole thread cannot be
        read; never returns a partial list, since a missing message reads as a deleted one."""

    # A send the platform refuses for good raises `bot.domain.DeliveryRefused`; any other
    # exception is a passing failure the core may retry.


class ThreadUnreadable(Exception):
    """The platform will not show this thread's messages (no history permission, no message
    content intent, a thread this process never saw): the core leaves its answers as they are."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to: tests and the console's `/clock`."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


class Reviewer(Protocol):
    """Gives feedback on an answer. The rubric reviewer and the LLM reviewer implement it.

    A reviewer never raises for a bad answer or a broken backend: it returns a review
    (the LLM reviewer falls back to the rubric and says so in `Review.note`)."""

    @property
    def name(self) -> str: ...

    async def review(self, request: ReviewRequest) -> Review: ...
