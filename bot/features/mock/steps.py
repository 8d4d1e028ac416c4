"""The steps of a round. Each is one transaction (the round moves on only from the state
the step expects, and its messages are written as outbox rows with it); `flush` sends
the outbox afterwards. A restart sends what was written and not yet sent, with the same
nonce, and never runs a step twice."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from datetime import datetime, timedelta

from bot.content import Pack
from bot.domain import (
    Button,
    ButtonStyle,
    ChannelRef,
    DeliveryRefused,
    Destination,
    MessageRef,
    Outgoing,
    UserRef,
)
from bot.features.mock import plan, render
from bot.features.mock.render import name
from bot.services import Services
from bot.storage.mock_store import Member, MockStore, Out, OutRow, Round, Slot, Step
from bot.text import shorten

log = logging.getLogger(__name__)

PREFIX = "mock"
WARN_BEFORE = timedelta(minutes=1)
DECIDE_WITHIN = timedelta(minutes=30)
RETRY_AFTER = timedelta(minutes=1)
MAX_ATTEMPTS = 5
SCORE_BUTTONS = (
    (4, ButtonStyle.primary),
    (3, ButtonStyle.primary),
    (2, ButtonStyle.secondary),
    (1, ButtonStyle.danger),
)


def store_of(svc: Services) -> MockStore:
    return MockStore(svc.store.engine)


def cid(action: str, rid: int, *args: object) -> str:
    return ":".join([PREFIX, action, str(rid), *map(str, args)])


def once(tag: str) -> str:
    """An outbox key for a step that may happen more than once (a join, a reassignment)."""
    return f"{tag}:{uuid.uuid4().hex[:12]}"


def signup_buttons(rid: int) -> tuple[Button, ...]:
    return (
        Button(cid("join", rid, "candidate"), "Candidate"),
        Button(cid("join", rid, "interviewer"), "Interviewer"),
        Button(cid("join", rid, "bar_raiser"), "Bar Raiser"),
        Button(cid("join", rid, "observer"), "Observer", ButtonStyle.secondary),
        Button(cid("leave", rid), "Leave", ButtonStyle.secondary),
        Button(cid("start", rid), "Start", ButtonStyle.primary),
    )


def present(members: list[Member], role: str | None = None) -> list[Member]:
    return [m for m in members if m.present and (role is None or m.role == role)]


def candidate_of(members: list[Member]) -> Member | None:
    return next(iter(present(members, "candidate")), None)


def bar_raiser_of(members: list[Member]) -> Member | None:
    return next(iter(present(members, "bar_raiser")), None)


def panel_of(members: list[Member]) -> list[Member]:
    return present(members, "interviewer") + present(members, "bar_raiser")


def missing_roles(members: list[Member]) -> str:
    gaps = []
    if candidate_of(members) is None:
        gaps.append("a candidate (nobody has pressed Candidate)")
    if not present(members, "interviewer"):
        gaps.append("at least one interviewer (nobody has pressed Interviewer)")
    return " and ".join(gaps)


def to_user(m: Member | Slot, key: str, text: str, buttons: tuple[Button, ...] = ()) -> Out:
    if isinstance(m, Slot):
        return Out(key, "user", text, m.asker_id, m.asker_name, buttons)
    return Out(key, "user", text, m.user_id, m.user_name, buttons)


def thread(key: str, text: str, ping: tuple[Member | Slot, ...] = ()) -> Out:
    """A message in the round's thread, pinging `ping` (and nobody else)."""
    mentions = tuple(
        (p.asker_id, p.asker_name) if isinstance(p, Slot) else (p.user_id, p.user_name)
        for p in ping
    )
    return Out(key, "thread", text, mentions=mentions)


def slot_of(r: Round, p: plan.Planned) -> Slot:
    return Slot(
        r.id,
        p.position,
        r.tenant,
        p.kind,
        p.question_id,
        p.principle_id,
        p.asker.user_id,
        p.asker.name,
        None,
        None,
        False,
        None,
        None,
    )


def brief_for(pack: Pack, r: Round, slot: Slot, members: list[Member], listen: str | None) -> str:
    q = pack.question(slot.question_id)
    br = bar_raiser_of(members)
    if q is None:
        return f"Question {slot.position + 1} of round #{r.id} is no longer in the pack."
    return render.brief(
        pack, r, slot, q, bar_raiser=br is not None and br.user_id == slot.asker_id, listen=listen
    )


def announce(pack: Pack | None, r: Round, slot: Slot, ends: datetime) -> str:
    q = pack.question(slot.question_id) if pack else None
    return render.announce(pack, r, slot, q, ends)


# -- starting ---------------------------------------------------------------------------


async def begin(svc: Services, r: Round) -> bool:
    """Signup -> running: the plan, every interviewer's brief, the first question."""
    ms = store_of(svc)
    members = await ms.members(r.tenant, r.id)
    pack = svc.pack(r.pack_id)
    cand = candidate_of(members)
    if pack is None or cand is None:
        return False
    now = svc.clock.now()
    seats = [plan.Seat(m.user_id, m.user_name, m.role == "bar_raiser") for m in panel_of(members)]
    answered = await ms.answered_questions(r.tenant, cand.user_id)
    seed = f"{r.tenant}/{r.id}"
    planned = plan.plan(pack, r.format, r.questions, seats, answered, seed)
    listen = plan.listen_for(pack, seats, planned, seed)
    slots = [slot_of(r, p) for p in planned]
    ends = now + timedelta(minutes=r.minutes)
    out = [
        to_user(s, f"brief:{s.position}", brief_for(pack, r, s, members, listen.get(s.asker_id)))
        for s in slots
    ]
    out.append(thread("begin", _begin_text(pack, r, members, slots, listen), (cand,)))
    out.append(thread("q0:ask", announce(pack, r, slots[0], ends), (slots[0],)))
    step = Step(new_slots=[_slot_values(s) for s in slots], out=out)
    values = {
        "status": "running",
        "current": 0,
        "stage": 0,
        "ends_at": ends,
        "warned": False,
        "start_at": None,
        "last_activity_at": now,
    }
    done = await ms.advance(
        r.tenant, r.id, expect={"status": "signup"}, values=values, step=step, now=now
    )
    await flush(svc, r.id)
    return done


def _slot_values(s: Slot) -> dict[str, object]:
    return {
        "position": s.position,
        "kind": s.kind,
        "question_id": s.question_id,
        "principle_id": s.principle_id,
        "asker_id": s.asker_id,
        "asker_name": s.asker_name,
    }


def _begin_text(
    pack: Pack, r: Round, members: list[Member], slots: list[Slot], listen: dict[str, str]
) -> str:
    cand = candidate_of(members)
    parts = []
    for m in panel_of(members):
        labels = [
            render.label(pack, s, pack.question(s.question_id))
            for s in slots
            if s.asker_id == m.user_id
        ]
        if m.user_id in listen and (p := pack.principle(listen[m.user_id])):
            labels.append(f"listening for {p.name}")
        who = f"Bar Raiser {name(m.user_name)}" if m.role == "bar_raiser" else name(m.user_name)
        extra = "; may probe any principle" if m.role == "bar_raiser" else ""
        parts.append(f"{who} ({', '.join(labels) or 'no question'}{extra})")
    observers = ", ".join(name(m.user_name) for m in present(members, "observer")) or "none"
    return (
        f"▶️ Mock round #{r.id} begins. Candidate: {name(cand.user_name if cand else '?')}.\n"
        f"Panel: {'; '.join(parts)}.\nObservers: {observers}.\n"
        f"{r.questions} question(s) × {r.minutes} min, with a warning one minute before each "
        "ends. Interviewers have their briefs privately; the candidate answers here."
    )


# -- timers -----------------------------------------------------------------------------


async def warn(svc: Services, r: Round) -> bool:
    now = svc.clock.now()
    text = f"⏳ One minute left on question {r.current + 1} of {r.questions}."
    out = await _to_round(svc, r, f"q{r.current}:warn", text)
    return await store_of(svc).advance(
        r.tenant,
        r.id,
        expect={"status": "running", "current": r.current, "warned": False},
        values={"warned": True},
        step=Step(out=[out]),
        now=now,
    )


async def _to_round(svc: Services, r: Round, key: str, text: str) -> Out:
    """The thread of a group round; the candidate, privately, in a solo one."""
    if not r.solo:
        return thread(key, text)
    cand = candidate_of(await store_of(svc).members(r.tenant, r.id))
    assert cand is not None
    return to_user(cand, key, text)


def next_end(r: Round, now: datetime) -> datetime:
    """The next question's end: on the minute the last one ended, unless the bot was down."""
    base = r.ends_at if r.ends_at is not None and now - r.ends_at < WARN_BEFORE else now
    return base + timedelta(minutes=r.minutes)


async def end_question(svc: Services, r: Round) -> bool:
    """Time's up on the current question: the next one, or (after the last) scoring."""
    from bot.features.mock import solo  # solo's question messages carry its Answer button

    if r.solo:
        return await solo.time_up(svc, r)
    ms = store_of(svc)
    now = svc.clock.now()
    slots = await ms.slots(r.tenant, r.id)
    c = r.current
    expect = {"status": "running", "current": c}
    if c + 1 < len(slots):
        ends = next_end(r, now)
        text = f"⏰ Time's up on question {c + 1}: next question.\n" + announce(
            svc.pack(r.pack_id), r, slots[c + 1], ends
        )
        values = {"current": c + 1, "ends_at": ends, "warned": False}
        done = await ms.advance(
            r.tenant,
            r.id,
            expect=expect,
            values=values,
            step=Step(out=[thread(f"q{c}:end", text, (slots[c + 1],))]),
            now=now,
        )
    else:
        done = await _to_scoring(svc, r, slots, now)
    await flush(svc, r.id)
    return done


async def _to_scoring(svc: Services, r: Round, slots: list[Slot], now: datetime) -> bool:
    ms = store_of(svc)
    members = await ms.members(r.tenant, r.id)
    cand = candidate_of(members)
    pack = svc.pack(r.pack_id)
    out = [
        thread(
            f"q{r.current}:end",
            f"⏰ Time's up: that was the last question. The panel now scores privately; "
            f"{name(cand.user_name if cand else 'the candidate')} gets a scorecard after the debrief.",
        )
    ]
    for s in slots:
        q = pack.question(s.question_id) if pack else None
        text = (
            f"🗳️ Score question {s.position + 1} of {r.questions} · {render.label(pack, s, q)} · "
            f"mock round #{r.id}, candidate {name(cand.user_name if cand else '?')}\n"
            + (f"“{shorten(q.prompt, 160)}”\n" if q else "")
            + "Press a score; a form for your comment follows. Only the panel sees it before "
            "the debrief."
        )
        buttons = tuple(
            Button(cid("score", r.id, s.position, v), render.SCORE_WORDS[v], style)
            for v, style in SCORE_BUTTONS
        )
        out.append(to_user(s, f"score:{s.position}", text, buttons))
    values = {"status": "scoring", "ends_at": None, "last_activity_at": now}
    return await ms.advance(
        r.tenant,
        r.id,
        expect={"status": "running", "current": r.current},
        values=values,
        step=Step(out=out),
        now=now,
    )


# -- the debrief and the end ------------------------------------------------------------


async def maybe_debrief(svc: Services, tenant: str, rid: int) -> None:
    """Once every question is scored (or its interviewer left): the debrief to the panel,
    and the scorecard at once when there is no Bar Raiser to decide."""
    ms = store_of(svc)
    r = await ms.round(tenant, rid)
    if r is None or r.status != "scoring":
        return
    slots = await ms.slots(tenant, rid)
    if not all(s.done for s in slots):
        return
    members = await ms.members(tenant, rid)
    pack = svc.pack(r.pack_id)
    now = svc.clock.now()
    outcome = render.outcome_of(slots)
    br = bar_raiser_of(members)
    decided = dataclasses.replace(r, outcome=outcome)
    out: list[Out] = []
    for m in panel_of(members):
        is_br = br is not None and m.user_id == br.user_id
        text = render.debrief(pack, decided, slots, bar_raiser=is_br, has_br=br is not None)
        buttons = (
            (
                Button(cid("agree", rid), "Agree"),
                Button(cid("veto", rid), "Veto", ButtonStyle.danger),
            )
            if is_br
            else ()
        )
        out.append(to_user(m, f"debrief:{m.user_id}", text, buttons))
    if br is not None:
        values = {
            "status": "decision",
            "outcome": outcome,
            "decide_by": now + DECIDE_WITHIN,
            "last_activity_at": now,
        }
    else:
        out += await _ending(svc, decided, members, slots)
        values = {"status": "done", "outcome": outcome, "finished_at": now}
    await ms.advance(
        tenant, rid, expect={"status": "scoring"}, values=values, step=Step(out=out), now=now
    )
    await flush(svc, rid)


async def _ending(svc: Services, r: Round, members: list[Member], slots: list[Slot]) -> list[Out]:
    pack = svc.pack(r.pack_id)
    cand = candidate_of(members)
    out = []
    if cand is not None:
        out.append(to_user(cand, "scorecard", render.scorecard(pack, r, slots)))
    if not r.solo:
        nxt = await next_candidate(svc, r, members)
        tail = (
            f" Next in the rotation: /mock next makes {name(nxt.user_name)} the candidate."
            if nxt
            else " Everyone in this line-up has been the candidate."
        )
        out.append(
            thread(
                "over",
                f"✅ Mock round #{r.id} is over: "
                f"{name(cand.user_name if cand else 'the candidate')} has their scorecard "
                f"privately.{tail}",
            )
        )
    return out


async def finish(svc: Services, r: Round, *, vetoed: bool, note: str = "") -> bool:
    """Decision -> done: the candidate's scorecard."""
    ms = store_of(svc)
    now = svc.clock.now()
    members = await ms.members(r.tenant, r.id)
    slots = await ms.slots(r.tenant, r.id)
    ended = dataclasses.replace(r, vetoed=vetoed, outcome=2 if vetoed else r.outcome)
    out = await _ending(svc, ended, members, slots)
    if note:
        out.insert(0, thread("decision-note", note))
    values = {"status": "done", "vetoed": vetoed, "outcome": ended.outcome, "finished_at": now}
    done = await ms.advance(
        r.tenant, r.id, expect={"status": "decision"}, values=values, step=Step(out=out), now=now
    )
    await flush(svc, r.id)
    return done


async def next_candidate(svc: Services, r: Round, members: list[Member]) -> Member | None:
    """Who is candidate next: the first in sign-up order who has not been one yet."""
    been = set()
    for past in await store_of(svc).series(r.tenant, r.id):
        cand = candidate_of(await store_of(svc).members(r.tenant, past.id))
        if cand is not None:
            been.add(cand.user_id)
    return next((m for m in present(members) if m.user_id not in been), None)


async def close(svc: Services, r: Round, status: str, text: str, step: Step | None = None) -> bool:
    """End a round early (abandoned, cancelled, the candidate left) with a message."""
    step = step or Step()
    step.out = [*step.out, await _to_round(svc, r, f"closed:{status}", text)]
    now = svc.clock.now()
    done = await store_of(svc).advance(
        r.tenant,
        r.id,
        expect={"status": r.status, "current": r.current},
        values={"status": status, "finished_at": now, "ends_at": None},
        step=step,
        now=now,
    )
    await flush(svc, r.id)
    return done


# -- sending the outbox -----------------------------------------------------------------


async def flush(svc: Services, round_id: int | None = None) -> None:
    """Send what the steps wrote, in order, each message claimed first so two processes
    never send the same one; a send that fails is tried again later, and the round's
    later messages wait behind it so the thread keeps its order."""
    ms = store_of(svc)
    blocked: set[int] = set()
    for row in await ms.unsent(round_id):
        if row.round_id in blocked or not svc.tuning.owns_tenant(row.tenant):
            continue
        r = await ms.round(row.tenant, row.round_id)
        now = svc.clock.now()
        if r is None or not await ms.claim_out(row.id, now=now, lease_until=now + svc.tuning.lease):
            blocked.add(row.round_id)
            continue
        try:
            ref = await _send(svc, r, row)
        except DeliveryRefused:
            log.warning("mock message refused", extra={"round": row.round_id, "key": row.key})
            await ms.retry_later(row, now, give_up=True)
            continue
        except Exception:
            log.exception("mock message failed", extra={"round": row.round_id, "key": row.key})
            await ms.retry_later(row, now + RETRY_AFTER, give_up=row.attempts + 1 >= MAX_ATTEMPTS)
            blocked.add(row.round_id)
            continue
        await ms.sent(row, ref.message_id, ref.thread_id, svc.clock.now())


async def _send(svc: Services, r: Round, row: OutRow) -> MessageRef:
    """One outbox row, in as many messages as the platform's length limit asks (a long
    brief or scorecard on Discord); each part has a nonce of its own, so a retry after a
    crash re-sends none of the parts that went out. Buttons go on the last part."""
    caps = svc.chat.capabilities
    pieces = parts(row.text, caps.max_message_length)
    first: MessageRef | None = None
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        message = Outgoing(
            piece,
            buttons=row.buttons if caps.buttons and last else (),
            thread_name=row.thread_name if caps.threads and i == 0 else None,
            mentions=tuple(UserRef(r.tenant, u, n) for u, n in row.mentions) if i == 0 else (),
            nonce=f"mock-{row.round_id}-{row.id}" + (f"-{i}" if i else ""),
        )
        ref = await svc.chat.send(_destination(svc, r, row), message)
        first = first or ref
    assert first is not None
    return first


def parts(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut between lines where it can be."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # one line longer than a whole message: cut it
            if current:
                out.append(current)
                current = ""
            out.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            out.append(current)
            current = line
        else:
            current = candidate
    out.append(current)
    return [p for p in out if p.strip()] or [text[:limit]]


def _destination(svc: Services, r: Round, row: OutRow) -> Destination:
    if row.dest == "user":
        return Destination.to_user(UserRef(r.tenant, row.user_id or "", row.user_name or ""))
    channel = ChannelRef(r.tenant, r.channel_id or "")
    if row.dest == "thread" and r.thread_id and svc.chat.capabilities.threads:
        return Destination.to_thread(channel, r.thread_id)
    return Destination.to_channel(channel)
