"""Rows as the core sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain import ChannelRef

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    channel: ChannelRef
    pack_id: str
    post_time: str = "09:00"
    timezone: str = "UTC"
    weekdays: tuple[str, ...] = WEEKDAYS[:5]
    window_minutes: int = 24 * 60
    grace_minutes: int = 12 * 60
    cohort_date: date | None = None
    paused: bool = False
    created_at: datetime | None = None
    catchup: str = "late"  # "late" or "skip"
    skip_dates: tuple[date, ...] = ()


# A channel's question history: how often each question was posted there, and its sent posts.
History = tuple[dict[str, int], int]


@dataclass(frozen=True, slots=True)
class Post:
    id: int
    channel: ChannelRef
    slot: str
    local_date: date
    status: str
    late: bool
    question_id: str | None
    claimed_by: str
    lease_until: datetime
    posted_at: datetime | None
    closes_at: datetime | None
    closed_at: datetime | None
    message_id: str | None
    thread_id: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class Answer:
    id: int
    post_id: int
    tenant: str
    user_id: str
    user_name: str
    message_id: str
    text: str
    late: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Prep:
    """A member's personal interview date and checklist progress."""

    tenant: str
    user_id: str
    user_name: str
    channel_id: str
    interview_date: date
    last_phase: str | None
    checked: frozenset[str]  # "phase:item-number"
