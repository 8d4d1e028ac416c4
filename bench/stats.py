"""How long /progress and /leaderboard take over a large history.

1,000,000 answers (each with its AI review and its review-log line) from 20,000 members in
500 channels (100 workspaces of 5 channels, 40 members a channel, 60 posting days each,
50 answers a member), every member on their channel's leaderboard. Measured on a SQLite
file and on PostgreSQL (skipped with a note when it is not reachable):

- progress: a random member's /progress summary (streaks, counts, scores by topic and
  principle, drills, stories, timeline), without drawing the chart;
- leaderboard week / all: a random channel's standings and ranking.

Prints p50 and p99 in milliseconds for each. Aim: p99 under 50 ms on both databases.

    python bench/stats.py [--rounds 200] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pgdb import pg_database
from bot.domain import ChannelRef
from bot.features.progress import summary
from bot.features.progress.flow import rank, render_leaderboard
from bot.ports import FakeClock
from bot.storage.drill_store import drill_log
from bot.storage.progress_store import leaderboard_members
from bot.storage.records import ChannelSettings
from bot.storage.tables import answers, channels, posts, reviews
from tests.harness import build, open_store, real_packs

PACK = "amazon-backend-developer"
DAYS, PER_CHANNEL, ANSWERED = 60, 40, 50
FIRST = date(2026, 10, 1)
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
CHUNK = 10_000


def layout(scale: float) -> list[ChannelRef]:
    tenants = max(1, int(100 * scale))
    return [ChannelRef(f"t{t}", f"c{c}") for t in range(tenants) for c in range(5)]


async def fill(url: str, chans: list[ChannelRef]) -> int:
    """Returns how many answers were stored."""
    store = await open_store(url)
    pack = real_packs()[PACK]
    qids = [q.id for q in pack.questions if q.kind.value in ("technical", "behavioral")]
    created = datetime(2026, 9, 1, tzinfo=UTC)
    post_id = answer_id = 0
    batches: dict[Any, list[dict[str, Any]]] = {
        channels: [],
        posts: [],
        answers: [],
        reviews: [],
        drill_log: [],
        leaderboard_members: [],
    }

    async def flush() -> None:
        # Every table at once, parents first: answers name their posts.
        async with store.engine.begin() as conn:
            for table in (channels, posts, answers, reviews, drill_log, leaderboard_members):
                rows = batches[table]
                if rows:
                    await conn.execute(insert(table), rows)
                    rows.clear()

    for ci, ref in enumerate(chans):
        batches[channels].append(
            {
                "tenant": ref.tenant, "channel_id": ref.channel_id, "pack_id": PACK,
                "post_time": "09:00", "timezone": "UTC", "weekdays": "mon,tue,wed,thu,fri,sat,sun",
                "window_minutes": 1440, "grace_minutes": 720, "paused": False,
                "created_at": created, "updated_at": created,
            }
        )  # fmt: skip
        day_posts = []
        for d in range(DAYS):
            post_id += 1
            day = FIRST + timedelta(days=d)
            at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
            qid = qids[(ci + d) % len(qids)]
            day_posts.append((post_id, at, qid))
            batches[posts].append(
                {
                    "id": post_id, "tenant": ref.tenant, "channel_id": ref.channel_id,
                    "slot": day.isoformat(), "local_date": day, "status": "sent", "late": False,
                    "question_id": qid, "claimed_by": "bench", "claimed_at": at,
                    "lease_until": at, "posted_at": at, "closes_at": at + timedelta(days=1),
                    "closed_at": at + timedelta(days=1), "message_id": f"m{post_id}",
                    "thread_id": f"t{post_id}",
                }
            )  # fmt: skip
        for m in range(PER_CHANNEL):
            user = f"{ref.channel_id}-u{m}"
            batches[leaderboard_members].append(
                {"tenant": ref.tenant, "channel_id": ref.channel_id, "user_id": user,
                 "user_name": user, "joined_at": created}
            )  # fmt: skip
            skip = set(random.Random(f"{ref}{m}").sample(range(DAYS), DAYS - ANSWERED))
            for d, (pid, at, qid) in enumerate(day_posts):
                if d in skip:
                    continue
                answer_id += 1
                when = at + timedelta(minutes=30 + m)
                scores = {"coverage": 1 + (m + d) % 4, "trade_offs": 1 + d % 4, "depth": 2}
                batches[answers].append(
                    {"id": answer_id, "tenant": ref.tenant, "post_id": pid, "user_id": user,
                     "user_name": user, "message_id": f"a{answer_id}", "text": "an answer " * 40,
                     "late": False, "created_at": when, "updated_at": when}
                )  # fmt: skip
                batches[reviews].append(
                    {"tenant": ref.tenant, "post_id": pid, "answer_id": answer_id,
                     "reviewer": "rubric", "scores": json.dumps(scores), "strengths": "[]",
                     "improvements": "[]", "follow_up": "", "note": "",
                     "created_at": when, "delivered_at": when,
                     "score": sum(scores.values()) / len(scores)}
                )  # fmt: skip
                batches[drill_log].append(
                    {"tenant": ref.tenant, "user_id": user, "question_id": qid, "rating": 3,
                     "score": sum(scores.values()) / 3, "source": "daily", "reviewed_at": when}
                )  # fmt: skip
        if len(batches[answers]) >= CHUNK:
            await flush()
    await flush()
    if store.engine.dialect.name == "postgresql":
        async with store.engine.begin() as conn:
            for table in ("posts", "answers"):
                await conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            await conn.exec_driver_sql("ANALYZE")
    else:
        async with store.engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE")
    await store.close()
    return answer_id


async def measure(url: str, chans: list[ChannelRef], rounds: int) -> dict[str, list[float]]:
    from adapters.memory import MemoryChat

    store = await open_store(url)
    packs = real_packs()
    h = build(store, MemoryChat(), FakeClock(NOW), packs)
    svc = h.bot.svc
    pack = packs[PACK]
    rng = random.Random(7)
    out: dict[str, list[float]] = {"progress": [], "leaderboard week": [], "leaderboard all": []}
    for _ in range(rounds):
        ref = rng.choice(chans)
        user = f"{ref.channel_id}-u{rng.randrange(PER_CHANNEL)}"
        settings = ChannelSettings(ref, PACK)
        t0 = time.perf_counter()
        report = await summary.build(svc, pack, settings, ref.tenant, user, "UTC")
        out["progress"].append(time.perf_counter() - t0)
        assert "streak" in report.text
        for period in ("week", "all"):
            t0 = time.perf_counter()
            standings = await svc.progress.standings(ref, summary.since_of(period, NOW))
            text = render_leaderboard(period, standings)
            rank(standings)
            out[f"leaderboard {period}"].append(time.perf_counter() - t0)
            assert text.startswith("🏆")
    await store.close()
    return out


def ms(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--scale", type=float, default=1.0, help="1.0: 500 channels, 1M answers")
    ap.add_argument("--only", choices=("sqlite", "postgres"), default=None)
    args = ap.parse_args()
    chans = layout(args.scale)
    print(f"{'database':<12}{'what':<18}{'p50 ms':>9}{'p99 ms':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        targets: list[tuple[str, str]] = []
        if args.only != "postgres":
            targets.append(("SQLite", f"sqlite+aiosqlite:///{Path(tmp) / 's.db'}"))
        pg = await pg_database() if args.only != "sqlite" else None
        if pg is not None:
            targets.append(("PostgreSQL", pg[0]))
        for label, url in targets:
            t0 = time.perf_counter()
            stored = await fill(url, chans)
            print(
                f"-- {label}: {stored:,} answers from {len(chans) * PER_CHANNEL:,} members in "
                f"{len(chans)} channels, filled in {time.perf_counter() - t0:.0f} s"
            )
            result = await measure(url, chans, args.rounds)
            for what, values in result.items():
                print(f"{label:<12}{what:<18}{ms(values, 50):>9.2f}{ms(values, 99):>9.2f}")
        if pg is not None:
            admin, name = pg[1]
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
