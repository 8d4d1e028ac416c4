"""F8 storage: the read side of progress (streak days, scores, answer counts) over the
tables other features write, and the leaderboard's opt-in list.

Every query filters on tenant (and on member or channel), like the rest of the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Index,
    String,
    Table,
    and_,
    delete,
    func,
    insert,
    literal_column,
    select,
    true,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import ChannelRef
from bot.storage.drill_store import drill_log
from bot.storage.engine import writing
from bot.storage.tables import answers, metadata, posts, reviews
from bot.storage.types import UtcDateTime

# Members who said yes to being ranked in a channel's leaderboard. No row: not ranked.
leaderboard_members = Table(
    "leaderboard_members",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("channel_id", String(64), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("user_name", String(200), nullable=False),
    Column("joined_at", UtcDateTime, nullable=False),
)

# Streaks and the leaderboard read a channel's answers by member and by time.
Index("ix_answers_member_time", answers.c.tenant, answers.c.user_id, answers.c.created_at)
Index("ix_drill_log_member_time", drill_log.c.tenant, drill_log.c.user_id, drill_log.c.reviewed_at)


@dataclass(frozen=True, slots=True)
class Scored:
    """One reviewed answer (daily or drill): which question, its mean score, when."""

    question_id: str
    score: float
    at: datetime
    source: str


@dataclass(frozen=True, slots=True)
class Standing:
    user_id: str
    user_name: str
    answers: int
    average: float | None
    drills: int


@dataclass(frozen=True, slots=True)
class ExportRow:
    post_date: date
    question_id: str | None
    user_id: str
    user_name: str
    answered_at: datetime
    late: bool
    text: str
    reviewer: str | None
    scores: dict[str, int]


# A review's mean score: its stored `score`, or (for a row written without one) computed in
# the database from its JSON {"dimension": 1..4}. The leaderboard reads one row a member
# instead of every answer; each answer weighs the same; an answer without a review counts
# but has no score.
_MEAN_OF_SCORES = {
    "sqlite": "(SELECT avg(value) FROM json_each(reviews.scores))",
    "postgresql": "(SELECT avg(value::float) FROM json_each_text(reviews.scores::json))",
}


class ProgressStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    # -- a member's own progress ------------------------------------------------------

    async def posting_days(self, ref: ChannelRef) -> dict[date, bool]:
        """The days the bot posted in this channel, each with whether a post of that day is
        still open for answers. Paused, skipped or failed days are not here, so they never
        break a streak."""
        q = select(posts.c.local_date, posts.c.closed_at).where(
            posts.c.tenant == ref.tenant,
            posts.c.channel_id == ref.channel_id,
            posts.c.status == "sent",
        )
        days: dict[date, bool] = {}
        async with self.engine.connect() as conn:
            for day, closed_at in (await conn.execute(q)).all():
                days[day] = days.get(day, False) or closed_at is None
        return days

    async def answered_days(self, ref: ChannelRef, user_id: str) -> set[date]:
        """The posting days on which the member answered that day's question."""
        q = (
            select(posts.c.local_date)
            .join(answers, answers.c.post_id == posts.c.id)
            .where(
                answers.c.tenant == ref.tenant,
                answers.c.user_id == user_id,
                posts.c.tenant == ref.tenant,
                posts.c.channel_id == ref.channel_id,
            )
            .distinct()
        )
        async with self.engine.connect() as conn:
            return {r[0] for r in (await conn.execute(q)).all()}

    async def answer_count(self, tenant: str, user_id: str) -> int:
        q = (
            select(func.count())
            .select_from(answers)
            .where(answers.c.tenant == tenant, answers.c.user_id == user_id)
        )
        async with self.engine.connect() as conn:
            return int((await conn.execute(q)).scalar_one())

    async def scored(self, tenant: str, user_id: str) -> list[Scored]:
        """Every reviewed answer of the member, oldest first: drill answers and daily answers
        alike (the daily answer's AI review is logged on the question's drill card)."""
        q = (
            select(drill_log.c.question_id, drill_log.c.score, drill_log.c.reviewed_at, drill_log.c.source)
            .where(drill_log.c.tenant == tenant, drill_log.c.user_id == user_id)
            .order_by(drill_log.c.reviewed_at)
        )  # fmt: skip
        async with self.engine.connect() as conn:
            return [Scored(*r) for r in (await conn.execute(q)).all()]

    # -- the leaderboard --------------------------------------------------------------

    async def join(self, ref: ChannelRef, user_id: str, user_name: str, now: datetime) -> bool:
        try:
            async with writing(self.engine) as conn:
                await conn.execute(
                    insert(leaderboard_members).values(
                        tenant=ref.tenant,
                        channel_id=ref.channel_id,
                        user_id=user_id,
                        user_name=user_name,
                        joined_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    async def leave(self, ref: ChannelRef, user_id: str) -> bool:
        async with writing(self.engine) as conn:
            done = await conn.execute(delete(leaderboard_members).where(_member_in(ref, user_id)))
        return done.rowcount > 0

    async def standings(self, ref: ChannelRef, since: datetime | None) -> list[Standing]:
        """Opted-in members of the channel with their answers, mean review score and drills
        since `since` (all time when None). Unranked members are never read."""
        lb = leaderboard_members
        joined = select(lb.c.user_id, lb.c.user_name).where(
            lb.c.tenant == ref.tenant, lb.c.channel_id == ref.channel_id
        )
        a_time = answers.c.created_at >= since if since else true()
        counted = (
            select(
                answers.c.user_id,
                func.count(answers.c.id),
                func.avg(
                    func.coalesce(
                        reviews.c.score, literal_column(_MEAN_OF_SCORES[self.engine.dialect.name])
                    )
                ),
            )
            .join(posts, posts.c.id == answers.c.post_id)
            .outerjoin(
                reviews,
                # The current review only: an edited answer's older ones are superseded.
                and_(
                    reviews.c.tenant == answers.c.tenant,
                    reviews.c.answer_id == answers.c.id,
                    reviews.c.status == "given",
                ),
            )
            .join(lb, and_(lb.c.tenant == answers.c.tenant, lb.c.user_id == answers.c.user_id))
            .where(
                answers.c.tenant == ref.tenant,
                posts.c.tenant == ref.tenant,
                posts.c.channel_id == ref.channel_id,
                lb.c.channel_id == ref.channel_id,
                a_time,
            )
            .group_by(answers.c.user_id)
        )
        d_time = drill_log.c.reviewed_at >= since if since else true()
        drilled = (
            select(drill_log.c.user_id, func.count())
            .join(lb, and_(lb.c.tenant == drill_log.c.tenant, lb.c.user_id == drill_log.c.user_id))
            .where(
                drill_log.c.tenant == ref.tenant,
                lb.c.channel_id == ref.channel_id,
                drill_log.c.source == "drill",
                d_time,
            )
            .group_by(drill_log.c.user_id)
        )
        async with self.engine.connect() as conn:
            names = {r[0]: r[1] for r in (await conn.execute(joined)).all()}
            per = {r[0]: (int(r[1]), r[2]) for r in (await conn.execute(counted)).all()}
            drills = {r[0]: int(r[1]) for r in (await conn.execute(drilled)).all()}
        out = []
        for user_id, name in names.items():
            count, average = per.get(user_id, (0, None))
            out.append(
                Standing(
                    user_id,
                    name,
                    count,
                    float(average) if average is not None else None,
                    drills.get(user_id, 0),
                )
            )
        return out

    async def is_member(self, ref: ChannelRef, user_id: str) -> bool:
        q = select(leaderboard_members.c.user_id).where(_member_in(ref, user_id))
        async with self.engine.connect() as conn:
            return (await conn.execute(q)).first() is not None

    # -- the admin's export -----------------------------------------------------------

    async def export_rows(self, ref: ChannelRef) -> list[ExportRow]:
        q = (
            select(
                posts.c.local_date,
                posts.c.question_id,
                answers.c.user_id,
                answers.c.user_name,
                answers.c.created_at,
                answers.c.late,
                answers.c.text,
                reviews.c.reviewer,
                reviews.c.scores,
            )
            .join(posts, posts.c.id == answers.c.post_id)
            .outerjoin(
                reviews,
                # The current review only: an edited answer's older ones are superseded.
                and_(
                    reviews.c.tenant == answers.c.tenant,
                    reviews.c.answer_id == answers.c.id,
                    reviews.c.status == "given",
                ),
            )
            .where(
                answers.c.tenant == ref.tenant,
                posts.c.tenant == ref.tenant,
                posts.c.channel_id == ref.channel_id,
            )
            .order_by(posts.c.local_date, answers.c.id)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        return [
            ExportRow(
                post_date=r[0],
                question_id=r[1],
                user_id=r[2],
                user_name=r[3],
                answered_at=r[4],
                late=bool(r[5]),
                text=r[6],
                reviewer=r[7],
                scores=json.loads(r[8]) if r[8] else {},
            )
            for r in rows
        ]

    # -- a member's own data ------------------------------------------------------------

    async def forget(self, tenant: str, user_id: str) -> int:
        async with writing(self.engine) as conn:
            done = await conn.execute(
                delete(leaderboard_members).where(
                    leaderboard_members.c.tenant == tenant,
                    leaderboard_members.c.user_id == user_id,
                )
            )
        return int(done.rowcount)


def _member_in(ref: ChannelRef, user_id: str) -> Any:
    lb = leaderboard_members
    return and_(
        lb.c.tenant == ref.tenant, lb.c.channel_id == ref.channel_id, lb.c.user_id == user_id
    )
