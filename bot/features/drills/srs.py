"""Scheduling drill cards with FSRS (the `fsrs` package).

A review's scores (1 to 4 per rubric dimension) become one FSRS rating by their mean:

    mean < 1.75 -> Again    (the answer missed most of what was asked)
    mean < 2.50 -> Hard
    mean < 3.25 -> Good
    otherwise   -> Easy     (a Bar Raiser would call it strong)

There are no same-day learning steps: an interview answer is not a flash card, and asking it
again ten minutes later only tests short-term memory. A failed card comes back the next day;
a strong one after a week or more.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from statistics import mean

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

from bot.domain import Review
from bot.storage.drill_store import Card, DrillStore

SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def mean_score(review: Review) -> float:
    return mean(review.scores.values()) if review.scores else 1.0


def rating_for(score: float) -> Rating:
    if score < 1.75:
        return Rating.Again
    if score < 2.5:
        return Rating.Hard
    if score < 3.25:
        return Rating.Good
    return Rating.Easy


def schedule(
    card: Card | None,
    *,
    tenant: str,
    user_id: str,
    question_id: str,
    pack_id: str,
    score: float,
    now: datetime,
) -> tuple[Card, Rating]:
    """The card after one review at `now` (a new card when the member had none)."""
    rating = rating_for(score)
    before = (
        FsrsCard(
            state=State(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
        )
        if card is not None
        else FsrsCard(due=now)
    )
    after, _log = SCHEDULER.review_card(before, rating, now)
    base = card or Card(
        tenant=tenant,
        user_id=user_id,
        question_id=question_id,
        pack_id=pack_id,
        state=int(State.Learning),
        step=0,
        stability=None,
        difficulty=None,
        due=now,
        last_review=None,
        reps=0,
        lapses=0,
        last_score=None,
    )
    lapsed = card is not None and card.reps > 0 and rating == Rating.Again
    return (
        replace(
            base,
            pack_id=pack_id,
            state=int(after.state),
            step=after.step,
            stability=after.stability,
            difficulty=after.difficulty,
            due=after.due,
            last_review=now,
            reps=base.reps + 1,
            lapses=base.lapses + (1 if lapsed else 0),
            last_score=round(score, 3),
        ),
        rating,
    )


async def record_review(
    store: DrillStore,
    *,
    tenant: str,
    user_id: str,
    question_id: str,
    pack_id: str,
    review: Review,
    source: str,
    now: datetime,
) -> Card:
    """Apply a reviewed answer (a drill's or the daily question's) to the member's card."""
    score = mean_score(review)
    card, rating = schedule(
        await store.card(tenant, user_id, question_id),
        tenant=tenant,
        user_id=user_id,
        question_id=question_id,
        pack_id=pack_id,
        score=score,
        now=now,
    )
    await store.save_review(card, rating=int(rating), score=score, source=source)
    return card
