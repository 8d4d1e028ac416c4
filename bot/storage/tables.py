"""The schema. Every table carries `tenant` (guild / team / console workspace) and every
query filters on it, so one server's data is never visible from another."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
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

# -- F3 review ----------------------------------------------------------------------

# How a channel reviews answers and whether answers show before the window closes. A
# row only exists once an admin changes something; until then the defaults apply.
review_settings = Table(
    "review_settings",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("channel_id", String(64), primary_key=True),
    Column("mode", String(8), nullable=False),  # ai | peer | both | none
    Column("delivery", String(8), nullable=False),  # thread | private
    Column("visibility", String(8), nullable=False),  # open | hidden
    Column("peer_start", String(8), nullable=False),  # close | now
    Column("peer_count", Integer, nullable=False),
    Column("peer_window_minutes", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# One AI review per answer (rubric or LLM; `reviewer` says which). `delivered_at` is set by
# whoever sends it, once: the background task, or the reveal in hidden mode.
reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(64), nullable=False),
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("answer_id", Integer, ForeignKey("answers.id", ondelete="CASCADE"), nullable=False),
    Column("reviewer", String(120), nullable=False),
    Column("scores", Text, nullable=False),  # JSON {"dimension": 1..4}
    Column("strengths", Text, nullable=False),  # JSON list
    Column("improvements", Text, nullable=False),  # JSON list
    Column("follow_up", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime, nullable=True),
    # An answer's reviews, one per text it had: an edit adds version 2 and so on.
    Column("version", Integer, nullable=False, server_default="1"),
    # pending (recorded when the answer is stored; its task holds the lease) | given (the
    # review went out, or was held back as the channel asks) | superseded (a later version
    # replaced it). A pending row whose lease ran out is taken over by any scheduler.
    Column("status", String(12), nullable=False, server_default="given"),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("reviewed_at", UtcDateTime, nullable=True),  # set once the reviewer answered
    # The review's message in the thread, edited in place when the answer is re-reviewed.
    Column("message_id", String(64), nullable=True),
    Column("thread_id", String(64), nullable=True),
    # The mean of `scores` (1-4), kept so leaderboards average in the database (F8).
    Column("score", Float, nullable=True),
    UniqueConstraint("tenant", "answer_id", "version"),
    Index(None, "tenant", "post_id"),
    Index(None, "status", "lease_until"),
)

# One row per (answer, peer reviewer): the assignment, its scores as they come in, and
# the times that drive the reminder, the deadline and the gathered feedback.
peer_reviews = Table(
    "peer_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(64), nullable=False),
    Column("channel_id", String(64), nullable=False),
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("answer_id", Integer, ForeignKey("answers.id", ondelete="CASCADE"), nullable=False),
    Column("author_id", String(64), nullable=False),
    Column("reviewer_id", String(64), nullable=False),
    Column("reviewer_name", String(200), nullable=False),
    Column("status", String(10), nullable=False),  # assigned | done | expired
    Column("scores", Text, nullable=False),  # JSON, filled one button press at a time
    Column("comment", Text, nullable=True),
    Column("assigned_at", UtcDateTime, nullable=False),
    Column("remind_at", UtcDateTime, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("reminded_at", UtcDateTime, nullable=True),
    Column("done_at", UtcDateTime, nullable=True),
    Column("gathered_at", UtcDateTime, nullable=True),
    UniqueConstraint("tenant", "answer_id", "reviewer_id"),
    Index(None, "tenant", "channel_id", "post_id"),
    Index(None, "status", "due_at"),
)

# Slack OAuth installs (the Slack adapter's installation store): one row per workspace
# that installed the app, holding its bot token. `tenant` is the team (or the Enterprise
# Grid org for an org-wide install). Removed when the app is uninstalled.
slack_installations = Table(
    "slack_installations",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("enterprise_id", String(64), nullable=False, server_default=""),
    Column("team_id", String(64), nullable=False, server_default=""),
    Column("team_name", String(200), nullable=False, server_default=""),
    Column("app_id", String(64), nullable=False, server_default=""),
    Column("bot_token", Text, nullable=False),
    Column("bot_id", String(64), nullable=False),
    Column("bot_user_id", String(64), nullable=False),
    Column("bot_scopes", Text, nullable=False, server_default=""),
    Column("bot_refresh_token", Text, nullable=True),
    Column("bot_token_expires_at", UtcDateTime, nullable=True),
    Column("installer_user_id", String(64), nullable=False, server_default=""),
    Column("is_enterprise_install", Boolean, nullable=False),
    Column("installed_at", UtcDateTime, nullable=False),
)

# OAuth `state` values handed out by /slack/install, consumed once by the redirect (kept
# in the database so the redirect may reach another process than the install page).
slack_oauth_states = Table(
    "slack_oauth_states",
    metadata,
    Column("state", String(64), primary_key=True),
    Column("expires_at", UtcDateTime, nullable=False),
)

# The Slack adapter's record of each post sent with a nonce (the core's claim key): begun,
# and the message ts once Slack answered. Slack has no idempotency key, so a retried post
# (after a lost answer, or by another process after a crash) is looked up here and in the
# channel's history instead of being sent twice. Pruned after two weeks.
slack_sends = Table(
    "slack_sends",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("nonce", String(128), primary_key=True),
    Column("channel_id", String(64), nullable=False),
    Column("message_ts", String(32), nullable=True),
    Column("started_at", UtcDateTime, nullable=False),
    Index(None, "started_at"),
)


# Process-wide facts that are not any tenant's data: the hash of the Discord command set
# last synced, and the like. Keys are namespaced by their owner ("discord.commands.<app>").
app_state = Table(
    "app_state",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
