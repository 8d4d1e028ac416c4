"""Review storage on SQLite and PostgreSQL: migration 0002 both ways, tenant isolation."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import inspect

from bot.domain import ChannelRef, Review
from bot.review.models import ReviewMode, Visibility
from bot.storage.engine import create_engine, upgrade
from bot.storage.review_store import ReviewSettings, ReviewStore
from bot.storage.store import Store

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
HERE = ChannelRef("guild-1", "study")
THERE = ChannelRef("guild-2", "study")  # the same channel id in another workspace


async def _tables(store: Store) -> set[str]:
    async with store.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_migration_0002_up_down_up(any_db_url: str) -> None:
    store = Store(create_engine(any_db_url))
    try:
        await upgrade(store.engine)
        assert {"reviews", "peer_reviews", "review_settings"} <= await _tables(store)
        await downgrade_to(store, "0001")
        assert not {"reviews", "peer_reviews", "review_settings"} & await _tables(store)
        await upgrade(store.engine)
        assert "reviews" in await _tables(store)
    finally:
        await store.close()


async def downgrade_to(store: Store, revision: str) -> None:
    from alembic import command

    from bot.storage.engine import alembic_config

    async with store.engine.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(alembic_config(c), revision))


async def test_one_workspace_never_sees_anothers_review_data(any_db_url: str) -> None:
    store = Store(create_engine(any_db_url))
    await upgrade(store.engine)
    reviews = ReviewStore(store.engine)
    try:
        await reviews.save_settings(
            ReviewSettings(HERE, mode=ReviewMode.peer, visibility=Visibility.hidden), NOW
        )
        assert (await reviews.get_settings(HERE)).hidden
        assert await reviews.get_settings(THERE) == ReviewSettings(THERE)

        post_id = await store.claim_slot(
            HERE,
            "2026-11-30",
            date(2026, 11, 30),
            claimer="t",
            now=NOW,
            lease_until=NOW,
            late=False,
        )
        assert post_id is not None
        post = await store.get_post(HERE.tenant, post_id)
        assert post is not None
        answer_id = await store.add_answer(
            post,
            user_id="u-ana",
            user_name="ana",
            message_id="m1",
            text="an answer",
            late=False,
            now=NOW,
        )
        assert answer_id is not None
        review = Review("rubric", {"coverage": 3}, ("good",), ("more",), "why?")
        assert await reviews.add_review(post, answer_id, review, NOW)
        assert not await reviews.add_review(post, answer_id, review, NOW)  # one per answer
        stored = await reviews.review_for(HERE.tenant, answer_id)
        assert stored is not None and stored.review == review
        assert await reviews.review_for(THERE.tenant, answer_id) is None
        assert await reviews.get_answer(THERE.tenant, answer_id) is None
        assert not await reviews.claim_delivery(THERE.tenant, stored.id, NOW)
        assert await reviews.claim_delivery(HERE.tenant, stored.id, NOW)
        assert not await reviews.claim_delivery(HERE.tenant, stored.id, NOW)  # once only
    finally:
        await store.close()
