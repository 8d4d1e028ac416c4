"""How fast answers go in: through the whole core vs bare inserts of the same rows.

Both sides use a SQLite file with the bot's own pragmas (WAL, the default synchronous
level) and commit every answer on its own, so both give the same durability. Prints
answers/s and p50/p99 handling latency for the core, the bare insert rate, and the ratio.

    python bench/ingest.py [--answers 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.memory import MemoryChat
from bot.domain import ChannelRef, UserRef
from bot.events import MessagePosted
from bot.ports import FakeClock
from tests.harness import build, open_store, real_packs

CHANNEL = ChannelRef("bench", "study")


def answer_text(i: int) -> str:
    return (
        f"Answer {i}: I would put a token bucket per API key in Redis, refill it at a steady rate, "
        * 3
    )


async def through_core(db: Path, n: int, *, review: bool) -> tuple[float, list[float]]:
    """Answers through StudyBot.handle. With `review`, each answer also gets its rubric
    review in the background, and the clock stops only when every review is out."""
    store = await open_store(f"sqlite+aiosqlite:///{db}")
    clock = FakeClock(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    h = build(store, MemoryChat(), clock, real_packs(), channel=CHANNEL)
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    await h.admin.runs(f"/review settings mode:{'ai' if review else 'none'}")
    await h.advance(timedelta(hours=2, minutes=1))
    thread = h.driver.thread_of()
    latencies = []
    start = time.perf_counter()
    for i in range(n):
        event = MessagePosted(
            CHANNEL,
            f"r{i}",
            thread,
            UserRef("bench", f"u{i % 50}", f"user{i % 50}"),
            answer_text(i),
        )
        t0 = time.perf_counter()
        await h.bot.handle(event)
        latencies.append(time.perf_counter() - t0)
    await h.bot.idle()
    elapsed = time.perf_counter() - start
    post = await store.last_post(CHANNEL)
    assert post is not None and len(await store.answers_for(post)) == n, (
        "every answer must be stored"
    )
    await store.close()
    return n / elapsed, latencies


async def bare_inserts(db: Path, n: int) -> float:
    async with aiosqlite.connect(db) as conn:
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA busy_timeout=10000")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute(
            "CREATE TABLE answers (id INTEGER PRIMARY KEY, tenant TEXT, post_id INTEGER, user_id TEXT,"
            " user_name TEXT, message_id TEXT, text TEXT, late BOOLEAN, created_at DATETIME,"
            " updated_at DATETIME, UNIQUE (tenant, post_id, message_id))"
        )
        await conn.commit()
        now = datetime(2026, 11, 30, 9, 1).isoformat(sep=" ")
        start = time.perf_counter()
        for i in range(n):
            await conn.execute(
                "INSERT INTO answers (tenant, post_id, user_id, user_name, message_id, text, late,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    "bench",
                    1,
                    f"u{i % 50}",
                    f"user{i % 50}",
                    f"r{i}",
                    answer_text(i),
                    False,
                    now,
                    now,
                ),
            )
            await conn.commit()
        return n / (time.perf_counter() - start)


async def storage_layer(db: Path, n: int) -> float:
    """The same rows through the bot's Store alone: the floor the core stands on."""
    store = await open_store(f"sqlite+aiosqlite:///{db}")
    now = datetime(2026, 11, 30, 9, 1, tzinfo=UTC)
    post_id = await store.claim_slot(
        CHANNEL, "s", now.date(), claimer="b", now=now, lease_until=now, late=False
    )
    assert post_id is not None
    await store.finish_post(
        "bench",
        post_id,
        question_id="q",
        message_id="m",
        thread_id="t",
        posted_at=now,
        closes_at=now + timedelta(days=1),
    )
    post = await store.get_post("bench", post_id)
    assert post is not None
    start = time.perf_counter()
    for i in range(n):
        await store.add_answer(
            post,
            user_id=f"u{i % 50}",
            user_name=f"user{i % 50}",
            message_id=f"r{i}",
            text=answer_text(i),
            late=False,
            now=now,
        )
    rate = n / (time.perf_counter() - start)
    await store.close()
    return rate


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds; medians are printed"
    )
    args = parser.parse_args()
    rates, bares, stores, lats, reviewed, rlats = [], [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        # Alternate the two sides so disk and CPU noise falls on both alike.
        for r in range(args.rounds):
            bares.append(await bare_inserts(Path(tmp) / f"bare{r}.db", args.answers))
            stores.append(await storage_layer(Path(tmp) / f"store{r}.db", args.answers))
            rate, lat = await through_core(Path(tmp) / f"core{r}.db", args.answers, review=False)
            rates.append(rate)
            lats += lat
            rate, lat = await through_core(Path(tmp) / f"rev{r}.db", args.answers, review=True)
            reviewed.append(rate)
            rlats += lat
    rate, bare = statistics.median(rates), statistics.median(bares)
    print(
        f"answers:            {args.answers} x {args.rounds} rounds (SQLite file, WAL, a commit per answer)"
    )
    print(
        f"core, review off:   {rate:8.0f} answers/s   p50 {statistics.median(lats) * 1000:.2f} ms"
        f"   p99 {pct(lats, 0.99) * 1000:.2f} ms"
    )
    rev = statistics.median(reviewed)
    print(
        f"core + AI review:   {rev:8.0f} answers/s   p50 {statistics.median(rlats) * 1000:.2f} ms"
        f"   p99 {pct(rlats, 0.99) * 1000:.2f} ms   (rubric review of each, in the background)"
    )
    print(f"bare inserts:       {bare:8.0f} rows/s")
    store = statistics.median(stores)
    print(f"Store.add_answer:   {store:8.0f} rows/s   (SQLAlchemy + aiosqlite, no core)")
    print(f"core / bare:        {rate / bare:8.2f}   (aim: 0.50 or better)")
    print(f"core / Store:       {rate / store:8.2f}   (what the core adds over its storage layer)")


if __name__ == "__main__":
    asyncio.run(main())
