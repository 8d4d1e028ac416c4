"""What the core does when a platform refuses a send for good (`DeliveryRefused`).

Private messages go to each recipient on their own: a member with closed DMs must not stop
the others, and what was meant for them falls back to where they can still read it (a
private follow-up to an interaction that is still open, else a short notice in the thread).
Missing permissions are named to the admins in words they can act on.
"""

from __future__ import annotations

import logging

from bot.domain import (
    Button,
    DeliveryRefused,
    Destination,
    InteractionRef,
    Outgoing,
    Refusal,
    Reply,
    UserRef,
)
from bot.services import Services
from bot.storage.records import Post
from bot.text import defang

log = logging.getLogger(__name__)


def thread_of(post: Post) -> Destination:
    """Where a post's answers are read: its thread, or the channel when it has none."""
    if post.thread_id:
        return Destination.to_thread(post.channel, post.thread_id)
    return Destination.to_channel(post.channel)


def explain(refused: DeliveryRefused) -> str:
    """The refusal as an admin reads it: what is missing and what to do."""
    if refused.reason is Refusal.missing_permission:
        what = refused.detail or "a permission it needs"
        return (
            f"⚠️ The bot is missing the permission {what} in this channel, so the platform "
            "refused the message. Give the bot that permission in the channel's settings "
            "(or its role), then try again."
        )
    if refused.reason is Refusal.not_in_channel:
        return (
            "⚠️ The bot is not a member of this channel: invite it to the channel, then try again."
        )
    if refused.reason is Refusal.gone:
        return "⚠️ That channel or thread no longer exists (or is archived)."
    return "⚠️ That member does not accept direct messages from the bot."


def missing(refused: DeliveryRefused) -> str:
    """ "the bot is missing the permission X" (or what else the refusal says)."""
    if refused.reason is Refusal.missing_permission:
        return f"the bot is missing the permission {refused.detail or 'it needs'}"
    return str(refused)


def thread_notice(refused: DeliveryRefused) -> str:
    """Posted once in the channel when a daily question went out without its thread."""
    what = refused.detail or "the permission to open threads"
    return (
        f"⚠️ Admins: the question above has no thread because the bot is missing the "
        f"permission {what} in this channel. Answers still count: press Answer on the "
        f"question. Allow {what} for the bot in this channel's settings to get threads back."
    )


async def send_private(
    svc: Services,
    user: UserRef,
    message: Outgoing,
    *,
    fallback: Destination | None,
    what: str,
    interaction: InteractionRef | None = None,
    show: Button | None = None,
    dest: Destination | None = None,
) -> bool:
    """Send `message` to `user` privately; True when it reached them.

    On closed DMs: the message as a private follow-up when `interaction` is still open,
    else a short notice at `fallback` (the question's thread) that names the member (a
    deliberate mention; nobody else is pinged) and says how to get it. Any other failure is
    logged and reported as False, so a loop over recipients carries on. `dest` is where the
    private message goes when not a direct message (an ephemeral next to the member's reply)."""
    try:
        await svc.chat.send(dest or Destination.to_user(user), message)
        return True
    except DeliveryRefused as refused:
        log.warning("private message refused", extra={"reason": refused.reason.value})
        if refused.reason is not Refusal.dm_closed:
            return False
    except Exception:
        log.exception("private message failed")
        return False
    if interaction is not None:
        try:
            await svc.chat.respond(interaction, Reply(message.text, buttons=message.buttons))
            return True
        except Exception as err:  # the interaction expired: the thread notice follows
            log.warning("private follow-up failed: %s", err)
    if fallback is not None:
        note = (
            f"📭 {defang(user.name)}, I could not send you {what}: your direct messages are "
            "closed to the bot. Allow direct messages from this server's members, or ask an "
            "admin to run `/review settings to:thread`."
        )
        if show is not None:  # the content is kept: the member sees it here, privately
            note += " Or press the button to see it here, only to you."
        buttons = (show,) if show is not None else ()
        try:
            await svc.chat.send(fallback, Outgoing(note, buttons=buttons, mentions=(user,)))
        except Exception:
            log.exception("could not post the closed-DM notice")
    return False
