"""SIGKILL at chosen points of several mock rounds, restart, and every round finishes with
one scorecard; no message of a round is lost, and none is sent twice under two nonces.

The rounds are opened and signed up in this process; console processes then drive their
clocks (timers: warnings, question ends, the Bar Raiser's deadline) and are killed as soon
as their transcript has grown by a chosen number of messages, so each kill lands right
after a send: between sending a message and recording it as sent, or inside the next
step. "Sent once" is as a platform that honours the send's nonce sees it: a send under
way when the process died is retried with the same nonce.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.console import CHANNEL
from adapters.memory import ChatDriver, MemoryChat
from bot.domain import ChannelRef
from bot.ports import FakeClock
from bot.storage.mock_store import MockStore
from tests.harness import build, open_store, real_packs

START = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
NOW_LINE = re.compile(r"^-- It is now \w{3} (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) \(UTC\)\.$", re.M)
SOLO = ("ana", "bo", "cy")
GROUPS = (("eve", "fay", "gus"), ("hal", "ivy", "jo"))  # candidate, interviewer, Bar Raiser


def script(now: datetime, end: datetime) -> str:
    lines, t = [], START
    while t < end:
        t += timedelta(minutes=1)
        if t > now:
            lines.append(f"/clock {t:%Y-%m-%d %H:%M}\n")
    return "".join(lines)


def count_lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


def run_with_kills(tmp: Path, record: Path, end: datetime, rng: random.Random, tag: str) -> int:
    """Console runs over the clock lines up to `end`, each killed once its transcript grew
    by a chosen 1-5 messages, resumed from the last clock line it finished."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "STUDYBOT_"))
    }
    env.update({"STUDYBOT_DATA": str(tmp), "TZ": "UTC", "PYTHONFAULTHANDLER": "1"})
    now, kills, runs = START, 0, 0
    while True:
        lines = script(now, end)
        if not lines:
            return kills
        runs += 1
        out = tmp / f"{tag}{runs}.out"
        before = count_lines(record)
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--adapter", "console",
             "--now", now.isoformat(), "--transcript", str(record)],
            stdin=subprocess.PIPE, stdout=out.open("w"), stderr=(tmp / f"{tag}{runs}.err").open("w"),
            text=True, env=env,
        )  # fmt: skip
        assert proc.stdin is not None
        proc.stdin.write(lines)
        proc.stdin.close()
        target = before + rng.randint(1, 5)
        deadline = time.monotonic() + 120  # a hang guard only: it decides no outcome
        while proc.poll() is None and count_lines(record) < target:
            assert time.monotonic() < deadline, "a run hung"
            time.sleep(0.005)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=120)
        reached = NOW_LINE.findall(out.read_text(encoding="utf-8"))
        if reached:
            now = datetime.fromisoformat(reached[-1]).replace(tzinfo=UTC)
        assert runs < 200, "the runs made no progress"


async def test_sigkill_mid_round_loses_and_repeats_no_message(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'studybot.db'}"
    store = await open_store(db)
    chat = MemoryChat(id_prefix="setup-")
    h = build(store, chat, FakeClock(START), real_packs(), channel=CHANNEL)
    await h.admin.runs("/setup timezone:UTC weekdays:daily")
    for who in SOLO:
        await h.user(who).runs("/mock solo format:loop questions:2 minutes:3")
    for n, (cand, interviewer, br) in enumerate(GROUPS):
        # One round at a time per channel: the second group meets in a channel of its own.
        place = ChatDriver(h.bot, chat, ChannelRef("console", f"study-{n}"))
        await place.as_user(cand).runs("/mock start format:loop questions:2 minutes:3")
        s = [m for m in chat.sent if m.text.startswith("🎤")][-1]
        for who, role in ((cand, "Candidate"), (interviewer, "Interviewer"), (br, "Bar Raiser")):
            await place.as_user(who).clicks(s.number, role)
        await place.as_user(cand).clicks(s.number, "Start")
    await store.close()
    rounds = list(range(1, len(SOLO) + len(GROUPS) + 1))

    record = tmp_path / "transcript.jsonl"
    rng = random.Random(20261130)
    # Phase 1: every question's warning and end, killed along the way.
    kills = await asyncio.to_thread(
        run_with_kills, tmp_path, record, START + timedelta(minutes=8), rng, "a"
    )
    # The panels score (in this process; it is not what is being crashed).
    store = await open_store(db)
    ms = MockStore(store.engine)
    clock = FakeClock(START + timedelta(minutes=8))
    h = build(store, chat, clock, real_packs(), channel=CHANNEL)
    driver = ChatDriver(h.bot, chat, CHANNEL)
    for rid in rounds[len(SOLO) :]:
        r = await ms.round("console", rid)
        assert r is not None and r.status == "scoring", r
        for slot in await ms.slots("console", rid):
            who = driver.as_user(slot.asker_name)
            await who.submits(f"mock:comment:{rid}:{slot.position}", comment="x")  # refused
            await h.bot.handle(_press(driver, slot.asker_name, f"mock:score:{rid}:{slot.position}:3"))  # fmt: skip
            await who.submits(f"mock:comment:{rid}:{slot.position}", comment="solid")
        assert (await ms.round("console", rid)).status == "decision"  # type: ignore[union-attr]
    await store.close()
    # Phase 2: the Bar Raisers never decide; their deadline ends the rounds, killed again.
    kills += await asyncio.to_thread(
        run_with_kills, tmp_path, record, START + timedelta(minutes=45), rng, "b"
    )
    assert kills >= 5, f"only {kills} kills landed while the processes were working"

    sends = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    sends += [
        {"nonce": s.nonce, "text": s.text} for s in chat.sent if s.nonce and s.nonce.startswith("mock-")
    ]  # fmt: skip
    mock_sends = [s for s in sends if (s.get("nonce") or "").startswith("mock-")]
    per_nonce = Counter(s["nonce"] for s in mock_sends)
    store = await open_store(db)
    ms = MockStore(store.engine)
    expected: set[str] = set()
    for rid in rounds:
        r = await ms.round("console", rid)
        assert r is not None and r.status == "done", (rid, r and r.status)
        rows = await ms.outbox("console", rid)
        assert {row.status for row in rows} == {"sent"}, rid
        expected |= {f"mock-{rid}-{row.id}" for row in rows}
        cards = {s["nonce"] for s in mock_sends if s["text"].startswith("📊") and s["nonce"].startswith(f"mock-{rid}-")}  # fmt: skip
        assert len(cards) == 1, (rid, cards)
        keys = [row.key for row in rows]
        assert len(keys) == len(set(keys))
        for q in range(2):  # every question asked, warned and ended once
            assert f"q{q}:warn" in keys and f"q{q}:end" in keys, (rid, keys)
    await store.close()
    assert set(per_nonce) == expected  # nothing lost, nothing new
    # A nonce sent twice only where a process died between the send and recording it.
    retried = sum(n - 1 for n in per_nonce.values())
    assert retried <= kills
    print(f"{kills} kills, {len(per_nonce)} messages, {retried} retried sends")


def _press(driver: ChatDriver, who: str, custom_id: str) -> object:
    from bot.events import ButtonPressed

    actions = driver.as_user(who)
    return ButtonPressed(actions._interaction(), custom_id)
