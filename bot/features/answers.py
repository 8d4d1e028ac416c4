"""F2: a member's reply in a question's thread is their answer; the Answer button's form is
the other way in. The answer is stored before anything else happens, so nothing is lost."""

from __future__ import annotations

from datetime import datetime

from bot.domain import ChannelRef, Destination, Form, FormField, InteractionRef, Outgoing, Reply
from bot.events import ButtonPressed, FormSubmitted, MessageDeleted, MessageEdited, MessagePosted
from bot.features import notices, review
from bot.features.daily import ANSWER_BUTTON
from bot.services import Services
from bot.storage.records import Post
from bot.text import clean, defang, quote, words

# Hidden mode takes answers through the Answer button's form. A thread reply is still saved
# (nothing a member writes is lost), but it stays where it is: studybot does not delete
# members' messages (on Slack the bot cannot without a user token; on Discord it would need
# Manage Messages, which the invite does not ask for), so the note must not claim it is hidden.
HIDDEN_REPLY_NOTE = (
    "🔒 Answers in this channel go through the Answer button on the question: they stay "
    "private until the window closes, then all are revealed together. Your reply is saved as "
    "your answer, but it stays visible in the thread to everyone there (studybot does not "
    "delete members' messages). To keep it private, copy it, delete the reply (that also "
    "withdraws it) and send it with the Answer button instead. Your text:"
)
BACKFILLED = " It was written while the bot was offline and picked up when it came back."
EMPTY_HINT = (
    "That reply was empty. Write your answer as a reply in this thread "
    "(or press Answer on the question) and it will be saved."
)


def _is_late(svc: Services, post: Post, written_at: datetime | None = None) -> bool:
    if written_at is not None and post.closes_at is not None:
        return written_at > post.closes_at  # read back after downtime: when it was written
    return post.closed_at is not None or (
        post.closes_at is not None and svc.clock.now() > post.closes_at
    )


def _ack(name: str, text: str, *, late: bool, verb: str = "Saved", note: str = "") -> str:
    tail = " It came in after the window closed, so it is marked late." if late else ""
    tail += note
    return (
        f"✅ Answer from {defang(name)} {verb.lower()} "
        f"({words(text):,} words).{tail}\n{quote(text)}"
    )


def privately(event: MessagePosted | MessageEdited) -> Destination:
    """To the member alone, next to what they wrote: ephemeral in the thread where the
    platform can post one outside an interaction (Slack), else a direct message (Discord)."""
    return Destination(channel=event.channel, thread_id=event.thread_id, user=event.user)


async def _answered_post(
    svc: Services, channel: ChannelRef, thread_id: str | None, reply_to: str | None
) -> tuple[Post, Destination] | None:
    """The post a member's message answers, and where to acknowledge it: the post's thread,
    or, for a post whose thread could not be opened, the channel (the message replies to it)."""
    if thread_id is not None:
        post = await svc.store.post_by_thread(channel, thread_id)
        return (post, Destination.to_thread(channel, thread_id)) if post else None
    if reply_to is not None:
        post = await svc.store.threadless_post(channel, reply_to)
        return (post, Destination.to_channel(channel)) if post else None
    return None


async def on_thread_message(
    svc: Services, event: MessagePosted, *, backfilled: bool = False
) -> bool:
    """A reply in a question's thread; True when it was stored as a new answer.
    `backfilled`: read back from the thread after downtime, not delivered live."""
    found = await _answered_post(svc, event.channel, event.thread_id, event.reply_to)
    if found is None:
        return False  # not an answer to a question
    post, thread = found
    text = clean(event.text)
    if not text.strip():
        if not backfilled:  # a hint long after the fact would only confuse
            await svc.chat.send(thread, Outgoing(EMPTY_HINT))
        return False
    late = _is_late(svc, post, event.posted_at)
    stored = await svc.store.add_answer(
        post,
        user_id=event.user.user_id,
        user_name=event.user.name,
        message_id=event.message_id,
        text=text,
        late=late,
        now=svc.clock.now(),
    )
    if stored is None:
        return False  # the platform delivered this message twice; it is saved already
    settings = await svc.reviews.get_settings(event.channel)  # read once, used twice
    if settings.hidden:
        # Hidden mode: the bot adds nothing to the thread; the author hears privately.
        # A closed DM must not stop the review below: the answer is saved either way.
        note = f"{HIDDEN_REPLY_NOTE}\n{quote(text, 1500)}"
        await notices.send_private(
            svc, event.user, Outgoing(note), fallback=None, what="a note", dest=privately(event)
        )
    else:
        ack = _ack(event.user.name, text, late=late, note=BACKFILLED if backfilled else "")
        await svc.chat.send(thread, Outgoing(ack))
    await review.answer_stored(svc, post, stored, settings)
    return True


async def on_thread_edit(svc: Services, event: MessageEdited, *, backfilled: bool = False) -> None:
    found = await _answered_post(svc, event.channel, event.thread_id, event.reply_to)
    if found is None:
        return
    post, thread = found
    text = clean(event.text)
    if not text.strip():
        if backfilled:
            return  # the earlier answer is kept; nothing to say long after the fact
        await svc.chat.send(
            thread, Outgoing("That edit left the reply empty; the earlier answer is kept.")
        )
        return
    now = svc.clock.now()
    before = await svc.store.answer_by_message(post, event.message_id)
    if before is not None and before.text == text:
        return  # the platform reported a change that left the text as it was (an embed)
    new_id: int | None = None
    if not await svc.store.edit_answer(post, event.message_id, text, now):
        # An edit of a reply we never stored (it was empty before): it is an answer now.
        new_id = await svc.store.add_answer(
            post,
            user_id=event.user.user_id,
            user_name=event.user.name,
            message_id=event.message_id,
            text=text,
            late=_is_late(svc, post),
            now=now,
        )
    note = " The edit was made while the bot was offline." if backfilled else ""
    ack = _ack(event.user.name, text, late=False, verb="Updated", note=note)
    if await review.is_hidden(svc, event.channel):
        await notices.send_private(
            svc, event.user, Outgoing(ack), fallback=None, what="a note", dest=privately(event)
        )
    else:
        await svc.chat.send(thread, Outgoing(ack))
    # The review follows the text: an edited answer is reviewed again, replacing the old one.
    if before is not None:
        await review.answer_edited(svc, post, before.id)
    elif new_id is not None:
        await review.answer_stored(svc, post, new_id)


async def on_thread_delete(svc: Services, event: MessageDeleted) -> None:
    if event.thread_id is None:
        return
    post = await svc.store.post_by_thread(event.channel, event.thread_id)
    if post is None or not await svc.store.delete_answer(post, event.message_id):
        return
    await svc.chat.send(
        Destination.to_thread(event.channel, event.thread_id),
        Outgoing("🗑️ A reply was deleted, so that answer no longer counts."),
    )


def answer_form(post_id: int) -> Form:
    return Form(
        custom_id=f"{ANSWER_BUTTON}:{post_id}",
        title="Your answer",
        fields=(
            FormField(
                "answer", "Your answer", long=True, placeholder="Situation, task, action, result…"
            ),
        ),
    )


async def on_answer_button(svc: Services, event: ButtonPressed, post_id: int) -> None:
    post = await _post_for(svc, event.interaction, post_id)
    if post is None:
        await svc.chat.respond(event.interaction, Reply("That question is no longer available."))
        return
    if svc.chat.capabilities.modals:
        await svc.chat.open_form(event.interaction, answer_form(post_id))
    else:
        await svc.chat.respond(
            event.interaction, Reply("Reply in the question's thread with your answer.")
        )


async def on_answer_form(svc: Services, event: FormSubmitted, post_id: int) -> None:
    post = await _post_for(svc, event.interaction, post_id)
    text = clean(event.values.get("answer", ""))
    if post is None:
        await svc.chat.respond(
            event.interaction,
            Reply(
                f"That question is no longer available, so this was not saved. Your text:\n{quote(text, 1500)}"
            ),
        )
        return
    if not text.strip():
        await svc.chat.respond(
            event.interaction, Reply("The answer was empty, so nothing was saved.")
        )
        return
    late = _is_late(svc, post)
    user = event.interaction.user
    stored = await svc.store.add_answer(
        post,
        user_id=user.user_id,
        user_name=user.name,
        message_id=f"form-{event.interaction.interaction_id}",
        text=text,
        late=late,
        now=svc.clock.now(),
    )
    ack = _ack(user.name, text, late=late)
    if stored is not None and await review.is_hidden(svc, post.channel):
        ack += "\n🔒 It stays hidden until the window closes, then all answers are revealed."
    await svc.chat.respond(event.interaction, Reply(ack))
    if stored is not None:
        await review.answer_stored(svc, post, stored, interaction=event.interaction)


async def _post_for(svc: Services, interaction: InteractionRef, post_id: int) -> Post | None:
    if interaction.channel is None:
        return None
    post = await svc.store.get_post(interaction.channel.tenant, post_id)
    # A button from another workspace's post must not reach this one's data.
    return post if post and post.channel.channel_id == interaction.channel.channel_id else None
