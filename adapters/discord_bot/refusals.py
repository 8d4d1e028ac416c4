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
