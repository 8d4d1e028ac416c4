"""review: channel review settings, AI reviews, peer-review assignments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = bot.storage.types.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "review_settings",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("delivery", sa.String(length=8), nullable=False),
        sa.Column("visibility", sa.String(length=8), nullable=False),
        sa.Column("peer_start", sa.String(length=8), nullable=False),
        sa.Column("peer_count", sa.Integer(), nullable=False),
        sa.Column("peer_window_minutes", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("tenant", "channel_id", name=op.f("pk_review_settings")),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=120), nullable=False),
        sa.Column("scores", sa.Text(), nullable=False),
        sa.Column("strengths", sa.Text(), nullable=False),
        sa.Column("improvements", sa.Text(), nullable=False),
        sa.Column("follow_up", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("delivered_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answers.id"],
            name=op.f("fk_reviews_answer_id_answers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_reviews_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("tenant", "answer_id", name=op.f("uq_reviews_tenant_answer_id")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reviews_tenant_post_id"), ["tenant", "post_id"], unique=False
        )
    op.create_table(
        "peer_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("reviewer_id", sa.String(length=64), nullable=False),
        sa.Column("reviewer_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("scores", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("assigned_at", UTC, nullable=False),
        sa.Column("remind_at", UTC, nullable=False),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("reminded_at", UTC, nullable=True),
        sa.Column("done_at", UTC, nullable=True),
        sa.Column("gathered_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answers.id"],
            name=op.f("fk_peer_reviews_answer_id_answers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_peer_reviews_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_reviews")),
        sa.UniqueConstraint(
            "tenant",
            "answer_id",
            "reviewer_id",
            name=op.f("uq_peer_reviews_tenant_answer_id_reviewer_id"),
        ),
    )
    with op.batch_alter_table("peer_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_peer_reviews_status_due_at"), ["status", "due_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_peer_reviews_tenant_channel_id_post_id"),
            ["tenant", "channel_id", "post_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("peer_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_peer_reviews_tenant_channel_id_post_id"))
        batch_op.drop_index(batch_op.f("ix_peer_reviews_status_due_at"))
    op.drop_table("peer_reviews")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_tenant_post_id"))
    op.drop_table("reviews")
    op.drop_table("review_settings")
