"""How long picking the next drill takes for a member with a long history.

One member holds 10,000 cards (the pack's questions and 9,750+ of other packs' questions)
among 100,000 other members' cards (10 each). Measured on a SQLite file and on
PostgreSQL (skipped with a note when it is not reachable), side by side:

- pick: the member's cards among the pack's questions, today's served drills, the choice;
- /drill: the whole command through the core (the pick, recording the served drill, the
  private reply).

Prints p50 and p99 in milliseconds for each. Aim: p99 under 20 ms on both databases.

    python bench/drills.py [--rounds 300] [--others 10000]
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

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.memory import MemoryChat
from bench.pgdb import pg_database
from bot.domain import ChannelRef, InteractionRef, UserRef
from bot.events import CommandInvoked
from bot.features.drills import flow
from bot.features.drills.pick import Filters, choose, drillable
from bot.ports import FakeClock
from bot.storage.drill_store import drill_cards
from tests.harness import build, open_store, real_packs

CHANNEL = ChannelRef("bench", "study")
START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def card_row(user: str, qid: str, i: int) -> dict[str, object]:
    due = START + timedelta(hours=(i * 37) % (24 * 60) - 24 * 30)
    return {
        "tenant": "bench",
        "user_id": user,
        "question_id": qid,
        "pack_id": "amazon-backend-developer",
        "state": 2,
        "step": None,
        "stability": 3.0 + i % 50,
        "difficulty": 5.0,
        "due": due,
        "last_review": due - timedelta(days=3),
        "reps": 1 + i % 7,
        "lapses": i % 3,
        "last_score": 1.0 + (i % 4),
        "created_at": START - timedelta(days=90),
    }


async def fill(url: str, others: int) -> None:
    store = await open_store(url)
    pack = real_packs()["amazon-backend-developer"]
    ids = [q.id for q in pack.questions]
    mine = [card_row("u-me", qid, i) for i, qid in enumerate(ids)]
    mine += [
        {**card_row("u-me", f"other-pack-q{i}", i), "pack_id": "another-pack"}
        for i in range(10_000 - len(ids))
    ]
    rest = [
        card_row(f"u{m}", ids[(m * 7 + k) % len(ids)], m + k)
        for m in range(others)
        for k in range(10)
    ]
    async with store.engine.begin() as conn:
        for chunk in range(0, len(mine) + len(rest), 5000):
            rows = (mine + rest)[chunk : chunk + 5000]
            await conn.execute(insert(drill_cards), rows)
    await store.close()


async def measure(url: str, rounds: int) -> dict[str, list[float]]:
    store = await open_store(url)
    packs = real_packs()
    clock = FakeClock(START)
    h = build(store, MemoryChat(), clock, packs, channel=CHANNEL)
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    pack = packs["amazon-backend-developer"]
    svc = h.bot.svc
    me = UserRef("bench", "u-me", "me")
    candidates = drillable(pack, Filters())
    out: dict[str, list[float]] = {"pick": [], "/drill": []}
    for i in range(rounds):
        t0 = time.perf_counter()
        cards = await svc.drills.cards("bench", "u-me", pack.id)
        served = await svc.drills.served_since("bench", "u-me", flow.day_start(clock.now(), "UTC"))
        picked = choose(
            pack,
            candidates,
            cards,
            served_today={s.question_id for s in served},
            phase=None,
            now=clock.now(),
            due_only=False,
            salt="bench/u-me",
        )
        out["pick"].append(time.perf_counter() - t0)
        assert picked is not None
        it = InteractionRef(f"i{i}", me, CHANNEL)
        t0 = time.perf_counter()
        await h.bot.handle(CommandInvoked(it, ("drill",), {}))
        out["/drill"].append(time.perf_counter() - t0)
        if i % 50 == 49:
            clock.advance(timedelta(days=1))  # a new day: today's served list starts over
    assert h.chat.sent[-1].text.startswith("🎯 Drill"), h.chat.sent[-1].text
    await store.close()
    return out


def ms(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if q < 100 else max(values)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--others", type=int, default=10_000, help="other members, 10 cards each")
    args = ap.parse_args()
    print(f"one member with 10,000 cards among {args.others * 10:,} other cards")
    print(f"{'database':<12}{'what':<8}{'p50 ms':>9}{'p99 ms':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        targets: list[tuple[str, str]] = [("SQLite", f"sqlite+aiosqlite:///{Path(tmp) / 'd.db'}")]
        pg = await pg_database()
        if pg is not None:
            targets.append(("PostgreSQL", pg[0]))
        for label, url in targets:
            await fill(url, args.others)
            result = await measure(url, args.rounds)
            for what, values in result.items():
                print(f"{label:<12}{what:<8}{ms(values, 50):>9.2f}{ms(values, 99):>9.2f}")
        if pg is not None:
            admin, name = pg[1]  # type: ignore[misc]
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
