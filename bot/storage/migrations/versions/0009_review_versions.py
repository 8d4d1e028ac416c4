"""reviews: versions for edited answers, a pending state with a lease, the thread message

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-30 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite cannot drop a unique constraint in place, so the table is copied.
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(
            sa.Column("status", sa.String(length=12), server_default="given", nullable=False)
        )
        batch.add_column(
            sa.Column("lease_until", bot.storage.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("reviewed_at", bot.storage.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("message_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("thread_id", sa.String(length=64), nullable=True))
        batch.drop_constraint("uq_reviews_tenant_answer_id", type_="unique")
        batch.create_unique_constraint(
            "uq_reviews_tenant_answer_id_version", ["tenant", "answer_id", "version"]
        )
        batch.create_index("ix_reviews_status_lease_until", ["status", "lease_until"])
    # Reviews stored before this revision were all given when they were stored.
    op.execute("UPDATE reviews SET reviewed_at = created_at")


def downgrade() -> None:
    op.execute("DELETE FROM reviews WHERE status = 'superseded' OR reviewed_at IS NULL")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_index("ix_reviews_status_lease_until")
        batch.drop_constraint("uq_reviews_tenant_answer_id_version", type_="unique")
        batch.create_unique_constraint("uq_reviews_tenant_answer_id", ["tenant", "answer_id"])
        for column in ("thread_id", "message_id", "reviewed_at", "lease_until", "status"):
            batch.drop_column(column)
        batch.drop_column("version")
