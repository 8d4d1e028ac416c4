"""F2 after downtime: replies, edits and deletes made while the bot was down, past what the
platform redelivers (Discord's gateway resume, Slack's event retries), are read back from
the question threads at start-up and after a reconnect that may have lost events.

Idempotent by comparison, not by bookkeeping: a reply not stored becomes an answer (through
the same path as a live one), a stored answer whose text differs is updated, and one whose
message is gone is removed. A second run finds nothing to do. Each thread is read once per
run (Slack allows new apps about one conversations.replies call a minute), never polled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.events import MessageDeleted, MessageEdited, MessagePosted
from bot.features import answers
from bot.services import Services
from bot.storage.open_threads import posts_to_backfill
from bot.storage.records import Post
from bot.text import clean

log = logging.getLogger(__name__)

# Posts closed this recently are read too: late replies still count.
RECENTLY_CLOSED = timedelta(days=1)
# Answers given through the Answer button's form have no message in the thread.
FORM_PREFIX = "form-"


@dataclass
class Backfilled:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unreadable: int = 0  # threads the platform would not show; their answers were left alone


async def run(svc: Services, owns: Callable[[str], bool] | None = None) -> Backfilled:
    """Read each thread that may have missed something (of the tenants this process owns,
    narrowed by `owns`: a reconnected Discord shard reads only its own guilds)."""
    done = Backfilled()
    since = svc.clock.now() - RECENTLY_CLOSED
    for post in await posts_to_backfill(svc.store, since):
        tenant = post.channel.tenant
        if not svc.tuning.owns_tenant(tenant) or (owns is not None and not owns(tenant)):
            continue
        assert post.thread_id is not None
        # What was stored before the read began: an answer that arrives live while the
        # thread is being read (a Slack read may wait out a rate limit) is newer than the
        # read and must not be taken for deleted.
        before = {a.message_id: a.text for a in await svc.store.answers_for(post)}
        try:
            messages = await svc.chat.thread_messages(post.channel, post.thread_id)
        except Exception as err:  # unreadable: leave the answers as they are
            log.warning(
                "could not read a question's thread to back-fill it",
                extra={"post": post.id, "error": type(err).__name__, "detail": str(err)[:200]},
            )
            done.unreadable += 1
            continue
        try:
            await _reconcile(svc, post, before, messages, done)
        except Exception:  # one broken thread must not stop the others
            log.exception("back-filling a thread failed", extra={"post": post.id})
    if done.added or done.updated or done.removed:
        log.info(
            "back-filled replies made while the bot was away",
            extra={"added": done.added, "updated": done.updated, "removed": done.removed},
        )
    return done


async def _reconcile(
    svc: Services,
    post: Post,
    before: dict[str, str],
    messages: list[MessagePosted],
    done: Backfilled,
) -> None:
    """`before`: the answers stored when the read began (message id -> text). The store is
    read again now: what live events changed meanwhile is newer than the read and stays."""
    assert post.thread_id is not None
    stored = {
        a.message_id: a
        for a in await svc.store.answers_for(post)
        if not a.message_id.startswith(FORM_PREFIX)
    }
    present: set[str] = set()
    for message in messages:
        # The post's own refs, so the answers path finds the post whatever the adapter set.
        message = replace(message, channel=post.channel, thread_id=post.thread_id)
        present.add(message.message_id)
        answer = stored.get(message.message_id)
        if answer is None:
            if message.message_id in before:
                continue  # deleted live while the thread was being read
            if await answers.on_thread_message(svc, message, backfilled=True):
                done.added += 1
        elif (
            clean(message.text).strip()
            and clean(message.text) != answer.text
            and before.get(message.message_id) == answer.text  # not edited live meanwhile
        ):
            edited = MessageEdited(
                post.channel, message.message_id, post.thread_id, message.user, message.text
            )
            await answers.on_thread_edit(svc, edited, backfilled=True)
            done.updated += 1
    for message_id in (stored.keys() & before) - present:
        await answers.on_thread_delete(
            svc, MessageDeleted(post.channel, message_id, post.thread_id)
        )
        done.removed += 1
