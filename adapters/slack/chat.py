"""SlackChat: the core's ChatPort over the Slack Web API (slack_sdk's AsyncWebClient).

- A thread is its parent's ts: sending with `thread_name` returns MessageRef(thread_id=ts).
- Private messages are ephemeral in the channel (chat.postEphemeral, or the interaction's
  response_url); with no channel, a DM (chat.postMessage to the user id).
- Posts into one channel are paced to Slack's ~1 message/s; 429s are retried after
  Retry-After by the client's retry handler (see `runner.web_client`).
- Slack has no idempotency key. A post carrying the core's nonce also carries it as message
  metadata; when the connection drops before Slack's answer, the post is looked for in
  conversations.history before it is sent again, so a dropped response never makes a copy;
  the journal (journal.py) carries this across a crash to the process that takes over.
- A permanent refusal (not_in_channel, missing_scope, a closed DM...) raises
  DeliveryRefused with what an admin can do about it (see `errors`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import history, render
from adapters.slack.directory import Directory
from adapters.slack.errors import error_code, refusals
from adapters.slack.journal import MemoryJournal, SendJournal
from adapters.slack.mapping import FormContext, Token
from adapters.slack.workspaces import Workspaces
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
    Reply,
)
from bot.events import MessagePosted

log = logging.getLogger(__name__)

# Errors that mean "the bot cannot post here as itself", where a response_url still works.
_NOT_HERE = {"not_in_channel", "channel_not_found", "is_archived"}
# The metadata event type of a post that carries the core's nonce.
POST_EVENT = "studybot_post"
# How far back conversations.history is read for a post whose answer was lost: new
# non-Marketplace apps get at most 15 messages a call, once a minute.
_LOOK_BACK = 15
# Failures after which a post may or may not exist on Slack.
_UNSURE = (aiohttp.ClientError, TimeoutError)


class ChannelPacer:
    """At most one post per `interval` seconds into each channel, in arrival order."""

    def __init__(
        self,
        interval: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def turn(self, channel_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(channel_id, asyncio.Lock())
        async with lock:
            wait = self._next.get(channel_id, 0.0) - self._clock()
            if wait > 0:
                await self._sleep(wait)
            try:
                yield
            finally:
                self._next[channel_id] = self._clock() + self.interval


class SlackChat:
    def __init__(
        self,
        workspaces: Workspaces,
        *,
        pacer: ChannelPacer | None = None,
        journal: SendJournal | None = None,
    ) -> None:
        self._workspaces = workspaces
        self._pacer = pacer or ChannelPacer()
        # The core's top-level command names, so `/setup` in a reply reads `/studybot setup`.
        self.command_names: frozenset[str] = frozenset()
        # Who members are, for replies read back from a thread (set once the app is built).
        self.directory: Directory | None = None
        # What became of each post sent with a nonce; the database's once it is open.
        self.journal: SendJournal = journal or MemoryJournal()

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(max_message_length=render.SECTION_LIMIT, files=True)

    async def send(self, dest: Destination, message: Outgoing) -> MessageRef:
        """A message over the limit goes out in parts, split between paragraphs (one with
        buttons is one message already: its text is split into sections)."""
        text = render.message_text(message.text, message.mentions)
        parts = [text] if message.buttons else render.chunks(text) or [text]
        first = await self._deliver(
            dest,
            parts[0],
            message.buttons,
            opens_thread=bool(message.thread_name),
            nonce=message.nonce,
        )
        for part in parts[1:]:
            await self._deliver(dest, part, ())
        if message.files:
            await self._upload(message.files, dest)
        return first

    async def edit(self, ref: MessageRef, message: Outgoing) -> None:
        """chat.update with the text escaped as a post's is (no auto-linked names); a text
        over one message's limit keeps its first part."""
        text = render.message_text(message.text, message.mentions)
        text = (render.chunks(text) or [text])[0]
        client = await self._workspaces.client(ref.channel.tenant)
        async with self._pacer.turn(ref.channel.channel_id):
            with refusals(channel_id=ref.channel.channel_id):
                await client.chat_update(
                    channel=ref.channel.channel_id,
                    ts=ref.message_id,
                    text=text,
                    parse="none",
                    link_names=False,
                )

    async def respond(self, interaction: InteractionRef, reply: Reply) -> MessageRef | None:
        if reply.files:
            # The text first (it says everything on its own), then the files after it.
            ref = await self.respond(interaction, dataclasses.replace(reply, files=()))
            if reply.private or interaction.channel is None:
                where = Destination.to_user(interaction.user)
            else:
                where = Destination.to_channel(interaction.channel)
            await self._upload(reply.files, where)
            return ref
        if reply.form is not None:
            await self.open_form(interaction, reply.form)
            if not reply.text:
                return None
        token = Token.decode(interaction.token)
        text = render.message_text(render.slash_names(reply.text, self.command_names))
        channel = interaction.channel
        # A response_url works in any channel, even one the bot was never invited to.
        if (
            reply.private
            and token.response_url
            and await self._via_response_url(
                token.response_url, text, reply.buttons, ephemeral=True
            )
        ):
            return None
        if channel is None:
            return await self._deliver(Destination.to_user(interaction.user), text, reply.buttons)
        if reply.private:
            return await self._deliver(
                Destination(channel=channel, user=interaction.user), text, reply.buttons
            )
        try:
            return await self._deliver(Destination.to_channel(channel), text, reply.buttons)
        except DeliveryRefused as refused:
            cause = refused.__cause__
            if (
                cause is None
                or error_code(cause) not in _NOT_HERE
                or not token.response_url
                or not await self._via_response_url(
                    token.response_url, text, reply.buttons, ephemeral=False
                )
            ):
                raise
            return None

    async def open_form(self, interaction: InteractionRef, form: Form) -> None:
        token = Token.decode(interaction.token)
        if not token.trigger_id:
            raise ValueError("this interaction cannot open a form (no trigger_id)")
        channel_id = interaction.channel.channel_id if interaction.channel else ""
        context = FormContext(channel_id, token.response_url)
        client = await self._workspaces.client(interaction.user.tenant)
        await client.views_open(
            trigger_id=token.trigger_id, view=render.modal(form, context.encode())
        )

    async def thread_messages(self, channel: ChannelRef, thread_id: str) -> list[MessagePosted]:
        client = await self._workspaces.client(channel.tenant)
        return await history.thread_messages(client, self.directory, channel, thread_id)

    async def _upload(self, files: Sequence[tuple[str, bytes]], dest: Destination) -> None:
        """Files with files_upload_v2 (getUploadURLExternal, the upload, then
        completeUploadExternal). Slack has no ephemeral files: a private one goes to the
        member's DM with the bot (`channels` takes a user id)."""
        uploads = [{"content": data, "filename": name, "title": name} for name, data in files]
        tenant = dest.user.tenant if dest.user else dest.channel.tenant if dest.channel else ""
        try:
            client = await self._workspaces.client(tenant)
            if dest.user is not None:
                await client.files_upload_v2(file_uploads=uploads, channels=[dest.user.user_id])
            elif dest.channel is not None:
                await client.files_upload_v2(
                    file_uploads=uploads, channel=dest.channel.channel_id, thread_ts=dest.thread_id
                )
        except SlackApiError as err:
            # The text went out and says everything; a missing file is logged, not fatal.
            log.warning("file upload failed", extra={"error": error_code(err)})

    # -- the Web API --------------------------------------------------------------

    async def _deliver(
        self,
        dest: Destination,
        text: str,
        buttons: Sequence[Button],
        *,
        opens_thread: bool = False,
        nonce: str | None = None,
    ) -> MessageRef:
        """`text` is Slack text already (escaped, with any intended mentions)."""
        content: dict[str, Any] = {"text": text}
        if buttons:
            content["blocks"] = render.blocks(text, buttons)
        if nonce:
            content["metadata"] = {"event_type": POST_EVENT, "event_payload": {"nonce": nonce}}
        if dest.user is not None and dest.channel is not None:
            client = await self._workspaces.client(dest.channel.tenant)
            with refusals(channel_id=dest.channel.channel_id, user_id=dest.user.user_id):
                resp = await client.chat_postEphemeral(
                    channel=dest.channel.channel_id,
                    user=dest.user.user_id,
                    thread_ts=dest.thread_id,
                    text=text,
                    blocks=content.get("blocks"),
                )
            return MessageRef(dest.channel, str(resp.get("message_ts") or ""), dest.thread_id)
        if dest.user is not None:
            # A user id as the channel posts into the bot's DM with them.
            client = await self._workspaces.client(dest.user.tenant)
            with refusals(user_id=dest.user.user_id):
                # A DM is not reconciled: a user id is no conversation for history.
                posted = await self._post(
                    client, dest.user.tenant, dest.user.user_id, content, None, None
                )
            return MessageRef(
                ChannelRef(dest.user.tenant, str(posted["channel"])), str(posted["ts"])
            )
        if dest.channel is None:
            raise ValueError("a destination needs a channel or a user")
        client = await self._workspaces.client(dest.channel.tenant)
        with refusals(channel_id=dest.channel.channel_id):
            posted = await self._post(
                client, dest.channel.tenant, dest.channel.channel_id, content, dest.thread_id, nonce
            )
        ts = str(posted["ts"])
        return MessageRef(dest.channel, ts, dest.thread_id or (ts if opens_thread else None))

    async def _post(
        self,
        client: AsyncWebClient,
        tenant: str,
        channel_id: str,
        content: dict[str, Any],
        thread_ts: str | None,
        nonce: str | None,
    ) -> dict[str, Any]:
        """chat.postMessage, at most once per nonce (see journal.py): an attempt whose
        answer was lost is looked for, by its metadata, before the post is sent again."""
        async with self._pacer.turn(channel_id):
            if not nonce or thread_ts is not None:
                return await self._post_once(client, channel_id, content, thread_ts)
            before = await self.journal.begin(tenant, nonce, channel_id)
            if before is not None and before.ts:
                log.info("already posted; not sending again", extra={"nonce": nonce})
                return {"ok": True, "channel": before.channel_id, "ts": before.ts}
            found: dict[str, Any] | None = None
            if before is not None:  # begun before, no answer recorded: look for it first
                found = await self._find(client, channel_id, nonce)
            if found is None:
                try:
                    found = await self._post_once(client, channel_id, content, thread_ts)
                except _UNSURE:
                    log.warning("a post's answer was lost; looking for it", extra={"nonce": nonce})
                    found = await self._find(client, channel_id, nonce)
                    if found is None:  # it never reached Slack: this is the one post
                        found = await self._post_once(client, channel_id, content, thread_ts)
            await self.journal.posted(tenant, nonce, channel_id, str(found["ts"]))
            return found

    async def _post_once(
        self,
        client: AsyncWebClient,
        channel_id: str,
        content: dict[str, Any],
        thread_ts: str | None,
    ) -> dict[str, Any]:
        resp = await client.chat_postMessage(
            channel=channel_id,
            thread_ts=thread_ts,
            # No auto-linking of names and no previews of links quoted from answers.
            parse="none",
            link_names=False,
            unfurl_links=False,
            unfurl_media=False,
            **content,
        )
        return dict(resp.data) if isinstance(resp.data, dict) else {}

    async def _find(
        self, client: AsyncWebClient, channel_id: str, nonce: str
    ) -> dict[str, Any] | None:
        """The channel's recent post carrying `nonce` in its metadata, as chat.postMessage
        would have answered it (channel and ts), or None."""
        resp = await client.conversations_history(
            channel=channel_id, limit=_LOOK_BACK, include_all_metadata=True
        )
        for msg in resp.get("messages") or []:
            meta = msg.get("metadata") or {}
            payload = meta.get("event_payload") or {}
            if meta.get("event_type") == POST_EVENT and payload.get("nonce") == nonce:
                log.info("the lost post was found; not sending it again", extra={"nonce": nonce})
                return {"ok": True, "channel": channel_id, "ts": str(msg["ts"]), "message": msg}
        return None

    async def _via_response_url(
        self, url: str, text: str, buttons: Sequence[Button], *, ephemeral: bool
    ) -> bool:
        hook = AsyncWebhookClient(
            url, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)]
        )
        try:
            resp = await hook.send(
                text=text,
                blocks=render.blocks(text, buttons) if buttons else None,
                response_type="ephemeral" if ephemeral else "in_channel",
                replace_original=False,
            )
        except Exception as err:
            log.warning("response_url failed", extra={"error": type(err).__name__})
            return False
        if resp.status_code != 200:
            # Expired (30 min) or used up (5 uses): the Web API still reaches the user.
            log.warning(
                "response_url refused", extra={"status": resp.status_code, "body": resp.body[:200]}
            )
            return False
        return True
