"""F4 storage: a member's spaced-repetition cards, the review log FSRS can be re-fitted on,
each served drill (the question, the answer, its review) and the opt-in daily reminder.

Every table is keyed by tenant and member; every query filters on both, so nobody sees
another member's drills and no tenant sees another's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.engine import insert_id, writing
from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

drill_cards = Table(
    "drill_cards",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("question_id", String(120), primary_key=True),
    Column("pack_id", String(64), nullable=False),
    # FSRS's card: state (1 learning, 2 review, 3 relearning), step, stability, difficulty.
    Column("state", Integer, nullable=False),
    Column("step", Integer, nullable=True),
    Column("stability", Float, nullable=True),
    Column("difficulty", Float, nullable=True),
    Column("due", UtcDateTime, nullable=False),
    Column("last_review", UtcDateTime, nullable=True),
    Column("reps", Integer, nullable=False, server_default="0"),
    Column("lapses", Integer, nullable=False, server_default="0"),
    # The mean review score (1-4) of the latest answer: what "weak" is measured by.
    Column("last_score", Float, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    # A member's cards of one pack, read by range however many cards of other packs they hold.
    Index("ix_drill_cards_pack", "tenant", "user_id", "pack_id"),
)

# FSRS's review log, kept whole so the parameters can be re-fitted on a group's history.
drill_log = Table(
    "drill_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("question_id", String(120), nullable=False),
    Column("rating", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("source", String(8), nullable=False),  # "drill" or "daily"
    Column("reviewed_at", UtcDateTime, nullable=False),
    Index("ix_drill_log_member", "tenant", "user_id"),
)

# One row a served drill: the question, then the answer and its review on the same row.
drill_sessions = Table(
    "drill_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("user_name", String(200), nullable=False),
    Column("pack_id", String(64), nullable=False),
    Column("question_id", String(120), nullable=False),
    Column("channel_id", String(64), nullable=True),
    Column("filters", Text, nullable=False, server_default="{}"),  # the /drill options, JSON
    Column("status", String(10), nullable=False),  # open, answered, skipped
    Column("served_at", UtcDateTime, nullable=False),
    Column("answer", Text, nullable=True),
    Column("answered_at", UtcDateTime, nullable=True),
    Column("review", Text, nullable=True),  # the review as JSON, once done
    Index("ix_drill_sessions_member", "tenant", "user_id", "served_at"),
)

drill_reminders = Table(
    "drill_reminders",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("user_name", String(200), nullable=False),
    Column("remind_at", String(5), nullable=False),  # HH:MM in `timezone`
    Column("timezone", String(64), nullable=False),
    # The claim for one local day: whoever moves `day` forward sends that day's reminder.
    Column("day", Date, nullable=True),
    Column("status", String(8), nullable=False, server_default="idle"),  # sending, sent, none
    Column("claimed_by", String(64), nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("active", Boolean, nullable=False, server_default=true()),
)


@dataclass(frozen=True, slots=True)
class Card:
    tenant: str
    user_id: str
    question_id: str
    pack_id: str
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int
    lapses: int
    last_score: float | None


@dataclass(frozen=True, slots=True)
class DrillSession:
    id: int
    tenant: str
    user_id: str
    user_name: str
    pack_id: str
    question_id: str
    channel_id: str | None
    filters: dict[str, Any]
    status: str
    served_at: datetime
    answer: str | None
    answered_at: datetime | None
    review: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Reminder:
    tenant: str
    user_id: str
    user_name: str
    remind_at: str
    timezone: str
    day: date | None
    status: str
    claimed_by: str | None
    lease_until: datetime | None


def _card(row: Any) -> Card:
    m = row._mapping
    return Card(**{k: m[k] for k in Card.__slots__})


def _session(row: Any) -> DrillSession:
    m = dict(row._mapping)
    m["filters"] = json.loads(m["filters"] or "{}")
    m["review"] = json.loads(m["review"]) if m["review"] else None
    return DrillSession(**m)


def _reminder(row: Any) -> Reminder:
    m = row._mapping
    return Reminder(**{k: m[k] for k in Reminder.__slots__})


def _member(table: Table, tenant: str, user_id: str) -> Any:
    return and_(table.c.tenant == tenant, table.c.user_id == user_id)


class DrillStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    # -- cards ----------------------------------------------------------------------

    async def cards(self, tenant: str, user_id: str, pack_id: str) -> list[Card]:
        """The member's cards of one pack."""
        q = select(drill_cards).where(
            _member(drill_cards, tenant, user_id), drill_cards.c.pack_id == pack_id
        )
        async with self.engine.connect() as conn:
            return [_card(r) for r in (await conn.execute(q)).all()]

    async def card(self, tenant: str, user_id: str, question_id: str) -> Card | None:
        q = select(drill_cards).where(
            _member(drill_cards, tenant, user_id), drill_cards.c.question_id == question_id
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return _card(row) if row else None

    async def all_cards(self, tenant: str, user_id: str) -> list[Card]:
        q = select(drill_cards).where(_member(drill_cards, tenant, user_id))
        async with self.engine.connect() as conn:
            return [_card(r) for r in (await conn.execute(q)).all()]

    async def save_review(self, card: Card, *, rating: int, score: float, source: str) -> None:
        """The card's new schedule and its log line, in one transaction."""
        values = {k: getattr(card, k) for k in Card.__slots__}
        key = and_(
            _member(drill_cards, card.tenant, card.user_id),
            drill_cards.c.question_id == card.question_id,
        )
        assert card.last_review is not None
        async with writing(self.engine) as conn:
            done = await conn.execute(update(drill_cards).where(key).values(**values))
            if done.rowcount == 0:
                await conn.execute(
                    insert(drill_cards).values(created_at=card.last_review, **values)
                )
            await conn.execute(
                insert(drill_log).values(
                    tenant=card.tenant,
                    user_id=card.user_id,
                    question_id=card.question_id,
                    rating=rating,
                    score=score,
                    source=source,
                    reviewed_at=card.last_review,
                )
            )

    async def review_log(self, tenant: str) -> list[dict[str, Any]]:
        q = select(drill_log).where(drill_log.c.tenant == tenant).order_by(drill_log.c.id)
        async with self.engine.connect() as conn:
            return [dict(r._mapping) for r in (await conn.execute(q)).all()]

    # -- served drills --------------------------------------------------------------

    async def open_session(
        self,
        *,
        tenant: str,
        user_id: str,
        user_name: str,
        pack_id: str,
        question_id: str,
        channel_id: str | None,
        filters: dict[str, Any],
        now: datetime,
    ) -> int:
        row = {
            "tenant": tenant,
            "user_id": user_id,
            "user_name": user_name,
            "pack_id": pack_id,
            "question_id": question_id,
            "channel_id": channel_id,
            "filters": json.dumps(filters, sort_keys=True),
            "status": "open",
            "served_at": now,
        }
        async with writing(self.engine) as conn:
            return await insert_id(conn, drill_sessions, row)

    async def session(self, tenant: str, session_id: int) -> DrillSession | None:
        q = select(drill_sessions).where(
            drill_sessions.c.tenant == tenant, drill_sessions.c.id == session_id
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return _session(row) if row else None

    async def served_since(self, tenant: str, user_id: str, since: datetime) -> list[DrillSession]:
        q = (
            select(drill_sessions)
            .where(_member(drill_sessions, tenant, user_id), drill_sessions.c.served_at >= since)
            .order_by(drill_sessions.c.id)
        )
        async with self.engine.connect() as conn:
            return [_session(r) for r in (await conn.execute(q)).all()]

    async def skip(self, tenant: str, session_id: int) -> bool:
        return await self._move(tenant, session_id, "open", status="skipped")

    async def answer(self, tenant: str, session_id: int, text: str, now: datetime) -> bool:
        """Store the answer; False when the drill was answered or skipped already."""
        return await self._move(
            tenant, session_id, "open", status="answered", answer=text, answered_at=now
        )

    async def set_review(self, tenant: str, session_id: int, review: dict[str, Any]) -> None:
        async with writing(self.engine) as conn:
            await conn.execute(
                update(drill_sessions)
                .where(drill_sessions.c.tenant == tenant, drill_sessions.c.id == session_id)
                .values(review=json.dumps(review))
            )

    async def unreviewed(self, answered_before: datetime) -> list[DrillSession]:
        """Answers whose review never landed (the process died between the two)."""
        q = select(drill_sessions).where(
            drill_sessions.c.status == "answered",
            drill_sessions.c.review.is_(None),
            drill_sessions.c.answered_at < answered_before,
        )
        async with self.engine.connect() as conn:
            return [_session(r) for r in (await conn.execute(q)).all()]

    async def _move(self, tenant: str, session_id: int, from_status: str, **values: Any) -> bool:
        async with writing(self.engine) as conn:
            done = await conn.execute(
                update(drill_sessions)
                .where(
                    drill_sessions.c.tenant == tenant,
                    drill_sessions.c.id == session_id,
                    drill_sessions.c.status == from_status,
                )
                .values(**values)
            )
        return done.rowcount == 1

    # -- reminders ------------------------------------------------------------------

    async def set_reminder(
        self, tenant: str, user_id: str, user_name: str, remind_at: str, timezone: str
    ) -> None:
        key = _member(drill_reminders, tenant, user_id)
        values = {"user_name": user_name, "remind_at": remind_at, "timezone": timezone}
        async with writing(self.engine) as conn:
            done = await conn.execute(
                update(drill_reminders).where(key).values(active=True, **values)
            )
            if done.rowcount == 0:
                await conn.execute(
                    insert(drill_reminders).values(tenant=tenant, user_id=user_id, **values)
                )

    async def drop_reminder(self, tenant: str, user_id: str) -> bool:
        async with writing(self.engine) as conn:
            done = await conn.execute(
                delete(drill_reminders).where(_member(drill_reminders, tenant, user_id))
            )
        return done.rowcount > 0

    async def reminder(self, tenant: str, user_id: str) -> Reminder | None:
        q = select(drill_reminders).where(_member(drill_reminders, tenant, user_id))
        async with self.engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return _reminder(row) if row else None

    async def reminders(self) -> list[Reminder]:
        q = select(drill_reminders).where(drill_reminders.c.active.is_(True))
        async with self.engine.connect() as conn:
            return [_reminder(r) for r in (await conn.execute(q)).all()]

    async def claim_reminder(
        self, r: Reminder, day: date, *, instance: str, now: datetime, lease_until: datetime
    ) -> bool:
        """Take this member's reminder for `day`: once across restarts and instances. A
        claim left "sending" by a process that died is taken over once its lease is over."""
        fresh = or_(drill_reminders.c.day.is_(None), drill_reminders.c.day < day)
        stale = and_(
            drill_reminders.c.day == day,
            drill_reminders.c.status == "sending",
            drill_reminders.c.lease_until < now,
        )
        async with writing(self.engine) as conn:
            done = await conn.execute(
                update(drill_reminders)
                .where(_member(drill_reminders, r.tenant, r.user_id), or_(fresh, stale))
                .values(day=day, status="sending", claimed_by=instance, lease_until=lease_until)
            )
        return done.rowcount == 1

    async def settle_reminder(self, r: Reminder, day: date, status: str) -> None:
        async with writing(self.engine) as conn:
            await conn.execute(
                update(drill_reminders)
                .where(_member(drill_reminders, r.tenant, r.user_id), drill_reminders.c.day == day)
                .values(status=status)
            )

    # -- a member's own data --------------------------------------------------------

    async def forget(self, tenant: str, user_id: str) -> int:
        gone = 0
        async with writing(self.engine) as conn:
            for table in (drill_cards, drill_log, drill_sessions, drill_reminders):
                gone += (
                    await conn.execute(delete(table).where(_member(table, tenant, user_id)))
                ).rowcount
        return gone

    async def count_cards(self, tenant: str) -> int:
        q = select(func.count()).select_from(drill_cards).where(drill_cards.c.tenant == tenant)
        async with self.engine.connect() as conn:
            return int((await conn.execute(q)).scalar_one())
