"""Private scoring after the last question, and the Bar Raiser's decision. Only the
interviewer who asked a question scores it; only the Bar Raiser agrees or vetoes; the
candidate sees nothing of it before the scorecard."""

from __future__ import annotations

from bot.domain import Form, FormField, InteractionRef, Reply
from bot.features.mock import steps
from bot.features.mock.render import SCORE_WORDS, name
from bot.features.mock.steps import cid, store_of
from bot.services import Services
from bot.storage.mock_store import Round, Step
from bot.text import clean, quote


async def _scorer_problem(svc: Services, it: InteractionRef, r: Round, position: int) -> str | None:
    ms = store_of(svc)
    members = await ms.members(r.tenant, r.id)
    me = next((m for m in steps.present(members) if m.user_id == it.user.user_id), None)
    if me is None:
        return f"You are not part of mock round #{r.id}, so you cannot score it."
    if me.role == "candidate":
        return f"You are the candidate of round #{r.id}: your scorecard comes after the debrief."
    if r.status in ("signup", "running"):
        return "Scoring opens after the last question."
    if r.status != "scoring":
        return f"Mock round #{r.id} is past scoring; its scores are final."
    slots = await ms.slots(r.tenant, r.id)
    if not 0 <= position < len(slots):
        return "That question is not part of the round."
    if slots[position].asker_id != me.user_id:
        return f"Only {name(slots[position].asker_name)}, who asked question {position + 1}, scores it."
    return None


async def score(svc: Services, it: InteractionRef, r: Round, position: int, value: int) -> None:
    problem = await _scorer_problem(svc, it, r, position)
    if problem or value not in SCORE_WORDS:
        await svc.chat.respond(it, Reply(problem or "That is not a score."))
        return
    modals = svc.chat.capabilities.modals
    now = svc.clock.now()
    step = Step(slots={position: {"score": value, **({} if modals else {"done": True})}})
    await store_of(svc).advance(
        r.tenant,
        r.id,
        expect={"status": "scoring"},
        values={"last_activity_at": now},
        step=step,
        now=now,
    )
    if modals:
        await svc.chat.open_form(it, comment_form(r.id, position, value))
        return
    await svc.chat.respond(it, Reply(f"Question {position + 1}: {SCORE_WORDS[value]}, saved."))
    await steps.maybe_debrief(svc, r.tenant, r.id)


def comment_form(rid: int, position: int, value: int) -> Form:
    return Form(
        custom_id=cid("comment", rid, position),
        title=f"Q{position + 1} · {SCORE_WORDS[value]}",  # Slack keeps 24 characters
        fields=(
            FormField(
                "comment",
                "Comment for the debrief (optional)",
                required=False,
                placeholder="What was strong, what was missing, what to probe next time",
            ),
        ),
    )


async def comment(svc: Services, it: InteractionRef, r: Round, position: int, raw: str) -> None:
    text = clean(raw).strip()
    problem = await _scorer_problem(svc, it, r, position)
    if problem:
        keep = f"\nYour comment, so it is not lost:\n{quote(text, 1500)}" if text else ""
        await svc.chat.respond(it, Reply(problem + keep))
        return
    ms = store_of(svc)
    slot = (await ms.slots(r.tenant, r.id))[position]
    if slot.score is None:
        await svc.chat.respond(it, Reply("Press a score first; the comment goes with it."))
        return
    now = svc.clock.now()
    step = Step(slots={position: {"comment": text or None, "done": True}})
    await ms.advance(
        r.tenant,
        r.id,
        expect={"status": "scoring"},
        values={"last_activity_at": now},
        step=step,
        now=now,
    )
    left = [
        s for s in await ms.slots(r.tenant, r.id) if s.asker_id == it.user.user_id and not s.done
    ]
    tail = f" {len(left)} of your questions still to score." if left else " That was your last one."
    await svc.chat.respond(
        it, Reply(f"✅ Question {position + 1}: {SCORE_WORDS[slot.score]}, saved.{tail}")
    )
    await steps.maybe_debrief(svc, r.tenant, r.id)


async def decide(svc: Services, it: InteractionRef, r: Round, veto: bool) -> Reply:
    members = await store_of(svc).members(r.tenant, r.id)
    br = steps.bar_raiser_of(members)
    if br is None or br.user_id != it.user.user_id:
        if not any(m.user_id == it.user.user_id for m in steps.present(members)):
            return Reply(f"You are not part of mock round #{r.id}.")
        return Reply("Only the Bar Raiser can agree or veto.")
    if r.status != "decision":
        return Reply(f"Mock round #{r.id} is not waiting on a decision.")
    if not await steps.finish(svc, r, vetoed=veto):
        return Reply(f"Mock round #{r.id} is not waiting on a decision.")
    if veto:
        return Reply("Vetoed: the outcome is No Hire. The candidate has their scorecard.")
    return Reply("Agreed. The candidate has their scorecard.")
