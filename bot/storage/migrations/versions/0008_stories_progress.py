"""stories and progress: the STAR story bank, the weekly gap nudge, leaderboard opt-ins,
indexes for streaks and score history, and each review's mean score

Revision ID: 0008
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UtcDateTime

revision: str = "0008"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("pack_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("principles", sa.String(400), nullable=False),
        sa.Column("situation", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("review", sa.Text(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
    )
    op.create_index("ix_stories_member", "stories", ["tenant", "user_id"])
    op.create_table(
        "story_nudges",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("sent_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("tenant", "user_id", name=op.f("pk_story_nudges")),
    )
    op.create_table(
        "leaderboard_members",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("joined_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant", "channel_id", "user_id", name=op.f("pk_leaderboard_members")
        ),
    )
    op.create_index("ix_answers_member_time", "answers", ["tenant", "user_id", "created_at"])
    # Each review's mean score, so leaderboards average in the database; filled for the
    # reviews already stored.
    op.add_column("reviews", sa.Column("score", sa.Float(), nullable=True))
    mean = {
        "sqlite": "(SELECT avg(value) FROM json_each(reviews.scores))",
        "postgresql": "(SELECT avg(value::float) FROM json_each_text(reviews.scores::json))",
    }[op.get_bind().dialect.name]
    op.execute(f"UPDATE reviews SET score = {mean}")
    op.create_index("ix_drill_log_member_time", "drill_log", ["tenant", "user_id", "reviewed_at"])


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("score")
    op.drop_index("ix_drill_log_member_time", table_name="drill_log")
    op.drop_index("ix_answers_member_time", table_name="answers")
    op.drop_table("leaderboard_members")
    op.drop_table("story_nudges")
    op.drop_index("ix_stories_member", table_name="stories")
    op.drop_table("stories")
