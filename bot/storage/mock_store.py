"""F5 storage: mock rounds as a persisted state machine.

A round is a row (`mock_rounds`) with its line-up (`mock_members`), its questions
(`mock_slots`: who asks what, then the score or the solo answer) and an outbox
(`mock_outbox`) of the messages each step sends. A step is one transaction: the round's
row moves on only if it is still where the step expects it (a conditional update), and
the step's messages are written as outbox rows in the same transaction. Sending comes
after, one claimed row at a time, with the row's nonce: a restart finds unsent rows and
sends them, and a step that already happened cannot happen (or send) twice.

Every query filters on the tenant, so no server sees another's rounds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import Button, ButtonStyle
from bot.storage.drill_store import drill_sessions
from bot.storage.engine import insert_id, writing
from bot.storage.tables import answers, metadata, posts
from bot.storage.types import UtcDateTime, When

ACTIVE = ("signup", "running", "scoring", "decision")

mock_rounds = Table(
    "mock_rounds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(64), nullable=False),
    Column("channel_id", String(64), nullable=True),  # None for a solo round
    Column("thread_id", String(64), nullable=True),  # the round's thread, once opened
    Column("pack_id", String(64), nullable=False),
    Column("organiser_id", String(64), nullable=False),
    Column("organiser_name", String(200), nullable=False),
    Column("format", String(12), nullable=False),  # behavioral | technical | loop
    Column("questions", Integer, nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("idle_minutes", Integer, nullable=False),
    Column("solo", Boolean, nullable=False),
    Column("reserved_candidate", String(200), nullable=True),
    Column("start_at", UtcDateTime, nullable=True),  # a timed start, until it fires
    # signup | running | scoring | decision | done | abandoned | ended
    Column("status", String(10), nullable=False),
    Column("current", Integer, nullable=False, server_default="-1"),  # the question asked now
    Column("stage", Integer, nullable=False, server_default="0"),  # solo: follow-ups asked
    Column("ends_at", UtcDateTime, nullable=True),  # the current question's end
    Column("warned", Boolean, nullable=False, server_default=false()),
    Column("decide_by", UtcDateTime, nullable=True),  # the Bar Raiser's deadline
    Column("outcome", Integer, nullable=True),  # 1..4 on the hire scale
    Column("vetoed", Boolean, nullable=False, server_default=false()),
    Column("previous_id", Integer, nullable=True),  # the round this one rotates from
    Column("last_activity_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Index("ix_mock_rounds_place", "tenant", "channel_id", "status"),
    Index("ix_mock_rounds_status", "status"),
)

mock_members = Table(
    "mock_members",
    metadata,
    Column("round_id", Integer, primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("tenant", String(64), nullable=False),
    Column("user_name", String(200), nullable=False),
    Column("role", String(12), nullable=False),  # candidate | interviewer | bar_raiser | observer
    Column("seq", Integer, nullable=False),  # sign-up order, for the rotation
    Column("left_at", UtcDateTime, nullable=True),
    Index("ix_mock_members_user", "tenant", "user_id"),
)

mock_slots = Table(
    "mock_slots",
    metadata,
    Column("round_id", Integer, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("tenant", String(64), nullable=False),
    Column("kind", String(12), nullable=False),  # behavioral | technical
    Column("question_id", String(120), nullable=False),
    Column("principle_id", String(80), nullable=True),
    Column("asker_id", String(64), nullable=False),  # "bot" in a solo round
    Column("asker_name", String(200), nullable=False),
    Column("score", Integer, nullable=True),  # 1..4: Strong No Hire .. Strong Hire
    Column("comment", Text, nullable=True),
    Column("done", Boolean, nullable=False, server_default=false()),
    Column("answer", Text, nullable=True),  # solo: the answer and follow-up answers
    Column("review", Text, nullable=True),  # solo: the latest review, JSON
)

mock_outbox = Table(
    "mock_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(64), nullable=False),
    Column("round_id", Integer, nullable=False),
    Column("key", String(120), nullable=False),  # the step's name: one message per step
    Column("dest", String(8), nullable=False),  # channel | thread | user
    Column("user_id", String(64), nullable=True),
    Column("user_name", String(200), nullable=True),
    Column("text", Text, nullable=False),
    Column("buttons", Text, nullable=False, server_default="[]"),
    Column("thread_name", String(100), nullable=True),
    Column("mentions", Text, nullable=False, server_default="[]"),  # [[user_id, name], ...]
    Column("status", String(8), nullable=False),  # pending | sending | sent | failed
    Column("lease_until", UtcDateTime, nullable=True),
    Column("next_try_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("message_id", String(64), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    UniqueConstraint("round_id", "key"),
    Index("ix_mock_outbox_status", "status", "next_try_at"),
)


# Who may start group rounds in a channel; a row only once an admin changed it.
mock_settings = Table(
    "mock_settings",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("channel_id", String(64), primary_key=True),
    Column("starters", String(8), nullable=False),  # anyone | admins
    Column("updated_at", UtcDateTime, nullable=False),
)


@dataclass(frozen=True, slots=True)
class Round:
    id: int
    tenant: str
    channel_id: str | None
    thread_id: str | None
    pack_id: str
    organiser_id: str
    organiser_name: str
    format: str
    questions: int
    minutes: int
    idle_minutes: int
    solo: bool
    reserved_candidate: str | None
    start_at: datetime | None
    status: str
    current: int
    stage: int
    ends_at: datetime | None
    warned: bool
    decide_by: datetime | None
    outcome: int | None
    vetoed: bool
    previous_id: int | None
    last_activity_at: datetime
    created_at: datetime
    finished_at: datetime | None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


@dataclass(frozen=True, slots=True)
class Member:
    round_id: int
    user_id: str
    tenant: str
    user_name: str
    role: str
    seq: int
    left_at: datetime | None

    @property
    def present(self) -> bool:
        return self.left_at is None


@dataclass(frozen=True, slots=True)
class Slot:
    round_id: int
    position: int
    tenant: str
    kind: str
    question_id: str
    principle_id: str | None
    asker_id: str
    asker_name: str
    score: int | None
    comment: str | None
    done: bool
    answer: str | None
    review: str | None


@dataclass(frozen=True, slots=True)
class Out:
    """One message a step sends. `key` names the step, unique in its round."""

    key: str
    dest: str  # channel | thread | user
    text: str
    user_id: str | None = None
    user_name: str | None = None
    buttons: tuple[Button, ...] = ()
    thread_name: str | None = None
    # Members pinged on purpose (the asker whose turn it is); nobody else ever is.
    mentions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class OutRow:
    id: int
    tenant: str
    round_id: int
    key: str
    dest: str
    user_id: str | None
    user_name: str | None
    text: str
    buttons: tuple[Button, ...]
    thread_name: str | None
    status: str
    attempts: int
    mentions: tuple[tuple[str, str], ...]


@dataclass
class Step:
    """What one transition writes besides the round's own columns."""

    slots: dict[int, dict[str, Any]] = field(default_factory=dict)  # position -> changes
    new_slots: list[dict[str, Any]] = field(default_factory=list)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # user_id -> changes
    new_members: list[dict[str, Any]] = field(default_factory=list)
    drop_members: list[str] = field(default_factory=list)
    out: Sequence[Out] = ()


def _round(row: Any) -> Round:
    m = row._mapping
    return Round(**{k: m[k] for k in Round.__slots__})


def _member(row: Any) -> Member:
    m = row._mapping
    return Member(**{k: m[k] for k in Member.__slots__})


def _slot(row: Any) -> Slot:
    m = row._mapping
    return Slot(**{k: m[k] for k in Slot.__slots__})


def _buttons_json(buttons: tuple[Button, ...]) -> str:
    return json.dumps([[b.custom_id, b.label, b.style.value] for b in buttons])


def _out_row(row: Any) -> OutRow:
    m = dict(row._mapping)
    buttons = tuple(Button(c, label, ButtonStyle(s)) for c, label, s in json.loads(m["buttons"]))
    mentions = tuple((str(u), str(n)) for u, n in json.loads(m["mentions"] or "[]"))
    return OutRow(
        **{k: m[k] for k in OutRow.__slots__ if k not in ("buttons", "mentions")},
        buttons=buttons,
        mentions=mentions,
    )


class MockStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    # -- reading ------------------------------------------------------------------

    async def round(self, tenant: str, round_id: int) -> Round | None:
        q = select(mock_rounds).where(mock_rounds.c.tenant == tenant, mock_rounds.c.id == round_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return _round(row) if row else None

    async def members(self, tenant: str, round_id: int) -> list[Member]:
        q = (
            select(mock_members)
            .where(mock_members.c.tenant == tenant, mock_members.c.round_id == round_id)
            .order_by(mock_members.c.seq)
        )
        async with self.engine.connect() as conn:
            return [_member(r) for r in (await conn.execute(q)).all()]

    async def slots(self, tenant: str, round_id: int) -> list[Slot]:
        q = (
            select(mock_slots)
            .where(mock_slots.c.tenant == tenant, mock_slots.c.round_id == round_id)
            .order_by(mock_slots.c.position)
        )
        async with self.engine.connect() as conn:
            return [_slot(r) for r in (await conn.execute(q)).all()]

    async def active_here(self, tenant: str, place_id: str) -> Round | None:
        """The active round in a channel, or whose thread this is."""
        q = (
            select(mock_rounds)
            .where(
                mock_rounds.c.tenant == tenant,
                or_(mock_rounds.c.channel_id == place_id, mock_rounds.c.thread_id == place_id),
                mock_rounds.c.status.in_(ACTIVE),
            )
            .order_by(mock_rounds.c.id.desc())
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return _round(row) if row else None

    async def latest_here(self, tenant: str, place_id: str) -> Round | None:
        q = (
            select(mock_rounds)
            .where(
                mock_rounds.c.tenant == tenant,
                or_(mock_rounds.c.channel_id == place_id, mock_rounds.c.thread_id == place_id),
                mock_rounds.c.solo.is_(False),
            )
            .order_by(mock_rounds.c.id.desc())
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return _round(row) if row else None

    async def active_of(self, tenant: str, user_id: str) -> list[Round]:
        """Active rounds this member is (still) in."""
        q = (
            select(mock_rounds)
            .join(mock_members, mock_members.c.round_id == mock_rounds.c.id)
            .where(
                mock_rounds.c.tenant == tenant,
                mock_members.c.tenant == tenant,
                mock_members.c.user_id == user_id,
                mock_members.c.left_at.is_(None),
                mock_rounds.c.status.in_(ACTIVE),
            )
            .order_by(mock_rounds.c.id)
        )
        async with self.engine.connect() as conn:
            return [_round(r) for r in (await conn.execute(q)).all()]

    async def active_rounds(self) -> list[Round]:
        q = select(mock_rounds).where(mock_rounds.c.status.in_(ACTIVE))
        async with self.engine.connect() as conn:
            return [_round(r) for r in (await conn.execute(q)).all()]

    async def answered_questions(self, tenant: str, user_id: str) -> set[str]:
        """Questions this member already answered here: daily answers, drills, mock rounds."""
        daily = (
            select(posts.c.question_id)
            .join(answers, answers.c.post_id == posts.c.id)
            .where(answers.c.tenant == tenant, answers.c.user_id == user_id)
        )
        drilled = select(drill_sessions.c.question_id).where(
            drill_sessions.c.tenant == tenant,
            drill_sessions.c.user_id == user_id,
            drill_sessions.c.status == "answered",
        )
        mocked = (
            select(mock_slots.c.question_id)
            .join(
                mock_members,
                and_(
                    mock_members.c.round_id == mock_slots.c.round_id,
                    mock_members.c.role == "candidate",
                ),
            )
            .where(mock_slots.c.tenant == tenant, mock_members.c.user_id == user_id)
        )
        out: set[str] = set()
        async with self.engine.connect() as conn:
            for q in (daily, drilled, mocked):
                out.update(r[0] for r in (await conn.execute(q)).all() if r[0])
        return out

    async def series(self, tenant: str, round_id: int) -> list[Round]:
        """This round and the rounds it rotates from, oldest first."""
        chain: list[Round] = []
        rid: int | None = round_id
        while rid is not None and len(chain) < 100:
            r = await self.round(tenant, rid)
            if r is None:
                break
            chain.append(r)
            rid = r.previous_id
        return chain[::-1]

    # -- steps --------------------------------------------------------------------

    async def create(self, values: dict[str, Any], step_for: Any) -> int:
        """Insert a round, then what `step_for(round_id)` says, in one transaction."""
        async with writing(self.engine) as conn:
            rid = await insert_id(conn, mock_rounds, values)
            step: Step = step_for(rid)
            await self._apply(conn, values["tenant"], rid, step, values["created_at"])
        return rid

    async def advance(
        self,
        tenant: str,
        round_id: int,
        *,
        expect: dict[str, Any],
        values: dict[str, Any],
        step: Step | None = None,
        now: datetime,
    ) -> bool:
        """Move the round on if its columns still hold `expect`, with the step's writes and
        messages, in one transaction. False when another step got there first."""
        conds = [mock_rounds.c.tenant == tenant, mock_rounds.c.id == round_id]
        for k, v in expect.items():
            col = mock_rounds.c[k]
            conds.append(col.is_(None) if v is None else col == v)
        async with writing(self.engine) as conn:
            done = await conn.execute(update(mock_rounds).where(*conds).values(**values))
            if done.rowcount != 1:
                return False
            if step is not None:
                await self._apply(conn, tenant, round_id, step, now)
        return True

    async def _apply(self, conn: Any, tenant: str, rid: int, step: Step, now: datetime) -> None:
        for values in step.new_slots:
            await conn.execute(insert(mock_slots).values(round_id=rid, tenant=tenant, **values))
        for position, changes in step.slots.items():
            await conn.execute(
                update(mock_slots)
                .where(
                    mock_slots.c.tenant == tenant,
                    mock_slots.c.round_id == rid,
                    mock_slots.c.position == position,
                )
                .values(**changes)
            )
        for user_id in step.drop_members:
            await conn.execute(
                delete(mock_members).where(
                    mock_members.c.tenant == tenant,
                    mock_members.c.round_id == rid,
                    mock_members.c.user_id == user_id,
                )
            )
        for values in step.new_members:
            await conn.execute(insert(mock_members).values(round_id=rid, tenant=tenant, **values))
        for user_id, changes in step.members.items():
            await conn.execute(
                update(mock_members)
                .where(
                    mock_members.c.tenant == tenant,
                    mock_members.c.round_id == rid,
                    mock_members.c.user_id == user_id,
                )
                .values(**changes)
            )
        for out in step.out:
            await conn.execute(
                insert(mock_outbox).values(
                    tenant=tenant,
                    round_id=rid,
                    key=out.key,
                    dest=out.dest,
                    user_id=out.user_id,
                    user_name=out.user_name,
                    text=out.text,
                    buttons=_buttons_json(out.buttons),
                    thread_name=out.thread_name,
                    mentions=json.dumps([list(m) for m in out.mentions]),
                    status="pending",
                    next_try_at=now,
                    created_at=now,
                )
            )

    async def next_seq(self, tenant: str, round_id: int) -> int:
        members = await self.members(tenant, round_id)
        return max((m.seq for m in members), default=0) + 1

    # -- the outbox ---------------------------------------------------------------

    async def unsent(self, round_id: int | None = None) -> list[OutRow]:
        """Messages still to send (or whose sender died), in the order their steps wrote them."""
        q = select(mock_outbox).where(mock_outbox.c.status.in_(("pending", "sending")))
        if round_id is not None:
            q = q.where(mock_outbox.c.round_id == round_id)
        async with self.engine.connect() as conn:
            return [_out_row(r) for r in (await conn.execute(q.order_by(mock_outbox.c.id))).all()]

    async def claim_out(self, row_id: int, *, now: datetime, lease_until: datetime) -> bool:
        """Take one message to send: a pending one that is due, or one whose sender's lease
        ran out (it died mid-send; the retry carries the same nonce)."""
        free = and_(mock_outbox.c.status == "pending", mock_outbox.c.next_try_at <= now)
        stale = and_(mock_outbox.c.status == "sending", mock_outbox.c.lease_until < now)
        async with writing(self.engine) as conn:
            done = await conn.execute(
                update(mock_outbox)
                .where(mock_outbox.c.id == row_id, or_(free, stale))
                .values(
                    status="sending",
                    lease_until=lease_until,
                    attempts=mock_outbox.c.attempts + 1,
                )
            )
        return done.rowcount == 1

    async def sent(
        self, row: OutRow, message_id: str, thread_id: str | None, now: datetime
    ) -> None:
        async with writing(self.engine) as conn:
            await conn.execute(
                update(mock_outbox)
                .where(mock_outbox.c.id == row.id)
                .values(status="sent", message_id=message_id, sent_at=now)
            )
            if row.thread_name and thread_id:
                await conn.execute(
                    update(mock_rounds)
                    .where(mock_rounds.c.id == row.round_id, mock_rounds.c.thread_id.is_(None))
                    .values(thread_id=thread_id)
                )

    async def retry_later(self, row: OutRow, when: datetime, *, give_up: bool) -> None:
        async with writing(self.engine) as conn:
            await conn.execute(
                update(mock_outbox)
                .where(mock_outbox.c.id == row.id)
                .values(status="failed" if give_up else "pending", next_try_at=when)
            )

    async def outbox(self, tenant: str, round_id: int) -> list[OutRow]:
        q = (
            select(mock_outbox)
            .where(mock_outbox.c.tenant == tenant, mock_outbox.c.round_id == round_id)
            .order_by(mock_outbox.c.id)
        )
        async with self.engine.connect() as conn:
            return [_out_row(r) for r in (await conn.execute(q)).all()]

    # -- channel settings -----------------------------------------------------------

    async def starters(self, tenant: str, channel_id: str) -> str:
        q = select(mock_settings.c.starters).where(
            mock_settings.c.tenant == tenant, mock_settings.c.channel_id == channel_id
        )
        async with self.engine.connect() as conn:
            value = (await conn.execute(q)).scalar_one_or_none()
        return str(value or "anyone")

    async def set_starters(self, tenant: str, channel_id: str, who: str, now: datetime) -> None:
        key = and_(mock_settings.c.tenant == tenant, mock_settings.c.channel_id == channel_id)
        async with writing(self.engine) as conn:
            done = await conn.execute(
                update(mock_settings).where(key).values(starters=who, updated_at=now)
            )
            if done.rowcount == 0:
                await conn.execute(
                    insert(mock_settings).values(
                        tenant=tenant, channel_id=channel_id, starters=who, updated_at=now
                    )
                )

    # -- a member's own data --------------------------------------------------------

    async def forget(self, tenant: str, user_id: str) -> int:
        """Everything of one member: their solo rounds whole; in group rounds their seat,
        the messages waiting for them, and their name and comments on the questions they
        asked (the round stays on the others' record)."""
        gone = 0
        solo = select(mock_rounds.c.id).where(
            mock_rounds.c.tenant == tenant,
            mock_rounds.c.organiser_id == user_id,
            mock_rounds.c.solo.is_(True),
        )
        async with writing(self.engine) as conn:
            ids = [r[0] for r in (await conn.execute(solo)).all()]
            for table in (mock_slots, mock_members, mock_outbox):
                gone += (
                    await conn.execute(
                        delete(table).where(table.c.tenant == tenant, table.c.round_id.in_(ids))
                    )
                ).rowcount
            gone += (
                await conn.execute(delete(mock_rounds).where(mock_rounds.c.id.in_(ids)))
            ).rowcount
            for table in (mock_members, mock_outbox):
                gone += (
                    await conn.execute(
                        delete(table).where(table.c.tenant == tenant, table.c.user_id == user_id)
                    )
                ).rowcount
            gone += (
                await conn.execute(
                    update(mock_slots)
                    .where(mock_slots.c.tenant == tenant, mock_slots.c.asker_id == user_id)
                    .values(asker_id="deleted", asker_name="(deleted member)", comment=None)
                )
            ).rowcount
            await conn.execute(
                update(mock_rounds)
                .where(mock_rounds.c.tenant == tenant, mock_rounds.c.organiser_id == user_id)
                .values(organiser_id="deleted", organiser_name="(deleted member)")
            )
        return gone


def outbox_due_times(after: When) -> tuple[Select[Any], Select[Any]]:
    """When the outbox is next to be looked at, strictly after `after`: a message being
    sent when its sender's lease runs out (it may have died), a waiting one when it is to
    be tried (the scheduler asks these with its other due times at once)."""
    sending = mock_outbox.c.status == "sending"
    lease = select(func.min(mock_outbox.c.lease_until)).where(
        sending, mock_outbox.c.lease_until.is_not(None), mock_outbox.c.lease_until > after
    )
    retry = select(func.min(mock_outbox.c.next_try_at)).where(
        (mock_outbox.c.status == "pending") | (sending & mock_outbox.c.lease_until.is_(None)),
        mock_outbox.c.next_try_at > after,
    )
    return lease, retry
