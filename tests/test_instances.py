"""Two `studybot` processes on one PostgreSQL database: every slot is posted exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain import ChannelRef
from bot.storage.records import WEEKDAYS, ChannelSettings
from tests.harness import open_store

START = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
CHANNELS = [f"c{i:02d}" for i in range(50)]
HOURS = 240  # ten days, an hour a line: 50 channels x 11 days + the console's own channel
HEAD = re.compile(r"^📌 Question of the day · (\w{3} \d+ \w{3})")


def transcript(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def run_two(pg_url: str, tmp_path: Path) -> list[Path]:
    """Two bot processes fed the same script in lockstep; returns their transcripts.

    Each process keeps its own simulated clock. Real instances share the wall clock, so
    both are moved an hour at a time and the next hour waits until both have finished
    this one: a process that raced hours ahead would rightly see the other's claim lease
    as run out and take the slot over, a skew real clocks never have."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "STUDYBOT_"))
    }
    procs: list[tuple[Path, subprocess.Popen[str]]] = []
    for name in ("alpha", "beta"):
        out = tmp_path / f"{name}.jsonl"
        err = (tmp_path / f"{name}.stderr").open("w", encoding="utf-8")
        procs.append(
            (
                out,
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "bot.cli",
                        "run",
                        "--adapter",
                        "console",
                        "--db",
                        pg_url,
                        "--now",
                        START.isoformat(),
                        "--transcript",
                        str(out),
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=err,  # a file: a full pipe nobody reads would stall the process
                    text=True,
                    env={
                        **env,
                        "STUDYBOT_INSTANCE_ID": name,
                        "STUDYBOT_DATA": str(tmp_path / name),
                        "TZ": "UTC",
                    },
                ),
            )
        )
    # "/clock" alone only tells the time, once start-up (which posts what is due) is over.
    for step in ["/clock", *["/clock +1h"] * HOURS]:
        for _, proc in procs:  # both get the step before either is waited for: they race
            assert proc.stdin is not None
            proc.stdin.write(step + "\n")
            proc.stdin.flush()
        for _, proc in procs:
            assert proc.stdout is not None
            while not (line := proc.stdout.readline()).startswith("-- It is "):
                assert line, (tmp_path / "alpha.stderr").read_text() + (
                    tmp_path / "beta.stderr"
                ).read_text()
    for _, proc in procs:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.close()
        proc.stdout.read()
        assert proc.wait(timeout=600) == 0
    return [out for out, _ in procs]


@pytest.mark.postgres
async def test_two_processes_post_every_slot_exactly_once(pg_url: str, tmp_path: Path) -> None:
    store = await open_store(pg_url)
    for cid in CHANNELS:
        settings = ChannelSettings(
            ChannelRef("console", cid),
            "amazon-backend-developer",
            "09:00",
            "UTC",
            WEEKDAYS,
            created_at=START - timedelta(days=2),
        )
        await store.save_channel(settings, START - timedelta(days=2))
    await store.close()

    outs = await asyncio.to_thread(run_two, pg_url, tmp_path)  # processes block: a thread
    sent = {out.stem: transcript(out) for out in outs}
    posts: Counter[tuple[str, str]] = Counter()
    by_process: Counter[str] = Counter()
    for name, records in sent.items():
        for r in records:
            if r["opened_thread"]:
                m = HEAD.match(str(r["text"]))
                assert m, r["text"]
                posts[(str(r["channel"]), m.group(1))] += 1
                by_process[name] += 1
    assert len(posts) >= 500
    assert {k: n for k, n in posts.items() if n != 1} == {}
    assert {c for c, _ in posts} == {*CHANNELS, "study"}
    assert len({d for _, d in posts}) == 11  # Mon 30 Nov .. Thu 10 Dec
    # The window's close is claimed too: one summary per closed post.
    summaries = Counter(
        (r["channel"], r["thread"])
        for recs in sent.values()
        for r in recs
        if str(r["text"]).startswith("⏰ Answers are closed")
    )
    store = await open_store(pg_url)
    closed = [
        p
        for c in [*CHANNELS, "study"]
        for p in await store.posts_of(ChannelRef("console", c))
        if p.closed_at
    ]
    await store.close()
    assert len(closed) >= 450 and set(summaries.values()) == {1} and len(summaries) == len(closed)
    print(f"posts by process: {dict(by_process)}")
