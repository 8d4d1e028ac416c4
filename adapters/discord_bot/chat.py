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
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp
import discord

from adapters.discord_bot import history, mapping
from adapters.discord_bot.refusals import edit_refusal, refusal
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
from bot.events import MessagePosted

log = logging.getLogger(__name__)

ACK_AFTER = 2.0  # seconds: defer when the core has not answered by then (Discord allows 3)
THREAD_ALREADY_CREATED = 160004
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440
FOLLOWUP_SECONDS = 14 * 60  # an interaction token takes follow-ups for 15 minutes
MAX_RECENT = 1000
STALE = "That button or form is out of date; nothing was changed."


class AnswerLost(Exception):
    """Discord answered a forum post's creation with a 5xx: the post may exist all the same."""


# discord.py re-sends a request answered 500, 502, 504 or 524. A message carries a nonce that
# makes that safe; a forum post cannot, so its creation must not be re-sent blindly.
_RESENT_BY_DISCORD_PY = frozenset({500, 502, 504, 524})
_CREATE_THREAD = re.compile(r"/channels/\d+/threads$")


def no_blind_forum_retries() -> aiohttp.TraceConfig:
    """A trace hook for discord.py's HTTP session: a forum post's creation answered with a
    status discord.py would retry raises AnswerLost instead, so the adapter looks for the
    post before anything is sent again."""

    async def on_end(
        session: aiohttp.ClientSession, ctx: object, params: aiohttp.TraceRequestEndParams
    ) -> None:
        if (
            params.method == "POST"
            and params.response.status in _RESENT_BY_DISCORD_PY
            and _CREATE_THREAD.search(params.url.path)
        ):
            raise AnswerLost(f"{params.response.status} creating a forum post")

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_end)
    return trace


@dataclass
class _Session:
    """One live interaction: who answers first, and whether the deferred response is used."""

    interaction: discord.Interaction[Any]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    deferred: bool = False
    original_used: bool = False


def view_for(buttons: tuple[Button, ...], tenant: str | None = None) -> discord.ui.View | None:
    """Plain buttons with the core's custom ids (with `tenant` added when they go to a DM).
    The view is stopped so discord.py keeps no per-message copy: presses are routed by the
    dynamic item registered in setup_hook, which also works after a restart."""
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for b in buttons[:25]:
        view.add_item(
            discord.ui.Button(
                label=b.label[:80],
                custom_id=mapping.with_tenant(b.custom_id, tenant)[:100],
                style=mapping.button_style(b),
            )
        )
    view.stop()
    return view


def modal_for(form: Form, tenant: str | None = None) -> discord.ui.Modal:
    custom_id = mapping.with_tenant(form.custom_id, tenant)[:100]
    modal = discord.ui.Modal(title=form.title[:45], custom_id=custom_id, timeout=None)
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
        # Interactions whose token still takes follow-ups (Discord keeps it 15 minutes), so an
        # answer that comes after the handler finished (a review whose DM was refused) can
        # still reach the member privately.
        self._recent: OrderedDict[str, tuple[discord.Interaction[Any], float]] = OrderedDict()

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
        """Run the core on an interaction, deferring if it is slow, until it is done.

        The core's work is never cancelled because of Discord: a failed defer (the interaction
        expired, a network error) is logged and the work still finishes, so a form's answer is
        stored whatever happens to the acknowledgement. An interaction the core left
        unanswered (a stale or unknown button) is acknowledged, never left to fail."""
        session = _Session(interaction)
        key = str(interaction.id)
        self._sessions[key] = session
        self._remember(key, interaction)
        task = asyncio.ensure_future(work())
        try:
            await asyncio.wait({task}, timeout=self.ack_after)
            if not task.done():
                await self._defer(session)
            await task
            await self._acknowledge_unanswered(session)
        finally:
            if not task.done():  # only when this coroutine itself was cancelled (shutdown)
                task.cancel()
            self._sessions.pop(key, None)

    async def _defer(self, session: _Session) -> None:
        it = session.interaction
        async with session.lock:
            if it.response.is_done():
                return
            try:
                await it.response.defer(ephemeral=True, thinking=True)
                session.deferred = True
            except Exception as err:  # Discord's refusal or the network: the work goes on
                log.warning("could not defer interaction %s: %s", it.id, err)

    async def _acknowledge_unanswered(self, session: _Session) -> None:
        it = session.interaction
        async with session.lock:
            try:
                if not it.response.is_done():
                    await it.response.send_message(STALE, ephemeral=True)
                elif session.deferred and not session.original_used:
                    session.original_used = True
                    await it.edit_original_response(content=STALE)
            except Exception as err:
                log.warning("could not acknowledge interaction %s: %s", it.id, err)

    def _remember(self, key: str, interaction: discord.Interaction[Any]) -> None:
        now = asyncio.get_running_loop().time()
        self._recent[key] = (interaction, now + FOLLOWUP_SECONDS)
        while self._recent:
            oldest_key, (_, until) = next(iter(self._recent.items()))
            if until > now and len(self._recent) <= MAX_RECENT:
                break
            self._recent.pop(oldest_key)

    async def respond(self, interaction: InteractionRef, reply: Reply) -> MessageRef | None:
        session = self._sessions.get(interaction.interaction_id)
        parts = mapping.split_text(mapping.render_text(reply.text))
        if session is None:
            recent = self._recent.get(interaction.interaction_id)
            if recent is None or recent[1] <= asyncio.get_running_loop().time():
                # Answered after the token expired (or by another process): say it plainly.
                return await self._respond_outside(interaction, reply)
            return await self._follow_up(interaction, recent[0], parts, reply)
        it = session.interaction
        tenant = _dm_tenant(it, interaction)
        first: MessageRef | None = None
        async with session.lock:
            for i, part in enumerate(parts):
                last = i == len(parts) - 1
                view = view_for(reply.buttons, tenant) if last else None
                files = reply.files if last else ()
                ref = await self._respond_part(
                    session, interaction, part, reply.private, view, files
                )
                first = ref if i == 0 else first
        return first

    async def _respond_part(
        self,
        session: _Session,
        interaction: InteractionRef,
        content: str,
        private: bool,
        view: discord.ui.View | None,
        files: Sequence[tuple[str, bytes]] = (),
    ) -> MessageRef | None:
        it = session.interaction
        quiet = mapping.allowed_mentions()
        if not it.response.is_done():
            result = await it.response.send_message(
                content,
                ephemeral=private,
                allowed_mentions=quiet,
                **_view_kw(view),
                **_files_kw(files),
            )
            session.original_used = True
            return self._ref(interaction, result.message_id)
        if session.deferred and not session.original_used:
            session.original_used = True
            if private:
                msg = await it.edit_original_response(
                    content=content, allowed_mentions=quiet, view=view, **_edit_files_kw(files)
                )
                return self._ref(interaction, msg.id)
            # The deferred response is ephemeral and stays so; close it, then say it in public.
            await it.edit_original_response(content="✅", allowed_mentions=quiet)
        sent = await it.followup.send(
            content,
            ephemeral=private,
            allowed_mentions=quiet,
            wait=True,
            **_view_kw(view),
            **_files_kw(files),
        )
        return self._ref(interaction, sent.id)

    async def _follow_up(
        self,
        interaction: InteractionRef,
        it: discord.Interaction[Any],
        parts: list[str],
        reply: Reply,
    ) -> MessageRef | None:
        tenant = _dm_tenant(it, interaction)
        first: MessageRef | None = None
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            view = view_for(reply.buttons, tenant) if last else None
            sent = await it.followup.send(
                part,
                ephemeral=reply.private,
                allowed_mentions=mapping.allowed_mentions(),
                wait=True,
                **_view_kw(view),
                **_files_kw(reply.files if last else ()),
            )
            if i == 0:
                first = self._ref(interaction, sent.id)
        return first

    async def open_form(self, interaction: InteractionRef, form: Form) -> None:
        session = self._sessions.get(interaction.interaction_id)
        if session is not None:
            async with session.lock:
                if not session.interaction.response.is_done():
                    tenant = _dm_tenant(session.interaction, interaction)
                    await session.interaction.response.send_modal(modal_for(form, tenant))
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

    async def edit(self, ref: MessageRef, message: Outgoing) -> None:
        """PATCH the bot's message; allowed_mentions goes with it, as Discord parses every
        mention of the new content otherwise. A text over the limit keeps its first part."""
        content = mapping.split_text(mapping.render_text(message.text, message.mentions))[0]
        where = self.client.get_partial_messageable(
            int(ref.thread_id or ref.channel.channel_id), guild_id=_guild_id(ref.channel)
        )
        try:
            await where.get_partial_message(int(ref.message_id)).edit(
                content=content, allowed_mentions=mapping.allowed_mentions(message.mentions)
            )
        except discord.HTTPException as err:
            raise edit_refusal(err) or err from err

    async def send(self, dest: Destination, message: Outgoing) -> MessageRef:
        parts = mapping.split_text(mapping.render_text(message.text, message.mentions))
        if dest.user is not None:  # private outside an interaction: a DM
            tenant = dest.user.tenant
            try:
                dm = await self.client.create_dm(discord.Object(int(dest.user.user_id)))
                sent = await self._send_parts(dm, parts, message, tenant=tenant)
            except discord.HTTPException as err:
                raise refusal(err, "") or err from err
            return MessageRef(ChannelRef(tenant, str(dm.id)), str(sent.id))
        if dest.channel is None:
            raise ValueError("a destination needs a channel or a user")
        ref = dest.channel
        if dest.thread_id is not None:
            thread = self.client.get_partial_messageable(
                int(dest.thread_id), guild_id=int(ref.tenant)
            )
            try:
                sent = await self._send_parts(thread, parts, message)
            except discord.HTTPException as err:
                raise refusal(err, "Send Messages in Threads") or err from err
            return MessageRef(ref, str(sent.id), dest.thread_id)
        try:
            channel = await self._channel(int(ref.channel_id))
        except discord.HTTPException as err:
            raise refusal(err, "View Channel") or err from err
        if isinstance(channel, discord.ForumChannel):
            return await self._forum_post(channel, ref, parts, message)
        if not isinstance(channel, discord.abc.Messageable):
            raise TypeError(f"channel {ref.channel_id} cannot take messages")
        try:
            sent = await self._send_parts(channel, parts, message)
        except discord.HTTPException as err:
            raise refusal(err, "Send Messages") or err from err
        if not message.thread_name:
            return MessageRef(ref, str(sent.id))
        try:
            thread_id = await self._open_thread(sent, message.thread_name)
        except discord.HTTPException as err:
            # The message went out; only its thread was refused. Say so, with what did go out.
            refused = refusal(err, "Create Public Threads", partial=MessageRef(ref, str(sent.id)))
            raise refused or err from err
        return MessageRef(ref, str(sent.id), thread_id)

    async def _send_parts(
        self,
        target: discord.abc.Messageable,
        parts: list[str],
        message: Outgoing,
        *,
        tenant: str | None = None,
    ) -> discord.Message:
        """Send `parts` in order; the buttons ride on the last one. Returns the first message
        (the one a thread opens under). Each part has its own nonce, derived from the send's,
        so a retried send returns every part Discord already has instead of posting it again."""
        quiet = mapping.allowed_mentions(message.mentions)
        first: discord.Message | None = None
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            view = (view_for(message.buttons, tenant) if last else None) or discord.utils.MISSING
            once: dict[str, Any] = {}
            if message.nonce:
                key = message.nonce if i == 0 else f"{message.nonce}#{i}"
                once["nonce"] = mapping.nonce_for(key)
            files = _files_kw(message.files if last else ())
            sent = await target.send(part, allowed_mentions=quiet, view=view, **once, **files)
            first = first or sent
        assert first is not None  # split_text never returns no part
        return first

    async def _forum_post(
        self, forum: discord.ForumChannel, ref: ChannelRef, parts: list[str], message: Outgoing
    ) -> MessageRef:
        # A forum takes posts, not messages: each one is a new post (a thread) of its own.
        # Discord's thread creation takes no nonce: a retried send first looks for the post
        # an earlier attempt may have made (same name, same buttons, by the bot).
        name = mapping.thread_name(message.thread_name or message.text.splitlines()[0])
        quiet = mapping.allowed_mentions(message.mentions)
        existing = await self._existing_forum_post(forum, name, message) if message.nonce else None
        if existing is not None:
            return MessageRef(ref, existing, existing)
        view = (view_for(message.buttons) if len(parts) == 1 else None) or discord.utils.MISSING
        try:
            created = await forum.create_thread(
                name=name,
                content=parts[0],
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                allowed_mentions=quiet,
                view=view,
            )
        except AnswerLost:
            found = await self._existing_forum_post(forum, name, message)
            if found is not None:
                return MessageRef(ref, found, found)
            raise  # not made after all: the core's claim retries it later, looking first
        except discord.HTTPException as err:
            raise refusal(err, "Send Messages") or err from err
        if len(parts) > 1:
            await self._send_parts(created.thread, parts[1:], message)
        return MessageRef(ref, str(created.message.id), str(created.thread.id))

    async def _existing_forum_post(
        self, forum: discord.ForumChannel, name: str, message: Outgoing
    ) -> str | None:
        """The id of a post this bot already made for this send, if a lost answer hid it."""
        wanted = {b.custom_id for b in message.buttons}
        me = self.client.user.id if self.client.user else None
        try:
            active = await forum.guild.active_threads()
        except discord.HTTPException as err:
            log.warning("could not list the forum's posts: %s", err)
            return None
        for thread in active:
            if thread.parent_id != forum.id or thread.owner_id != me or thread.name != name:
                continue
            try:
                starter = await thread.fetch_message(thread.id)
            except discord.HTTPException:
                continue
            ids = {
                str(getattr(child, "custom_id", ""))
                for row in starter.components
                for child in getattr(row, "children", [])
            }
            if wanted <= ids:
                return str(thread.id)
        return None

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

    async def thread_messages(self, channel: ChannelRef, thread_id: str) -> list[MessagePosted]:
        return await history.thread_messages(self.client, channel, thread_id)

    async def _channel(self, channel_id: int) -> object:
        return self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)


def _dm_tenant(it: discord.Interaction[Any], interaction: InteractionRef) -> str | None:
    """The tenant to carry in custom ids when answering inside a DM (no guild to carry it)."""
    return interaction.user.tenant if it.guild_id is None else None


def _view_kw(view: discord.ui.View | None) -> dict[str, Any]:
    return {"view": view} if view is not None else {}


def _guild_id(ref: ChannelRef) -> int | None:
    return int(ref.tenant) if ref.tenant.isdigit() else None


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
