"""The console adapter, driven the way a user scripts it: a pipe into the real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

START = "2026-11-30T10:00:00+00:00"  # a Monday, after the 09:00 posting time


def run(
    data: Path, script: str, *, now: str = START, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "STUDYBOT_"))
    }
    env.update({"STUDYBOT_DATA": str(data), "TZ": "UTC", **(extra_env or {})})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--now", now],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def numbered(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("[")]


def test_first_start_posts_todays_question_and_takes_an_answer(tmp_path: Path) -> None:
    out = run(tmp_path, "> I would use a token bucket keyed by API key, in Redis.\n")
    assert out.returncode == 0, out.stderr
    lines = numbered(out.stdout)
    assert lines[0].startswith("[1] #study: 📌 Question of the day · Mon 30 Nov")
    assert "[Answer]" in out.stdout
    ack = next(line for line in lines if "thread of [1]" in line)
    assert "Answer from you saved" in ack
    assert (tmp_path / "studybot.db").exists()


def test_the_clock_runs_due_work_in_order_and_a_restart_does_not_repost(tmp_path: Path) -> None:
    script = "@ana: > Sliding window.\n/clock +1d\n"
    out = run(tmp_path, script)
    assert out.returncode == 0, out.stderr
    lines = numbered(out.stdout)
    posts = [line for line in lines if "Question of the day" in line]
    assert len(posts) == 2 and "Tue 1 Dec" in posts[1]
    summary = next(i for i, line in enumerate(lines) if "Answers are closed" in line)
    assert "1 answered: ana" in lines[summary]
    assert lines.index(posts[1]) < summary  # Tuesday 09:00 comes before Monday's 10:00 close
    assert "-- It is now Tue 2026-12-01 10:00 (UTC)." in out.stdout

    again = run(tmp_path, "/status\n", now="2026-12-01T10:30:00+00:00")
    assert again.returncode == 0, again.stderr
    assert "Question of the day" not in again.stdout
    assert "Last question: posted, Tue 1 Dec 09:00 (UTC)" in again.stdout


def test_a_missed_slot_is_caught_up_late_on_start(tmp_path: Path) -> None:
    run(tmp_path, "")
    out = run(tmp_path, "", now="2026-12-01T13:00:00+00:00")
    [post] = [line for line in numbered(out.stdout) if "Question of the day" in line]
    assert "Tue 1 Dec" in post
    assert "posted late" in out.stdout


def test_speakers_commands_and_bad_lines(tmp_path: Path) -> None:
    script = (
        "\n".join(
            [
                "@bo: /setup time:07:00",
                "/setup time:7pm",
                "/nosuch",
                "/clock yesterday",
                "/clock 2026-11-29 09:00",
                ">9 reply to a post that is not there",
                "@bo: > @everyone read this",
                "/help setup",
                "just chatting in the channel",
            ]
        )
        + "\n"
    )
    out = run(tmp_path, script)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "private → bo: /setup is for admins only" in text
    assert "'7pm' is not a time of day" in text
    assert "There is no command /nosuch" in text
    assert "/clock takes +90m" in text
    assert "the clock only moves forward" in text
    assert "there is no message [9]" in text
    assert "@everyone" not in text.split("read this")[0].splitlines()[-1]
    assert "interview_date: the cohort's interview date" in text


def test_a_bad_database_url_is_a_clear_error(tmp_path: Path) -> None:
    out = run(tmp_path, "", extra_env={"STUDYBOT_DB_URL": "mysql://nowhere/db"})
    assert out.returncode != 0
    assert "unsupported database 'mysql'" in out.stderr


def test_buttons_and_forms_work_in_the_terminal(tmp_path: Path) -> None:
    script = (
        "\n".join(
            [
                "/review settings visibility:hidden",
                "/click 1",
                "I led the migration and cut p99 latency by 40%.",
                "@ana: /click 1 Answer",
                "@ana: /cancel",
                "/click 1 Nope",
                "/clock +1d",
            ]
        )
        + "\n"
    )
    out = run(tmp_path, script)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "-- 📝 Your answer for you: Your answer. Type it on the next line, or /cancel." in text
    assert "private → you: ✅ Answer from you saved (10 words)." in text
    assert "-- Your answer: dropped, nothing was sent." in text
    assert "-- message [1] has no button 'Nope'" in text
    # Hidden mode: the form's answer shows in the thread only at the close, with ana's none.
    revealed = text.index("🔓 The answers are revealed: 1 from 1 member(s).")
    assert text.index("💬 you:") > revealed and "cut p99 latency by 40%" in text[revealed:]
