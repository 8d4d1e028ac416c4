"""Which question a channel gets next: by phase, never repeating until the pack is used up."""

from __future__ import annotations

import hashlib
from datetime import date

from bot.content import Pack
from bot.content.schema import Kind, Phase, Question

# With no interview date (or one too far out), the daily post alternates these.
ROTATION = (Kind.technical, Kind.behavioral)


def phase_on(pack: Pack, cohort_date: date | None, day: date) -> tuple[Phase | None, int | None]:
    """The phase a day falls in for a cohort interviewing on `cohort_date`, and days to go."""
    if cohort_date is None:
        return None, None
    days = (cohort_date - day).days
    return pack.phase_for(days), days


def choose_question(
    pack: Pack, uses: dict[str, int], posted: int, phase: Phase | None, salt: str
) -> Question:
    """The next question for a channel.

    `uses` counts how often each question was posted in the channel: only the least used
    are candidates, so nothing repeats before every question has had its turn. Among
    them the phase decides the kinds (taken in turn), and a per-channel hash decides the
    order, so two channels do not march through the pack in lockstep.
    """
    live = [q for q in pack.questions if not q.retired] or pack.questions
    least = min(uses.get(q.id, 0) for q in live)
    fresh = [q for q in live if uses.get(q.id, 0) == least]
    kinds = tuple(phase.serves) if phase else ROTATION
    pool = (
        [q for q in fresh if q.kind in kinds and (phase is None or phase.id in q.phases)]
        or [q for q in fresh if q.kind in kinds]
        or fresh
    )
    wanted = kinds[posted % len(kinds)]
    pool = [q for q in pool if q.kind == wanted] or pool
    return min(pool, key=lambda q: hashlib.sha1(f"{salt}:{q.id}".encode()).digest())
