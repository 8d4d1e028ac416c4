"""F3 wiring: after an answer is stored and acknowledged, its AI review runs in the
background and goes to the thread or privately to the author; in hidden mode (F2) the
window's close reveals every answer together, with the reviews the mode allows.

Also `/review settings`, the per-channel choice of review mode, delivery and visibility.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from bot import faults
from bot.commands import CommandContext, CommandError, CommandRegistry, CommandSpec, Option
from bot.commands import OptionType as T
from bot.content.schema import Kind, Question
from bot.domain import (
    Button,
    ChannelRef,
    DeliveryRefused,
    Destination,
    InteractionRef,
    MessageRef,
    Outgoing,
    Reply,
    Review,
    UserRef,
)
from bot.events import ButtonPressed
from bot.features import notices, peer_review
from bot.features.drills import srs
from bot.features.stories import buttons as story_buttons
from bot.logs import about
from bot.review.models import (
    Delivery,
    PeerStart,
    ReviewMode,
    ReviewRequest,
    Visibility,
    dimensions_for,
)
from bot.review.rubric import NAME as RUBRIC
from bot.review.rubric import review_now
from bot.services import Services
from bot.storage.records import Answer, Post
from bot.storage.review_store import PendingReview, ReviewSettings, StoredReview
from bot.text import defang, quote, shorten

log = logging.getLogger(__name__)

NOT_SET_UP = "This channel is not set up yet. An admin can run /setup here (try /help setup)."
MAX_PEERS = 5
# The button on a closed-DM notice that shows the author their review privately.
SHOW_REVIEW = "myreview"


# -- the AI review of one answer ------------------------------------------------------


def request_for(
    svc: Services, pack_id: str, question_id: str | None, text: str
) -> ReviewRequest | None:
    pack = svc.pack(pack_id)
    question = pack.question(question_id) if pack and question_id else None
    if pack is None or question is None:
        return None
    principles = tuple(p for pid in question.principles if (p := pack.principle(pid)))
    return ReviewRequest(question, text, principles, tuple(pack.info.principles))


async def answer_stored(
    svc: Services,
    post: Post,
    answer_id: int,
    settings: ReviewSettings | None = None,
    *,
    interaction: InteractionRef | None = None,
) -> None:
    """Called once an answer is stored and acknowledged: start what the channel's mode asks.
    `interaction` is the form that brought the answer: a private review can still reach the
    member through it when their DMs are closed."""
    svc.metrics.answer_stored()
    log.info("answer stored", extra={"post": post.id, "answer": answer_id})
    settings = settings or await svc.reviews.get_settings(post.channel)
    if settings.mode.ai_on:
        await _start_review(svc, post, answer_id, interaction)
    if settings.mode.peer_on and settings.peer_start == PeerStart.now and post.closed_at is None:
        svc.tasks.spawn(
            peer_review.on_new_answer(svc, post, settings, answer_id), name=f"peer-{answer_id}"
        )


async def answer_edited(svc: Services, post: Post, answer_id: int) -> None:
    """An answer's text changed: it is reviewed again. The new review replaces the old one
    where members read it (edited in place in the thread, sent again privately marked as
    an update); the old row is kept, marked superseded. In hidden mode nothing shows until
    the reveal, which shows only the current review; after the close the revealed message
    is edited in place. An edit after the window closed is re-reviewed all the same: the
    review must speak of the text members now read."""
    if (await svc.reviews.get_settings(post.channel)).mode.ai_on:
        await _start_review(svc, post, answer_id, None)


async def _start_review(
    svc: Services, post: Post, answer_id: int, interaction: InteractionRef | None
) -> None:
    # Recorded before the task starts: if this process dies, the review is still owed and
    # any instance takes it over once the lease runs out (`resume_reviews`).
    now = svc.clock.now()
    pending = await svc.reviews.open_review(post, answer_id, now, now + svc.tuning.lease)
    faults.reached("review.pending")
    svc.tasks.spawn(
        ai_review(svc, post, pending, interaction), name=f"review-{answer_id}-{pending.version}"
    )


async def resume_reviews(svc: Services) -> None:
    """Reviews whose task died with its process (or failed): taken over after the lease,
    by whichever instance gets there first, and given once."""
    now = svc.clock.now()
    for pending in await svc.reviews.stale_reviews(now):
        if not svc.tuning.owns_tenant(pending.tenant):
            continue
        lease = now + svc.tuning.lease
        if not await svc.reviews.take_over_review(pending.tenant, pending.id, now, lease):
            continue  # another instance took it
        post = await svc.store.get_post(pending.tenant, pending.post_id)
        if post is None:
            await svc.reviews.finish_review(pending.tenant, pending.id)
            continue
        log.info("review resumed", extra={"post": post.id, "answer": pending.answer_id})
        svc.tasks.spawn(ai_review(svc, post, pending), name=f"review-{pending.answer_id}-resumed")


async def ai_review(
    svc: Services, post: Post, pending: PendingReview, interaction: InteractionRef | None = None
) -> None:
    with about(post.channel, post=post.id, answer=pending.answer_id):
        await _ai_review(svc, post, pending, interaction)


async def _ai_review(
    svc: Services, post: Post, pending: PendingReview, interaction: InteractionRef | None = None
) -> None:
    tenant = post.channel.tenant
    answer = await svc.reviews.get_answer(tenant, pending.answer_id)
    channel = await svc.store.get_channel(post.channel)
    request = (
        request_for(svc, channel.pack_id, post.question_id, answer.text)
        if answer is not None and channel is not None
        else None
    )
    if answer is None or channel is None or request is None:
        await svc.reviews.finish_review(tenant, pending.id)  # deleted meanwhile: nothing owed
        return
    if not pending.reviewed:  # a resumed task whose reviewer had answered skips this
        review = await _run_reviewer(svc, request)
        if not await svc.reviews.record_review(tenant, pending.id, review, svc.clock.now()):
            return  # superseded by an edit, or another instance recorded it first
        if pending.version == 1 and request.question.kind in (Kind.technical, Kind.behavioral):
            # Answering the daily question is a review of that question's drill card
            # (once per answer: a re-review after an edit is not another attempt).
            await srs.record_review(
                svc.drills,
                tenant=tenant,
                user_id=answer.user_id,
                question_id=request.question.id,
                pack_id=channel.pack_id,
                review=review,
                source="daily",
                now=svc.clock.now(),
            )
        faults.reached("review.given")
    stored = await svc.reviews.get_review(tenant, pending.id)
    if stored is None or stored.status != "pending":
        return  # superseded meanwhile: the newer version delivers
    await svc.reviews.supersede_older(tenant, answer.id, stored.version)
    try:
        await deliver(svc, post, answer, interaction, stored=stored)
    except DeliveryRefused as refused:  # for good: retrying after the lease cannot help
        log.warning("review delivery refused: %s", refused)
    # Any other failure leaves the review pending: it is retried once the lease runs out.
    await svc.reviews.finish_review(tenant, pending.id)


async def _run_reviewer(svc: Services, request: ReviewRequest) -> Review:
    try:
        review = await svc.reviewer.review(request)
        outcome = "fallback" if review.reviewer != svc.reviewer.name else "ok"
    except Exception:  # a reviewer should not raise; if one does, the rubric still answers
        log.exception("reviewer raised", extra={"reviewer": svc.reviewer.name})
        review = dataclasses.replace(review_now(request), note="The AI reviewer failed.")
        outcome = "failed"
    svc.metrics.review_given(svc.reviewer.name, outcome)
    log.info("review given", extra={"reviewer": review.reviewer, "outcome": outcome})
    return review


async def deliver(
    svc: Services,
    post: Post,
    answer: Answer,
    interaction: InteractionRef | None = None,
    *,
    stored: StoredReview | None = None,
) -> None:
    """Send a stored review where the channel wants it, unless hidden mode holds it back.
    A review of an edited answer replaces the earlier one: its thread message is edited in
    place; privately it is sent again, marked as an update."""
    tenant = post.channel.tenant
    settings = await svc.reviews.get_settings(post.channel)
    fresh = await svc.store.get_post(tenant, post.id)
    stored = stored or await svc.reviews.review_for(tenant, answer.id)
    if fresh is None or stored is None:
        return
    earlier = [
        v
        for v in await svc.reviews.review_versions(tenant, answer.id)
        if v.version < stored.version
    ]
    updated = any(v.delivered_at is not None for v in earlier)
    question = _question(svc, fresh, await _pack_id(svc, fresh.channel))
    # An answer given through the private form gets its review privately too (in hidden
    # mode the reveal at the close shows both together instead).
    via_form = answer.message_id.startswith("form-") and not settings.hidden
    # The claim keeps a review to one sender; it is released when the send does not reach
    # the member, so delivered_at only ever marks a review that went out.
    now = svc.clock.now()
    if settings.delivery == Delivery.private or via_form:
        if await svc.reviews.claim_delivery(tenant, stored.id, now):
            text = render_review(stored.review, question, author=None, updated=updated)
            reached = await notices.send_private(
                svc,
                author_of(answer),
                Outgoing(text, buttons=_save_as_story(question, answer)),
                fallback=_thread(fresh),
                what="the review of your answer",
                interaction=interaction,
                show=Button(f"{SHOW_REVIEW}:{answer.id}", "Show my review"),
            )
            if not reached:
                await svc.reviews.release_delivery(tenant, stored.id, now)
        return
    if settings.hidden and fresh.closed_at is None:
        return  # the reveal at the close posts it with the answer
    if await svc.reviews.claim_delivery(tenant, stored.id, now):
        text = render_review(stored.review, question, author=answer.user_name, updated=updated)
        # In hidden mode the message to edit is the reveal's: the answer and its review.
        in_place = revealed(answer, text) if settings.hidden else text
        try:
            await _to_thread(
                svc, fresh, stored, earlier, text, in_place, _save_as_story(question, answer)
            )
        except Exception:
            await svc.reviews.release_delivery(tenant, stored.id, now)
            raise


async def _to_thread(
    svc: Services,
    post: Post,
    stored: StoredReview,
    earlier: list[StoredReview],
    text: str,
    in_place: str,
    buttons: tuple[Button, ...] = (),
) -> None:
    """Edit the earlier review's message in place; a new message when there is none or the
    platform will not edit it (deleted, too old)."""
    shown = next((v for v in reversed(earlier) if v.message_id), None)
    tenant = post.channel.tenant
    if shown is not None and shown.message_id is not None:
        ref = MessageRef(post.channel, shown.message_id, shown.thread_id)
        try:
            await svc.chat.edit(ref, Outgoing(in_place))
            await svc.reviews.set_review_message(tenant, stored.id, ref.message_id, ref.thread_id)
            return
        except DeliveryRefused as refused:
            log.warning("could not edit the earlier review: %s", refused)
    sent = await svc.chat.send(_thread(post), Outgoing(text, buttons=buttons))
    await svc.reviews.set_review_message(tenant, stored.id, sent.message_id, sent.thread_id)


async def on_show_review(svc: Services, event: ButtonPressed, arg: str) -> None:
    """The author asks for the review their closed DMs could not take: shown privately."""
    user = event.interaction.user
    answer = await svc.reviews.get_answer(user.tenant, int(arg)) if arg.isdigit() else None
    if answer is None or answer.user_id != user.user_id:
        await svc.chat.respond(event.interaction, Reply("That review is not yours to see."))
        return
    post = await svc.store.get_post(user.tenant, answer.post_id)
    stored = await svc.reviews.review_for(user.tenant, answer.id)
    if post is None or stored is None:
        await svc.chat.respond(event.interaction, Reply("That review is no longer available."))
        return
    question = _question(svc, post, await _pack_id(svc, post.channel))
    text = render_review(stored.review, question, author=None)
    await svc.chat.respond(event.interaction, Reply(text))
    await svc.reviews.claim_delivery(user.tenant, stored.id, svc.clock.now())


def _save_as_story(question: Question | None, answer: Answer) -> tuple[Button, ...]:
    """A behavioral answer's review offers to keep the answer in the author's story bank."""
    if question is None or question.kind != Kind.behavioral:
        return ()
    return (story_buttons.save_answer(answer.id),)


def author_of(answer: Answer) -> UserRef:
    return UserRef(answer.tenant, answer.user_id, answer.user_name)


def _thread(post: Post) -> Destination:
    return notices.thread_of(post)


async def _pack_id(svc: Services, ref: ChannelRef) -> str | None:
    channel = await svc.store.get_channel(ref)
    return channel.pack_id if channel else None


def _question(svc: Services, post: Post, pack_id: str | None) -> Question | None:
    pack = svc.pack(pack_id) if pack_id else None
    return pack.question(post.question_id) if pack and post.question_id else None


UPDATED = " (updated: the answer was edited)"


def render_review(
    review: Review, question: Question | None, *, author: str | None, updated: bool = False
) -> str:
    """The review as members read it. Reviewer text is defanged: an LLM can echo a mention.
    `updated`: it replaces a review of the answer's earlier text."""
    labels = {d.id: d.label for d in dimensions_for(question)} if question else {}
    if author is None:
        about = f" to “{shorten(question.prompt, 80)}”" if question else ""
        head = f"🤖 Review of your answer{about}"
    else:
        head = f"🤖 Review of the answer from {author}"  # "you's answer" reads badly
    by = "rubric reviewer" if review.reviewer == RUBRIC else f"AI reviewer ({review.reviewer})"
    lines = [f"{head} · {by}{UPDATED if updated else ''}"]
    lines.append(" · ".join(f"{labels.get(k, k)} {v}/4" for k, v in review.scores.items()))
    if review.strengths:
        lines += ["Strengths:", *(f"• {s}" for s in review.strengths)]
    if review.improvements:
        lines += ["To improve:", *(f"• {s}" for s in review.improvements)]
    if review.follow_up:
        lines.append(f"Follow-up an interviewer would ask: {review.follow_up}")
    if review.note:
        lines.append(f"({review.note})")
    return defang("\n".join(lines))


# -- hidden mode and the close ----------------------------------------------------------


async def is_hidden(svc: Services, ref: ChannelRef) -> bool:
    return (await svc.reviews.get_settings(ref)).hidden


async def on_close(svc: Services, post: Post) -> None:
    """The answer window closed: reveal hidden answers, then start peer review if due."""
    settings = await svc.reviews.get_settings(post.channel)
    if settings.hidden:
        await reveal(svc, post, settings)
    if settings.mode.peer_on and settings.peer_start == PeerStart.close:
        await peer_review.start_round(svc, post, settings)


async def reveal(svc: Services, post: Post, settings: ReviewSettings) -> None:
    answers = await svc.store.answers_for(post)
    where = _thread(post)
    if not answers:
        return
    people = len({a.user_id for a in answers})
    await svc.chat.send(
        where, Outgoing(f"🔓 The answers are revealed: {len(answers)} from {people} member(s).")
    )
    with_reviews = settings.mode.ai_on and settings.delivery == Delivery.thread
    reviews = await svc.reviews.reviews_for_post(post) if with_reviews else {}
    question = _question(svc, post, await _pack_id(svc, post.channel))
    for a in answers:
        stored = reviews.get(a.id)
        if stored and await svc.reviews.claim_delivery(a.tenant, stored.id, svc.clock.now()):
            text = revealed(a, render_review(stored.review, question, author=a.user_name))
            sent = await svc.chat.send(where, Outgoing(text))
            # A re-review after the close edits this message (answer and review together).
            await svc.reviews.set_review_message(
                a.tenant, stored.id, sent.message_id, sent.thread_id
            )
        else:
            await svc.chat.send(where, Outgoing(revealed(a)))


def revealed(a: Answer, review_text: str = "") -> str:
    """One answer as the reveal shows it, with its review when there is one."""
    late = " (late)" if a.late else ""
    text = f"💬 {defang(a.user_name)}{late}:\n{quote(a.text, 1500)}"
    return f"{text}\n\n{review_text}" if review_text else text


# -- /review settings -------------------------------------------------------------------


def register(reg: CommandRegistry, svc: Services) -> None:
    async def settings_cmd(ctx: CommandContext) -> Reply:
        ref = ctx.interaction.channel
        if ref is None:
            raise CommandError("Run /review settings in the study channel.")
        if await svc.store.get_channel(ref) is None:
            raise CommandError(NOT_SET_UP)
        old = await svc.reviews.get_settings(ref)
        opts: dict[str, Any] = dict(ctx.options)
        if not opts:
            return Reply(describe(old))
        peers = opts.get("peers")
        if peers is not None and not 1 <= peers <= MAX_PEERS:
            raise CommandError(f"peers: {peers} is out of range; give 1 to {MAX_PEERS}.")
        window = opts.get("peer_window")
        if window is not None and window < 30:
            raise CommandError("peer_window: give at least 30m so reviewers have time.")
        changes: dict[str, Any] = {
            "mode": ReviewMode(opts["mode"]) if "mode" in opts else None,
            "delivery": Delivery(opts["to"]) if "to" in opts else None,
            "visibility": Visibility(opts["visibility"]) if "visibility" in opts else None,
            "peer_start": PeerStart(opts["peer_start"]) if "peer_start" in opts else None,
            "peer_count": peers,
            "peer_window_minutes": window,
        }
        new = dataclasses.replace(old, **{k: v for k, v in changes.items() if v is not None})
        await svc.reviews.save_settings(new, svc.clock.now())
        return Reply("Review settings updated.\n" + describe(new))

    reg.add(
        CommandSpec(
            ("review", "settings"),
            "Show or change how answers in this channel are reviewed and shown.",
            (
                Option(
                    "mode",
                    T.string,
                    "who reviews: ai, peer, both or none (default ai)",
                    choices=tuple(m.value for m in ReviewMode),
                ),
                Option(
                    "to",
                    T.string,
                    "where AI reviews go: thread or private (default thread)",
                    choices=tuple(d.value for d in Delivery),
                ),
                Option(
                    "visibility",
                    T.string,
                    "open: answers show in the thread; hidden: private until the close",
                    choices=tuple(v.value for v in Visibility),
                ),
                Option(
                    "peers",
                    T.integer,
                    f"answers each member peer-reviews, 1 to {MAX_PEERS} (default 2)",
                ),
                Option(
                    "peer_start",
                    T.string,
                    "when peer review starts: close (when answers close) or now (as they come)",
                    choices=tuple(p.value for p in PeerStart),
                ),
                Option(
                    "peer_window", T.duration, "time to finish a peer review, e.g. 24h (default)"
                ),
            ),
            admin=True,
        ),
        settings_cmd,
    )


def describe(s: ReviewSettings) -> str:
    mode = {
        ReviewMode.ai: "AI review",
        ReviewMode.peer: "peer review",
        ReviewMode.both: "AI and peer review",
        ReviewMode.none: "no review",
    }[s.mode]
    lines = [f"Review: {mode}."]
    if s.mode.ai_on:
        where = "in the thread" if s.delivery == Delivery.thread else "privately to the author"
        lines.append(f"AI reviews go {where}.")
    if s.mode.peer_on:
        start = "when answers close" if s.peer_start == PeerStart.close else "as answers come in"
        hours, minutes = divmod(s.peer_window_minutes, 60)
        window = f"{hours}h" + (f"{minutes:02d}m" if minutes else "")
        lines.append(
            f"Peer review: {s.peer_count} answers each, starting {start}, {window} to finish."
        )
    if s.hidden:
        lines.append(
            "Answers are hidden: they go through the Answer button and are revealed together "
            "at the close (a reply in the thread is saved, but everyone there can read it)."
        )
    else:
        lines.append("Answers show in the thread as they come in.")
    return "\n".join(lines)


async def status_lines(svc: Services, ref: ChannelRef) -> list[str]:
    settings = await svc.reviews.get_settings(ref)
    lines = [describe(settings)]
    if settings.mode.peer_on:
        lines.append(await peer_review.agreement_line(svc, ref))
    return lines
