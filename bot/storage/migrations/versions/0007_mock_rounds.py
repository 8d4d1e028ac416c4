"""mock rounds: rounds, their line-up, their questions and scores, their outbox, and who may start them

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UtcDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mock_rounds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=True),
        sa.Column("thread_id", sa.String(64), nullable=True),
        sa.Column("pack_id", sa.String(64), nullable=False),
        sa.Column("organiser_id", sa.String(64), nullable=False),
        sa.Column("organiser_name", sa.String(200), nullable=False),
        sa.Column("format", sa.String(12), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("idle_minutes", sa.Integer(), nullable=False),
        sa.Column("solo", sa.Boolean(), nullable=False),
        sa.Column("reserved_candidate", sa.String(200), nullable=True),
        sa.Column("start_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("current", sa.Integer(), server_default="-1", nullable=False),
        sa.Column("stage", sa.Integer(), server_default="0", nullable=False),
        sa.Column("ends_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("warned", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("decide_by", UtcDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Integer(), nullable=True),
        sa.Column("vetoed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("last_activity_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mock_rounds")),
    )
    op.create_index("ix_mock_rounds_place", "mock_rounds", ["tenant", "channel_id", "status"])
    op.create_index("ix_mock_rounds_status", "mock_rounds", ["status"])
    op.create_table(
        "mock_members",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("left_at", UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("round_id", "user_id", name=op.f("pk_mock_members")),
    )
    op.create_index("ix_mock_members_user", "mock_members", ["tenant", "user_id"])
    op.create_table(
        "mock_slots",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("question_id", sa.String(120), nullable=False),
        sa.Column("principle_id", sa.String(80), nullable=True),
        sa.Column("asker_id", sa.String(64), nullable=False),
        sa.Column("asker_name", sa.String(200), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("done", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("review", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("round_id", "position", name=op.f("pk_mock_slots")),
    )
    op.create_table(
        "mock_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("dest", sa.String(8), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("user_name", sa.String(200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("buttons", sa.Text(), server_default="[]", nullable=False),
        sa.Column("thread_name", sa.String(100), nullable=True),
        sa.Column("mentions", sa.Text(), server_default="[]", nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("lease_until", UtcDateTime(timezone=True), nullable=True),
        sa.Column("next_try_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("message_id", sa.String(64), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mock_outbox")),
        sa.UniqueConstraint("round_id", "key", name=op.f("uq_mock_outbox_round_id_key")),
    )
    op.create_index("ix_mock_outbox_status", "mock_outbox", ["status", "next_try_at"])
    op.create_table(
        "mock_settings",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("starters", sa.String(8), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "channel_id", name=op.f("pk_mock_settings")),
    )


def downgrade() -> None:
    op.drop_table("mock_settings")
    op.drop_index("ix_mock_outbox_status", table_name="mock_outbox")
    op.drop_table("mock_outbox")
    op.drop_table("mock_slots")
    op.drop_index("ix_mock_members_user", table_name="mock_members")
    op.drop_table("mock_members")
    op.drop_index("ix_mock_rounds_status", table_name="mock_rounds")
    op.drop_index("ix_mock_rounds_place", table_name="mock_rounds")
    op.drop_table("mock_rounds")
