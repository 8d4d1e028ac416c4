"""The invite link an organizer opens to add the bot to a server."""

from __future__ import annotations

import discord

SCOPES = ("bot", "applications.commands")
# The smallest set for what the bot does: see channels, post the daily question, open its
# thread, post in threads (acknowledgements, summaries) and read the thread it answers in.
# Forum posts need only Send Messages. No Manage, no Mention Everyone, no Administrator.
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    read_message_history=True,
)


def invite_url(client_id: str) -> str:
    client_id = client_id.strip()
    if not client_id.isdigit():
        raise ValueError(
            f"{client_id!r} is not a Discord application id (a number, from the Developer Portal)"
        )
    return discord.utils.oauth_url(int(client_id), permissions=PERMISSIONS, scopes=SCOPES)
