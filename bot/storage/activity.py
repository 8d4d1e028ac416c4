"""What the scheduler's tick has to look at, in one query instead of one per feature.

Every tick asks each feature whether something is due. Most features have nothing in
flight most of the time (no mock round running, no review whose process died, no drill
reminder set up), yet asking each one costs a round trip to the database. `probe` answers
"is there anything at all?" for all of them in a single statement, and `upcoming` gives the
next due time of everything the database alone can tell, also in one statement.

Nothing here is cached across ticks: the database stays the only truth, so rows another
process wrote are seen on the next tick as before. Within a tick, `Tick` re-probes once
this process has written anything since the last probe, so work one feature creates for
another in the same tick is still found in that tick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.drill_store import drill_reminders, drill_sessions
from bot.storage.engine import writes
from bot.storage.mock_store import ACTIVE, mock_outbox, mock_rounds, outbox_due_times
from bot.storage.records import ChannelSettings
from bot.storage.review_store import peer_due_times, review_lease_time
from bot.storage.store import Store, post_event_times
from bot.storage.tables import channels, peer_reviews, posts, prep, reviews
from bot.storage.types import UtcDateTime

# (how many, last changed): save_channel is their only writer, and it stamps updated_at.
Fingerprint = tuple[int, datetime | None]


def _channels_fingerprint() -> tuple[Any, Any]:
    active = channels.c.paused.is_(False)
    return (
        select(func.count()).select_from(channels).where(active).scalar_subquery(),
        select(func.max(channels.c.updated_at)).where(active).scalar_subquery(),
    )


@dataclass(frozen=True, slots=True)
class Activity:
    """Whether each feature has anything to look at, as of `now`."""

    stale_claims: bool  # a post claim whose lease ran out (its sender died or failed)
    to_close: bool  # a sent post whose answer window has ended and is not closed yet
    peer: bool  # a peer assignment open, or feedback not gathered yet
    reminders: bool  # a drill reminder switched on
    drills_unreviewed: bool  # a drill answer past the lease without its review
    mock: bool  # a mock round in flight, or a mock message not sent yet
    stale_reviews: bool  # a pending answer review whose lease ran out
    preps: bool  # a member's interview date (timeline and story nudges)
    channels: Fingerprint  # of the active channels' settings


# Each statement is built once, its times bound at each call: building one is most of
# what asking costs the process, short of the round trip.
_NOW = bindparam("now", type_=UtcDateTime())
_CUTOFF = bindparam("cutoff", type_=UtcDateTime())  # now, less a lease
_AFTER = bindparam("after", type_=UtcDateTime())
_CHECKS = (
    "stale_claims",
    "to_close",
    "peer",
    "reminders",
    "drills_unreviewed",
    "mock",
    "stale_reviews",
    "preps",
)


@cache
def _probe_statement() -> Select[Any]:
    checks: dict[str, Any] = {
        "stale_claims": exists().where(
            posts.c.status.in_(("sending", "failed")), posts.c.lease_until <= _NOW
        ),
        "to_close": exists().where(
            posts.c.status == "sent", posts.c.closed_at.is_(None), posts.c.closes_at <= _NOW
        ),
        "peer": exists().where(
            (peer_reviews.c.status == "assigned") | peer_reviews.c.gathered_at.is_(None)
        ),
        "reminders": exists().where(drill_reminders.c.active.is_(True)),
        "drills_unreviewed": exists().where(
            drill_sessions.c.status == "answered",
            drill_sessions.c.review.is_(None),
            drill_sessions.c.answered_at < _CUTOFF,
        ),
        "mock": or_(
            exists().where(mock_rounds.c.status.in_(ACTIVE)),
            exists().where(mock_outbox.c.status.in_(("pending", "sending"))),
        ),
        "stale_reviews": exists().where(
            reviews.c.status == "pending", reviews.c.lease_until <= _NOW
        ),
        "preps": exists().where(prep.c.tenant.is_not(None)),
    }
    assert tuple(checks) == _CHECKS
    return select(*(check.label(name) for name, check in checks.items()), *_channels_fingerprint())


async def probe(engine: AsyncEngine, now: datetime, lease: timedelta) -> Activity:
    async with engine.connect() as conn:
        row = (await conn.execute(_probe_statement(), {"now": now, "cutoff": now - lease})).one()
    flags = {name: bool(row._mapping[name]) for name in _CHECKS}
    return Activity(**flags, channels=(int(row[-2]), row[-1]))


@dataclass(frozen=True, slots=True)
class Upcoming:
    """The next due time of everything whose time is a column, and which features need
    their own look (their due times are computed from each row: zones, idle limits)."""

    first: datetime | None
    reminders: bool
    rounds: bool
    channels: Fingerprint


@cache
def _upcoming_statement() -> Select[Any]:
    times = [
        *post_event_times(_AFTER),
        *peer_due_times(_AFTER),
        review_lease_time(_AFTER),
        *outbox_due_times(_AFTER),
    ]
    flags = [
        exists().where(drill_reminders.c.active.is_(True)),
        exists().where(mock_rounds.c.status.in_(ACTIVE)),
    ]
    return select(*(t.scalar_subquery() for t in times), *flags, *_channels_fingerprint())


async def upcoming(engine: AsyncEngine, after: datetime) -> Upcoming:
    """In one statement: the next answer window to close, claim lease to run out, peer
    reminder or deadline, review lease, and mock message to (re)try, strictly after
    `after`; whether any drill reminder or mock round exists; the channels' fingerprint."""
    async with engine.connect() as conn:
        row = (await conn.execute(_upcoming_statement(), {"after": after})).one()
    found = [t for t in row[:-4] if isinstance(t, datetime)]
    return Upcoming(min(found, default=None), bool(row[-4]), bool(row[-3]), (int(row[-2]), row[-1]))


class Tick:
    """One scheduler tick's view of what is active, probed lazily and again after this
    process wrote something (a feature may have made work for the next one)."""

    def __init__(self, store: Store, now: Callable[[], datetime], lease: timedelta):
        self._store = store
        self._now = now
        self._lease = lease
        self.at = now()
        self._seen: tuple[int, Activity] | None = None
        self._channels: tuple[int, list[ChannelSettings]] | None = None
        self._fingerprint: Fingerprint = (0, None)

    async def activity(self) -> Activity:
        count = writes(self._store.engine)
        if self._seen is None or self._seen[0] != count:
            self._seen = (count, await probe(self._store.engine, self._now(), self._lease))
        return self._seen[1]

    async def channels(self) -> list[ChannelSettings]:
        """The active channels, read once for the tick (again if this process changed a
        channel's settings since)."""
        if self._channels is None or self._channels[0] != self._store.channel_writes:
            # Probed before the read: a change landing in between makes the fingerprint
            # older than the list, so `still` errs towards reading again.
            self._fingerprint = (await self.activity()).channels
            count = self._store.channel_writes
            self._channels = (count, await self._store.list_channels(active_only=True))
        return self._channels[1]

    def still(self, now: datetime, fingerprint: Fingerprint) -> bool:
        """Whether this tick's channels still hold at `now`: the same instant (a simulated
        clock's next_due right after its run_due) and the same channels' fingerprint in
        the database (no other process changed one since)."""
        return now == self.at and self._channels is not None and fingerprint == self._fingerprint
