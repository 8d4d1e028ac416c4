"""The contract every ChatPort keeps, written once and run against each adapter.

A `Platform` drives the real core through one adapter the way members would on that
platform, and reads back what the platform received. The in-memory double implements it
here; the Discord and Slack suites implement it over their loopback fakes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Where = Literal["channel", "thread", "private"]


@dataclass(frozen=True)
class Delivered:
    """One message as the platform received it."""

    text: str
    where: Where
    to_user: str | None = None  # for private messages: the user's name or id
    # True when the platform would notify someone beyond the thread/channel's readers:
    # an unescaped @everyone/@here/<!channel>, or a mention the platform would honour.
    pings: bool = False


class Platform(Protocol):
    async def command(self, user: str, line: str, *, admin: bool = False) -> None:
        """`user` runs a command line like '/help setup' (an admin if `admin`)."""

    async def post_question(self) -> None:
        """Today's question goes out in the study channel (the channel is set up already)."""

    async def reply(self, user: str, text: str) -> str:
        """`user` replies in the newest question's thread; returns the message id."""

    async def edit(self, user: str, message_id: str, text: str) -> None: ...

    async def delete(self, user: str, message_id: str) -> None: ...

    async def redeliver(self, user: str, message_id: str, text: str) -> None:
        """The platform delivers the same reply event again (a retry)."""

    async def go_down(self) -> None:
        """The bot process stops. Until `come_back`, what members do (`reply`, `edit`,
        `delete`) happens on the platform only: no event reaches any bot."""

    async def come_back(self) -> None:
        """A new bot process starts on the same database and does its start-up work."""

    def delivered(self) -> list[Delivered]:
        """Everything the bot sent, in order."""

    async def stored_answers(self) -> list[str]:
        """The answer texts the core holds for the newest question."""

    # -- the platform's refusals and private places (issue 10) ----------------------

    def close_dms(self, user: str) -> None:
        """`user` does not accept direct messages from the bot (the platform refuses them)."""

    def deny_posting(self) -> None:
        """The bot may not post in the study channel (a permission it lacks, or on Slack:
        it is not in the channel)."""

    def deny_threads(self) -> None:
        """The bot may not open threads in the study channel (a permission it lacks)."""

    async def announce(self, text: str) -> None:
        """The core sends `text` to the study channel (any length)."""

    async def settle(self) -> None:
        """Background work (reviews, peer-review pairing) has finished."""

    def private_buttons(self, user: str) -> list[str]:
        """The button labels of the newest private message to `user` that has buttons."""

    async def press_private(self, user: str, label: str) -> None:
        """`user` presses `label` on that private message (an interaction in their DM)."""

    async def submit_private_form(self, user: str, values: dict[str, str]) -> None:
        """`user` fills and sends the form the bot last opened for them in their DM."""

    # -- what only one member sees, where they ran a command (drills) -------------------

    def own_buttons(self, user: str) -> list[str]:
        """The button labels of the newest message only `user` sees (an ephemeral reply to
        their command, or a private message) that has buttons."""

    async def press_own(self, user: str, label: str) -> None:
        """`user` presses `label` on that message, where they see it."""

    async def submit_own_form(self, user: str, values: dict[str, str]) -> None:
        """`user` fills and sends the form the bot last opened for them in the channel."""
