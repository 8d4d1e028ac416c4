"""F3 peer review: each answerer scores peers' answers on the question's rubric, privately,
with buttons (1 to 4 per dimension) and an optional comment; a reminder before the
deadline; the author gets the reviews gathered once they are in (or the deadline passed).

Reminders and deadlines are rows with due times that `run_due` / `next_due` pick up, so
a simulated clock and the real scheduler drive them alike.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from statistics import mean

from bot.content.schema import Question
from bot.domain import (
    Button,
    ButtonStyle,
    ChannelRef,
    Form,
    FormField,
    Outgoing,
    Reply,
    UserRef,
)
from bot.events import ButtonPressed, FormSubmitted
from bot.features import notices
from bot.review.models import SCORES, Dimension, dimensions_for
from bot.review.peer import Pair, assign_incremental, assign_round
from bot.services import Services
from bot.storage.records import Answer, Post
from bot.storage.review_store import PeerAssignment, ReviewSettings
from bot.text import clean, defang, quote, shorten
from bot.timing import describe

SCORE = "peer"  # custom id "peer:<assignment>:<dimension>:<score>"
FINISH = "peerdone"  # button and form "peerdone:<assignment>"
# Buttons on a closed-DM notice in the thread: show, privately, what the DM could not take.
SHOW_ASSIGNMENTS = "mypeers"  # "mypeers:<post>": the presser's open assignments
SHOW_FEEDBACK = "mypeerfb"  # "mypeerfb:<answer>": the peer feedback on the presser's answer


# -- assigning ------------------------------------------------------------------------


async def start_round(svc: Services, post: Post, settings: ReviewSettings) -> None:
    """The window closed: assign the whole round at once, balanced."""
    answers = await svc.reviews.latest_answers(post)
    if len(answers) == 1:
        only = answers[0]
        await notices.send_private(
            svc,
            _user(only.tenant, only.user_id, only.user_name),
            Outgoing("👥 You were the only one to answer, so there is no peer review this time."),
            fallback=None,  # nothing they need: no notice in the thread for it
            what="a note",
        )
        return
    avoid = await svc.reviews.previous_pairs(post.channel, post.id)
    salt = f"{post.channel.tenant}/{post.channel.channel_id}/{post.id}"
    pairs = assign_round([a.user_id for a in answers], settings.peer_count, avoid=avoid, salt=salt)
    await _assign(svc, post, settings, pairs, answers)


async def on_new_answer(
    svc: Services, post: Post, settings: ReviewSettings, answer_id: int
) -> None:
    """The channel reviews "now": pair the new answerer with the answers already in."""
    answer = await svc.reviews.get_answer(post.channel.tenant, answer_id)
    if answer is None:
        return
    answers = await svc.reviews.latest_answers(post)
    existing = [
        (a.reviewer_id, a.author_id)
        for a in await svc.reviews.assignments_for_post(post.channel.tenant, post.id)
    ]
    avoid = await svc.reviews.previous_pairs(post.channel, post.id)
    pairs = assign_incremental(
        answer.user_id, [a.user_id for a in answers], existing, settings.peer_count, avoid=avoid
    )
    await _assign(svc, post, settings, pairs, answers)


async def _assign(
    svc: Services, post: Post, settings: ReviewSettings, pairs: list[Pair], answers: list[Answer]
) -> None:
    if not pairs:
        return
    by_author = {a.user_id: a for a in answers}
    now = svc.clock.now()
    window = timedelta(minutes=settings.peer_window_minutes)
    due = now + window
    # The reminder comes with a quarter of the time left (at most 4 hours before).
    remind = due - min(window / 4, timedelta(hours=4))
    rows = [
        (by_author[author], reviewer, by_author[reviewer].user_name) for reviewer, author in pairs
    ]
    made = await svc.reviews.add_assignments(post, rows, now=now, remind_at=remind, due_at=due)
    question, zone = await _context(svc, post)
    mine: dict[str, list[PeerAssignment]] = defaultdict(list)
    for a in made:
        mine[a.reviewer_id].append(a)
    # Each reviewer on their own: one closed DM (or one failed send) never stops the others.
    for reviewer_id, items in mine.items():
        reviewer = _user(post.channel.tenant, reviewer_id, items[0].reviewer_name)
        what = f"“{shorten(question.prompt, 100)}”" if question else "today's question"
        intro = Outgoing(
            f"👥 Peer review: {len(items)} answer(s) to {what} for you to score, due "
            f"{describe(due, zone)}. Score each part 1 (missing) to 4 (strong), then press "
            "Finish review (you can add a comment). Authors do not see your name."
        )
        where = notices.thread_of(post)
        show = Button(f"{SHOW_ASSIGNMENTS}:{post.id}", "Show my peer reviews")
        if not await notices.send_private(
            svc, reviewer, intro, fallback=where, what="your peer-review assignments", show=show
        ):
            continue
        for a in items:
            message = _assignment_message(a, by_author[a.author_id], question)
            if not await notices.send_private(
                svc, reviewer, message, fallback=where, what=f"peer review #{a.id}", show=show
            ):
                break


def _assignment_message(a: PeerAssignment, answer: Answer, question: Question | None) -> Outgoing:
    dims = dimensions_for(question) if question else ()
    buttons = [
        Button(f"{SCORE}:{a.id}:{d.id}:{n}", f"{d.label} {n}", ButtonStyle.secondary)
        for d in dims
        for n in SCORES
    ]
    buttons.append(Button(f"{FINISH}:{a.id}", "Finish review"))
    rubric = "\n".join(f"• {d.label}: 4 means {d.meaning}" for d in dims)
    return Outgoing(
        f"Answer #{a.id}:\n{quote(answer.text, 1500)}\n\nRubric:\n{rubric}", buttons=tuple(buttons)
    )


# -- scoring ----------------------------------------------------------------------------


async def on_score(svc: Services, event: ButtonPressed, arg: str) -> None:
    parts = arg.split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
        return
    assignment = await _mine(svc, event.interaction.user, int(parts[0]))
    if assignment is None:
        await svc.chat.respond(event.interaction, Reply("That review is not yours to score."))
        return
    dims = await _dimensions(svc, assignment)
    score = int(parts[2])
    if parts[1] not in {d.id for d in dims} or score not in SCORES:
        await svc.chat.respond(event.interaction, Reply("That score button is out of date."))
        return
    updated = await svc.reviews.set_peer_score(assignment.tenant, assignment.id, parts[1], score)
    if updated is None:
        await svc.chat.respond(event.interaction, Reply(_closed(assignment)))
        return
    label = next(d.label for d in dims if d.id == parts[1])
    todo = [d.label for d in dims if d.id not in updated.scores]
    tail = f"Still to score: {', '.join(todo)}." if todo else "All scored: press Finish review."
    await svc.chat.respond(event.interaction, Reply(f"{label}: {score} saved. {tail}"))


async def on_finish_button(svc: Services, event: ButtonPressed, arg: str) -> None:
    assignment = await _mine(svc, event.interaction.user, int(arg)) if arg.isdigit() else None
    if assignment is None:
        await svc.chat.respond(event.interaction, Reply("That review is not yours to finish."))
        return
    if assignment.status != "assigned":
        await svc.chat.respond(event.interaction, Reply(_closed(assignment)))
        return
    todo = [d.label for d in await _dimensions(svc, assignment) if d.id not in assignment.scores]
    if todo:
        await svc.chat.respond(event.interaction, Reply(f"Score {', '.join(todo)} first."))
        return
    if svc.chat.capabilities.modals:
        await svc.chat.open_form(event.interaction, comment_form(assignment.id))
    else:
        await _finish(svc, event.interaction.user, assignment, None, event)


def comment_form(assignment_id: int) -> Form:
    return Form(
        custom_id=f"{FINISH}:{assignment_id}",
        title="Finish your review",
        fields=(
            FormField(
                "comment",
                "A comment for the author (optional)",
                required=False,
                placeholder="What was strongest, and the one thing to improve",
            ),
        ),
    )


async def on_finish_form(svc: Services, event: FormSubmitted, arg: str) -> None:
    assignment = await _mine(svc, event.interaction.user, int(arg)) if arg.isdigit() else None
    comment = clean(event.values.get("comment", "")).strip() or None
    if assignment is None:
        await svc.chat.respond(event.interaction, Reply("That review is not yours to finish."))
        return
    todo = [d.label for d in await _dimensions(svc, assignment) if d.id not in assignment.scores]
    if todo:
        kept = f" Your comment was:\n{quote(comment, 1500)}" if comment else ""
        await svc.chat.respond(
            event.interaction, Reply(f"Score {', '.join(todo)} first, then finish again.{kept}")
        )
        return
    await _finish(svc, event.interaction.user, assignment, comment, event)


async def _finish(
    svc: Services,
    user: UserRef,
    a: PeerAssignment,
    comment: str | None,
    event: ButtonPressed | FormSubmitted,
) -> None:
    if not await svc.reviews.finish_peer(a.tenant, a.id, comment, svc.clock.now()):
        kept = f" Your comment was:\n{quote(comment, 1500)}" if comment else ""
        await svc.chat.respond(event.interaction, Reply(_closed(a) + kept))
        return
    svc.metrics.review_given("peer", "submitted")
    await svc.chat.respond(event.interaction, Reply("✅ Thanks, your review is in."))
    await gather(svc, a.tenant, a.answer_id)


def _closed(a: PeerAssignment) -> str:
    if a.status == "done":
        return "You already finished this review."
    return "This review closed at its deadline, so it can no longer be changed."


async def _mine(svc: Services, user: UserRef, assignment_id: int) -> PeerAssignment | None:
    a = await svc.reviews.get_assignment(user.tenant, assignment_id)
    return a if a is not None and a.reviewer_id == user.user_id else None


async def _dimensions(svc: Services, a: PeerAssignment) -> tuple[Dimension, ...]:
    post = await svc.store.get_post(a.tenant, a.post_id)
    question, _ = await _context(svc, post) if post else (None, "UTC")
    return dimensions_for(question) if question else ()


async def _context(svc: Services, post: Post) -> tuple[Question | None, str]:
    channel = await svc.store.get_channel(post.channel)
    pack = svc.pack(channel.pack_id) if channel else None
    question = pack.question(post.question_id) if pack and post.question_id else None
    return question, channel.timezone if channel else "UTC"


# -- reminders, deadlines and the gathered feedback -------------------------------------


async def run_due(svc: Services) -> None:
    if not await svc.reviews.peer_work_pending():
        return
    now = svc.clock.now()
    for a in await svc.reviews.due_reminders(now):
        if not await svc.reviews.mark_reminded(a.tenant, a.id, now):
            continue
        post = await svc.store.get_post(a.tenant, a.post_id)
        question, zone = await _context(svc, post) if post else (None, "UTC")
        what = f" of an answer to “{shorten(question.prompt, 80)}”" if question else ""
        when = describe(a.due_at, zone) if a.due_at else "soon"
        scored = (
            f" You have scored {len(a.scores)} of {len(dimensions_for(question))} parts."
            if (question and a.scores)
            else ""
        )
        answer = await svc.reviews.get_answer(a.tenant, a.answer_id)
        excerpt = f"\n{quote(answer.text, 100)}" if answer else ""
        await notices.send_private(
            svc,
            _user(a.tenant, a.reviewer_id, a.reviewer_name),
            Outgoing(
                f"⏰ Reminder: your peer review #{a.id}{what} is due {when}.{scored}{excerpt}"
            ),
            fallback=None,  # the assignment notice in the thread said it already
            what="a reminder",
        )
    await svc.reviews.expire_overdue(now)
    for tenant, answer_id in dict.fromkeys(
        (a.tenant, a.answer_id) for a in await svc.reviews.ungathered()
    ):
        await gather(svc, tenant, answer_id)


async def gather(svc: Services, tenant: str, answer_id: int) -> None:
    """Send the author their peer feedback once every assignment is done or expired."""
    if not await svc.reviews.claim_gather(tenant, answer_id, svc.clock.now()):
        return
    answer = await svc.reviews.get_answer(tenant, answer_id)
    rows = await svc.reviews.assignments_for_answer(tenant, answer_id)
    if answer is None or not rows:
        return
    post = await svc.store.get_post(tenant, rows[0].post_id)
    await notices.send_private(
        svc,
        _user(tenant, answer.user_id, answer.user_name),
        Outgoing(await _feedback_text(svc, post, rows)),
        fallback=notices.thread_of(post) if post else None,
        what="the peer feedback on your answer",
        show=Button(f"{SHOW_FEEDBACK}:{answer_id}", "Show my peer feedback"),
    )


async def _feedback_text(svc: Services, post: Post | None, rows: list[PeerAssignment]) -> str:
    question, _ = await _context(svc, post) if post else (None, "UTC")
    about = f" to “{shorten(question.prompt, 80)}”" if question else ""
    done = [r for r in rows if r.status == "done"]
    if not done:
        return f"👥 No peer reviews of your answer{about} came in before the deadline."
    lines = [f"👥 Peer feedback on your answer{about}: {len(done)} of {len(rows)} reviewers."]
    for d in dimensions_for(question) if question else ():
        got = [r.scores[d.id] for r in done if d.id in r.scores]
        if got:
            lines.append(f"{d.label}: {', '.join(map(str, got))} (average {mean(got):.1f})")
    comments = [r.comment for r in done if r.comment]
    if comments:
        lines += ["Comments:", *(quote(c, 800) for c in comments)]
    return "\n".join(lines)


async def on_show_feedback(svc: Services, event: ButtonPressed, arg: str) -> None:
    """The author asks, from the thread, for the feedback their closed DMs could not take."""
    user = event.interaction.user
    answer = await svc.reviews.get_answer(user.tenant, int(arg)) if arg.isdigit() else None
    rows = await svc.reviews.assignments_for_answer(user.tenant, answer.id) if answer else []
    if answer is None or answer.user_id != user.user_id or not rows:
        await svc.chat.respond(event.interaction, Reply("That feedback is not yours to see."))
        return
    post = await svc.store.get_post(user.tenant, answer.post_id)
    await svc.chat.respond(event.interaction, Reply(await _feedback_text(svc, post, rows)))


async def on_show_assignments(svc: Services, event: ButtonPressed, arg: str) -> None:
    """The reviewer asks, from the thread, for the assignments their closed DMs could not
    take: each comes privately with its score buttons, which work there as in a DM."""
    user = event.interaction.user
    post = await svc.store.get_post(user.tenant, int(arg)) if arg.isdigit() else None
    rows = await svc.reviews.assignments_for_post(user.tenant, post.id) if post else []
    mine = [a for a in rows if a.reviewer_id == user.user_id and a.status == "assigned"]
    if post is None or not mine:
        await svc.chat.respond(event.interaction, Reply("You have no open peer reviews here."))
        return
    question, _ = await _context(svc, post)
    await svc.chat.respond(event.interaction, Reply(f"👥 Your {len(mine)} open peer review(s):"))
    for a in mine:
        answer = await svc.reviews.get_answer(user.tenant, a.answer_id)
        if answer is not None:
            message = _assignment_message(a, answer, question)
            await svc.chat.respond(event.interaction, Reply(message.text, buttons=message.buttons))


# -- agreement --------------------------------------------------------------------------


def agreement(rows: list[PeerAssignment]) -> dict[str, tuple[str, float, int]]:
    """Per reviewer: (name, agreement 0..1, answers compared). Agreement is one minus the
    mean distance between their score and the other reviewers' mean, per dimension, over
    the 3-point scale; only answers that someone else also reviewed count."""
    by_answer: dict[int, list[PeerAssignment]] = defaultdict(list)
    for r in rows:
        if r.status == "done":
            by_answer[r.answer_id].append(r)
    gaps: dict[str, list[float]] = defaultdict(list)
    seen: dict[str, set[int]] = defaultdict(set)
    names: dict[str, str] = {}
    for answer_id, group in by_answer.items():
        for r in group:
            others = [o for o in group if o.reviewer_id != r.reviewer_id]
            for dim, score in r.scores.items():
                theirs = [o.scores[dim] for o in others if dim in o.scores]
                if theirs:
                    gaps[r.reviewer_id].append(abs(score - mean(theirs)))
                    seen[r.reviewer_id].add(answer_id)
                    names[r.reviewer_id] = r.reviewer_name
    return {rid: (names[rid], 1 - mean(g) / 3, len(seen[rid])) for rid, g in gaps.items() if g}


async def agreement_line(svc: Services, ref: ChannelRef) -> str:
    table = agreement(await svc.reviews.done_in_channel(ref))
    if not table:
        return "Peer reviewer agreement: not enough answers reviewed by two people yet."
    parts = [
        f"{defang(name)} {share:.0%} ({n} answer{'s' if n != 1 else ''})"
        for name, share, n in sorted(table.values(), key=lambda t: (-t[1], t[0]))
    ]
    return "Peer reviewer agreement with the others: " + ", ".join(parts) + "."


def _user(tenant: str, user_id: str, name: str) -> UserRef:
    return UserRef(tenant, user_id, name)
