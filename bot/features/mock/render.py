"""The texts of a round: the sign-up, the interviewer's brief, the debrief, the scorecard."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from statistics import mean

from bot.content import Pack
from bot.content.schema import Question
from bot.storage.mock_store import Member, Round, Slot
from bot.text import defang, shorten

SCORE_WORDS = {4: "Strong Hire", 3: "Hire", 2: "No Hire", 1: "Strong No Hire"}
ROLE_WORDS = {
    "candidate": "Candidate",
    "interviewer": "Interviewer",
    "bar_raiser": "Bar Raiser",
    "observer": "Observer",
}


def name(text: str) -> str:
    return defang(text)


def hhmm(when: datetime) -> str:
    return f"{when:%H:%M} UTC"


def lineup(members: list[Member]) -> str:
    here = [m for m in members if m.present]

    def of(role: str) -> str:
        return ", ".join(name(m.user_name) for m in here if m.role == role) or "—"

    return (
        f"Candidate: {of('candidate')} · Interviewers: {of('interviewer')} · "
        f"Bar Raiser: {of('bar_raiser')} · Observers: {of('observer')}"
    )


def signup(
    rid: int,
    fmt: str,
    n: int,
    minutes: int,
    organiser: str,
    when: datetime | None,
    reserved: str | None,
) -> str:
    start = (
        f"It starts at {hhmm(when)} if a candidate and an interviewer have signed up, "
        f"or when {name(organiser)} presses Start."
        if when
        else f"{name(organiser)} presses Start once a candidate and an interviewer have signed up."
    )
    kept = f"\nThe candidate seat is kept for {name(reserved)}." if reserved else ""
    return (
        f"🎤 Mock round #{rid} · {fmt} · {n} question(s) × {minutes} min · "
        f"organised by {name(organiser)}\n"
        "Roles: Candidate (one) · Interviewer (one or more) · Bar Raiser (at most one) · "
        f"Observer.\nPress a role to sign up. {start}{kept}\n"
        "The round runs in this message's thread."
    )


def label(pack: Pack | None, slot: Slot, q: Question | None) -> str:
    if slot.principle_id:
        p = pack.principle(slot.principle_id) if pack else None
        return p.name if p else slot.principle_id
    topics = ", ".join(q.topics[:2]) if q and q.topics else "technical"
    return f"Technical: {topics}"


def brief(
    pack: Pack,
    r: Round,
    slot: Slot,
    q: Question,
    *,
    bar_raiser: bool,
    listen: str | None,
) -> str:
    lines = [
        f"📋 Your brief · mock round #{r.id} · question {slot.position + 1} of {r.questions} · "
        f"{label(pack, slot, q)}",
        "Private to you: ask it in the round's thread when its turn comes.",
        "",
        f"Ask: {q.prompt}",
    ]
    if q.rubric:
        lines += ["", "Key points:", *(f"• {k.point}" for k in q.rubric)]
    signals = list(q.strong_signals)
    principle = pack.principle(slot.principle_id) if slot.principle_id else None
    if principle:
        signals = [*principle.signals, *signals]
    if signals:
        lines += ["", "Signals of a strong answer:", *(f"• {s}" for s in signals)]
    if q.red_flags:
        lines += ["", "Red flags:", *(f"• {f.claim}" for f in q.red_flags)]
    if q.follow_ups:
        lines += ["", "Follow-ups:", *(f"• {f}" for f in q.follow_ups)]
    if listen:
        p = pack.principle(listen)
        lines += ["", f"Also listen for: {p.name if p else listen}."]
    if bar_raiser:
        lines += [
            "",
            "You are the Bar Raiser: you may probe any principle, and you may veto at the debrief.",
        ]
    return "\n".join(lines)


def announce(pack: Pack | None, r: Round, slot: Slot, q: Question | None, ends: datetime) -> str:
    return (
        f"❓ Question {slot.position + 1} of {r.questions} · {name(slot.asker_name)} asks now · "
        f"{label(pack, slot, q)} · {r.minutes} min (until {hhmm(ends)})."
    )


def outcome_of(slots: list[Slot]) -> int:
    """The panel's outcome on the hire scale: the mean score, held down by any Strong No Hire."""
    scores = [s.score for s in slots if s.score is not None]
    if not scores:
        return 1
    avg = mean(scores)
    value = 4 if avg >= 3.5 else 3 if avg >= 2.5 else 2 if avg >= 1.5 else 1
    if 1 in scores:
        value = min(value, 2)
    return value


def per_question(pack: Pack | None, slots: list[Slot], *, solo: bool) -> list[str]:
    lines = []
    for s in slots:
        q = pack.question(s.question_id) if pack else None
        score = SCORE_WORDS.get(s.score or 0, "not scored")
        who = "" if solo else f" · asked by {name(s.asker_name)}"
        lines.append(f"{s.position + 1}. {label(pack, s, q)}{who} · {score}")
        if q:
            lines.append(f"   “{shorten(q.prompt, 200)}”")
        if s.comment:
            lines.append(f"   💬 {defang(shorten(s.comment, 400))}")
    return lines


def debrief(
    pack: Pack | None, r: Round, slots: list[Slot], *, bar_raiser: bool, has_br: bool
) -> str:
    outcome = outcome_of(slots)
    lines = [
        f"🗂️ Debrief · mock round #{r.id} (private to the panel)",
        *per_question(pack, slots, solo=False),
        "",
        f"Panel outcome: {SCORE_WORDS[outcome]}.",
    ]
    if bar_raiser:
        lines.append(
            "You are the Bar Raiser: press Agree to confirm, or Veto to make it No Hire. "
            "The candidate gets the scorecard after your decision."
        )
    elif has_br:
        lines.append("The candidate gets the scorecard once the Bar Raiser decides.")
    else:
        lines.append("The candidate has their scorecard now.")
    return "\n".join(lines)


def practise(pack: Pack | None, slots: list[Slot]) -> list[str]:
    """What to drill next: the weakest principles and topics of the round."""
    weak = sorted((s for s in slots if (s.score or 0) <= 2), key=lambda s: s.score or 0)
    if not weak:
        weak = sorted(slots, key=lambda s: s.score or 0)[:1]
    out: list[str] = []
    for s in weak:
        q = pack.question(s.question_id) if pack else None
        if s.principle_id:
            cmd = f"/drill principle:{s.principle_id}"
        elif q and q.topics:
            cmd = f"/drill topic:{q.topics[0]}"
        else:
            cmd = "/drill kind:technical"
        if cmd not in out:
            out.append(cmd)
    return out[:4]


def scorecard(pack: Pack | None, r: Round, slots: list[Slot]) -> str:
    outcome = 2 if r.vetoed else (r.outcome or outcome_of(slots))
    verdict = SCORE_WORDS[outcome]
    if r.vetoed:
        verdict += " (the Bar Raiser vetoed the panel's decision)"
    groups: dict[str, list[int]] = defaultdict(list)
    for s in slots:
        q = pack.question(s.question_id) if pack else None
        if s.score is not None:
            groups[label(pack, s, q)].append(s.score)
    lines = [
        f"📊 Your scorecard · mock round #{r.id} · {r.format}"
        + (" · solo" if r.solo else "")
        + f" · {r.questions} question(s)",
        f"Outcome: {verdict}.",
        "",
        "By principle and topic:",
        *(f"• {k}: {SCORE_WORDS[round(mean(v))]}" for k, v in groups.items()),
        "",
        "Per question:",
        *per_question(pack, slots, solo=r.solo),
        "",
        "Practise next: " + " · ".join(practise(pack, slots)),
    ]
    return "\n".join(lines)
