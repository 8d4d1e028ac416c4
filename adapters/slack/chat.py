"""SlackChat: the core's ChatPort over the Slack Web API (slack_sdk's AsyncWebClient).

- A thread is its parent's ts: sending with `thread_name` returns MessageRef(thread_id=ts).
- Private messages are ephemeral in the channel (chat.postEphemeral, or the interaction's
  response_url); with no channel, a DM (chat.postMessage to the user id).
- Posts into one channel are paced to Slack's ~1 message/s; 429s are retried after
  Retry-After by the client's retry handler (see `runner.web_client`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import render
from adapters.slack.errors import error_code
from adapters.slack.mapping import FormContext, Token
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

# Errors that mean "the bot cannot post here as itself", where a response_url still works.
_NOT_HERE = {"not_in_channel", "channel_not_found", "is_archived"}


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
    def __init__(self, client: AsyncWebClient, *, pacer: ChannelPacer | None = None) -> None:
        self._client = client
        self._pacer = pacer or ChannelPacer()
        # The core's top-level command names, so `/setup` in a reply reads `/studybot setup`.
        self.command_names: frozenset[str] = frozenset()

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(max_message_length=render.SECTION_LIMIT, files=True)

    async def send(self, dest: Destination, message: Outgoing) -> MessageRef:
        text = render.message_text(message.text, message.mentions)
        ref = await self._deliver(
            dest, text, message.buttons, opens_thread=bool(message.thread_name)
        )
        if message.files:
            await self._upload(message.files, dest)
        return ref

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
        except SlackApiError as err:
            if error_code(err) not in _NOT_HERE or not token.response_url:
                raise
            await self._via_response_url(token.response_url, text, reply.buttons, ephemeral=False)
            return None

    async def open_form(self, interaction: InteractionRef, form: Form) -> None:
        token = Token.decode(interaction.token)
        if not token.trigger_id:
            raise ValueError("this interaction cannot open a form (no trigger_id)")
        channel_id = interaction.channel.channel_id if interaction.channel else ""
        context = FormContext(channel_id, token.response_url)
        await self._client.views_open(
            trigger_id=token.trigger_id, view=render.modal(form, context.encode())
        )

    async def _upload(self, files: Sequence[tuple[str, bytes]], dest: Destination) -> None:
        """Files with files_upload_v2 (getUploadURLExternal, the upload, then
        completeUploadExternal). Slack has no ephemeral files: a private one goes to the
        member's DM with the bot (`channels` takes a user id)."""
        uploads = [{"content": data, "filename": name, "title": name} for name, data in files]
        try:
            if dest.user is not None:
                await self._client.files_upload_v2(
                    file_uploads=uploads, channels=[dest.user.user_id]
                )
            elif dest.channel is not None:
                await self._client.files_upload_v2(
                    file_uploads=uploads, channel=dest.channel.channel_id, thread_ts=dest.thread_id
                )
        except SlackApiError as err:
            # The text went out and says everything; a missing file is logged, not fatal.
            log.warning("file upload failed", extra={"error": error_code(err)})

    # -- the Web API --------------------------------------------------------------

    async def _deliver(
        self, dest: Destination, text: str, buttons: Sequence[Button], *, opens_thread: bool = False
    ) -> MessageRef:
        """`text` is Slack text already (escaped, with any intended mentions)."""
        content: dict[str, Any] = {"text": text}
        if buttons:
            content["blocks"] = render.blocks(text, buttons)
        if dest.user is not None and dest.channel is not None:
            resp = await self._client.chat_postEphemeral(
                channel=dest.channel.channel_id,
                user=dest.user.user_id,
                thread_ts=dest.thread_id,
                **content,
            )
            return MessageRef(dest.channel, str(resp.get("message_ts") or ""), dest.thread_id)
        if dest.user is not None:
            # A user id as the channel posts into the bot's DM with them.
            posted = await self._post(dest.user.user_id, content, None)
            return MessageRef(
                ChannelRef(dest.user.tenant, str(posted["channel"])), str(posted["ts"])
            )
        if dest.channel is None:
            raise ValueError("a destination needs a channel or a user")
        posted = await self._post(dest.channel.channel_id, content, dest.thread_id)
        ts = str(posted["ts"])
        return MessageRef(dest.channel, ts, dest.thread_id or (ts if opens_thread else None))

    async def _post(
        self, channel_id: str, content: dict[str, Any], thread_ts: str | None
    ) -> dict[str, Any]:
        async with self._pacer.turn(channel_id):
            resp = await self._client.chat_postMessage(
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
