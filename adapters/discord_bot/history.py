"""Reading a question's thread back from Discord after downtime (the core's back-fill).

GET /channels/{thread}/messages, paged by discord.py's `history` (100 a request, oldest
first). Needs the Message Content intent (without it Discord returns every member's text
empty) and Read Message History (without it Discord answers with no messages at all, not an
error). Neither may read as "every answer was edited to nothing" or "all were deleted".
"""

from __future__ import annotations

import dataclasses

import discord

from adapters.discord_bot import mapping
from bot.domain import ChannelRef
from bot.events import MessagePosted
from bot.ports import ThreadUnreadable


async def thread_messages(
    client: discord.Client, channel: ChannelRef, thread_id: str
) -> list[MessagePosted]:
    if not client.intents.message_content:
        raise ThreadUnreadable("without the Message Content intent Discord hides reply text")
    guild_id = int(channel.tenant)
    thread = client.get_partial_messageable(int(thread_id), guild_id=guild_id)
    place = mapping.Place(guild_id, int(channel.channel_id), int(thread_id))
    me = client.user.id if client.user else None
    found: list[MessagePosted] = []
    seen = 0
    async for message in thread.history(limit=None, oldest_first=True):
        seen += 1
        if mapping.is_member_message(message, me):
            event = mapping.message_posted(message, place)
            if event is not None:  # a sticker, poll or forward alone is no answer
                found.append(dataclasses.replace(event, posted_at=message.created_at))
    if seen == 0:
        # A question's thread always holds its starter (the system message pointing at the
        # post, or a forum post's own first message): none at all means no Read Message History.
        raise ThreadUnreadable(f"Discord showed no messages in thread {thread_id}")
    return found
