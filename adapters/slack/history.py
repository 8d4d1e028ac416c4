"""Reading a question's thread back from Slack after downtime (the core's back-fill).

conversations.replies, paged with `cursor` / `response_metadata.next_cursor`. Slack limits
this method for new apps distributed outside the Marketplace to about one call a minute
and 15 messages a page, so the core calls it once per open question at start-up and never
polls; the client's rate-limit handler waits out a 429's Retry-After. Needs channels:history
(groups:history in private channels), which the message events need already.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import mapping
from adapters.slack.directory import Directory
from bot.domain import ChannelRef
from bot.events import MessagePosted
from bot.ports import ThreadUnreadable

# Slack recommends no more than 200 a page; apps under the new limits get 15 whatever we ask.
PAGE = 200


async def thread_messages(
    client: AsyncWebClient,
    directory: Directory | None,
    channel: ChannelRef,
    thread_ts: str,
) -> list[MessagePosted]:
    found: dict[str, MessagePosted] = {}
    cursor: str | None = None
    while True:
        resp = await client.conversations_replies(
            channel=channel.channel_id, ts=thread_ts, limit=PAGE, cursor=cursor
        )
        page = resp.get("messages") or []
        if not page and cursor is None:  # not even the parent: nothing here can be trusted
            raise ThreadUnreadable(f"Slack showed no messages in thread {thread_ts}")
        for raw in page:
            event = _reply(channel, thread_ts, raw)
            if event is not None:  # the parent may come again on each page: keyed by ts
                found[event.message_id] = event
        cursor = str((resp.get("response_metadata") or {}).get("next_cursor") or "") or None
        if cursor is None:
            break
    replies = sorted(found.values(), key=lambda e: Decimal(e.message_id))
    if directory is not None:  # display names, as live events get them
        replies = [await directory.enrich(e) for e in replies]
    return replies


def _reply(channel: ChannelRef, thread_ts: str, raw: dict[str, Any]) -> MessagePosted | None:
    """A member's reply in the thread, read as the same message event would have been."""
    body = {"team_id": channel.tenant, "event": {**raw, "channel": channel.channel_id}}
    event = mapping.message(body)
    if not isinstance(event, MessagePosted) or event.thread_id != thread_ts:
        return None  # the parent, the bot's own and other bots' messages
    written = datetime.fromtimestamp(float(event.message_id), UTC)
    return dataclasses.replace(event, posted_at=written)
