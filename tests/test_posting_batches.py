"""The posting path's batched storage: many channels' claims share transactions and each
slot still goes to one claimer; the bulk reads answer as their one-channel twins do; the
Slack journal's begin is insert-if-absent across instances. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.slack.journal import Attempt, SqlSendJournal
from bot.domain import ChannelRef
from bot.storage.store import Store
from tests.harness import open_store

NOW = datetime(2026, 11, 30, 9, 0, 5, tzinfo=UTC)
SLOT = "2026-11-30"
CHANNELS = [ChannelRef(f"team-{i % 3}", f"c{i}") for i in range(24)]


@pytest.fixture
async def two(any_db_url: str) -> AsyncIterator[tuple[Store, Store]]:
    """Two instances' stores on one database."""
    a, b = await open_store(any_db_url), await open_store(any_db_url)
    yield a, b
    await a.close()
    await b.close()


async def claim(store: Store, ref: ChannelRef, slot: str = SLOT, who: str = "a") -> int | None:
    got = await store.claim_post(
        ref, slot, NOW.date(), claimer=who, now=NOW, lease_until=NOW + timedelta(minutes=2),
        late=False,
    )  # fmt: skip
    return got[0] if got is not None else None


async def post(store: Store, ref: ChannelRef, slot: str, question: str, status: str) -> None:
    post_id = await claim(store, ref, slot)
    assert post_id is not None
    await store.finish_post(
        ref.tenant, post_id, question_id=question, message_id=f"m-{slot}", thread_id=None,
        posted_at=NOW, closes_at=NOW + timedelta(days=1),
    )  # fmt: skip
    if status != "sent":
        await store.set_post_status(ref.tenant, post_id, status)


async def test_two_instances_claiming_every_channel_at_once_get_each_slot_once(
    two: tuple[Store, Store],
) -> None:
    a, b = two
    # Each instance claims every channel, in orders of its own, all at once.
    claims_a = [claim(a, ref, who="a") for ref in CHANNELS]
    claims_b = [claim(b, ref, who="b") for ref in reversed(CHANNELS)]
    got = await asyncio.gather(*claims_a, *claims_b)
    won_a, won_b = got[: len(CHANNELS)], list(reversed(got[len(CHANNELS) :]))
    for ref, x, y in zip(CHANNELS, won_a, won_b, strict=True):
        assert (x is None) != (y is None), ref  # one claimer per slot, never both or none
    ids = [x if x is not None else y for x, y in zip(won_a, won_b, strict=True)]
    assert len(set(ids)) == len(CHANNELS)
    for ref, post_id in zip(CHANNELS, ids, strict=True):
        row = await a.get_slot(ref, SLOT)
        assert row is not None and row.id == post_id and row.status == "sending"
    # ... and the claims shared transactions instead of one each.
    assert a._claims is not None and b._claims is not None
    assert a._claims.batches + b._claims.batches < 2 * len(CHANNELS)


async def test_a_claim_reads_the_channels_history_as_the_one_channel_queries_do(
    two: tuple[Store, Store],
) -> None:
    store, _ = two
    ref, other = CHANNELS[0], CHANNELS[1]
    await post(store, ref, "2026-11-27", "q1", "sent")
    await post(store, ref, "2026-11-28", "q2", "sent")
    await post(store, ref, "extra-1", "q1", "sent")
    await post(store, ref, "2026-11-29", "q3", "failed")  # a question, but not a sent post
    await post(store, other, "2026-11-29", "q9", "sent")  # another channel's
    got = await store.claim_post(
        ref, SLOT, NOW.date(), claimer="a", now=NOW, lease_until=NOW, late=False
    )
    assert got is not None
    uses, sent = got[1]
    assert uses == await store.question_uses(ref) == {"q1": 2, "q2": 1, "q3": 1}
    assert sent == await store.count_posts(ref) == 3
    assert await store.post_history([ref, other]) == {
        ref: (uses, sent),
        other: ({"q9": 1}, 1),
    }
    assert await store.claim_post(
        ref, SLOT, NOW.date(), claimer="b", now=NOW, lease_until=NOW, late=False
    ) is None  # fmt: skip


async def test_the_bulk_slot_read_answers_as_the_one_channel_read(
    two: tuple[Store, Store],
) -> None:
    store, fresh = two  # `fresh` has no settled slot cached
    sent, sending, skipped, absent = CHANNELS[:4]
    await post(store, sent, SLOT, "q1", "sent")
    await claim(store, sending)
    await post(store, skipped, SLOT, "q2", "skipped")
    wanted = [(ref, SLOT) for ref in (sent, sending, skipped, absent)]
    bulk = await fresh.unsettled_slots(wanted)
    for ref, slot in wanted:
        one = await store.unsettled_slot(ref, slot)
        assert bulk[(ref, slot)][0] == one[0]
        if not one[0]:
            assert bulk[(ref, slot)][1] == one[1]
    assert bulk[(sending, SLOT)][1] is not None and bulk[(absent, SLOT)] == (False, None)
    # Settled slots are remembered: the next read answers them without the database.
    assert (await fresh.unsettled_slots(wanted))[(sent, SLOT)] == (True, None)


async def test_the_slack_journal_begins_a_nonce_once_across_instances(
    two: tuple[Store, Store],
) -> None:
    a, b = SqlSendJournal(two[0].engine), SqlSendJournal(two[1].engine)
    nonces = [f"studybot-c{i}-{i}" for i in range(12)]
    first = await asyncio.gather(*(a.begin("T1", n, "C1") for n in nonces))
    assert first == [None] * len(nonces)  # begun now
    # Another instance that takes the claims over learns they were begun, not answered.
    again = await asyncio.gather(*(b.begin("T1", n, "C1") for n in nonces))
    assert again == [Attempt("C1", None)] * len(nonces)
    await asyncio.gather(*(a.posted("T1", n, "C1", f"17000.{i}") for i, n in enumerate(nonces)))
    known = await asyncio.gather(*(b.begin("T1", n, "C1") for n in nonces))
    assert known == [Attempt("C1", f"17000.{i}") for i in range(len(nonces))]
    # The same nonce twice in one batch: the first begins it, the second learns of it.
    pair = await asyncio.gather(a.begin("T1", "twice", "C2"), a.begin("T1", "twice", "C2"))
    assert pair == [None, Attempt("C2", None)]
    # An answer for a row that was pruned meanwhile is still recorded.
    await a.posted("T1", "pruned", "C3", "17001.0")
    assert await b.begin("T1", "pruned", "C3") == Attempt("C3", "17001.0")
