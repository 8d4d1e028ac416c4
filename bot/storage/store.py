"""Tenant-scoped queries over the tables. One class for SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain import ChannelRef
from bot.storage.engine import insert_id, writing
from bot.storage.group_commit import GroupInsert, GroupWrite, Inserts
from bot.storage.records import Answer, ChannelSettings, History, Post, Prep
from bot.storage.single_flight import SingleFlight
from bot.storage.tables import answers, channels, peer_reviews, posts, prep
from bot.storage.types import When

_T = TypeVar("_T")
THREAD_CACHE = 512
# Settled slots remembered: one per channel per day, so room for every channel of a large
# deployment (a few MB), else each tick would ask again for the channels that fell out.
SETTLED_CACHE = 20_000
# A slot in one of these states is settled for good ("refused": the platform will never
# take it; retrying would only fail again).
SETTLED = ("sent", "skipped", "refused")
# Channels per bulk read: two IN lists of this many values stay far below the bind
# parameter limits of SQLite and PostgreSQL.
CHUNK = 500


class Store:
    def __init__(self, engine: AsyncEngine, *, group_commit: bool = True) -> None:
        self.engine = engine
        # Answers arriving while a commit is under way share the next one (bench/ingest.py).
        self._answer_inserts = (
            GroupInsert(engine, answers, ("tenant", "post_id", "message_id"))
            if group_commit
            else None
        )
        # thread -> its post. Every answer looks its post up; what an answer needs of it
        # (id, closes_at) never changes once the post is sent, so instances may cache it.
        self._by_thread: OrderedDict[tuple[str, str, str], Post] = OrderedDict()
        self._thread_reads: SingleFlight[tuple[str, str, str], Post | None] = SingleFlight()
        # Slots known to be settled (sent or skipped): that never changes, so the scheduler
        # need not ask the database again on every tick.
        self._settled: OrderedDict[tuple[str, str, str], None] = OrderedDict()
        # Bumped by every channel write of this process (save_channel is the only one).
        self.channel_writes = 0
        # A thousand channels due in one minute: their claims, and their posts' finishing
        # updates, share transactions (each caller still returns after its own commit).
        # Claims go in key order, so two instances' batches never deadlock on PostgreSQL.
        self._claim_rows = Inserts(engine, posts, ("tenant", "channel_id", "slot"), ordered=True)
        self._claims = GroupWrite(engine, self._claim_all, together=True) if group_commit else None
        self._finishes = GroupWrite(engine, _finish_posts, together=True) if group_commit else None

    async def close(self) -> None:
        await self.engine.dispose()

    # -- channels -----------------------------------------------------------------

    async def save_channel(self, s: ChannelSettings, now: datetime) -> None:
        values = {
            "pack_id": s.pack_id,
            "post_time": s.post_time,
            "timezone": s.timezone,
            "weekdays": ",".join(s.weekdays),
            "window_minutes": s.window_minutes,
            "grace_minutes": s.grace_minutes,
            "cohort_date": s.cohort_date,
            "paused": s.paused,
            "catchup": s.catchup,
            "skip_dates": ",".join(d.isoformat() for d in s.skip_dates),
            "updated_at": now,
        }
        key = _channel_key(s.channel)
        async with writing(self.engine) as conn:
            done = await conn.execute(update(channels).where(key).values(**values))
            if done.rowcount == 0:
                await conn.execute(
                    insert(channels).values(
                        tenant=s.channel.tenant,
                        channel_id=s.channel.channel_id,
                        created_at=now,
                        **values,
                    )
                )
        self.channel_writes += 1

    async def get_channel(self, ref: ChannelRef) -> ChannelSettings | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(channels).where(_channel_key(ref)))).first()
        return _channel(row._mapping) if row else None

    async def list_channels(self, *, active_only: bool = False) -> list[ChannelSettings]:
        q = select(channels).order_by(channels.c.tenant, channels.c.channel_id)
        if active_only:
            q = q.where(channels.c.paused.is_(False))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        return [_channel(r._mapping) for r in rows]

    async def channels_of(self, tenant: str) -> list[ChannelSettings]:
        """A tenant's set-up channels (a member's drills use their pack and time zone)."""
        q = select(channels).where(channels.c.tenant == tenant).order_by(channels.c.channel_id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        return [_channel(r._mapping) for r in rows]

    # -- posts --------------------------------------------------------------------

    async def claim_slot(
        self,
        ref: ChannelRef,
        slot: str,
        local_date: date,
        *,
        claimer: str,
        now: datetime,
        lease_until: datetime,
        late: bool,
        status: str = "sending",
    ) -> int | None:
        """Take a posting slot; None when someone already has it (the unique key says so)."""
        row = _claim_row(ref, slot, local_date, claimer, now, lease_until, late, status)
        got = await self._claim(row, with_history=False)
        return got[0] if got is not None else None

    async def claim_post(
        self,
        ref: ChannelRef,
        slot: str,
        local_date: date,
        *,
        claimer: str,
        now: datetime,
        lease_until: datetime,
        late: bool,
    ) -> tuple[int, History] | None:
        """`claim_slot` for a post about to be sent, with what choosing its question needs:
        the channel's history (as `post_history`), read in the claim's own transaction."""
        row = _claim_row(ref, slot, local_date, claimer, now, lease_until, late, "sending")
        got = await self._claim(row, with_history=True)
        if got is None:
            return None
        post_id, history = got
        assert history is not None
        return post_id, history

    async def _claim(self, row: dict[str, Any], *, with_history: bool) -> _Claimed | None:
        if self._claims is not None:
            claimed: _Claimed | None = await self._claims.submit((row, with_history))
            return claimed
        async with writing(self.engine) as conn:
            [claimed] = await self._claim_all(conn, [(row, with_history)])
        return claimed

    async def _claim_all(
        self, conn: AsyncConnection, items: list[tuple[dict[str, Any], bool]]
    ) -> list[_Claimed | None]:
        ids = await self._claim_rows.run(conn, [row for row, _ in items])
        wanted = [
            _row_channel(row)
            for (row, with_history), post_id in zip(items, ids, strict=True)
            if with_history and post_id is not None
        ]
        histories = await _histories(conn, wanted) if wanted else {}
        return [
            None
            if post_id is None
            else (post_id, histories[_row_channel(row)] if with_history else None)
            for (row, with_history), post_id in zip(items, ids, strict=True)
        ]

    async def finish_post(
        self,
        tenant: str,
        post_id: int,
        *,
        question_id: str,
        message_id: str,
        thread_id: str | None,
        posted_at: datetime,
        closes_at: datetime,
    ) -> None:
        values = {
            "status": "sent",
            "question_id": question_id,
            "message_id": message_id,
            "thread_id": thread_id,
            "posted_at": posted_at,
            "closes_at": closes_at,
            "error": None,
        }
        if self._finishes is None:
            await self._update_post(tenant, post_id, **values)
            return
        await self._finishes.submit({"b_tenant": tenant, "b_id": post_id, **values})

    async def take_over(
        self, post: Post, *, claimer: str, now: datetime, lease_until: datetime
    ) -> bool:
        """Take a stale claim (its lease ran out); only one taker wins."""
        async with writing(self.engine) as conn:
            done = await conn.execute(
                update(posts)
                .where(
                    posts.c.tenant == post.channel.tenant,
                    posts.c.id == post.id,
                    posts.c.status.in_(("sending", "failed")),
                    posts.c.lease_until <= now,
                )
                .values(
                    status="sending", claimed_by=claimer, claimed_at=now, lease_until=lease_until
                )
            )
        return bool(done.rowcount)

    async def set_post_status(
        self, tenant: str, post_id: int, status: str, *, error: str | None = None
    ) -> None:
        await self._update_post(tenant, post_id, status=status, error=error)

    async def mark_closed(self, tenant: str, post_id: int, now: datetime) -> bool:
        """Close a post's answer window once; False if it was closed already."""
        async with writing(self.engine) as conn:
            done = await conn.execute(
                update(posts)
                .where(posts.c.tenant == tenant, posts.c.id == post_id, posts.c.closed_at.is_(None))
                .values(closed_at=now)
            )
        return bool(done.rowcount)

    async def _update_post(self, tenant: str, post_id: int, **values: Any) -> None:
        async with writing(self.engine) as conn:
            await conn.execute(
                update(posts)
                .where(posts.c.tenant == tenant, posts.c.id == post_id)
                .values(**values)
            )

    async def get_post(self, tenant: str, post_id: int) -> Post | None:
        return await self._one_post(and_(posts.c.tenant == tenant, posts.c.id == post_id))

    async def get_slot(self, ref: ChannelRef, slot: str) -> Post | None:
        return await self._one_post(and_(_post_channel(ref), posts.c.slot == slot))

    async def unsettled_slot(self, ref: ChannelRef, slot: str) -> tuple[bool, Post | None]:
        """(settled, row): settled once the slot was sent or skipped by any instance, which
        never changes, so that answer is cached and costs no query on later ticks."""
        key = (ref.tenant, ref.channel_id, slot)
        if key in self._settled:
            return True, None
        post = await self.get_slot(ref, slot)
        if post is None or post.status not in SETTLED:
            return False, post
        self._remember_settled(key)
        return True, post

    def note_settled(self, ref: ChannelRef, slot: str) -> None:
        """This process just settled the slot itself (sent or skipped it): later ticks need
        not read it back to learn so."""
        self._remember_settled((ref.tenant, ref.channel_id, slot))

    async def unsettled_slots(
        self, wanted: Iterable[tuple[ChannelRef, str]]
    ) -> dict[tuple[ChannelRef, str], tuple[bool, Post | None]]:
        """`unsettled_slot` for many channels at once: one query (per CHUNK channels) for
        those whose slot is not known to be settled."""
        out: dict[tuple[ChannelRef, str], tuple[bool, Post | None]] = {}
        ask: list[tuple[ChannelRef, str]] = []
        for ref, slot in wanted:
            if (ref.tenant, ref.channel_id, slot) in self._settled:
                out[(ref, slot)] = (True, None)
            else:
                ask.append((ref, slot))
        found: dict[tuple[str, str, str], Post] = {}
        for chunk in _chunks(ask):
            q = select(posts).where(
                posts.c.tenant.in_({ref.tenant for ref, _ in chunk}),
                posts.c.channel_id.in_({ref.channel_id for ref, _ in chunk}),
                posts.c.slot.in_({slot for _, slot in chunk}),
            )
            async with self.engine.connect() as conn:
                rows = (await conn.execute(q)).all()
            for r in rows:
                row = _post(r._mapping)
                found[(row.channel.tenant, row.channel.channel_id, row.slot)] = row
        for ref, slot in ask:
            key = (ref.tenant, ref.channel_id, slot)
            post = found.get(key)
            if post is None or post.status not in SETTLED:
                out[(ref, slot)] = (False, post)
            else:
                self._remember_settled(key)
                out[(ref, slot)] = (True, post)
        return out

    def _remember_settled(self, key: tuple[str, str, str]) -> None:
        self._settled[key] = None
        if len(self._settled) > SETTLED_CACHE:
            self._settled.popitem(last=False)

    async def posts_of(self, ref: ChannelRef) -> list[Post]:
        q = select(posts).where(_post_channel(ref)).order_by(posts.c.id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        return [_post(r._mapping) for r in rows]

    async def post_by_thread(self, ref: ChannelRef, thread_id: str) -> Post | None:
        """The sent post whose thread this is (cached: see __init__)."""
        key = (ref.tenant, ref.channel_id, thread_id)
        if (hit := self._by_thread.get(key)) is not None:
            self._by_thread.move_to_end(key)
            return hit
        post = await self._thread_reads.run(
            key, lambda: self._one_post(and_(_post_channel(ref), posts.c.thread_id == thread_id))
        )
        if post is not None and post.status == "sent":
            self._by_thread[key] = post
            if len(self._by_thread) > THREAD_CACHE:
                self._by_thread.popitem(last=False)
        return post

    async def threadless_post(self, ref: ChannelRef, message_id: str) -> Post | None:
        """The sent post with this message id that has no thread (its thread was refused):
        replies to it are its answers."""
        post = await self._one_post(and_(_post_channel(ref), posts.c.message_id == message_id))
        return post if post is not None and post.status == "sent" and not post.thread_id else None

    async def previous_sent_post(self, ref: ChannelRef, before_id: int) -> Post | None:
        """The channel's newest sent post before `before_id`."""
        q = (
            select(posts)
            .where(_post_channel(ref), posts.c.status == "sent", posts.c.id < before_id)
            .order_by(posts.c.id.desc())
            .limit(1)
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return _post(row._mapping) if row else None

    async def last_post(self, ref: ChannelRef) -> Post | None:
        q = select(posts).where(_post_channel(ref)).order_by(posts.c.id.desc()).limit(1)
        async with self.engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return _post(row._mapping) if row else None

    async def _one_post(self, where: Any) -> Post | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(posts).where(where))).first()
        return _post(row._mapping) if row else None

    async def posts_to_close(self, now: datetime) -> list[Post]:
        """Sent posts whose answer window has ended and whose summary is not out yet."""
        q = (
            select(posts)
            .where(posts.c.status == "sent", posts.c.closed_at.is_(None), posts.c.closes_at <= now)
            .order_by(posts.c.closes_at)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        return [_post(r._mapping) for r in rows]

    async def stale_claims(self, now: datetime) -> list[Post]:
        """Claims whose process died mid-send (or whose send failed), lease run out."""
        q = (
            select(posts)
            .where(posts.c.status.in_(("sending", "failed")), posts.c.lease_until <= now)
            .order_by(posts.c.id)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        return [_post(r._mapping) for r in rows]

    async def next_post_event(self, after: datetime) -> datetime | None:
        """The next answer window to close, or the next claim whose lease runs out (its
        sender may have died: the scheduler should look then, not only at the next slot)."""
        close, lease = post_event_times(after)
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(select(close.scalar_subquery(), lease.scalar_subquery()))
            ).one()
        # min() keeps the column's type, so these are aware UTC datetimes already.
        return min((t for t in row if isinstance(t, datetime)), default=None)

    async def question_uses(self, ref: ChannelRef) -> dict[str, int]:
        q = (
            select(posts.c.question_id, func.count())
            .where(_post_channel(ref), posts.c.question_id.is_not(None))
            .group_by(posts.c.question_id)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        return {str(qid): int(n) for qid, n in rows}

    async def post_history(self, refs: Iterable[ChannelRef]) -> dict[ChannelRef, History]:
        """For each channel, `question_uses` and `count_posts` together, in one query per
        CHUNK channels."""
        async with self.engine.connect() as conn:
            return await _histories(conn, list(dict.fromkeys(refs)))

    async def count_posts(self, ref: ChannelRef) -> int:
        q = (
            select(func.count())
            .select_from(posts)
            .where(_post_channel(ref), posts.c.status == "sent")
        )
        async with self.engine.connect() as conn:
            return int((await conn.execute(q)).scalar_one())

    # -- answers ------------------------------------------------------------------

    async def add_answer(
        self,
        post: Post,
        *,
        user_id: str,
        user_name: str,
        message_id: str,
        text: str,
        late: bool,
        now: datetime,
    ) -> int | None:
        """Store an answer; None when this message was stored already (a redelivery).
        Returns once the answer is committed."""
        row = {
            "tenant": post.channel.tenant,
            "post_id": post.id,
            "user_id": user_id,
            "user_name": user_name,
            "message_id": message_id,
            "text": text,
            "late": late,
            "created_at": now,
            "updated_at": now,
        }
        if self._answer_inserts is not None:
            return await self._answer_inserts.insert(row)
        try:
            return await self._insert_answer(**row)
        except IntegrityError:
            return None

    async def _insert_answer(self, **values: Any) -> int:
        async with writing(self.engine) as conn:
            return await insert_id(conn, answers, values)

    async def edit_answer(self, post: Post, message_id: str, text: str, now: datetime) -> bool:
        async with writing(self.engine) as conn:
            done = await conn.execute(
                update(answers)
                .where(*_answer_key(post, message_id))
                .values(text=text, updated_at=now)
            )
        return bool(done.rowcount)

    async def answer_by_message(self, post: Post, message_id: str) -> Answer | None:
        """The answer a member's message holds, if it was stored as one."""
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(select(answers).where(*_answer_key(post, message_id)))
            ).first()
        return answer_from_row(row._mapping) if row else None

    async def delete_answer(self, post: Post, message_id: str) -> bool:
        async with writing(self.engine) as conn:
            done = await conn.execute(delete(answers).where(*_answer_key(post, message_id)))
        return bool(done.rowcount)

    async def answers_for(self, post: Post) -> list[Answer]:
        q = (
            select(answers)
            .where(answers.c.tenant == post.channel.tenant, answers.c.post_id == post.id)
            .order_by(answers.c.id)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        return [answer_from_row(r._mapping) for r in rows]

    # -- a member's own data ------------------------------------------------------

    async def forget_member(self, tenant: str, user_id: str) -> dict[str, int]:
        """Delete everything this member wrote in this tenant: answers (their reviews go with
        them), peer reviews they gave, and their preparation date. Counts by kind."""
        async with writing(self.engine) as conn:
            gone_answers = await conn.execute(
                delete(answers).where(answers.c.tenant == tenant, answers.c.user_id == user_id)
            )
            gone_peer = await conn.execute(
                delete(peer_reviews).where(
                    peer_reviews.c.tenant == tenant, peer_reviews.c.reviewer_id == user_id
                )
            )
            gone_prep = await conn.execute(delete(prep).where(*_prep_key(tenant, user_id)))
        return {
            "answers": gone_answers.rowcount,
            "peer reviews": gone_peer.rowcount,
            "interview dates": gone_prep.rowcount,
        }

    # -- personal preparation dates -------------------------------------------------

    async def save_prep(
        self,
        tenant: str,
        user_id: str,
        user_name: str,
        channel_id: str,
        interview_date: date,
        phase: str | None,
        now: datetime,
    ) -> None:
        """Set (or move) a member's date; their checklist progress starts afresh."""
        values = dict(
            user_name=user_name,
            channel_id=channel_id,
            interview_date=interview_date,
            last_phase=phase,
            checked="",
            updated_at=now,
        )
        async with writing(self.engine) as conn:
            done = await conn.execute(
                update(prep).where(*_prep_key(tenant, user_id)).values(**values)
            )
            if done.rowcount == 0:
                await conn.execute(
                    insert(prep).values(tenant=tenant, user_id=user_id, created_at=now, **values)
                )

    async def get_prep(self, tenant: str, user_id: str) -> Prep | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(prep).where(*_prep_key(tenant, user_id)))).first()
        return _prep(row._mapping) if row else None

    async def clear_prep(self, tenant: str, user_id: str) -> bool:
        async with writing(self.engine) as conn:
            done = await conn.execute(delete(prep).where(*_prep_key(tenant, user_id)))
        return bool(done.rowcount)

    async def check_prep_item(self, tenant: str, user_id: str, item: str, now: datetime) -> None:
        current = await self.get_prep(tenant, user_id)
        if current is None:
            return
        checked = ",".join(sorted(current.checked | {item}))
        async with writing(self.engine) as conn:
            await conn.execute(
                update(prep)
                .where(*_prep_key(tenant, user_id))
                .values(checked=checked, updated_at=now)
            )

    async def preps_in(self, ref: ChannelRef) -> list[Prep]:
        q = select(prep).where(prep.c.tenant == ref.tenant, prep.c.channel_id == ref.channel_id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(q.order_by(prep.c.user_id))).all()
        return [_prep(r._mapping) for r in rows]

    async def preps_in_channels(self, refs: Iterable[ChannelRef]) -> dict[ChannelRef, list[Prep]]:
        """`preps_in` for many channels, in one query per CHUNK channels."""
        wanted = list(dict.fromkeys(refs))
        out: dict[ChannelRef, list[Prep]] = {ref: [] for ref in wanted}
        for chunk in _chunks(wanted):
            q = select(prep).where(
                prep.c.tenant.in_({ref.tenant for ref in chunk}),
                prep.c.channel_id.in_({ref.channel_id for ref in chunk}),
            )
            async with self.engine.connect() as conn:
                rows = (await conn.execute(q.order_by(prep.c.user_id))).all()
            for r in rows:
                p = _prep(r._mapping)
                got = out.get(ChannelRef(p.tenant, p.channel_id))
                if got is not None:
                    got.append(p)
        return out

    async def advance_prep_phase(self, p: Prep, phase: str, now: datetime) -> bool:
        """Record that the member was nudged about `phase`; False if someone already did."""
        async with writing(self.engine) as conn:
            done = await conn.execute(
                update(prep)
                .where(
                    *_prep_key(p.tenant, p.user_id),
                    prep.c.interview_date == p.interview_date,
                    (prep.c.last_phase.is_(None)) | (prep.c.last_phase != phase),
                )
                .values(last_phase=phase, updated_at=now)
            )
        return bool(done.rowcount)


def post_event_times(after: When) -> tuple[Select[Any], Select[Any]]:
    """The next answer window to close, and the next post claim lease to run out, strictly
    after `after` (each a one-value query; the scheduler asks them with others at once)."""
    close = select(func.min(posts.c.closes_at)).where(
        posts.c.status == "sent", posts.c.closed_at.is_(None), posts.c.closes_at > after
    )
    lease = select(func.min(posts.c.lease_until)).where(
        posts.c.status.in_(("sending", "failed")), posts.c.lease_until > after
    )
    return close, lease


# A claim's new post id, and the channel's history when it was asked for.
_Claimed = tuple[int, History | None]


def _claim_row(
    ref: ChannelRef,
    slot: str,
    local_date: date,
    claimer: str,
    now: datetime,
    lease_until: datetime,
    late: bool,
    status: str,
) -> dict[str, Any]:
    return {
        "tenant": ref.tenant,
        "channel_id": ref.channel_id,
        "slot": slot,
        "local_date": local_date,
        "status": status,
        "late": late,
        "claimed_by": claimer,
        "claimed_at": now,
        "lease_until": lease_until,
    }


def _row_channel(row: dict[str, Any]) -> ChannelRef:
    return ChannelRef(row["tenant"], row["channel_id"])


async def _histories(conn: AsyncConnection, refs: list[ChannelRef]) -> dict[ChannelRef, History]:
    """Each channel's History, one query per CHUNK channels."""
    out: dict[ChannelRef, History] = {}
    uses: dict[ChannelRef, dict[str, int]] = {ref: {} for ref in refs}
    sent: defaultdict[ChannelRef, int] = defaultdict(int)
    for chunk in _chunks(refs):
        q = (
            select(
                posts.c.tenant,
                posts.c.channel_id,
                posts.c.question_id,
                posts.c.status,
                func.count(),
            )
            .where(
                posts.c.tenant.in_({ref.tenant for ref in chunk}),
                posts.c.channel_id.in_({ref.channel_id for ref in chunk}),
                posts.c.question_id.is_not(None) | (posts.c.status == "sent"),
            )
            .group_by(posts.c.tenant, posts.c.channel_id, posts.c.question_id, posts.c.status)
        )
        for tenant, channel_id, qid, status, n in (await conn.execute(q)).all():
            ref = ChannelRef(tenant, channel_id)
            counts = uses.get(ref)
            if counts is None:
                continue  # a channel of the ids' cross product that was not asked for
            if qid is not None:
                counts[str(qid)] = counts.get(str(qid), 0) + int(n)
            if status == "sent":
                sent[ref] += int(n)
    for ref in refs:
        out[ref] = (uses[ref], sent[ref])
    return out


# The columns to set come from the parameters' keys; the row from b_tenant and b_id.
_FINISH = update(posts).where(
    posts.c.tenant == bindparam("b_tenant"), posts.c.id == bindparam("b_id")
)


async def _finish_posts(conn: AsyncConnection, rows: list[dict[str, Any]]) -> list[None]:
    """Finished posts' updates, several in one statement (executemany)."""
    await conn.execute(_FINISH, rows[0] if len(rows) == 1 else rows)
    return [None] * len(rows)


def _chunks(items: list[_T], size: int = CHUNK) -> Iterable[list[_T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _channel_key(ref: ChannelRef) -> Any:
    return and_(channels.c.tenant == ref.tenant, channels.c.channel_id == ref.channel_id)


def _post_channel(ref: ChannelRef) -> Any:
    return and_(posts.c.tenant == ref.tenant, posts.c.channel_id == ref.channel_id)


def _answer_key(post: Post, message_id: str) -> Sequence[Any]:
    return (
        answers.c.tenant == post.channel.tenant,
        answers.c.post_id == post.id,
        answers.c.message_id == message_id,
    )


def _channel(m: Any) -> ChannelSettings:
    return ChannelSettings(
        channel=ChannelRef(m["tenant"], m["channel_id"]),
        pack_id=m["pack_id"],
        post_time=m["post_time"],
        timezone=m["timezone"],
        weekdays=tuple(d for d in m["weekdays"].split(",") if d),
        window_minutes=m["window_minutes"],
        grace_minutes=m["grace_minutes"],
        cohort_date=m["cohort_date"],
        paused=bool(m["paused"]),
        created_at=m["created_at"],
        catchup=m["catchup"],
        skip_dates=tuple(date.fromisoformat(d) for d in m["skip_dates"].split(",") if d),
    )


def _post(m: Any) -> Post:
    return Post(
        id=m["id"],
        channel=ChannelRef(m["tenant"], m["channel_id"]),
        slot=m["slot"],
        local_date=m["local_date"],
        status=m["status"],
        late=bool(m["late"]),
        question_id=m["question_id"],
        claimed_by=m["claimed_by"],
        lease_until=m["lease_until"],
        posted_at=m["posted_at"],
        closes_at=m["closes_at"],
        closed_at=m["closed_at"],
        message_id=m["message_id"],
        thread_id=m["thread_id"],
        error=m["error"],
    )


def answer_from_row(m: Any) -> Answer:
    return Answer(
        id=m["id"],
        post_id=m["post_id"],
        tenant=m["tenant"],
        user_id=m["user_id"],
        user_name=m["user_name"],
        message_id=m["message_id"],
        text=m["text"],
        late=bool(m["late"]),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


def _prep_key(tenant: str, user_id: str) -> tuple[Any, Any]:
    return prep.c.tenant == tenant, prep.c.user_id == user_id


def _prep(m: Any) -> Prep:
    return Prep(
        tenant=m["tenant"],
        user_id=m["user_id"],
        user_name=m["user_name"],
        channel_id=m["channel_id"],
        interview_date=m["interview_date"],
        last_phase=m["last_phase"],
        checked=frozenset(c for c in m["checked"].split(",") if c),
    )
