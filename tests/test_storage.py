"""The storage layer on a SQLite file and on PostgreSQL: same code, same behaviour."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import inspect

from bot.domain import ChannelRef
from bot.storage.engine import resolve_db_url
from bot.storage.records import ChannelSettings
from bot.storage.store import Store
from tests.harness import open_store

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
A = ChannelRef("guild-a", "c1")
B = ChannelRef("guild-b", "c1")  # same channel id, another tenant


@pytest.fixture
async def db(any_db_url: str) -> AsyncIterator[Store]:
    store = await open_store(any_db_url)
    yield store
    await store.close()


async def _claim(
    db: Store, ref: ChannelRef, slot: str = "2026-11-30", who: str = "one"
) -> int | None:
    return await db.claim_slot(
        ref,
        slot,
        date(2026, 11, 30),
        claimer=who,
        now=NOW,
        lease_until=NOW + timedelta(minutes=2),
        late=False,
    )


async def _sent(db: Store) -> int:
    """A post in tenant A's channel, sent into thread t1, its answers open for 24 hours."""
    post_id = await _claim(db, A)
    assert post_id is not None
    await db.finish_post("guild-a", post_id, question_id="q1", message_id="m1", thread_id="t1",
                         posted_at=NOW, closes_at=NOW + timedelta(hours=24))  # fmt: skip
    return post_id


async def test_migrations_create_the_schema_and_are_idempotent(any_db_url: str) -> None:
    from bot.storage.engine import create_engine, upgrade

    engine = create_engine(any_db_url)
    await upgrade(engine)
    await upgrade(engine)  # a second start-up changes nothing
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    assert {"channels", "posts", "answers", "alembic_version"} <= names


async def test_a_slot_is_claimed_once(db: Store) -> None:
    first = await _claim(db, A, who="one")
    second = await _claim(db, A, who="two")
    assert first is not None and second is None
    assert await _claim(db, B, who="two") is not None  # another tenant's channel is its own


async def test_channel_settings_round_trip_with_dates_and_zones(db: Store) -> None:
    s = ChannelSettings(
        A, "pack", "07:30", "Asia/Kolkata", ("mon", "thu"), 90, 60, date(2027, 1, 4)
    )
    await db.save_channel(s, NOW)
    got = await db.get_channel(A)
    assert got is not None and got.post_time == "07:30" and got.weekdays == ("mon", "thu")
    assert got.cohort_date == date(2027, 1, 4) and got.created_at == NOW
    assert await db.get_channel(B) is None


async def test_times_come_back_aware_utc(db: Store) -> None:
    post_id = await _sent(db)
    post = await db.get_post("guild-a", post_id)
    assert post is not None and post.closes_at == NOW + timedelta(hours=24)
    assert post.closes_at.tzinfo is not None
    assert await db.next_post_event(NOW) == NOW + timedelta(hours=24)
    # A claim still being sent wakes the scheduler when its lease runs out.
    await _claim(db, A, slot="2026-12-01")
    assert await db.next_post_event(NOW) == NOW + timedelta(minutes=2)
    assert await db.next_post_event(NOW + timedelta(hours=25)) is None


async def test_answers_are_scoped_by_tenant_and_deduplicated(db: Store) -> None:
    post_id = await _sent(db)
    post = await db.post_by_thread(A, "t1")
    assert post is not None
    assert await db.post_by_thread(B, "t1") is None
    assert await db.get_post("guild-b", post_id) is None
    text = "x\u2400 " * 50_000
    first = await db.add_answer(
        post, user_id="u1", user_name="ana", message_id="r1", text=text, late=False, now=NOW
    )
    again = await db.add_answer(
        post, user_id="u1", user_name="ana", message_id="r1", text=text, late=False, now=NOW
    )
    assert first is not None and again is None
    [stored] = await db.answers_for(post)
    assert stored.text == text
    assert await db.edit_answer(post, "r1", "short", NOW)
    assert (await db.answers_for(post))[0].text == "short"
    assert await db.delete_answer(post, "r1")
    assert await db.answers_for(post) == []


async def test_a_stale_claim_is_taken_over_by_one_instance_only(db: Store) -> None:
    post_id = await _claim(db, A, who="crashed")
    assert post_id is not None
    post = await db.get_post("guild-a", post_id)
    assert post is not None
    later = NOW + timedelta(minutes=5)
    wins = [
        await db.take_over(post, claimer=w, now=later, lease_until=later + timedelta(minutes=2))
        for w in ("two", "three")
    ]
    assert wins == [True, False]


def test_db_url_resolution(tmp_path: object) -> None:
    from pathlib import Path

    data = Path(str(tmp_path))
    assert resolve_db_url(None, data).endswith(f"{data}/studybot.db")
    assert resolve_db_url("my.db", data).startswith("sqlite+aiosqlite:///")
    assert resolve_db_url("postgresql://u:p@h/db", data) == "postgresql+asyncpg://u:p@h/db"
    assert resolve_db_url("sqlite:///x.db", data) == "sqlite+aiosqlite:///x.db"
    with pytest.raises(ValueError, match="unsupported database"):
        resolve_db_url("mysql://h/db", data)
