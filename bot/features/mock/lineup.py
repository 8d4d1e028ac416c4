"""Who is in a round: signing up by role, the organiser's Start, and leaving (an
interviewer's questions go to the rest of the panel; the candidate leaving ends it)."""

from __future__ import annotations

from bot.domain import InteractionRef, Reply
from bot.features.mock import render, steps
from bot.features.mock.plan import Planned, Seat
from bot.features.mock.render import ROLE_WORDS, name
from bot.features.mock.steps import store_of
from bot.services import Services
from bot.storage.mock_store import Member, Round, Slot, Step


def _is(user_id: str, user_name: str, reserved: str) -> bool:
    return reserved.lower() in (user_id.lower(), user_name.lower())


async def join(svc: Services, it: InteractionRef, r: Round, role: str) -> Reply:
    if role not in ROLE_WORDS:
        return Reply("That is not a role of a mock round.")
    if r.status != "signup":
        return Reply(
            f"Mock round #{r.id} has started; sign-ups are closed."
            if r.active
            else f"Mock round #{r.id} is over."
        )
    ms = store_of(svc)
    members = await ms.members(r.tenant, r.id)
    user = it.user
    me = next((m for m in members if m.user_id == user.user_id), None)
    if me is not None and me.role == role:
        return Reply(f"You are already the {ROLE_WORDS[role]} of round #{r.id}.")
    if role in ("candidate", "bar_raiser"):
        holder = next((m for m in steps.present(members, role) if m.user_id != user.user_id), None)
        if holder is not None:
            return Reply(
                f"{name(holder.user_name)} is already the {ROLE_WORDS[role]} of round #{r.id} "
                "(one per round). Sign up as Interviewer or Observer instead."
            )
    if (
        role == "candidate"
        and r.reserved_candidate
        and not _is(user.user_id, user.name, r.reserved_candidate)
    ):
        return Reply(
            f"The candidate seat of round #{r.id} is kept for {name(r.reserved_candidate)}."
        )
    now = svc.clock.now()
    step = Step(
        out=[
            steps.thread(
                steps.once("join"), f"🙋 {name(user.name)} signed up as {ROLE_WORDS[role]}."
            )
        ]
    )
    if me is None:
        seq = await ms.next_seq(r.tenant, r.id)
        step.new_members.append(
            {"user_id": user.user_id, "user_name": user.name, "role": role, "seq": seq}
        )
    else:
        step.members[user.user_id] = {"role": role, "left_at": None}
    if not await ms.advance(
        r.tenant,
        r.id,
        expect={"status": "signup"},
        values={"last_activity_at": now},
        step=step,
        now=now,
    ):
        return Reply(f"Mock round #{r.id} has started; sign-ups are closed.")
    await steps.flush(svc, r.id)
    members = await ms.members(r.tenant, r.id)
    return Reply(f"You are the {ROLE_WORDS[role]} of mock round #{r.id}.\n{render.lineup(members)}")


async def start_button(svc: Services, it: InteractionRef, r: Round) -> Reply:
    if it.user.user_id != r.organiser_id and not it.user.is_admin:
        return Reply(f"Only the organiser ({name(r.organiser_name)}) can start round #{r.id}.")
    if r.status != "signup":
        return Reply(f"Mock round #{r.id} has already started.")
    members = await store_of(svc).members(r.tenant, r.id)
    missing = steps.missing_roles(members)
    if missing:
        return Reply(
            f"Mock round #{r.id} cannot start yet: it needs {missing}.\n{render.lineup(members)}"
        )
    if not await steps.begin(svc, r):
        return Reply(f"Mock round #{r.id} has already started.")
    return Reply(f"Mock round #{r.id} has started: follow it in its thread.")


async def leave(svc: Services, it: InteractionRef, r: Round) -> Reply:
    ms = store_of(svc)
    members = await ms.members(r.tenant, r.id)
    me = next((m for m in steps.present(members) if m.user_id == it.user.user_id), None)
    if me is None:
        return Reply(f"You are not in mock round #{r.id}.")
    if not r.active:
        return Reply(f"Mock round #{r.id} is over.")
    now = svc.clock.now()
    who = name(me.user_name)
    if r.status == "signup":
        step = Step(
            drop_members=[me.user_id],
            out=[steps.thread(steps.once("left"), f"👋 {who} left the sign-ups.")],
        )
        await ms.advance(
            r.tenant,
            r.id,
            expect={"status": "signup"},
            values={"last_activity_at": now},
            step=step,
            now=now,
        )
        await steps.flush(svc, r.id)
        return Reply(f"You left the sign-ups of mock round #{r.id}.")
    gone = Step(members={me.user_id: {"left_at": now}})
    if me.role == "candidate":
        text = (
            f"🚪 You ended solo round #{r.id}."
            if r.solo
            else f"🚪 {who}, the candidate, left: mock round #{r.id} ends here. No scores are kept."
        )
        await steps.close(svc, r, "ended", text, gone)
        return Reply(f"You left mock round #{r.id}; it has ended.")
    if me.role == "observer":
        await ms.advance(r.tenant, r.id, expect={"status": r.status}, values={}, step=gone, now=now)
        return Reply(f"You left mock round #{r.id}.")
    return await _panel_leaves(svc, r, members, me, gone)


async def _panel_leaves(
    svc: Services, r: Round, members: list[Member], me: Member, step: Step
) -> Reply:
    """An interviewer or the Bar Raiser leaves: their questions go to the rest of the panel
    (with the brief), unscored ones stay unscored, and no panel left ends the round."""
    ms = store_of(svc)
    now = svc.clock.now()
    who = name(me.user_name)
    others = [m for m in steps.panel_of(members) if m.user_id != me.user_id]
    if not others and r.status != "decision":  # past the debrief, the scorecard still goes
        await steps.close(
            svc,
            r,
            "ended",
            f"🚪 {who} left and no interviewer remains: mock round #{r.id} ends here.",
            step,
        )
        return Reply(f"You left mock round #{r.id}; it has ended.")
    pack = svc.pack(r.pack_id)
    slots = await ms.slots(r.tenant, r.id)
    notes = []
    if r.status == "running":
        mine = [s for s in slots if s.asker_id == me.user_id and s.position >= r.current]
        for i, s in enumerate(mine):
            to = others[i % len(others)]
            step.slots[s.position] = {"asker_id": to.user_id, "asker_name": to.user_name}
            moved = steps.slot_of(r, _replan(s, to))
            q = pack.question(s.question_id) if pack else None
            notes.append(
                f"question {s.position + 1} ({render.label(pack, s, q)}) goes to {name(to.user_name)}"
            )
            if pack is not None:
                step.out = [
                    *step.out,
                    steps.to_user(
                        to,
                        steps.once(f"brief:{s.position}"),
                        steps.brief_for(pack, r, moved, members, None),
                    ),
                ]
    elif r.status == "scoring":
        for s in slots:
            if s.asker_id == me.user_id and not s.done:
                step.slots[s.position] = {"done": True}
                notes.append(f"question {s.position + 1} stays unscored")
    text = f"🚪 {who} left the panel" + (f"; {'; '.join(notes)}." if notes else ".")
    step.out = [steps.thread(steps.once("left"), text), *step.out]
    if not await ms.advance(
        r.tenant,
        r.id,
        expect={"status": r.status, "current": r.current},
        values={"last_activity_at": now},
        step=step,
        now=now,
    ):
        return Reply("The round moved on meanwhile; press Leave again.")
    await steps.flush(svc, r.id)
    if r.status == "scoring":
        await steps.maybe_debrief(svc, r.tenant, r.id)
    elif r.status == "decision" and me.role == "bar_raiser":
        fresh = await ms.round(r.tenant, r.id)
        if fresh is not None:
            await steps.finish(svc, fresh, vetoed=False)
    return Reply(f"You left mock round #{r.id}.")


def _replan(s: Slot, to: Member) -> Planned:
    return Planned(
        s.position, s.kind, s.question_id, s.principle_id, Seat(to.user_id, to.user_name)
    )
