"""Who asks what in a round, like a real loop: each interviewer assesses Leadership
Principles (none twice across the panel), the Bar Raiser takes one of the hardest, and
technical formats draw technical questions; questions the candidate already answered in
this tenant are left out while fresh ones remain. Pure: the same inputs, the same plan."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.content import Pack
from bot.content.schema import Difficulty, Kind, Question

FORMATS = ("behavioral", "technical", "loop")


@dataclass(frozen=True, slots=True)
class Seat:
    user_id: str
    name: str
    bar_raiser: bool = False


@dataclass(frozen=True, slots=True)
class Planned:
    position: int
    kind: str
    question_id: str
    principle_id: str | None
    asker: Seat


def kinds_for(fmt: str, n: int) -> list[str]:
    if fmt == "behavioral":
        return ["behavioral"] * n
    if fmt == "technical":
        return ["technical"] * n
    return ["behavioral" if i % 2 == 0 else "technical" for i in range(n)]


def askers_for(kinds: list[str], panel: list[Seat]) -> list[Seat]:
    """Round-robin over the panel, with the Bar Raiser moved onto a behavioral question
    when the format has one (a Bar Raiser probes a principle)."""
    askers = [panel[i % len(panel)] for i in range(len(kinds))]
    br = next((s for s in panel if s.bar_raiser), None)
    if br is None or "behavioral" not in kinds:
        return askers
    mine = [i for i, a in enumerate(askers) if a == br]
    if any(kinds[i] == "behavioral" for i in mine) or not mine:
        return askers
    swap = next(i for i, k in enumerate(kinds) if k == "behavioral")
    askers[mine[0]], askers[swap] = askers[swap], askers[mine[0]]
    return askers


def hard_principles(pack: Pack) -> list[str]:
    """Principles with a hard behavioral question: the ones a Bar Raiser takes."""
    return sorted(
        {
            p
            for q in pack.questions
            if q.kind == Kind.behavioral and q.difficulty == Difficulty.hard and not q.retired
            for p in q.principles
        }
    )


def assign_principles(
    pack: Pack, panel: list[Seat], wanted: dict[str, int], rng: random.Random
) -> dict[str, list[str]]:
    """`wanted[user]` principles per panel seat, none twice; the Bar Raiser's first."""
    pool = [p.id for p in pack.info.principles]
    rng.shuffle(pool)
    hard = [p for p in pool if p in set(hard_principles(pack))]
    out: dict[str, list[str]] = {s.user_id: [] for s in panel}
    taken: set[str] = set()
    order = sorted(panel, key=lambda s: not s.bar_raiser)
    for seat in order:
        for n in range(wanted.get(seat.user_id, 1)):
            source = hard if seat.bar_raiser and n == 0 else pool
            pick = next((p for p in source if p not in taken), None)
            pick = pick or next((p for p in pool if p not in taken), None)
            if pick is None:
                pick = rng.choice(pool)  # more questions than principles: repeats unavoidable
            taken.add(pick)
            out[seat.user_id].append(pick)
    return out


def plan(
    pack: Pack, fmt: str, n: int, panel: list[Seat], answered: set[str], seed: str
) -> list[Planned]:
    rng = random.Random(seed)
    kinds = kinds_for(fmt, n)
    askers = askers_for(kinds, panel)
    wanted = {s.user_id: 0 for s in panel}
    for kind, seat in zip(kinds, askers, strict=True):
        wanted[seat.user_id] += kind == "behavioral"
    principles = assign_principles(pack, panel, {k: max(v, 1) for k, v in wanted.items()}, rng)
    used: set[str] = set()
    topics: set[str] = set()
    out: list[Planned] = []
    next_principle = {s.user_id: 0 for s in panel}
    for i, (kind, seat) in enumerate(zip(kinds, askers, strict=True)):
        if kind == "behavioral":
            pid = principles[seat.user_id][next_principle[seat.user_id]]
            next_principle[seat.user_id] += 1
            q = _behavioral(pack, pid, seat.bar_raiser, answered, used, rng)
        else:
            pid = None
            q = _technical(pack, answered, used, topics, rng)
            topics.update(q.topics)
        used.add(q.id)
        out.append(Planned(i, kind, q.id, pid, seat))
    return out


def listen_for(pack: Pack, panel: list[Seat], planned: list[Planned], seed: str) -> dict[str, str]:
    """A principle for each panel member who asks only technical questions, to listen for
    alongside (an Amazon interviewer always assesses principles)."""
    behavioral = {p.asker.user_id for p in planned if p.principle_id}
    taken = {p.principle_id for p in planned if p.principle_id}
    rng = random.Random(seed + "/listen")
    pool = [p.id for p in pack.info.principles if p.id not in taken]
    rng.shuffle(pool)
    out: dict[str, str] = {}
    for seat in panel:
        if seat.user_id not in behavioral and pool:
            out[seat.user_id] = pool.pop(0)
    return out


def _fresh(questions: list[Question], answered: set[str], used: set[str]) -> list[Question]:
    unused = [q for q in questions if q.id not in used]
    fresh = [q for q in unused if q.id not in answered]
    return fresh or unused or questions


def _behavioral(
    pack: Pack,
    principle: str,
    bar_raiser: bool,
    answered: set[str],
    used: set[str],
    rng: random.Random,
) -> Question:
    all_b = [q for q in pack.questions if q.kind == Kind.behavioral and not q.retired]
    mine = [q for q in all_b if principle in q.principles] or all_b
    options = _fresh(mine, answered, used)
    if bar_raiser:
        hard = [q for q in options if q.difficulty == Difficulty.hard]
        options = hard or options
    return rng.choice(options)


def _technical(
    pack: Pack, answered: set[str], used: set[str], topics: set[str], rng: random.Random
) -> Question:
    all_t = [q for q in pack.questions if q.kind == Kind.technical and not q.retired]
    options = _fresh(all_t, answered, used)
    new_topic = [q for q in options if not set(q.topics) & topics]
    return rng.choice(new_topic or options)
