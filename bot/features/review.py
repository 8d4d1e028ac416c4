"""F3 wiring: after an answer is stored and acknowledged, its AI review runs in the
background and goes to the thread or privately to the author; in hidden mode (F2) the
window's close reveals every answer together, with the reviews the mode allows.

Also `/review settings`, the per-channel choice of review mode, delivery and visibility.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from bot.commands import CommandContext, CommandError, CommandRegistry, CommandSpec, Option
from bot.commands import OptionType as T
from bot.content.schema import Kind, Question
from bot.domain import Button, ChannelRef, Destination, Outgoing, Reply, Review, UserRef
from bot.features import peer_review
from bot.features.drills import srs
from bot.features.stories import buttons as story_buttons
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
from bot.storage.review_store import ReviewSettings
from bot.text import defang, quote, shorten

log = logging.getLogger(__name__)

NOT_SET_UP = "This channel is not set up yet. An admin can run /setup here (try /help setup)."
MAX_PEERS = 5


# -- the AI review of one answer ------------------------------------------------------


def request_for(
    svc: Services, pack_id: str, question_id: str | None, text: str
) -> ReviewRequest | None:
    pack = svc.pack(pack_id)
    question = pack.question(question_id) if pack and question_id else None
    if pack is None or question is None:
        return None
    principles = tuple(p for pid in question.principles if (p := pack.principle(pid)))
    return ReviewRequest(question, text, principles)


async def answer_stored(
    svc: Services, post: Post, answer_id: int, settings: ReviewSettings | None = None
) -> None:
    """Called once an answer is stored and acknowledged: start what the channel's mode asks."""
    settings = settings or await svc.reviews.get_settings(post.channel)
    if settings.mode.ai_on:
        svc.tasks.spawn(ai_review(svc, post, answer_id), name=f"review-{answer_id}")
    if settings.mode.peer_on and settings.peer_start == PeerStart.now and post.closed_at is None:
        svc.tasks.spawn(
            peer_review.on_new_answer(svc, post, settings, answer_id), name=f"peer-{answer_id}"
        )


async def ai_review(svc: Services, post: Post, answer_id: int) -> None:
    tenant = post.channel.tenant
    answer = await svc.reviews.get_answer(tenant, answer_id)
    channel = await svc.store.get_channel(post.channel)
    if answer is None or channel is None:
        return  # deleted meanwhile
    request = request_for(svc, channel.pack_id, post.question_id, answer.text)
    if request is None:
        return
    try:
        review = await svc.reviewer.review(request)
    except Exception:  # a reviewer should not raise; if one does, the rubric still answers
        log.exception("reviewer raised", extra={"reviewer": svc.reviewer.name})
        review = dataclasses.replace(review_now(request), note="The AI reviewer failed.")
    if await svc.reviews.add_review(post, answer_id, review, svc.clock.now()):
        await deliver(svc, post, answer)
        if request.question.kind in (Kind.technical, Kind.behavioral):
            # Answering the daily question is a review of that question's drill card.
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


async def deliver(svc: Services, post: Post, answer: Answer) -> None:
    """Send a stored review where the channel wants it, unless hidden mode holds it back."""
    tenant = post.channel.tenant
    settings = await svc.reviews.get_settings(post.channel)
    fresh = await svc.store.get_post(tenant, post.id)
    stored = await svc.reviews.review_for(tenant, answer.id)
    if fresh is None or stored is None:
        return
    question = _question(svc, fresh, await _pack_id(svc, fresh.channel))
    # An answer given through the private form gets its review privately too (in hidden
    # mode the reveal at the close shows both together instead).
    via_form = answer.message_id.startswith("form-") and not settings.hidden
    if settings.delivery == Delivery.private or via_form:
        if await svc.reviews.claim_delivery(tenant, stored.id, svc.clock.now()):
            text = render_review(stored.review, question, author=None)
            keep = _save_as_story(question, answer)
            await svc.chat.send(
                Destination.to_user(author_of(answer)), Outgoing(text, buttons=keep)
            )
        return
    if settings.hidden and fresh.closed_at is None:
        return  # the reveal at the close posts it with the answer
    if await svc.reviews.claim_delivery(tenant, stored.id, svc.clock.now()):
        text = render_review(stored.review, question, author=answer.user_name)
        await svc.chat.send(
            _thread(fresh), Outgoing(text, buttons=_save_as_story(question, answer))
        )


def _save_as_story(question: Question | None, answer: Answer) -> tuple[Button, ...]:
    """A behavioral answer's review offers to keep the answer in the author's story bank."""
    if question is None or question.kind != Kind.behavioral:
        return ()
    return (story_buttons.save_answer(answer.id),)


def author_of(answer: Answer) -> UserRef:
    return UserRef(answer.tenant, answer.user_id, answer.user_name)


def _thread(post: Post) -> Destination:
    if post.thread_id:
        return Destination.to_thread(post.channel, post.thread_id)
    return Destination.to_channel(post.channel)


async def _pack_id(svc: Services, ref: ChannelRef) -> str | None:
    channel = await svc.store.get_channel(ref)
    return channel.pack_id if channel else None


def _question(svc: Services, post: Post, pack_id: str | None) -> Question | None:
    pack = svc.pack(pack_id) if pack_id else None
    return pack.question(post.question_id) if pack and post.question_id else None


def render_review(review: Review, question: Question | None, *, author: str | None) -> str:
    """The review as members read it. Reviewer text is defanged: an LLM can echo a mention."""
    labels = {d.id: d.label for d in dimensions_for(question)} if question else {}
    if author is None:
        about = f" to “{shorten(question.prompt, 80)}”" if question else ""
        head = f"🤖 Review of your answer{about}"
    else:
        head = f"🤖 Review of the answer from {author}"  # "you's answer" reads badly
    by = "rubric reviewer" if review.reviewer == RUBRIC else f"AI reviewer ({review.reviewer})"
    lines = [f"{head} · {by}"]
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
        late = " (late)" if a.late else ""
        text = f"💬 {defang(a.user_name)}{late}:\n{quote(a.text, 1500)}"
        stored = reviews.get(a.id)
        if stored and await svc.reviews.claim_delivery(a.tenant, stored.id, svc.clock.now()):
            text += "\n\n" + render_review(stored.review, question, author=a.user_name)
        await svc.chat.send(where, Outgoing(text))


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
        lines.append("Answers are hidden (Answer button only) and revealed together at the close.")
    else:
        lines.append("Answers show in the thread as they come in.")
    return "\n".join(lines)


async def status_lines(svc: Services, ref: ChannelRef) -> list[str]:
    settings = await svc.reviews.get_settings(ref)
    lines = [describe(settings)]
    if settings.mode.peer_on:
        lines.append(await peer_review.agreement_line(svc, ref))
    return lines
