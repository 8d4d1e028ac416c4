"""Which question a member drills next.

Due cards first, most overdue first. Then questions the member has never answered, ranked
towards the phase of their preparation (their own /prep date, else the channel's cohort
date) and towards their weakest topics and principles. Never a question served to them
today (so never the one they just skipped), never a retired one. With nothing due and
nothing new, the card due soonest is offered early.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import mean

from bot.content import Pack
from bot.content.schema import Kind, Phase, Question
from bot.storage.drill_store import Card

DRILLABLE = (Kind.technical, Kind.behavioral)
# A tag whose cards average below this (on 1-4) counts as weak.
WEAK_BELOW = 2.75


@dataclass(frozen=True, slots=True)
class Filters:
    topic: str | None = None
    principle: str | None = None
    kind: str | None = None
    difficulty: str | None = None
    due_only: bool = False

    def as_dict(self) -> dict[str, str | bool]:
        return {k: v for k in self.__slots__ if (v := getattr(self, k)) not in (None, False)}

    @staticmethod
    def from_dict(values: dict[str, object]) -> Filters:
        return Filters(
            topic=_str(values.get("topic")),
            principle=_str(values.get("principle")),
            kind=_str(values.get("kind")),
            difficulty=_str(values.get("difficulty")),
            due_only=bool(values.get("due_only")),
        )

    def describe(self) -> str:
        parts = [f"{k.replace('_only', '')}: {v}" for k, v in self.as_dict().items()]
        return ", ".join(parts)


def _str(value: object) -> str | None:
    return str(value) if value else None


@dataclass(frozen=True, slots=True)
class Pick:
    question: Question
    card: Card | None
    why: str  # "due", "new" or "early"


def tags(q: Question) -> tuple[str, ...]:
    return (*q.topics, *q.principles)


def drillable(pack: Pack, f: Filters) -> list[Question]:
    """The pack's questions that fit the member's options."""
    out = []
    for q in pack.questions:
        if q.retired or q.kind not in DRILLABLE:
            continue
        if f.kind and q.kind.value != f.kind:
            continue
        if f.difficulty and q.difficulty.value != f.difficulty:
            continue
        if f.topic and f.topic not in q.topics:
            continue
        if f.principle and f.principle not in q.principles:
            continue
        out.append(q)
    return out


def weakness(pack: Pack, cards: Iterable[Card]) -> dict[str, float]:
    """Mean latest score per topic and principle over the member's reviewed cards."""
    scores: dict[str, list[float]] = defaultdict(list)
    for c in cards:
        q = pack.question(c.question_id)
        if q is None or c.last_score is None:
            continue
        for t in tags(q):
            scores[t].append(c.last_score)
    return {t: mean(v) for t, v in scores.items()}


def choose(
    pack: Pack,
    candidates: Sequence[Question],
    cards: Sequence[Card],
    *,
    served_today: set[str],
    phase: Phase | None,
    now: datetime,
    due_only: bool,
    salt: str,
) -> Pick | None:
    by_id = {c.question_id: c for c in cards}
    open_ = [q for q in candidates if q.id not in served_today]
    due = sorted(
        (q for q in open_ if (c := by_id.get(q.id)) is not None and c.due <= now),
        key=lambda q: (by_id[q.id].due, q.id),
    )
    if due:
        return Pick(due[0], by_id[due[0].id], "due")
    if due_only:
        return None
    new = [q for q in open_ if q.id not in by_id]
    if new:
        weak = weakness(pack, cards)
        best = max(new, key=lambda q: (_rank(q, phase, weak), _spread(salt, q.id)))
        return Pick(best, None, "new")
    later = sorted((q for q in open_ if q.id in by_id), key=lambda q: (by_id[q.id].due, q.id))
    return Pick(later[0], by_id[later[0].id], "early") if later else None


def _rank(q: Question, phase: Phase | None, weak: dict[str, float]) -> float:
    """Higher first: the phase's questions, then those on the member's weakest tags."""
    rank = 0.0
    if phase is not None:
        rank += 1.0 if phase.id in q.phases else 0.0
        rank += 0.5 if q.kind in phase.serves else 0.0
    gaps = [WEAK_BELOW - weak[t] for t in tags(q) if t in weak and weak[t] < WEAK_BELOW]
    # A weak tag outweighs the phase: practising what fails is the point of drilling.
    return rank + (2.0 + max(gaps) if gaps else 0.0)


def _spread(salt: str, question_id: str) -> bytes:
    # Members with the same history do not all get the same next question.
    return hashlib.sha1(f"{salt}:{question_id}".encode()).digest()
