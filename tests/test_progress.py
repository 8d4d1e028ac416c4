"""Progress (F8) as members see it, through the in-memory chat over a real SQLite file:
streaks that a paused week and a bot outage do not break, the /progress text and its PNG
chart, the opt-in leaderboard with fair ties, the admin's CSV export, /forget-me, and
tenant isolation of all of it."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from PIL import Image

from adapters.memory import ChatDriver, Sent
from bot.domain import ChannelRef
from bot.features.progress.streaks import streaks
from tests.harness import REPO, Harness
from tests.test_drills import answer, drill

GOOD = (
    "Situation: our checkout failed 3% of orders. Task: I owned the fix. Action: I traced the "
    "retries, I added idempotency keys and I wrote the runbook. Result: failures fell from 3% "
    "to 0.2% in six weeks, saving $40k a month."
)


async def setup(h: Harness, extra: str = "") -> None:
    await h.admin.runs(f"/setup time:09:00 timezone:UTC weekdays:daily {extra}".strip())


async def next_post(h: Harness) -> None:
    """Move to 09:30 on the next posting day (the post is out)."""
    before = len(h.chat.posts())
    for _ in range(30):
        await h.advance(timedelta(hours=12))
        if len(h.chat.posts()) > before:
            break
    now = h.clock.now()
    if now.hour < 9 or (now.hour == 9 and now.minute < 30):
        await h.advance_to(now.replace(hour=9, minute=30))


async def answer_today(h: Harness, *who: str, text: str = GOOD) -> None:
    for name in who:
        await h.user(name).replies(text)
    await h.bot.idle()


def last_to(h: Harness, who: str) -> Sent:
    return h.chat.to(f"u-{who}")[-1]


async def progress_text(h: Harness, who: str) -> str:
    await h.user(who).runs("/progress")
    return last_to(h, who).text


def test_streak_rules() -> None:
    d = [datetime(2026, 12, i, tzinfo=UTC).date() for i in range(1, 8)]
    closed = dict.fromkeys(d, False)
    assert streaks(dict.fromkeys(d[:6], False), {d[0], d[1], d[3], d[4], d[5]}) == (3, 3)
    assert streaks(closed, {d[0], d[1], d[2]}) == (0, 3)
    # Today's post is still open and not answered yet: the streak holds.
    assert streaks({**closed, d[6]: True}, {d[4], d[5]}) == (2, 2)
    assert streaks({}, set()) == (0, 0)


async def test_streaks_survive_a_paused_week_and_an_outage(h: Harness) -> None:
    await setup(h, "catchup:skip")
    await h.advance_to(datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    await answer_today(h, "ana", "bo")  # Mon
    for _ in range(2):  # Tue, Wed
        await next_post(h)
        await answer_today(h, "ana")
    assert (await progress_text(h, "ana")).startswith("📈 Your progress · streak 3 day(s), best 3")
    # Bo missed Tuesday and Wednesday (both closed now): his streak is broken.
    assert "streak 0 day(s), best 1" in await progress_text(h, "bo")

    await h.admin.runs("/pause")
    await h.advance(timedelta(days=7))
    await h.admin.runs("/resume")
    await next_post(h)
    await answer_today(h, "ana")
    assert "streak 4 day(s), best 4" in await progress_text(h, "ana")

    # The bot is down for two days (no ticks); the missed slot is skipped with a notice.
    h.clock.advance(timedelta(days=2, hours=3))
    restarted = await h.restart()
    await restarted.bot.run_due()
    assert "skipped" in h.chat.in_channel()[-1].text
    before = len(h.chat.posts())
    await restarted.advance(timedelta(days=1))
    assert len(h.chat.posts()) == before + 1
    await restarted.advance_to(h.clock.now().replace(hour=9, minute=30))
    await h.user("ana").replies(GOOD)
    await restarted.bot.idle()
    await h.user("ana").runs("/progress")
    assert "streak 5 day(s), best 5" in last_to(h, "ana").text
    # A posting day the member let close unanswered does break it.
    await restarted.advance(timedelta(days=2))
    await h.user("ana").runs("/progress")
    assert "streak 0 day(s), best 5" in last_to(h, "ana").text


async def test_progress_text_and_a_png_chart(h: Harness) -> None:
    await setup(h)
    await h.user("ana").runs("/prep set date:2026-12-20")
    await h.advance_to(datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    await answer_today(h, "ana")
    for _ in range(3):
        sent = await drill(h, "ana")
        await answer(h, "ana", sent, GOOD)
        await h.advance(timedelta(days=4))
    await h.user("ana").runs("/progress")
    reply = last_to(h, "ana")
    text = reply.text
    assert reply.private
    assert "Answers: 1 daily, 3 drill(s) reviewed." in text
    assert "Average review score:" in text and "/4 over" in text
    assert "Drills: " in text and " learned" in text
    assert "Stories: 0, 0 of 16 principles at target; gaps: Customer Obsession (2 more)" in text
    assert "Timeline: Daily practice, 8 day(s) to the interview (Sun 20 Dec)." in text
    [(name, data)] = reply.files
    assert name == "progress.png"
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (900, 450)
    image.verify()


async def test_no_chart_where_the_chat_takes_no_files_and_the_text_is_whole(
    h: Harness,
) -> None:
    from adapters.memory import MemoryChat
    from bot.domain import Capabilities
    from tests.harness import build

    plain = build(h.store, MemoryChat(Capabilities(files=False)), h.clock, h.bot.svc.packs)
    await setup(plain)
    sent = await drill(plain, "ana")
    await answer(plain, "ana", sent, GOOD)
    await plain.user("ana").runs("/progress")
    reply = plain.chat.to("u-ana")[-1]
    assert reply.files == () and "Answers: 0 daily, 1 drill(s) reviewed." in reply.text


def test_starting_up_does_not_import_matplotlib() -> None:
    code = (
        "import sys, bot.app, bot.cli, adapters.console; "
        "sys.exit(1 if 'matplotlib' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0


async def test_leaderboard_is_opt_in_and_ties_are_shared(h: Harness) -> None:
    await setup(h)
    await h.advance_to(datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    for who in ("bo", "ana", "cy"):
        await h.user(who).runs("/leaderboard join")
    await answer_today(h, "ana", "bo", "cy", "dee")
    await next_post(h)
    await answer_today(h, "ana", "bo", "dee")
    await h.user("cy").runs("/leaderboard")
    board = h.chat.in_channel()[-1]
    assert not board.private
    lines = board.text.splitlines()
    assert lines[0] == "🏆 Leaderboard · the last 7 days"
    # Ana and Bo gave the same answers: they share first place, listed alphabetically.
    assert lines[1].startswith("🥇 ana (tie): 2 answer(s), average ")
    assert lines[2].startswith("🥇 bo (tie): 2 answer(s), average ")
    assert lines[3].startswith("🥉 cy: 1 answer(s)")
    assert "share a place and are listed alphabetically" in board.text
    assert "dee" not in board.text  # answered, never joined: never ranked
    await h.user("ana").runs("/leaderboard leave")
    await h.user("cy").runs("/leaderboard period:all")
    board = h.chat.in_channel()[-1].text
    assert "ana" not in board and board.splitlines()[1].startswith("🥇 bo: 2 answer(s)")
    await h.user("cy").runs("/leaderboard period:year")
    assert "not one of week, month, all" in last_to(h, "cy").text
    # A week on, this week's board is empty; all time still counts.
    await h.advance(timedelta(days=9))
    await h.user("cy").runs("/leaderboard period:week")
    assert "with no answers in this period" in h.chat.in_channel()[-1].text


async def test_export_is_admin_only_private_csv_of_the_channel(h: Harness) -> None:
    await setup(h)
    await h.advance_to(datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    await answer_today(h, "ana", "bo")
    await h.user("ana").replies("=HYPERLINK('http://evil') second thought")
    await next_post(h)
    await answer_today(h, "ana")
    await h.user("ana").runs("/export")
    assert "for admins only" in last_to(h, "ana").text and last_to(h, "ana").files == ()
    await h.admin.runs("/export")
    reply = last_to(h, "you")
    assert reply.private and reply.text.startswith("📄 4 answer(s) from 2 member(s)")
    [(name, data)] = reply.files
    assert name == "studybot-study-2026-12-01.csv"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert [(r["post_date"], r["member"]) for r in rows] == [
        ("2026-11-30", "ana"),
        ("2026-11-30", "bo"),
        ("2026-11-30", "ana"),
        ("2026-12-01", "ana"),
    ]
    assert rows[0]["answer"] == GOOD and rows[0]["reviewer"] == "rubric"
    assert 1 <= float(rows[0]["mean_score"]) <= 4 and rows[0]["structure"] in "1234"
    assert rows[2]["answer"].startswith("'=HYPERLINK")  # never a formula in a spreadsheet
    # Another tenant's export has none of these rows.
    other = ChatDriver(h.bot, h.chat, ChannelRef("guild-2", "study"), admins={"you"})
    await other.as_user("you", admin=True).runs("/setup")
    await other.as_user("you", admin=True).runs("/export")
    assert h.chat.sent[-1].text.startswith("📄 0 answer(s) from 0 member(s)")
    [(_, data)] = h.chat.sent[-1].files
    assert len(list(csv.DictReader(io.StringIO(data.decode())))) == 0


async def test_progress_and_leaderboard_stay_in_their_tenant(h: Harness) -> None:
    await setup(h)
    await h.advance_to(datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    await h.user("ana").runs("/leaderboard join")
    await answer_today(h, "ana")
    other = ChatDriver(h.bot, h.chat, ChannelRef("guild-2", "study"), admins={"you"})
    await other.as_user("you", admin=True).runs("/setup")
    await other.as_user("ana").runs("/progress")
    text = last_to(h, "ana").text
    assert "streak 0 day(s), best 0" in text and "Answers: 0 daily, 0 drill(s)" in text
    await other.as_user("ana").runs("/leaderboard period:all")
    assert "Nobody has joined yet" in h.chat.sent[-1].text


async def test_forget_me_clears_progress_and_the_leaderboard(h: Harness) -> None:
    await setup(h)
    await h.advance_to(datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    await h.user("ana").runs("/leaderboard join")
    await answer_today(h, "ana")
    sent = await drill(h, "ana")
    await answer(h, "ana", sent, GOOD)
    await h.user("ana").runs("/forget-me confirm:yes")
    assert "leaderboard entries: 1" in last_to(h, "ana").text
    text = await progress_text(h, "ana")
    assert "streak 0 day(s), best 0" in text and "Answers: 0 daily, 0 drill(s)" in text
    await h.user("bo").runs("/leaderboard period:all")
    assert "Nobody has joined yet" in h.chat.in_channel()[-1].text
