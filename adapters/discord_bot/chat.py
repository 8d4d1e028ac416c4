"""DiscordChat: the core's ChatPort over discord.py's REST client.

Interactions: the core's first answer races Discord's 3-second deadline. `serve` runs the
core and, if it has not answered within `ack_after`, defers ("thinking", ephemeral); what the
core says afterwards edits that deferred response or follows up. A modal can only be the
first answer, so a form asked for after a deferral becomes a button that opens it.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import discord

from adapters.discord_bot import mapping
from bot.domain import (
    Button,
    Capabilities,
    ChannelRef,
    Destination,
    Form,
    InteractionRef,
    MessageRef,
    Outgoing,
    Reply,
)

log = logging.getLogger(__name__)

ACK_AFTER = 2.0  # seconds: defer when the core has not answered by then (Discord allows 3)
THREAD_ALREADY_CREATED = 160004
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440


@dataclass
class _Session:
    """One live interaction: who answers first, and whether the deferred response is used."""

    interaction: discord.Interaction[Any]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    deferred: bool = False
    original_used: bool = False


def view_for(buttons: tuple[Button, ...]) -> discord.ui.View | None:
    """Plain buttons with the core's custom ids. The view is stopped so discord.py keeps no
    per-message copy: presses are routed by the dynamic item registered in setup_hook, which
    also works after a restart."""
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for b in buttons[:25]:
        view.add_item(
            discord.ui.Button(
                label=b.label[:80], custom_id=b.custom_id[:100], style=mapping.button_style(b)
            )
        )
    view.stop()
    return view


def modal_for(form: Form) -> discord.ui.Modal:
    modal = discord.ui.Modal(title=form.title[:45], custom_id=form.custom_id[:100], timeout=None)
    for f in form.fields[:5]:
        modal.add_item(
            discord.ui.TextInput(
                label=f.label[:45],
                custom_id=f.name[:100],
                style=discord.TextStyle.paragraph if f.long else discord.TextStyle.short,
                required=f.required,
                max_length=min(f.max_length, 4000),
                placeholder=f.placeholder[:100] or None,
                default=f.value[: min(f.max_length, 4000)] or None,  # an edit form's text
            )
        )
    # Not kept in discord.py's modal store: the client handles every submission itself, so a
    # form opened before a restart is still received after it.
    modal.stop()
    return modal


class DiscordChat:
    def __init__(self, client: discord.Client, *, ack_after: float = ACK_AFTER) -> None:
        self.client = client
        self.ack_after = ack_after
        self._sessions: dict[str, _Session] = {}

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(
            threads=True,
            ephemeral=True,
            modals=True,
            buttons=True,
            max_message_length=2000,
            files=True,
        )

    # -- interactions -------------------------------------------------------------

    async def serve(
        self, interaction: discord.Interaction[Any], work: Callable[[], Awaitable[None]]
    ) -> None:
        """Run the core on an interaction, deferring if it is slow, until it is done."""
        session = _Session(interaction)
        key = str(interaction.id)
        self._sessions[key] = session
        task = asyncio.ensure_future(work())
        try:
            await asyncio.wait({task}, timeout=self.ack_after)
            if not task.done():
                async with session.lock:
                    if not interaction.response.is_done():
                        await interaction.response.defer(ephemeral=True, thinking=True)
                        session.deferred = True
            await task
        finally:
            if not task.done():
                task.cancel()
            self._sessions.pop(key, None)

    async def respond(self, interaction: InteractionRef, reply: Reply) -> MessageRef | None:
        session = self._sessions.get(interaction.interaction_id)
        if session is None:  # answered after the fact (or by another process): say it plainly
            return await self._respond_outside(interaction, reply)
        content = mapping.render_text(reply.text)
        quiet = mapping.allowed_mentions()
        view = view_for(reply.buttons)
        it = session.interaction
        async with session.lock:
            if not it.response.is_done():
                result = await it.response.send_message(
                    content,
                    ephemeral=reply.private,
                    allowed_mentions=quiet,
                    **_view_kw(view),
                    **_files_kw(reply.files),
                )
                session.original_used = True
                return self._ref(interaction, result.message_id)
            if session.deferred and not session.original_used:
                session.original_used = True
                if reply.private:
                    msg = await it.edit_original_response(
                        content=content,
                        allowed_mentions=quiet,
                        view=view,
                        **_edit_files_kw(reply.files),
                    )
                    return self._ref(interaction, msg.id)
                # The deferred response is ephemeral and stays so; close it, then say it in public.
                await it.edit_original_response(content="✅", allowed_mentions=quiet)
            sent = await it.followup.send(
                content,
                ephemeral=reply.private,
                allowed_mentions=quiet,
                wait=True,
                **_view_kw(view),
                **_files_kw(reply.files),
            )
            return self._ref(interaction, sent.id)

    async def open_form(self, interaction: InteractionRef, form: Form) -> None:
        session = self._sessions.get(interaction.interaction_id)
        if session is not None:
            async with session.lock:
                if not session.interaction.response.is_done():
                    await session.interaction.response.send_modal(modal_for(form))
                    return
        # Too late for a modal (the interaction was deferred): a button opens it instead.
        await self.respond(
            interaction,
            Reply(
                f"Press the button to open the form “{form.title}”.",
                buttons=(Button(form.custom_id, form.title),),
            ),
        )

    async def _respond_outside(
        self, interaction: InteractionRef, reply: Reply
    ) -> MessageRef | None:
        if reply.private or interaction.channel is None:
            dest = Destination.to_user(interaction.user)
        else:
            dest = Destination.to_channel(interaction.channel)
        return await self.send(dest, Outgoing(reply.text, buttons=reply.buttons, files=reply.files))

    @staticmethod
    def _ref(interaction: InteractionRef, message_id: int | None) -> MessageRef | None:
        if message_id is None or interaction.channel is None:
            return None
        return MessageRef(interaction.channel, str(message_id))

    # -- messages -----------------------------------------------------------------

    async def send(self, dest: Destination, message: Outgoing) -> MessageRef:
        content = mapping.render_text(message.text, message.mentions)
        quiet = mapping.allowed_mentions(message.mentions)
        view = view_for(message.buttons) or discord.utils.MISSING
        # discord.py sends a nonce with enforce_nonce: a retried send returns the first message.
        once: dict[str, Any] = {"nonce": mapping.nonce_for(message.nonce)} if message.nonce else {}
        if dest.user is not None:  # private outside an interaction: a DM
            dm = await self.client.create_dm(discord.Object(int(dest.user.user_id)))
            sent = await dm.send(
                content, allowed_mentions=quiet, view=view, **once, **_files_kw(message.files)
            )
            return MessageRef(ChannelRef(dest.user.tenant, str(dm.id)), str(sent.id))
        if dest.channel is None:
            raise ValueError("a destination needs a channel or a user")
        ref = dest.channel
        if dest.thread_id is not None:
            thread = self.client.get_partial_messageable(
                int(dest.thread_id), guild_id=int(ref.tenant)
            )
            sent = await thread.send(content, allowed_mentions=quiet, view=view, **once)
            return MessageRef(ref, str(sent.id), dest.thread_id)
        channel = await self._channel(int(ref.channel_id))
        if isinstance(channel, discord.ForumChannel):
            # A forum takes posts, not messages: each one is a new post (a thread) of its own.
            # Discord's thread creation takes no nonce; the core's claim row keeps it to one.
            name = mapping.thread_name(message.thread_name or message.text.splitlines()[0])
            created = await channel.create_thread(
                name=name,
                content=content,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                allowed_mentions=quiet,
                view=view,
            )
            return MessageRef(ref, str(created.message.id), str(created.thread.id))
        if not isinstance(channel, discord.abc.Messageable):
            raise TypeError(f"channel {ref.channel_id} cannot take messages")
        sent = await channel.send(
            content, allowed_mentions=quiet, view=view, **once, **_files_kw(message.files)
        )
        thread_id = (
            await self._open_thread(sent, message.thread_name) if message.thread_name else None
        )
        return MessageRef(ref, str(sent.id), thread_id)

    async def _open_thread(self, message: discord.Message, name: str) -> str:
        try:
            thread = await message.create_thread(
                name=mapping.thread_name(name), auto_archive_duration=THREAD_ARCHIVE_MINUTES
            )
        except discord.HTTPException as err:
            # A retried post (same nonce, same message) already has its thread; it shares the id.
            if err.code == THREAD_ALREADY_CREATED:
                return str(message.id)
            raise
        return str(thread.id)

    async def _channel(self, channel_id: int) -> object:
        return self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)


def _view_kw(view: discord.ui.View | None) -> dict[str, Any]:
    return {"view": view} if view is not None else {}


def _files_kw(files: Sequence[tuple[str, bytes]]) -> dict[str, Any]:
    """Attachments: discord.py sends them as the `files[n]` parts of a multipart request.
    A discord.File is read once, so each send makes its own."""
    if not files:
        return {}
    return {"files": [discord.File(io.BytesIO(data), filename=name) for name, data in files]}


def _edit_files_kw(files: Sequence[tuple[str, bytes]]) -> dict[str, Any]:
    """The same for an edit of the deferred response, which takes `attachments`."""
    kw = _files_kw(files)
    return {"attachments": kw["files"]} if kw else {}
