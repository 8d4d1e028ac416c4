"""The story and progress stores on a SQLite file and on PostgreSQL: the migration, one
member's stories and nothing of anyone else's, the weekly nudge claimed once, and the
leaderboard reading only members who joined."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import ChannelRef, Review
from bot.storage.progress_store import ProgressStore
from bot.storage.story_store import StoryDraft, StoryStore
from tests.harness import open_store

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
DRAFT = StoryDraft("Outage", ("ownership", "dive-deep"), "S and T", "I did", "3% to 0.2%")


async def test_stories_nudges_and_opt_ins(any_db_url: str) -> None:
    store = await open_store(any_db_url)
    try:
        stories = StoryStore(store.engine)
        sid = await stories.add(
            tenant="t1", user_id="ana", user_name="Ana", pack_id="p", draft=DRAFT, now=NOW
        )
        await stories.add(
            tenant="t2", user_id="ana", user_name="Ana", pack_id="p", draft=DRAFT, now=NOW
        )
        review = Review("rubric", {"structure": 4, "results": 2})
        await stories.set_review("t1", "ana", sid, review, NOW)
        got = await stories.get("t1", "ana", sid)
        assert got is not None and got.principles == ("ownership", "dive-deep")
        assert got.review == review and got.score == 3.0
        assert await stories.get("t1", "bo", sid) is None
        # An edit drops the old review; a review of the older text does not land on it.
        later = NOW + timedelta(minutes=5)
        assert await stories.update("t1", "ana", sid, DRAFT, later)
        await stories.set_review("t1", "ana", sid, review, NOW)
        edited = await stories.get("t1", "ana", sid)
        assert edited is not None and edited.review is None
        assert not await stories.update("t1", "bo", sid, DRAFT, later)

        week = timedelta(days=7)
        claim = dict(now=NOW, not_since=NOW - week, instance="a")
        assert await stories.claim_nudge("t1", "ana", **claim)
        assert not await stories.claim_nudge("t1", "ana", **claim)
        assert not await stories.claim_nudge(
            "t1",
            "ana",
            now=NOW + timedelta(days=6),
            not_since=NOW - timedelta(days=1),
            instance="b",
        )
        assert await stories.claim_nudge(
            "t1", "ana", now=NOW + week, not_since=NOW + timedelta(seconds=1), instance="b"
        )
        assert await stories.forget("t1", "ana") == 1
        assert len(await stories.of_member("t2", "ana")) == 1

        progress = ProgressStore(store.engine)
        ref = ChannelRef("t1", "study")
        assert await progress.join(ref, "ana", "Ana", NOW)
        assert not await progress.join(ref, "ana", "Ana", NOW)
        assert [s.user_id for s in await progress.standings(ref, None)] == ["ana"]
        assert await progress.standings(ChannelRef("t2", "study"), None) == []
        assert await progress.leave(ref, "ana")
        assert await progress.standings(ref, NOW) == []
    finally:
        await store.close()


async def test_the_migration_scores_reviews_already_stored(any_db_url: str) -> None:
    """Reviews written before 0008 get their mean score, so old answers rank too."""
    from sqlalchemy import insert, select

    from bot.storage.engine import create_engine, upgrade
    from bot.storage.tables import answers, channels, posts, reviews

    engine = create_engine(any_db_url)
    try:
        await upgrade(engine, "0004")
        async with engine.begin() as conn:
            await conn.execute(
                insert(channels).values(
                    tenant="t1", channel_id="c", pack_id="p", post_time="09:00", timezone="UTC",
                    weekdays="mon", window_minutes=60, grace_minutes=60, paused=False,
                    created_at=NOW, updated_at=NOW,
                )
            )  # fmt: skip
            await conn.execute(
                insert(posts).values(
                    id=1, tenant="t1", channel_id="c", slot="d", local_date=NOW.date(),
                    status="sent", late=False, claimed_by="x", claimed_at=NOW, lease_until=NOW,
                )
            )  # fmt: skip
            await conn.execute(
                insert(answers).values(
                    id=1, tenant="t1", post_id=1, user_id="ana", user_name="Ana",
                    message_id="m", text="t", late=False, created_at=NOW, updated_at=NOW,
                )
            )  # fmt: skip
            await conn.exec_driver_sql(
                "INSERT INTO reviews (tenant, post_id, answer_id, reviewer, scores, strengths, "
                "improvements, follow_up, note, created_at) VALUES ('t1', 1, 1, 'rubric', "
                """'{"coverage": 4, "depth": 1}', '[]', '[]', '', '', '2026-11-30 09:00:00')"""
            )
        await upgrade(engine)
        async with engine.connect() as conn:
            assert (await conn.execute(select(reviews.c.score))).scalar_one() == 2.5
        progress = ProgressStore(engine)
        await progress.join(ChannelRef("t1", "c"), "ana", "Ana", NOW)
        [standing] = await progress.standings(ChannelRef("t1", "c"), None)
        assert (standing.answers, standing.average) == (1, 2.5)
    finally:
        await engine.dispose()
