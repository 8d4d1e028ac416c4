"""Discord's permanent refusals -> the core's DeliveryRefused.

Discord answers a send it will never accept with 403 and a JSON error code (API v10,
"JSON Error Codes"): 50001 Missing Access (the bot cannot see the channel), 50013 Missing
Permissions (an overwrite denies what the call needs), 50007 Cannot send messages to this
user (closed DMs); and 404 10003 Unknown Channel when the channel is gone. Retrying any of
these sends the same refused request again, so the core must not retry them.
"""

from __future__ import annotations

import discord

from bot.domain import DeliveryRefused, MessageRef, Refusal

MISSING_ACCESS = 50001
CANNOT_DM = 50007
MISSING_PERMISSIONS = 50013
UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
UNKNOWN_INTERACTION = 10062
NOT_THE_AUTHOR = 50005
ARCHIVED_THREAD = 50083

_PERMISSION_CODES = (MISSING_ACCESS, MISSING_PERMISSIONS)


def refusal(
    err: discord.HTTPException, needed: str, *, partial: MessageRef | None = None
) -> DeliveryRefused | None:
    """The DeliveryRefused for `err`, or None when it is a passing failure.

    `needed` names the permission the refused call needs, as an admin reads it in Discord's
    channel settings ("Create Public Threads"), or is empty for a DM; 50001 means the bot
    cannot even see the channel."""
    if err.code == CANNOT_DM or (not needed and isinstance(err, discord.Forbidden)):
        # In a DM every 403 is the member's choice (closed DMs, the bot blocked).
        return DeliveryRefused(Refusal.dm_closed, "the member does not accept direct messages")
    if err.code == MISSING_ACCESS:
        return DeliveryRefused(
            Refusal.missing_permission, f"View Channel, {needed}", partial=partial
        )
    if err.code in _PERMISSION_CODES or (isinstance(err, discord.Forbidden) and needed):
        return DeliveryRefused(Refusal.missing_permission, needed, partial=partial)
    if err.code == UNKNOWN_CHANNEL:
        return DeliveryRefused(Refusal.gone, "the channel no longer exists", partial=partial)
    return None


def edit_refusal(err: discord.HTTPException) -> DeliveryRefused | None:
    """The DeliveryRefused for a refused edit of the bot's message, or None when it may pass:
    the message or channel is gone (10008, 10003), is not the bot's (50005), sits in an
    archived thread (50083), or the bot cannot see the channel any more (50001, 50013)."""
    if err.code in (UNKNOWN_MESSAGE, UNKNOWN_CHANNEL, NOT_THE_AUTHOR, ARCHIVED_THREAD):
        return DeliveryRefused(Refusal.gone, f"the message can no longer be edited ({err.code})")
    if err.code in _PERMISSION_CODES or isinstance(err, discord.Forbidden):
        return DeliveryRefused(Refusal.missing_permission, "View Channel")
    return None
