"""SIGKILL between an answer and its review, restart on the same SQLite file: the review
arrives once. A real `studybot` console process kills itself at a chosen point
(bot/faults.py): right after the review was recorded as owed, or after the reviewer
answered and before delivery. The restarted process's scheduler takes the pending review
over once its lease has run out, as daily posts' claims are, and delivers it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import faults
from bot.domain import ChannelRef
from tests.harness import open_store

START = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
ANSWER = (
    "A token bucket per API key in Redis, updated atomically with a Lua script at the "
    "gateway; over the limit the client gets 429 with Retry-After. The trade-off is a "
    "network hop per request; if Redis is down we fail open with a local limit."
)
REVIEW = "🤖 Review of the answer from ana"


def run_console(tmp_path: Path, name: str, lines: list[str], fault: str = "") -> int:
    """One `studybot run --adapter console` process fed `lines`; its exit code."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "STUDYBOT_"))
    }
    env.update({"STUDYBOT_DATA": str(tmp_path), "TZ": "UTC", faults.ENV: fault})
    err = tmp_path / f"{name}.err"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            "--adapter",
            "console",
            "--now",
            START.isoformat(),
            "--transcript",
            str(tmp_path / "transcript.jsonl"),
        ],
        input="".join(f"{line}\n" for line in lines),
        stdout=(tmp_path / f"{name}.out").open("w"),
        stderr=err.open("w"),
        text=True,
        env=env,
        timeout=120,
    )
    if proc.returncode not in (0, -signal.SIGKILL):
        raise AssertionError(err.read_text(encoding="utf-8")[-3000:])
    return proc.returncode


def reviews_sent(tmp_path: Path) -> list[dict[str, object]]:
    path = tmp_path / "transcript.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [r for r in records if str(r["text"]).startswith(REVIEW)]


@pytest.mark.parametrize("point", faults.REVIEW_POINTS)
async def test_a_review_killed_between_answer_and_delivery_arrives_once(
    tmp_path: Path, point: str
) -> None:
    first = await asyncio.to_thread(
        run_console, tmp_path, "first", ["/post-now", f"@ana: > {ANSWER}"], f"{point}:1"
    )
    assert first == -signal.SIGKILL, "the process was to die at " + point
    assert reviews_sent(tmp_path) == []  # the answer is in, its review is not

    # The same database, a new process: within the lease nothing happens (the dead task
    # might be alive elsewhere); once it has run out, the scheduler delivers the review.
    second = await asyncio.to_thread(run_console, tmp_path, "second", ["/clock +5m"])
    assert second == 0
    [review] = reviews_sent(tmp_path)
    assert review["thread"] is not None and review["to"] is None  # in the question's thread

    # A third start finds nothing owed: the review is not sent again.
    assert await asyncio.to_thread(run_console, tmp_path, "third", ["/clock +1h"]) == 0
    assert len(reviews_sent(tmp_path)) == 1

    store = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'studybot.db'}")
    try:
        post = await store.last_post(ChannelRef("console", "study"))
        assert post is not None
        [answer] = await store.answers_for(post)
        assert answer.text == ANSWER
    finally:
        await store.close()
