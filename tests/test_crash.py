"""SIGKILL at random points of the posting cycle, restart, and every slot is posted once.

"Posted once" as a platform that honours the send's nonce sees it (Discord's
enforce_nonce): a send that was under way when the process died is retried after a
restart with the same nonce, so it lands once; nothing is missed and nothing is new.

The kills land at chosen points of the work (bot/faults.py: the process kills itself the
Nth time it passes a point), picked at random from a fixed seed: the same spread on every
machine, however busy it is, and no timer decides the outcome.
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
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import faults
from bot.domain import ChannelRef
from bot.storage.records import WEEKDAYS, ChannelSettings
from tests.harness import open_store

START = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
DAYS = 60
CHANNELS = [f"k{i}" for i in range(5)]  # with the console's own: 6 x 60 = 360 posting cycles
KILLS = 12
NOW_LINE = re.compile(r"^-- It is now \w{3} (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) \(UTC\)\.$", re.M)
HEAD = re.compile(r"^📌 Question of the day · (\w{3} \d+ \w{3})")


def line_for(day: int) -> tuple[datetime, str]:
    when = START + timedelta(days=day)
    return when, f"/clock {when:%Y-%m-%d %H:%M}\n"


def run_with_kills(tmp_path: Path, record: Path) -> tuple[int, set[str], int]:
    """Run the bot over the whole script, killing it at random points of its work, resuming
    each time from the last line it finished. Returns (runs, points killed at, kills)."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "STUDYBOT_"))
    }
    env.update({"STUDYBOT_DATA": str(tmp_path), "TZ": "UTC"})
    rng = random.Random(20261127)
    now, kills, runs = START, 0, 0
    killed_at: set[str] = set()
    while True:
        lines = [text for when, text in map(line_for, range(1, DAYS + 1)) if when > now]
        if not lines:
            break
        runs += 1
        # Where this run dies: a point of the posting cycle and how many times it passes it
        # first (a day's line passes each point once per channel: up to ~5 days in).
        point = rng.choice(faults.POST_POINTS)
        plan = f"{point}:{rng.randint(1, 30)}" if kills < KILLS else ""
        log = tmp_path / f"run{runs}.out"  # a file, not a pipe: a full pipe would block the bot
        err_log = tmp_path / f"run{runs}.err"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                "--adapter",
                "console",
                "--now",
                now.isoformat(),
                "--transcript",
                str(record),
            ],
            stdin=subprocess.PIPE,
            stdout=log.open("w"),
            stderr=err_log.open("w"),
            text=True,
            env={**env, "PYTHONFAULTHANDLER": "1", faults.ENV: plan},
        )
        assert proc.stdin is not None
        proc.stdin.write("".join(lines))
        proc.stdin.close()
        try:
            code = proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack
            proc.wait(timeout=30)
            stacks = err_log.read_text(encoding="utf-8")[-6000:]
            raise AssertionError(f"a run hung; its stacks:\n{stacks}") from None
        if code == -signal.SIGKILL:
            kills += 1
            killed_at.add(point)
        else:
            assert code == 0, err_log.read_text(encoding="utf-8")[-3000:]
        reached = NOW_LINE.findall(log.read_text(encoding="utf-8"))
        if reached:  # resume from the last line the killed process finished
            now = datetime.fromisoformat(reached[-1]).replace(tzinfo=UTC)
        assert runs < 40, "the runs made no progress"
    return runs, killed_at, kills


async def test_sigkill_at_random_points_never_loses_or_doubles_a_post(tmp_path: Path) -> None:
    db = tmp_path / "studybot.db"
    store = await open_store(f"sqlite+aiosqlite:///{db}")
    for cid in CHANNELS:
        await store.save_channel(
            ChannelSettings(
                ChannelRef("console", cid),
                "amazon-backend-developer",
                "09:00",
                "UTC",
                WEEKDAYS,
                created_at=START - timedelta(days=2),
            ),
            START - timedelta(days=2),
        )
    await store.close()

    record = tmp_path / "transcript.jsonl"
    # Starting, feeding and killing processes blocks: it runs in a thread of its own.
    runs, killed_at, kills = await asyncio.to_thread(run_with_kills, tmp_path, record)
    assert kills == KILLS, f"only {kills} of the {KILLS} planned kills happened"
    assert killed_at == set(faults.POST_POINTS)  # before the send, after it, after recording it

    nonces: dict[tuple[str, str], set[str]] = defaultdict(set)
    sends = 0
    for line in record.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["opened_thread"]:
            m = HEAD.match(r["text"])
            assert m is not None
            nonces[(r["channel"], m.group(1))].add(r["nonce"])
            sends += 1
    assert all(len(n) == 1 for n in nonces.values()), {
        k: n for k, n in nonces.items() if len(n) > 1
    }
    days = {d for _, d in nonces}
    assert len(days) == DAYS + 1  # Mon 30 Nov and the 60 days after it
    assert len(nonces) == (len(CHANNELS) + 1) * (DAYS + 1)
    # A retried send only where a process died mid-send: the core posts the due channels
    # concurrently, so a kill can catch each channel's send under way (at most one each).
    assert sends - len(nonces) <= kills * (len(CHANNELS) + 1)

    store = await open_store(f"sqlite+aiosqlite:///{db}")
    for cid in [*CHANNELS, "study"]:
        rows = await store.posts_of(ChannelRef("console", cid))
        assert {p.status for p in rows} == {"sent"}, cid
    await store.close()
    print(f"{runs} runs, {kills} kills, {sends} sends for {len(nonces)} slots")
