"""drills: spaced-repetition cards, their review log, served drills and reminders

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UtcDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "drill_cards",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("question_id", sa.String(120), nullable=False),
        sa.Column("pack_id", sa.String(64), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_review", UtcDateTime(timezone=True), nullable=True),
        sa.Column("reps", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lapses", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_score", sa.Float(), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "user_id", "question_id", name=op.f("pk_drill_cards")),
    )
    op.create_index("ix_drill_cards_pack", "drill_cards", ["tenant", "user_id", "pack_id"])
    op.create_table(
        "drill_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("question_id", sa.String(120), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("reviewed_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_log")),
    )
    op.create_index("ix_drill_log_member", "drill_log", ["tenant", "user_id"])
    op.create_table(
        "drill_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("pack_id", sa.String(64), nullable=False),
        sa.Column("question_id", sa.String(120), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=True),
        sa.Column("filters", sa.Text(), server_default="{}", nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("served_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("review", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_sessions")),
    )
    op.create_index(
        "ix_drill_sessions_member", "drill_sessions", ["tenant", "user_id", "served_at"]
    )
    op.create_table(
        "drill_reminders",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("remind_at", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("status", sa.String(8), server_default="idle", nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("lease_until", UtcDateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "user_id", name=op.f("pk_drill_reminders")),
    )


def downgrade() -> None:
    op.drop_table("drill_reminders")
    op.drop_index("ix_drill_sessions_member", table_name="drill_sessions")
    op.drop_table("drill_sessions")
    op.drop_index("ix_drill_log_member", table_name="drill_log")
    op.drop_table("drill_log")
    op.drop_index("ix_drill_cards_pack", table_name="drill_cards")
    op.drop_table("drill_cards")
