"""Pending reviews and versions on SQLite and PostgreSQL: migration 0009 both ways keeps the
reviews stored before it; one taker wins a stale pending review; a superseded version is
kept but is never the current one; another workspace sees none of it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from bot.domain import ChannelRef, Review
from bot.storage.engine import create_engine, upgrade
from bot.storage.records import Post
from bot.storage.review_store import ReviewStore
from bot.storage.store import Store
from tests.test_review_storage import downgrade_to

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)
HERE = ChannelRef("guild-1", "study")
THERE = ChannelRef("guild-2", "study")


async def _answer(store: Store) -> tuple[Post, int]:
    post_id = await store.claim_slot(
        HERE, "2026-11-30", date(2026, 11, 30), claimer="t", now=NOW, lease_until=NOW, late=False
    )
    assert post_id is not None
    post = await store.get_post(HERE.tenant, post_id)
    assert post is not None
    answer_id = await store.add_answer(
        post, user_id="u-ana", user_name="ana", message_id="m1", text="x", late=False, now=NOW
    )
    assert answer_id is not None
    return post, answer_id


def _review(score: int) -> Review:
    return Review("rubric", {"coverage": score}, ("good",), ("more",), "why?")


async def test_migration_0009_keeps_earlier_reviews_both_ways(any_db_url: str) -> None:
    store = Store(create_engine(any_db_url))
    try:
        await upgrade(store.engine, "0006")
        post, answer_id = await _answer(store)
        reviews = ReviewStore(store.engine)
        async with store.engine.begin() as conn:  # a review as 0006 stored it
            await conn.execute(
                text(
                    "INSERT INTO reviews (tenant, post_id, answer_id, reviewer, scores, "
                    "strengths, improvements, follow_up, note, created_at) VALUES (:t, :p, :a, "
                    "'rubric', '{\"coverage\": 2}', '[]', '[]', '', '', :now)"
                ),
                {"t": HERE.tenant, "p": post.id, "a": answer_id, "now": NOW},
            )
        await upgrade(store.engine)
        [old] = await reviews.review_versions(HERE.tenant, answer_id)
        assert (old.version, old.status) == (1, "given")
        current = await reviews.review_for(HERE.tenant, answer_id)
        assert current is not None and current.review.scores == {"coverage": 2}
        await downgrade_to(store, "0006")
        await upgrade(store.engine)
        assert await reviews.review_for(HERE.tenant, answer_id) is not None
    finally:
        await store.close()


async def test_pending_review_is_taken_over_once_and_versions_supersede(any_db_url: str) -> None:
    store = Store(create_engine(any_db_url))
    await upgrade(store.engine)
    reviews = ReviewStore(store.engine)
    try:
        post, answer_id = await _answer(store)
        first = await reviews.open_review(post, answer_id, NOW, NOW + LEASE)
        assert first.version == 1 and not first.reviewed
        assert await reviews.stale_reviews(NOW) == []  # its task holds the lease
        assert await reviews.next_review_lease(NOW) == NOW + LEASE
        later = NOW + LEASE
        [stale] = await reviews.stale_reviews(later)
        wins = [
            await reviews.take_over_review(HERE.tenant, stale.id, later, later + LEASE)
            for _ in range(2)
        ]
        assert wins == [True, False]  # a second instance finds it taken
        assert not await reviews.take_over_review(THERE.tenant, stale.id, later, later + LEASE)

        assert await reviews.record_review(HERE.tenant, first.id, _review(2), later)
        assert not await reviews.record_review(HERE.tenant, first.id, _review(4), later)
        assert await reviews.finish_review(HERE.tenant, first.id)
        await reviews.set_review_message(HERE.tenant, first.id, "msg-1", "thread-1")

        # The answer is edited: version 2, reviewed, replaces version 1.
        second = await reviews.open_review(post, answer_id, later, later + LEASE)
        assert second.version == 2
        assert await reviews.record_review(HERE.tenant, second.id, _review(4), later)
        [superseded] = await reviews.supersede_older(HERE.tenant, answer_id, 2)
        assert superseded.message_id == "msg-1" and superseded.thread_id == "thread-1"
        assert await reviews.finish_review(HERE.tenant, second.id)
        current = await reviews.review_for(HERE.tenant, answer_id)
        assert current is not None and current.version == 2
        assert current.review.scores == {"coverage": 4}
        assert [r.version for r in (await reviews.reviews_for_post(post)).values()] == [2]
        versions = await reviews.review_versions(HERE.tenant, answer_id)
        assert [(v.version, v.status) for v in versions] == [(1, "superseded"), (2, "given")]
        assert await reviews.review_versions(THERE.tenant, answer_id) == []
        assert await reviews.stale_reviews(later + 10 * LEASE) == []

        # An edit while version 3 is still pending supersedes it: its late task records nothing.
        third = await reviews.open_review(post, answer_id, later, later + LEASE)
        fourth = await reviews.open_review(post, answer_id, later, later + LEASE)
        assert (third.version, fourth.version) == (3, 4)
        assert not await reviews.record_review(HERE.tenant, third.id, _review(1), later)
        assert [p.id for p in await reviews.stale_reviews(later + LEASE)] == [fourth.id]
    finally:
        await store.close()
