"""F7 storage: a member's STAR stories with their latest review, and the weekly gap nudge's
claim row.

Every query filters on tenant and member: a story is its author's alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import Review
from bot.storage.engine import insert_id, writing
from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("user_name", String(200), nullable=False),
    Column("pack_id", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("principles", String(400), nullable=False),  # principle ids, "ownership,dive-deep"
    Column("situation", Text, nullable=False),  # situation and task
    Column("action", Text, nullable=False),
    Column("result", Text, nullable=False),  # result and its metrics
    Column("review", Text, nullable=True),  # the latest review as JSON
    Column("score", Float, nullable=True),  # its mean score (1-4): a story's strength
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_stories_member", "tenant", "user_id"),
)

# One row a member: when they were last nudged about their story gaps (once a week at most).
story_nudges = Table(
    "story_nudges",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("claimed_by", String(64), nullable=True),
)


@dataclass(frozen=True, slots=True)
class Story:
    id: int
    tenant: str
    user_id: str
    user_name: str
    pack_id: str
    title: str
    principles: tuple[str, ...]
    situation: str
    action: str
    result: str
    review: Review | None
    score: float | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class StoryDraft:
    """What the form gives: checked text, principles resolved to ids."""

    title: str
    principles: tuple[str, ...]
    situation: str
    action: str
    result: str


def review_to_json(review: Review) -> str:
    return json.dumps(
        {
            "reviewer": review.reviewer,
            "scores": review.scores,
            "strengths": list(review.strengths),
            "improvements": list(review.improvements),
            "follow_up": review.follow_up,
            "note": review.note,
        }
    )


def review_from_json(text: str) -> Review:
    d = json.loads(text)
    return Review(
        reviewer=d["reviewer"],
        scores={k: int(v) for k, v in d["scores"].items()},
        strengths=tuple(d.get("strengths", ())),
        improvements=tuple(d.get("improvements", ())),
        follow_up=d.get("follow_up", ""),
        note=d.get("note", ""),
    )


def mean_score(review: Review) -> float:
    return sum(review.scores.values()) / len(review.scores) if review.scores else 0.0


def _story(row: Any) -> Story:
    m = dict(row._mapping)
    m["principles"] = tuple(p for p in m["principles"].split(",") if p)
    m["review"] = review_from_json(m["review"]) if m["review"] else None
    return Story(**m)


def _mine(tenant: str, user_id: str) -> Any:
    return and_(stories.c.tenant == tenant, stories.c.user_id == user_id)


class StoryStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(
        self,
        *,
        tenant: str,
        user_id: str,
        user_name: str,
        pack_id: str,
        draft: StoryDraft,
        now: datetime,
    ) -> int:
        row = {
            "tenant": tenant,
            "user_id": user_id,
            "user_name": user_name,
            "pack_id": pack_id,
            "created_at": now,
            "updated_at": now,
            **_draft_values(draft),
        }
        async with writing(self.engine) as conn:
            return await insert_id(conn, stories, row)

    async def update(
        self, tenant: str, user_id: str, story_id: int, draft: StoryDraft, now: datetime
    ) -> bool:
        """The new text; its old review goes (the story is reviewed again)."""
        async with writing(self.engine) as conn:
            done = await conn.execute(
                update(stories)
                .where(_mine(tenant, user_id), stories.c.id == story_id)
                .values(review=None, score=None, updated_at=now, **_draft_values(draft))
            )
        return done.rowcount == 1

    async def set_review(
        self, tenant: str, user_id: str, story_id: int, review: Review, reviewed: datetime
    ) -> None:
        """Keep the review, unless the story was edited after `reviewed` (then its own
        review is on the way)."""
        async with writing(self.engine) as conn:
            await conn.execute(
                update(stories)
                .where(
                    _mine(tenant, user_id),
                    stories.c.id == story_id,
                    stories.c.updated_at <= reviewed,
                )
                .values(review=review_to_json(review), score=mean_score(review))
            )

    async def get(self, tenant: str, user_id: str, story_id: int) -> Story | None:
        q = select(stories).where(_mine(tenant, user_id), stories.c.id == story_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return _story(row) if row else None

    async def of_member(self, tenant: str, user_id: str) -> list[Story]:
        q = select(stories).where(_mine(tenant, user_id)).order_by(stories.c.id)
        async with self.engine.connect() as conn:
            return [_story(r) for r in (await conn.execute(q)).all()]

    async def delete(self, tenant: str, user_id: str, story_id: int) -> bool:
        async with writing(self.engine) as conn:
            done = await conn.execute(
                delete(stories).where(_mine(tenant, user_id), stories.c.id == story_id)
            )
        return done.rowcount == 1

    # -- the weekly nudge -------------------------------------------------------------

    async def claim_nudge(
        self, tenant: str, user_id: str, *, now: datetime, not_since: datetime, instance: str
    ) -> bool:
        """Take this week's nudge for the member: True for one caller, and only when the
        last one went out before `not_since` (across restarts and instances)."""
        key = and_(story_nudges.c.tenant == tenant, story_nudges.c.user_id == user_id)
        async with writing(self.engine) as conn:
            done = await conn.execute(
                update(story_nudges)
                .where(
                    key,
                    or_(story_nudges.c.sent_at.is_(None), story_nudges.c.sent_at < not_since),
                )
                .values(sent_at=now, claimed_by=instance)
            )
            if done.rowcount == 1:
                return True
            exists = (await conn.execute(select(story_nudges.c.tenant).where(key))).first()
        if exists is not None:
            return False
        try:
            async with writing(self.engine) as conn:
                await conn.execute(
                    insert(story_nudges).values(
                        tenant=tenant, user_id=user_id, sent_at=now, claimed_by=instance
                    )
                )
        except IntegrityError:
            return False  # another instance inserted it first: theirs
        return True

    # -- a member's own data ------------------------------------------------------------

    async def forget(self, tenant: str, user_id: str) -> int:
        async with writing(self.engine) as conn:
            gone = (await conn.execute(delete(stories).where(_mine(tenant, user_id)))).rowcount
            await conn.execute(
                delete(story_nudges).where(
                    story_nudges.c.tenant == tenant, story_nudges.c.user_id == user_id
                )
            )
        return int(gone)


def _draft_values(d: StoryDraft) -> dict[str, Any]:
    return {
        "title": d.title,
        "principles": ",".join(d.principles),
        "situation": d.situation,
        "action": d.action,
        "result": d.result,
    }
