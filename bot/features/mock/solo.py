"""A solo round: the bot is the interviewer. One question at a time, privately; each
answer is reviewed at once, and one or two follow-ups come from what it left out (the
review's `follow_up`: the rubric reviewer's, or the LLM's where configured); the timer
moves on when time is up; the end is the same scorecard a group round gives."""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import timedelta
from statistics import mean

from bot.commands import CommandError
from bot.content import Pack
from bot.domain import Button, Form, FormField, InteractionRef, Reply, Review
from bot.features.mock import plan, render, steps
from bot.features.mock.steps import cid, store_of
from bot.features.review import request_for
from bot.review.rubric import review_now
from bot.services import Services
from bot.storage.mock_store import Member, Out, Round, Slot, Step
from bot.text import clean, quote, words

log = logging.getLogger(__name__)

BOT = plan.Seat("bot", "studybot")
MAX_FOLLOW_UPS = 2


def hire_scale(review: Review) -> int:
    avg = mean(review.scores.values()) if review.scores else 1.0
    return 4 if avg >= 3.5 else 3 if avg >= 2.75 else 2 if avg >= 2.0 else 1


def question_text(pack: Pack | None, r: Round, slot: Slot, ends_in: int) -> str:
    q = pack.question(slot.question_id) if pack else None
    prompt = q.prompt if q else "(this question is no longer in the pack)"
    return (
        f"❓ Question {slot.position + 1} of {r.questions} · {render.label(pack, slot, q)} · "
        f"{ends_in} min\n\n{prompt}\n\nPress Answer to reply; a follow-up or two may come."
    )


def answer_button(rid: int, position: int, stage: int) -> tuple[Button, ...]:
    return (Button(cid("answer", rid, position, stage), "Answer"),)


async def start(
    svc: Services, it: InteractionRef, pack: Pack, fmt: str, n: int, minutes: int
) -> Reply:
    ms = store_of(svc)
    user = it.user
    mine = [r for r in await ms.active_of(user.tenant, user.user_id) if r.solo]
    if mine:
        raise CommandError(
            f"Your solo round #{mine[0].id} is still going: answer its question, or run "
            "/mock leave to end it."
        )
    now = svc.clock.now()
    answered = await ms.answered_questions(user.tenant, user.user_id)
    ends = now + timedelta(minutes=minutes)
    values = {
        "tenant": user.tenant,
        "channel_id": None,
        "pack_id": pack.id,
        "organiser_id": user.user_id,
        "organiser_name": user.name,
        "format": fmt,
        "questions": n,
        "minutes": minutes,
        "idle_minutes": 120,
        "solo": True,
        "status": "running",
        "current": 0,
        "stage": 0,
        "ends_at": ends,
        "last_activity_at": now,
        "created_at": now,
    }

    def step_for(rid: int) -> Step:
        planned = plan.plan(pack, fmt, n, [BOT], answered, f"{user.tenant}/solo/{rid}")
        r = Round(
            rid,
            user.tenant,
            None,
            None,
            pack.id,
            user.user_id,
            user.name,
            fmt,
            n,
            minutes,
            120,
            True,
            None,
            None,
            "running",
            0,
            0,
            ends,
            False,
            None,
            None,
            False,
            None,
            now,
            now,
            None,
        )
        slots = [steps.slot_of(r, p) for p in planned]
        me = Member(rid, user.user_id, user.tenant, user.name, "candidate", 1, None)
        intro = (
            f"🎙️ Solo mock round #{rid} · {fmt} · {n} question(s) × {minutes} min. I am the "
            "interviewer: one question at a time, then a follow-up or two on what your answer "
            "left out. A warning comes one minute before each question's time is up."
        )
        return Step(
            new_slots=[steps._slot_values(s) for s in slots],
            new_members=[
                {"user_id": user.user_id, "user_name": user.name, "role": "candidate", "seq": 1}
            ],
            out=[
                steps.to_user(me, "begin", intro),
                steps.to_user(
                    me,
                    "q0:ask",
                    question_text(pack, r, slots[0], minutes),
                    answer_button(rid, 0, 0),
                ),
            ],
        )

    rid = await ms.create(values, step_for)
    await steps.flush(svc, rid)
    return Reply(f"🎙️ Solo mock round #{rid} started: its first question is in your messages.")


def answer_form(rid: int, position: int, stage: int) -> Form:
    title = "Your answer" if stage == 0 else "Your follow-up answer"
    return Form(
        custom_id=cid("answer", rid, position, stage),
        title=title,
        fields=(
            FormField("answer", "Your answer", placeholder="STAR, or approach and trade-offs"),
        ),
    )


def _stale(r: Round, position: int, stage: int) -> str | None:
    if r.status != "running":
        return f"Solo round #{r.id} is over."
    if r.current != position or r.stage != stage:
        return "That question has moved on: answer the latest one."
    return None


async def on_answer_button(
    svc: Services, it: InteractionRef, r: Round, position: int, stage: int
) -> None:
    if not r.solo or it.user.user_id != r.organiser_id:
        await svc.chat.respond(it, Reply(f"Only the candidate answers in round #{r.id}."))
        return
    problem = _stale(r, position, stage)
    if problem:
        await svc.chat.respond(it, Reply(problem))
    elif svc.chat.capabilities.modals:
        await svc.chat.open_form(it, answer_form(r.id, position, stage))
    else:
        await svc.chat.respond(it, Reply("This chat cannot open forms; solo rounds need them."))


async def on_answer_form(
    svc: Services, it: InteractionRef, r: Round, position: int, stage: int, raw: str
) -> None:
    text = clean(raw)
    keep = f"\nYour text, so it is not lost:\n{quote(text, 1500)}" if text.strip() else ""
    if not r.solo or it.user.user_id != r.organiser_id:
        await svc.chat.respond(it, Reply(f"Only the candidate answers in round #{r.id}.{keep}"))
        return
    problem = _stale(r, position, stage)
    if problem:
        await svc.chat.respond(it, Reply(problem + keep))
        return
    if not text.strip():
        await svc.chat.respond(
            it, Reply("The answer was empty, so nothing was saved. Press Answer again.")
        )
        return
    ms = store_of(svc)
    slot = (await ms.slots(r.tenant, r.id))[position]
    combined = f"{slot.answer}\n\n{text}" if slot.answer else text
    review = await _review(svc, r, slot, combined)
    changes: dict[str, object] = {
        "answer": combined,
        "review": json.dumps({"scores": review.scores, "follow_up": review.follow_up}),
        "score": hire_scale(review),
        "comment": _comment(review),
    }
    avg = mean(review.scores.values()) if review.scores else 1.0
    follow = bool(review.follow_up) and stage < MAX_FOLLOW_UPS and (stage == 0 or avg < 3)
    now = svc.clock.now()
    me = (await ms.members(r.tenant, r.id))[0]
    values: dict[str, object] = {"last_activity_at": now}
    out: list[Out]
    if follow:
        values["stage"] = stage + 1
        out = [
            steps.to_user(
                me,
                f"q{position}:f{stage + 1}",
                f"🔎 Follow-up on question {position + 1}: {review.follow_up}",
                answer_button(r.id, position, stage + 1),
            )
        ]
        step = Step(slots={position: changes}, out=out)
    else:
        changes["done"] = True
        step = await _next_or_end(svc, r, me, position, changes, values)
    done = await ms.advance(
        r.tenant,
        r.id,
        expect={"status": "running", "current": position, "stage": stage},
        values=values,
        step=step,
        now=now,
    )
    if not done:
        await svc.chat.respond(
            it, Reply("That question has moved on: answer the latest one." + keep)
        )
        return
    await svc.chat.respond(it, Reply(f"✅ Answer saved ({words(text):,} words)."))
    await steps.flush(svc, r.id)


def _comment(review: Review) -> str:
    parts = []
    if review.strengths:
        parts.append(f"Strong: {review.strengths[0]}")
    if review.improvements:
        parts.append(f"To improve: {review.improvements[0]}")
    return " ".join(parts)


async def _review(svc: Services, r: Round, slot: Slot, text: str) -> Review:
    request = request_for(svc, r.pack_id, slot.question_id, text)
    if request is None:
        return Review("none", {})
    try:
        return await svc.reviewer.review(request)
    except Exception:  # a reviewer should not raise; if one does, the rubric still answers
        log.exception("reviewer raised", extra={"reviewer": svc.reviewer.name})
        return dataclasses.replace(review_now(request), note="The AI reviewer failed.")


async def _next_or_end(
    svc: Services,
    r: Round,
    me: Member,
    position: int,
    changes: dict[str, object],
    values: dict[str, object],
) -> Step:
    """The next question, or the scorecard after the last; `values` gets the round's moves."""
    ms = store_of(svc)
    slots = await ms.slots(r.tenant, r.id)
    now = svc.clock.now()
    if position + 1 < len(slots):
        ends = now + timedelta(minutes=r.minutes)
        values.update(current=position + 1, stage=0, ends_at=ends, warned=False)
        text = question_text(svc.pack(r.pack_id), r, slots[position + 1], r.minutes)
        key = f"q{position + 1}:ask"
        return Step(
            slots={position: changes},
            out=[steps.to_user(me, key, text, answer_button(r.id, position + 1, 0))],
        )
    final = [
        dataclasses.replace(s, **changes) if s.position == position else s  # type: ignore[arg-type]
        for s in slots
    ]
    outcome = render.outcome_of(final)
    values.update(status="done", outcome=outcome, finished_at=now, ends_at=None)
    ended = dataclasses.replace(r, outcome=outcome)
    card = render.scorecard(svc.pack(r.pack_id), ended, final)
    return Step(slots={position: changes}, out=[steps.to_user(me, "scorecard", card)])


async def time_up(svc: Services, r: Round) -> bool:
    ms = store_of(svc)
    me = (await ms.members(r.tenant, r.id))[0]
    slot = (await ms.slots(r.tenant, r.id))[r.current]
    changes: dict[str, object] = {"done": True}
    if slot.score is None:
        changes.update(score=1, comment="Not answered in time.")
    values: dict[str, object] = {"last_activity_at": svc.clock.now()}
    step = await _next_or_end(svc, r, me, r.current, changes, values)
    step.out = [
        steps.to_user(me, f"q{r.current}:end", f"⏰ Time's up on question {r.current + 1}."),
        *step.out,
    ]
    done = await ms.advance(
        r.tenant,
        r.id,
        expect={"status": "running", "current": r.current, "stage": r.stage},
        values=values,
        step=step,
        now=svc.clock.now(),
    )
    await steps.flush(svc, r.id)
    return done
