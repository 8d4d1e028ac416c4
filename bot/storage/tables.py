"""The schema. Every table carries `tenant` (guild / team / console workspace) and every
query filters on it, so one server's data is never visible from another."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from bot.storage.types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

channels = Table(
    "channels",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("channel_id", String(64), primary_key=True),
    Column("pack_id", String(64), nullable=False),
    Column("post_time", String(5), nullable=False),  # "HH:MM", local to `timezone`
    Column("timezone", String(64), nullable=False),
    Column("weekdays", String(27), nullable=False),  # "mon,tue,wed,thu,fri"
    Column("window_minutes", Integer, nullable=False),
    Column("grace_minutes", Integer, nullable=False),
    Column("cohort_date", Date, nullable=True),
    Column("paused", Boolean, nullable=False, default=False),
    # What happens to a slot missed while the bot was down: "late" (post it within the
    # grace window, marked late) or "skip" (say so in the channel).
    Column("catchup", String(8), nullable=False, server_default="late"),
    Column("skip_dates", Text, nullable=False, server_default=""),  # "2026-12-24,2026-12-25"
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# One row per posting slot. The unique key is what makes a post happen once: whoever
# inserts the row owns the slot; a restart or a second process finds it taken.
posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(64), nullable=False),
    Column("channel_id", String(64), nullable=False),
    Column("slot", String(40), nullable=False),  # the local date, or "extra-<n>" for post-now
    Column("local_date", Date, nullable=False),
    Column("status", String(16), nullable=False),  # sending | sent | failed | skipped
    Column("late", Boolean, nullable=False, default=False),
    Column("question_id", String(120), nullable=True),
    Column("claimed_by", String(120), nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("lease_until", UtcDateTime, nullable=False),
    Column("posted_at", UtcDateTime, nullable=True),
    Column("closes_at", UtcDateTime, nullable=True),
    Column("closed_at", UtcDateTime, nullable=True),
    Column("message_id", String(64), nullable=True),
    Column("thread_id", String(64), nullable=True),
    Column("error", Text, nullable=True),
    UniqueConstraint("tenant", "channel_id", "slot"),
    Index(None, "tenant", "channel_id", "thread_id"),
    Index(None, "status", "closes_at"),
)

answers = Table(
    "answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(64), nullable=False),
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("user_name", String(200), nullable=False),
    Column("message_id", String(64), nullable=False),  # the thread reply, or "form-..."
    Column("text", Text, nullable=False),
    Column("late", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("tenant", "post_id", "message_id"),
    Index(None, "tenant", "user_id"),
)

# A member's own interview date (F6): drives private nudges at each phase change.
prep = Table(
    "prep",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("user_name", String(200), nullable=False),
    Column("channel_id", String(64), nullable=False),  # whose posting time and pack apply
    Column("interview_date", Date, nullable=False),
    Column("last_phase", String(64), nullable=True),  # the phase last nudged about
    Column("checked", Text, nullable=False, server_default=""),  # "practice:1,practice:3"
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "tenant", "channel_id"),
)
