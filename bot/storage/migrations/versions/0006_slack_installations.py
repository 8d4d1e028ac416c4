"""slack: OAuth installations (one bot token per workspace), OAuth states, sends journal

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_installations",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("team_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("team_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("app_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("bot_token", sa.Text(), nullable=False),
        sa.Column("bot_id", sa.String(length=64), nullable=False),
        sa.Column("bot_user_id", sa.String(length=64), nullable=False),
        sa.Column("bot_scopes", sa.Text(), server_default="", nullable=False),
        sa.Column("bot_refresh_token", sa.Text(), nullable=True),
        sa.Column(
            "bot_token_expires_at", bot.storage.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("installer_user_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("installed_at", bot.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", name=op.f("pk_slack_installations")),
    )
    op.create_table(
        "slack_oauth_states",
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("expires_at", bot.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state", name=op.f("pk_slack_oauth_states")),
    )
    op.create_table(
        "slack_sends",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("started_at", bot.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "nonce", name=op.f("pk_slack_sends")),
    )
    with op.batch_alter_table("slack_sends", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slack_sends_started_at"), ["started_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("slack_sends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_sends_started_at"))
    op.drop_table("slack_sends")
    op.drop_table("slack_oauth_states")
    op.drop_table("slack_installations")
