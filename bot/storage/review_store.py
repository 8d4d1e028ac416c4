"""Tenant-scoped queries for F3: review settings, AI reviews and peer-review assignments.

Kept apart from `Store` so review work stays additive; it shares the same engine.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import ChannelRef, Review
from bot.review.models import Delivery, PeerStart, ReviewMode, Visibility
from bot.storage.engine import writing
from bot.storage.group_commit import GroupRead
from bot.storage.records import Answer, Post
from bot.storage.store import CHUNK, Store
from bot.storage.store import answer_from_row as _answer
from bot.storage.tables import answers, peer_reviews, review_settings, reviews
from bot.storage.types import When


@dataclass(frozen=True, slots=True)
class ReviewSettings:
    channel: ChannelRef
    mode: ReviewMode = ReviewMode.ai
    delivery: Delivery = Delivery.thread
    visibility: Visibility = Visibility.open
    peer_start: PeerStart = PeerStart.close
    peer_count: int = 2
    peer_window_minutes: int = 24 * 60

    @property
    def hidden(self) -> bool:
        return self.visibility == Visibility.hidden


@dataclass(frozen=True, slots=True)
class StoredReview:
    id: int
    tenant: str
    post_id: int
    answer_id: int
    review: Review
    created_at: datetime
    delivered_at: datetime | None
    version: int = 1
    status: str = "given"  # pending | given | superseded
    message_id: str | None = None  # its message in the thread, once it went there
    thread_id: str | None = None


@dataclass(frozen=True, slots=True)
class PendingReview:
    """A review owed to an answer: recorded before the reviewer runs, so it survives a crash."""

    id: int
    tenant: str
    post_id: int
    answer_id: int
    version: int
    reviewed: bool = False  # the reviewer already answered; only delivery is left


@dataclass(frozen=True, slots=True)
class PeerAssignment:
    id: int
    tenant: str
    channel_id: str
    post_id: int
    answer_id: int
    author_id: str
    reviewer_id: str
    reviewer_name: str
    status: str  # assigned | done | expired
    scores: dict[str, int] = field(default_factory=dict)
    comment: str | None = None
    due_at: datetime | None = None
    reminded_at: datetime | None = None
    gathered_at: datetime | None = None


# Every answer reads its channel's review settings. They change rarely, so a process keeps
# them this long; a change made here shows at once, one made by another instance within this.
SETTINGS_TTL = 5.0


def review_lease_time(after: When) -> Select[Any]:
    """When the next pending review's lease runs out, strictly after `after`."""
    return select(func.min(reviews.c.lease_until)).where(
        reviews.c.status == "pending", reviews.c.lease_until > after
    )


def peer_due_times(after: When) -> tuple[Select[Any], Select[Any]]:
    """The next peer reminder and the next peer deadline, strictly after `after`."""
    open_ = peer_reviews.c.status == "assigned"
    reminder = select(func.min(peer_reviews.c.remind_at)).where(
        open_, peer_reviews.c.reminded_at.is_(None), peer_reviews.c.remind_at > after
    )
    deadline = select(func.min(peer_reviews.c.due_at)).where(open_, peer_reviews.c.due_at > after)
    return reminder, deadline


class ReviewStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._settings: dict[ChannelRef, tuple[float, ReviewSettings]] = {}
        self._reads = GroupRead(self._read_settings, together=True)

    # -- settings -----------------------------------------------------------------

    async def get_settings(self, ref: ChannelRef) -> ReviewSettings:
        hit = self._settings.get(ref)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        # Channels asking at once (a thousand posts in one scheduled minute) share a query.
        settings: ReviewSettings = await self._reads.submit(ref)
        self._settings[ref] = (time.monotonic() + SETTINGS_TTL, settings)
        return settings

    async def prime(self, refs: list[ChannelRef]) -> None:
        """Read many channels' settings into the cache at once (the channels about to post
        in one scheduled minute)."""
        until = time.monotonic() + SETTINGS_TTL
        for ref, settings in (await self._read_settings(list(dict.fromkeys(refs)))).items():
            self._settings[ref] = (until, settings)

    async def _read_settings(self, refs: list[ChannelRef]) -> dict[ChannelRef, ReviewSettings]:
        """Channels' settings, one query per CHUNK channels."""
        out: dict[ChannelRef, ReviewSettings] = {}
        for i in range(0, len(refs), CHUNK):
            chunk = refs[i : i + CHUNK]
            q = select(review_settings).where(
                review_settings.c.tenant.in_({ref.tenant for ref in chunk}),
                review_settings.c.channel_id.in_({ref.channel_id for ref in chunk}),
            )
            async with self.engine.connect() as conn:
                rows = (await conn.execute(q)).all()
            found = {(r.tenant, r.channel_id): r for r in rows}
            for ref in chunk:
                out[ref] = _settings(ref, found.get((ref.tenant, ref.channel_id)))
        return out

    async def save_settings(self, s: ReviewSettings, now: datetime) -> None:
        self._settings.pop(s.channel, None)
        await self._write_settings(s, now)

    async def _write_settings(self, s: ReviewSettings, now: datetime) -> None:
        values = {
            "mode": s.mode.value,
            "delivery": s.delivery.value,
            "visibility": s.visibility.value,
            "peer_start": s.peer_start.value,
            "peer_count": s.peer_count,
            "peer_window_minutes": s.peer_window_minutes,
            "updated_at": now,
        }
        key = and_(
            review_settings.c.tenant == s.channel.tenant,
            review_settings.c.channel_id == s.channel.channel_id,
        )
        async with writing(self.engine) as conn:
            done = await conn.execute(update(review_settings).where(key).values(**values))
            if done.rowcount == 0:
                await conn.execute(
                    insert(review_settings).values(
                        tenant=s.channel.tenant, channel_id=s.channel.channel_id, **values
                    )
                )

    # -- answers ------------------------------------------------------------------

    async def get_answer(self, tenant: str, answer_id: int) -> Answer | None:
        q = select(answers).where(answers.c.tenant == tenant, answers.c.id == answer_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return _answer(row._mapping) if row else None

    async def latest_answers(self, post: Post) -> list[Answer]:
        """Each member's newest answer to a post, oldest member first."""
        latest: dict[str, Answer] = {}
        for a in await Store(self.engine).answers_for(post):
            latest.pop(a.user_id, None)
            latest[a.user_id] = a
        return sorted(latest.values(), key=lambda a: a.id)

    # -- AI reviews ---------------------------------------------------------------
    #
    # An answer's review is recorded as pending when the answer is stored (or edited), so a
    # review whose task dies with its process is still owed: the row's lease runs out and any
    # instance's scheduler takes it over (`take_over_review`). The reviewer's answer is kept
    # on the row (`record_review`) before it is delivered, so a resumed task does not ask
    # the reviewer twice; `finish_review` marks it given once delivery was done.

    async def open_review(
        self, post: Post, answer_id: int, now: datetime, lease_until: datetime
    ) -> PendingReview:
        """A new pending review for the answer's current text (version 1, or one more than
        the last); earlier pending versions are superseded, as their text is gone."""
        tenant = post.channel.tenant
        of_answer = (reviews.c.tenant == tenant, reviews.c.answer_id == answer_id)
        for _ in range(5):  # two edits at once may pick the same version: the loser retries
            try:
                async with writing(self.engine) as conn:
                    last = (
                        await conn.execute(select(func.max(reviews.c.version)).where(*of_answer))
                    ).scalar()
                    version = int(last or 0) + 1
                    await conn.execute(
                        update(reviews)
                        .where(*of_answer, reviews.c.status == "pending")
                        .values(status="superseded", lease_until=None)
                    )
                    result = await conn.execute(
                        insert(reviews)
                        .values(
                            tenant=tenant,
                            post_id=post.id,
                            answer_id=answer_id,
                            version=version,
                            status="pending",
                            lease_until=lease_until,
                            reviewer="",
                            scores="{}",
                            strengths="[]",
                            improvements="[]",
                            follow_up="",
                            note="",
                            created_at=now,
                        )
                        .returning(reviews.c.id)
                    )
                    review_id = int(result.scalar_one())
                return PendingReview(review_id, tenant, post.id, answer_id, version)
            except IntegrityError:
                continue
        raise RuntimeError(f"could not open a review for answer {answer_id}")

    async def pending_review(self, tenant: str, review_id: int) -> PendingReview | None:
        q = select(reviews).where(
            reviews.c.tenant == tenant, reviews.c.id == review_id, reviews.c.status == "pending"
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return _pending(row._mapping) if row else None

    async def record_review(
        self, tenant: str, review_id: int, review: Review, now: datetime
    ) -> bool:
        """Keep the reviewer's answer on a pending row; False when another task recorded it
        first or the row was superseded meanwhile."""
        return await self._change_once(
            reviews,
            (
                reviews.c.tenant == tenant,
                reviews.c.id == review_id,
                reviews.c.status == "pending",
                reviews.c.reviewed_at.is_(None),
            ),
            reviewer=review.reviewer,
            scores=json.dumps(review.scores),
            strengths=json.dumps(list(review.strengths)),
            improvements=json.dumps(list(review.improvements)),
            follow_up=review.follow_up,
            note=review.note,
            reviewed_at=now,
            score=_mean(review),
        )

    async def supersede_older(
        self, tenant: str, answer_id: int, version: int
    ) -> list[StoredReview]:
        """Mark the answer's earlier reviews superseded; returns them as they were."""
        where = (
            reviews.c.tenant == tenant,
            reviews.c.answer_id == answer_id,
            reviews.c.version < version,
            reviews.c.status != "superseded",
        )
        async with writing(self.engine) as conn:
            rows = (await conn.execute(select(reviews).where(*where))).all()
            await conn.execute(
                update(reviews).where(*where).values(status="superseded", lease_until=None)
            )
        return [_review(r._mapping) for r in rows]

    async def finish_review(self, tenant: str, review_id: int) -> bool:
        return await self._change_once(
            reviews,
            (reviews.c.tenant == tenant, reviews.c.id == review_id, reviews.c.status == "pending"),
            status="given",
            lease_until=None,
        )

    async def stale_reviews(self, now: datetime) -> list[PendingReview]:
        """Pending reviews whose task's lease ran out (across tenants: the scheduler's view)."""
        q = (
            select(reviews)
            .where(reviews.c.status == "pending", reviews.c.lease_until <= now)
            .order_by(reviews.c.id)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        return [_pending(r._mapping) for r in rows]

    async def take_over_review(
        self, tenant: str, review_id: int, now: datetime, lease_until: datetime
    ) -> bool:
        """Take a stale pending review; only one taker wins."""
        return await self._change_once(
            reviews,
            (
                reviews.c.tenant == tenant,
                reviews.c.id == review_id,
                reviews.c.status == "pending",
                reviews.c.lease_until <= now,
            ),
            lease_until=lease_until,
        )

    async def next_review_lease(self, after: datetime) -> datetime | None:
        async with self.engine.connect() as conn:
            found = (await conn.execute(review_lease_time(after))).scalar()
        return found if isinstance(found, datetime) else None

    async def set_review_message(
        self, tenant: str, review_id: int, message_id: str, thread_id: str | None
    ) -> None:
        """Where the review sits in the thread, so a re-review edits it in place."""
        await self._change_once(
            reviews,
            (reviews.c.tenant == tenant, reviews.c.id == review_id),
            message_id=message_id,
            thread_id=thread_id,
        )

    async def add_review(self, post: Post, answer_id: int, review: Review, now: datetime) -> bool:
        """Store an answer's AI review at once, given; False when it already has one."""
        try:
            async with writing(self.engine) as conn:
                await conn.execute(
                    insert(reviews).values(
                        tenant=post.channel.tenant,
                        post_id=post.id,
                        answer_id=answer_id,
                        reviewer=review.reviewer,
                        scores=json.dumps(review.scores),
                        strengths=json.dumps(list(review.strengths)),
                        improvements=json.dumps(list(review.improvements)),
                        follow_up=review.follow_up,
                        note=review.note,
                        created_at=now,
                        reviewed_at=now,
                        score=_mean(review),
                    )
                )
        except IntegrityError:
            return False
        return True

    async def review_for(self, tenant: str, answer_id: int) -> StoredReview | None:
        """The answer's current review: the newest version the reviewer answered."""
        q = (
            select(reviews)
            .where(
                reviews.c.tenant == tenant,
                reviews.c.answer_id == answer_id,
                reviews.c.status != "superseded",
                reviews.c.reviewed_at.is_not(None),
            )
            .order_by(reviews.c.version.desc())
            .limit(1)
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return _review(row._mapping) if row else None

    async def get_review(self, tenant: str, review_id: int) -> StoredReview | None:
        q = select(reviews).where(reviews.c.tenant == tenant, reviews.c.id == review_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return _review(row._mapping) if row else None

    async def review_versions(self, tenant: str, answer_id: int) -> list[StoredReview]:
        """Every version of the answer's review, superseded ones too, oldest first."""
        q = (
            select(reviews)
            .where(reviews.c.tenant == tenant, reviews.c.answer_id == answer_id)
            .order_by(reviews.c.version)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        return [_review(r._mapping) for r in rows]

    async def reviews_for_post(self, post: Post) -> dict[int, StoredReview]:
        """Each answer's current review (what a reveal shows)."""
        q = (
            select(reviews)
            .where(
                reviews.c.tenant == post.channel.tenant,
                reviews.c.post_id == post.id,
                reviews.c.status != "superseded",
                reviews.c.reviewed_at.is_not(None),
            )
            .order_by(reviews.c.version)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        return {r.answer_id: r for r in (_review(row._mapping) for row in rows)}

    async def claim_delivery(self, tenant: str, review_id: int, now: datetime) -> bool:
        """Whoever sets `delivered_at` first sends the review; everyone else stays quiet."""
        return await self._change_once(
            reviews,
            (
                reviews.c.tenant == tenant,
                reviews.c.id == review_id,
                reviews.c.delivered_at.is_(None),
            ),
            delivered_at=now,
        )

    async def release_delivery(self, tenant: str, review_id: int, claimed_at: datetime) -> None:
        """Undo our own claim when the send did not reach the member, so `delivered_at` is
        set only for a review that went out (and a later path, the reveal, may still send it)."""
        await self._change_once(
            reviews,
            (
                reviews.c.tenant == tenant,
                reviews.c.id == review_id,
                reviews.c.delivered_at == claimed_at,
            ),
            delivered_at=None,
        )

    async def _change_once(self, table: Table, where: tuple[Any, ...], **values: Any) -> bool:
        """An update guarded by its own condition: True for the one caller that made it."""
        async with writing(self.engine) as conn:
            done = await conn.execute(update(table).where(*where).values(**values))
        return bool(done.rowcount)

    # -- peer reviews -------------------------------------------------------------

    async def add_assignments(
        self,
        post: Post,
        rows: list[tuple[Answer, str, str]],
        *,
        now: datetime,
        remind_at: datetime,
        due_at: datetime,
    ) -> list[PeerAssignment]:
        """(answer, reviewer_id, reviewer_name) rows; a pair assigned before is skipped."""
        made: list[PeerAssignment] = []
        for answer, reviewer_id, reviewer_name in rows:
            try:
                async with writing(self.engine) as conn:
                    result = await conn.execute(
                        insert(peer_reviews)
                        .values(
                            tenant=post.channel.tenant,
                            channel_id=post.channel.channel_id,
                            post_id=post.id,
                            answer_id=answer.id,
                            author_id=answer.user_id,
                            reviewer_id=reviewer_id,
                            reviewer_name=reviewer_name,
                            status="assigned",
                            scores="{}",
                            assigned_at=now,
                            remind_at=remind_at,
                            due_at=due_at,
                        )
                        .returning(peer_reviews.c.id)
                    )
                    new_id = int(result.scalar_one())
            except IntegrityError:
                continue
            found = await self.get_assignment(post.channel.tenant, new_id)
            assert found is not None
            made.append(found)
        return made

    async def get_assignment(self, tenant: str, assignment_id: int) -> PeerAssignment | None:
        rows = await self._peer(peer_reviews.c.tenant == tenant, peer_reviews.c.id == assignment_id)
        return rows[0] if rows else None

    async def assignments_for_post(self, tenant: str, post_id: int) -> list[PeerAssignment]:
        return await self._peer(peer_reviews.c.tenant == tenant, peer_reviews.c.post_id == post_id)

    async def assignments_for_answer(self, tenant: str, answer_id: int) -> list[PeerAssignment]:
        return await self._peer(
            peer_reviews.c.tenant == tenant, peer_reviews.c.answer_id == answer_id
        )

    async def set_peer_score(
        self, tenant: str, assignment_id: int, dimension: str, score: int
    ) -> PeerAssignment | None:
        """Record one score while the assignment is open; None when it is closed."""
        async with writing(self.engine) as conn:
            row = (
                await conn.execute(
                    select(peer_reviews.c.scores).where(
                        peer_reviews.c.tenant == tenant,
                        peer_reviews.c.id == assignment_id,
                        peer_reviews.c.status == "assigned",
                    )
                )
            ).first()
            if row is None:
                return None
            scores = json.loads(row.scores)
            scores[dimension] = score
            await conn.execute(
                update(peer_reviews)
                .where(peer_reviews.c.tenant == tenant, peer_reviews.c.id == assignment_id)
                .values(scores=json.dumps(scores))
            )
        return await self.get_assignment(tenant, assignment_id)

    async def finish_peer(
        self, tenant: str, assignment_id: int, comment: str | None, now: datetime
    ) -> bool:
        return await self._change_once(
            peer_reviews,
            (
                peer_reviews.c.tenant == tenant,
                peer_reviews.c.id == assignment_id,
                peer_reviews.c.status == "assigned",
            ),
            status="done",
            comment=comment,
            done_at=now,
        )

    async def due_reminders(self, now: datetime) -> list[PeerAssignment]:
        """Open assignments whose reminder time has come (across tenants: the scheduler's view)."""
        return await self._peer(
            peer_reviews.c.status == "assigned",
            peer_reviews.c.reminded_at.is_(None),
            peer_reviews.c.remind_at <= now,
            peer_reviews.c.due_at > now,
        )

    async def mark_reminded(self, tenant: str, assignment_id: int, now: datetime) -> bool:
        return await self._change_once(
            peer_reviews,
            (
                peer_reviews.c.tenant == tenant,
                peer_reviews.c.id == assignment_id,
                peer_reviews.c.reminded_at.is_(None),
            ),
            reminded_at=now,
        )

    async def expire_overdue(self, now: datetime) -> list[PeerAssignment]:
        overdue = await self._peer(
            peer_reviews.c.status == "assigned", peer_reviews.c.due_at <= now
        )
        expired = []
        for a in overdue:
            async with writing(self.engine) as conn:
                done = await conn.execute(
                    update(peer_reviews)
                    .where(
                        peer_reviews.c.tenant == a.tenant,
                        peer_reviews.c.id == a.id,
                        peer_reviews.c.status == "assigned",
                    )
                    .values(status="expired")
                )
            if done.rowcount:
                expired.append(a)
        return expired

    async def peer_work_pending(self) -> bool:
        """Whether any assignment is open or any feedback still ungathered: one cheap query
        that lets the scheduler's tick skip the rest when peer review is idle."""
        q = select(
            select(peer_reviews.c.id)
            .where((peer_reviews.c.status == "assigned") | peer_reviews.c.gathered_at.is_(None))
            .exists()
        )
        async with self.engine.connect() as conn:
            return bool((await conn.execute(q)).scalar())

    async def ungathered(self) -> list[PeerAssignment]:
        """Closed assignments whose answer's feedback has not gone to the author yet."""
        return await self._peer(
            peer_reviews.c.status != "assigned", peer_reviews.c.gathered_at.is_(None)
        )

    async def claim_gather(self, tenant: str, answer_id: int, now: datetime) -> bool:
        """Once every assignment of an answer is closed, one caller gathers its feedback."""
        async with writing(self.engine) as conn:
            still_open = (
                await conn.execute(
                    select(func.count())
                    .select_from(peer_reviews)
                    .where(
                        peer_reviews.c.tenant == tenant,
                        peer_reviews.c.answer_id == answer_id,
                        peer_reviews.c.status == "assigned",
                    )
                )
            ).scalar_one()
            if still_open:
                return False
            done = await conn.execute(
                update(peer_reviews)
                .where(
                    peer_reviews.c.tenant == tenant,
                    peer_reviews.c.answer_id == answer_id,
                    peer_reviews.c.gathered_at.is_(None),
                )
                .values(gathered_at=now)
            )
        return bool(done.rowcount)

    async def next_peer_due(self, after: datetime) -> datetime | None:
        """The next reminder or deadline strictly after `after`."""
        reminder, deadline = peer_due_times(after)
        both = select(reminder.scalar_subquery(), deadline.scalar_subquery())
        async with self.engine.connect() as conn:
            times = (await conn.execute(both)).one()
        return min((t for t in times if isinstance(t, datetime)), default=None)

    async def previous_pairs(self, ref: ChannelRef, before_post: int) -> set[tuple[str, str]]:
        """(reviewer, author) pairs of the channel's latest peer round before this post."""
        where = (
            peer_reviews.c.tenant == ref.tenant,
            peer_reviews.c.channel_id == ref.channel_id,
            peer_reviews.c.post_id < before_post,
        )
        async with self.engine.connect() as conn:
            last = (
                await conn.execute(select(func.max(peer_reviews.c.post_id)).where(*where))
            ).scalar()
            if last is None:
                return set()
            rows = (
                await conn.execute(
                    select(peer_reviews.c.reviewer_id, peer_reviews.c.author_id).where(
                        peer_reviews.c.tenant == ref.tenant,
                        peer_reviews.c.channel_id == ref.channel_id,
                        peer_reviews.c.post_id == last,
                    )
                )
            ).all()
        return {(r.reviewer_id, r.author_id) for r in rows}

    async def done_in_channel(self, ref: ChannelRef) -> list[PeerAssignment]:
        return await self._peer(
            peer_reviews.c.tenant == ref.tenant,
            peer_reviews.c.channel_id == ref.channel_id,
            peer_reviews.c.status == "done",
        )

    async def _peer(self, *where: Any) -> list[PeerAssignment]:
        q = select(peer_reviews).where(*where).order_by(peer_reviews.c.id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        return [_assignment(r._mapping) for r in rows]


def _review(m: Any) -> StoredReview:
    review = Review(
        reviewer=m["reviewer"],
        scores={str(k): int(v) for k, v in json.loads(m["scores"]).items()},
        strengths=tuple(json.loads(m["strengths"])),
        improvements=tuple(json.loads(m["improvements"])),
        follow_up=m["follow_up"],
        note=m["note"],
    )
    return StoredReview(
        m["id"],
        m["tenant"],
        m["post_id"],
        m["answer_id"],
        review,
        m["created_at"],
        m["delivered_at"],
        m["version"],
        m["status"],
        m["message_id"],
        m["thread_id"],
    )


def _pending(m: Any) -> PendingReview:
    return PendingReview(
        m["id"],
        m["tenant"],
        m["post_id"],
        m["answer_id"],
        m["version"],
        m["reviewed_at"] is not None,
    )


def _assignment(m: Any) -> PeerAssignment:
    return PeerAssignment(
        id=m["id"],
        tenant=m["tenant"],
        channel_id=m["channel_id"],
        post_id=m["post_id"],
        answer_id=m["answer_id"],
        author_id=m["author_id"],
        reviewer_id=m["reviewer_id"],
        reviewer_name=m["reviewer_name"],
        status=m["status"],
        scores={str(k): int(v) for k, v in json.loads(m["scores"]).items()},
        comment=m["comment"],
        due_at=m["due_at"],
        reminded_at=m["reminded_at"],
        gathered_at=m["gathered_at"],
    )


def _mean(review: Review) -> float | None:
    """The mean of a review's scores (1-4), kept so leaderboards average in the database."""
    return sum(review.scores.values()) / len(review.scores) if review.scores else None


def _settings(ref: ChannelRef, row: Any) -> ReviewSettings:
    if row is None:
        return ReviewSettings(ref)
    m = row._mapping
    return ReviewSettings(
        ref,
        ReviewMode(m["mode"]),
        Delivery(m["delivery"]),
        Visibility(m["visibility"]),
        PeerStart(m["peer_start"]),
        m["peer_count"],
        m["peer_window_minutes"],
    )
