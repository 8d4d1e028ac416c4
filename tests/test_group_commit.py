"""Group commit: concurrent answers share transactions, each acknowledged only once its row
is committed; a duplicate or a bad row affects its own caller only. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from bot.domain import ChannelRef
from bot.storage.records import Post
from bot.storage.store import Store
from bot.storage.tables import answers
from tests.harness import open_store

NOW = datetime(2026, 11, 30, 9, 1, tzinfo=UTC)
CHANNEL = ChannelRef("guild-1", "study")


@pytest.fixture
async def db(any_db_url: str) -> AsyncIterator[tuple[Store, Store, Post]]:
    """The bot's store, a second one (another connection pool) to read back, and a post."""
    store, reader = await open_store(any_db_url), await open_store(any_db_url)
    post_id = await store.claim_slot(
        CHANNEL, "2026-11-30", NOW.date(), claimer="t", now=NOW, lease_until=NOW, late=False
    )
    assert post_id is not None
    await store.finish_post(
        CHANNEL.tenant,
        post_id,
        question_id="q",
        message_id="m",
        thread_id="t",
        posted_at=NOW,
        closes_at=NOW + timedelta(days=1),
    )
    post = await store.get_post(CHANNEL.tenant, post_id)
    assert post is not None
    yield store, reader, post
    await store.close()
    await reader.close()


async def stored_ids(reader: Store) -> set[int]:
    async with reader.engine.connect() as conn:
        return {r[0] for r in await conn.execute(select(answers.c.id))}


async def add(store: Store, post: Post, i: int, message_id: str | None = None) -> int | None:
    return await store.add_answer(
        post,
        user_id=f"u{i}",
        user_name=f"user{i}",
        message_id=message_id or f"r{i}",
        text=f"answer {i}",
        late=False,
        now=NOW,
    )


async def test_a_burst_shares_transactions_and_each_ack_follows_its_commit(
    db: tuple[Store, Store, Post],
) -> None:
    store, reader, post = db
    batcher = store._answer_inserts
    assert batcher is not None
    before = batcher.batches
    seen_at_ack: list[bool] = []

    async def one(i: int) -> int | None:
        new_id = await add(store, post, i)
        # Acknowledged: another connection already sees the row (it is committed).
        seen_at_ack.append(new_id in await stored_ids(reader))
        return new_id

    ids = await asyncio.gather(*(one(i) for i in range(200)))
    assert None not in ids and len(set(ids)) == 200
    assert all(seen_at_ack)
    assert batcher.batches - before <= 10  # 200 answers, a handful of commits
    assert await stored_ids(reader) == set(ids)


async def test_duplicates_in_and_across_batches_are_answered_none(
    db: tuple[Store, Store, Post],
) -> None:
    store, reader, post = db
    first = await add(store, post, 0)
    ids = await asyncio.gather(
        add(store, post, 1),
        add(store, post, 2, message_id="r0"),  # redelivery of a stored answer
        add(store, post, 3),
        add(store, post, 4, message_id="r3"),  # the same message twice in one batch
    )
    assert ids[1] is None and ids[3] is None
    assert first is not None and ids[0] is not None and ids[2] is not None
    async with reader.engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(answers))).scalar() == 3


async def test_a_bad_row_fails_only_its_own_caller(db: tuple[Store, Store, Post]) -> None:
    store, reader, post = db
    ghost = dataclasses.replace(post, id=post.id + 999)  # no such post: the foreign key refuses
    results = await asyncio.gather(
        add(store, post, 1), add(store, ghost, 2), add(store, post, 3), return_exceptions=True
    )
    assert isinstance(results[1], IntegrityError)
    assert isinstance(results[0], int) and isinstance(results[2], int)
    assert await stored_ids(reader) == {results[0], results[2]}


async def test_a_burst_of_answers_looks_their_post_up_once(
    db: tuple[Store, Store, Post],
) -> None:
    """Answers arriving together all need the post behind their thread; a fresh instance
    (nothing cached yet) asks the database once for them all, not once each."""
    _, reader, post = db
    selects: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM posts" in statement:
            selects.append(statement)

    event.listen(reader.engine.sync_engine, "before_cursor_execute", count)
    try:
        found = await asyncio.gather(*(reader.post_by_thread(CHANNEL, "t") for _ in range(100)))
    finally:
        event.remove(reader.engine.sync_engine, "before_cursor_execute", count)
    assert {p.id for p in found if p is not None} == {post.id} and None not in found
    assert len(selects) == 1
