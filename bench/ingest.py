"""How fast answers go in: through the whole core vs bare inserts of the same rows.

Both sides use a SQLite file with the bot's own pragmas (WAL, the default synchronous
level). Bare inserts commit every row on its own; the core acknowledges every answer only
after the commit that holds it (group commit: answers that arrive while a commit is under
way share the next one), so both give the same durability. Three regimes:

- one answer at a time: answers/s and p50/p99 handling latency, group commit on and off;
- a burst of 200 concurrent answers: answers/s against bare per-row commits;
- 200 answers/s arriving paced: p50/p99 latency from arrival to acknowledgement.

    python bench/ingest.py [--answers 1000] [--burst 200] [--rate 200] [--seconds 2]
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
from bot.storage.engine import create_engine, upgrade
from bot.storage.store import Store
from tests.harness import Harness, build, open_store, real_packs

CHANNEL = ChannelRef("bench", "study")


def answer_text(i: int) -> str:
    return (
        f"Answer {i}: I would put a token bucket per API key in Redis, refill it at a steady rate, "
        * 3
    )


async def core_ready(db: Path, *, review: bool, group_commit: bool = True) -> tuple[Harness, str]:
    """A bot on a fresh SQLite file with today's question posted; returns it and the thread."""
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    await upgrade(engine)
    store = Store(engine, group_commit=group_commit)
    clock = FakeClock(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    h = build(store, MemoryChat(), clock, real_packs(), channel=CHANNEL)
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    await h.admin.runs(f"/review settings mode:{'ai' if review else 'none'}")
    await h.advance(timedelta(hours=2, minutes=1))
    return h, h.driver.thread_of()


def answer_event(thread: str, i: int) -> MessagePosted:
    return MessagePosted(
        CHANNEL, f"r{i}", thread, UserRef("bench", f"u{i % 50}", f"user{i % 50}"), answer_text(i)
    )


async def all_stored(h: Harness, n: int) -> None:
    post = await h.store.last_post(CHANNEL)
    assert post is not None and len(await h.store.answers_for(post)) == n, (
        "every answer must be stored"
    )
    await h.store.close()


async def through_core(
    db: Path, n: int, *, review: bool, group_commit: bool = True
) -> tuple[float, list[float]]:
    """Answers through StudyBot.handle, one at a time. With `review`, each answer also gets
    its rubric review in the background, and the clock stops only when every review is out."""
    h, thread = await core_ready(db, review=review, group_commit=group_commit)
    latencies = []
    start = time.perf_counter()
    for i in range(n):
        event = answer_event(thread, i)
        t0 = time.perf_counter()
        await h.bot.handle(event)
        latencies.append(time.perf_counter() - t0)
    await h.bot.idle()
    elapsed = time.perf_counter() - start
    await all_stored(h, n)
    return n / elapsed, latencies


async def core_burst(db: Path, n: int, *, group_commit: bool) -> float:
    """`n` answers arriving at once (each handled concurrently); answers/s until all are in."""
    h, thread = await core_ready(db, review=False, group_commit=group_commit)
    events = [answer_event(thread, i) for i in range(n)]
    start = time.perf_counter()
    await asyncio.gather(*(h.bot.handle(e) for e in events))
    elapsed = time.perf_counter() - start
    await all_stored(h, n)
    return n / elapsed


async def core_paced(db: Path, rate: float, seconds: float, *, group_commit: bool) -> list[float]:
    """Answers arriving at `rate` per second; the latency of each from its arrival time to
    its acknowledgement (so a late start counts against it)."""
    h, thread = await core_ready(db, review=False, group_commit=group_commit)
    n = int(rate * seconds)
    latencies: list[float] = []

    async def arrive(i: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        await h.bot.handle(answer_event(thread, i))
        latencies.append(time.perf_counter() - at)

    t0 = time.perf_counter() + 0.05
    await asyncio.gather(*(arrive(i, t0 + i / rate) for i in range(n)))
    await all_stored(h, n)
    return latencies


async def bare_connection(db: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(db)
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA busy_timeout=10000")
    await conn.execute("PRAGMA foreign_keys=ON")
    await conn.execute(
        "CREATE TABLE answers (id INTEGER PRIMARY KEY, tenant TEXT, post_id INTEGER, user_id TEXT,"
        " user_name TEXT, message_id TEXT, text TEXT, late BOOLEAN, created_at DATETIME,"
        " updated_at DATETIME, UNIQUE (tenant, post_id, message_id))"
    )
    await conn.commit()
    return conn


async def bare_insert(conn: aiosqlite.Connection, i: int) -> None:
    now = datetime(2026, 11, 30, 9, 1).isoformat(sep=" ")
    await conn.execute(
        "INSERT INTO answers (tenant, post_id, user_id, user_name, message_id, text, late,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ("bench", 1, f"u{i % 50}", f"user{i % 50}", f"r{i}", answer_text(i), False, now, now),
    )
    await conn.commit()


async def bare_paced(db: Path, rate: float, seconds: float) -> list[float]:
    """Bare per-row commits of answers arriving at `rate`/s, one connection taking turns."""
    conn = await bare_connection(db)
    lock = asyncio.Lock()
    latencies: list[float] = []

    async def arrive(i: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        async with lock:
            await bare_insert(conn, i)
        latencies.append(time.perf_counter() - at)

    t0 = time.perf_counter() + 0.05
    await asyncio.gather(*(arrive(i, t0 + i / rate) for i in range(int(rate * seconds))))
    await conn.close()
    return latencies


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
    parser.add_argument("--burst", type=int, default=200, help="answers arriving at once")
    parser.add_argument("--rate", type=float, default=200, help="paced answers per second")
    parser.add_argument("--seconds", type=float, default=2, help="how long the paced run lasts")
    args = parser.parse_args()
    await single_answers(args)
    await burst_and_paced(args)


async def burst_and_paced(args: argparse.Namespace) -> None:
    gc_burst, plain_burst, bare_burst, gc_lat, plain_lat, bare_lat = [], [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            d = Path(tmp)
            bare_burst.append(await bare_inserts(d / f"bb{r}.db", args.burst))
            gc_burst.append(await core_burst(d / f"gb{r}.db", args.burst, group_commit=True))
            plain_burst.append(await core_burst(d / f"pb{r}.db", args.burst, group_commit=False))
            bare_lat += await bare_paced(d / f"bp{r}.db", args.rate, args.seconds)
            gc_lat += await core_paced(d / f"gp{r}.db", args.rate, args.seconds, group_commit=True)
            plain_lat += await core_paced(
                d / f"pp{r}.db", args.rate, args.seconds, group_commit=False
            )
    bare = statistics.median(bare_burst)
    print()
    print(f"burst of {args.burst} concurrent answers ({args.rounds} rounds, medians):")
    for name, rates in (("core, group commit", gc_burst), ("core, a commit each", plain_burst)):
        rate = statistics.median(rates)
        print(f"  {name:<22}{rate:8.0f} answers/s   {rate / bare:5.2f}x bare")
    print(f"  {'bare per-row commits':<22}{bare:8.0f} rows/s")
    print()
    print(
        f"{args.rate:.0f} answers/s arriving paced for {args.seconds:g}s: latency, arrival to ack"
    )
    for name, lat in (
        ("core, group commit", gc_lat),
        ("core, a commit each", plain_lat),
        ("bare per-row commits", bare_lat),
    ):
        print(
            f"  {name:<22}p50 {statistics.median(lat) * 1000:6.2f} ms   p99 {pct(lat, 0.99) * 1000:6.2f} ms"
        )


async def single_answers(args: argparse.Namespace) -> None:
    rates, bares, stores, lats, reviewed, rlats = [], [], [], [], [], []
    plain_rates, plain_lats = [], []
    with tempfile.TemporaryDirectory() as tmp:
        # Alternate the two sides so disk and CPU noise falls on both alike.
        for r in range(args.rounds):
            bares.append(await bare_inserts(Path(tmp) / f"bare{r}.db", args.answers))
            stores.append(await storage_layer(Path(tmp) / f"store{r}.db", args.answers))
            rate, lat = await through_core(Path(tmp) / f"core{r}.db", args.answers, review=False)
            rates.append(rate)
            lats += lat
            rate, lat = await through_core(
                Path(tmp) / f"plain{r}.db", args.answers, review=False, group_commit=False
            )
            plain_rates.append(rate)
            plain_lats += lat
            rate, lat = await through_core(Path(tmp) / f"rev{r}.db", args.answers, review=True)
            reviewed.append(rate)
            rlats += lat
    rate, bare = statistics.median(rates), statistics.median(bares)
    print(
        f"one answer at a time: {args.answers} x {args.rounds} rounds (SQLite file, WAL; each acknowledged after its commit)"
    )
    print(
        f"core, review off:   {rate:8.0f} answers/s   p50 {statistics.median(lats) * 1000:.2f} ms"
        f"   p99 {pct(lats, 0.99) * 1000:.2f} ms   (group commit)"
    )
    print(
        f"  without group c.: {statistics.median(plain_rates):8.0f} answers/s   p50 {statistics.median(plain_lats) * 1000:.2f} ms"
        f"   p99 {pct(plain_lats, 0.99) * 1000:.2f} ms   (a commit of its own)"
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
