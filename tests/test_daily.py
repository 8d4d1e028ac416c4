"""F1 for one instance: the daily post, its thread, catch-up, no repeats, the window's close."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.content import Pack
from tests.harness import Harness, build


async def test_setup_posts_the_first_question_with_a_thread_and_an_answer_button(
    h: Harness,
) -> None:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    # 07:00: today's slot is still ahead, so nothing is posted until 09:00.
    assert h.chat.posts() == []
    await h.advance(timedelta(hours=2))
    [post] = h.chat.posts()
    assert "Question of the day" in post.text and post.opened_thread
    assert [b.label for b in post.buttons] == ["Answer"]
    assert "posted late" not in post.text


async def test_exactly_one_post_a_day_across_a_restart(h: Harness) -> None:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    await h.advance(timedelta(hours=3))  # 10:00, posted at 09:00
    again = await h.restart()
    await again.bot.run_due()
    await again.bot.run_due()
    assert len(h.chat.posts()) == 1
    await again.advance(timedelta(days=1))
    assert len(h.chat.posts()) == 2


async def test_a_slot_missed_while_down_is_caught_up_once_and_marked_late(h: Harness) -> None:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    await h.advance(timedelta(hours=3))
    # The bot is "down" from Monday 10:00 to Tuesday 11:30 (no ticks), then starts again.
    h.clock.set(datetime(2026, 12, 1, 11, 30, tzinfo=UTC))
    restarted = await h.restart()
    await restarted.bot.run_due()
    await restarted.bot.run_due()
    posts = h.chat.posts()
    assert len(posts) == 2
    assert "posted late" in posts[1].text


async def test_a_slot_missed_beyond_the_grace_window_is_skipped_with_a_notice(h: Harness) -> None:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    await h.advance(timedelta(hours=3))
    h.clock.set(datetime(2026, 12, 1, 23, 0, tzinfo=UTC))  # 14 h after Tuesday's 09:00
    await (await h.restart()).bot.run_due()
    assert len(h.chat.posts()) == 1
    notice = h.chat.in_channel()[-1].text
    assert "skipped" in notice and "Wed 2 Dec 09:00" in notice
    await h.admin.runs("/status")
    assert "skipped" in h.chat.sent[-1].text


async def test_weekdays_are_respected(h: Harness) -> None:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:mon,wed")
    await h.advance(timedelta(days=7))  # Mon 30 Nov 07:00 -> Mon 7 Dec 07:00
    days = [p.text.splitlines()[0].split("·")[1].strip() for p in h.chat.posts()]
    assert days == ["Mon 30 Nov", "Wed 2 Dec"]


async def test_posting_time_is_local_to_the_channel_zone(h: Harness) -> None:
    # 09:00 in Kolkata is 03:30 UTC; the clock starts at 07:00 UTC, after that.
    h.clock.set(datetime(2026, 11, 30, 1, 0, tzinfo=UTC))
    await h.admin.runs("/setup time:09:00 timezone:Asia/Kolkata weekdays:daily")
    await h.advance(timedelta(hours=2))
    assert h.chat.posts() == []
    await h.advance(timedelta(minutes=31))
    assert len(h.chat.posts()) == 1
    assert "Tue 1 Dec 09:00 (Asia/Kolkata)" in h.chat.posts()[0].text  # answers close a day later


async def test_questions_do_not_repeat_until_the_pack_is_used_up(
    h: Harness, packs: dict[str, Pack]
) -> None:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    pack = packs["amazon-backend-developer"]
    total = len(pack.questions)
    await h.advance(timedelta(days=total + 3))
    post = await h.store.last_post(h.driver.channel)
    assert post is not None
    uses = await h.store.question_uses(h.driver.channel)
    # Every question has been used once before any is used twice.
    assert set(uses) == {q.id for q in pack.questions}
    assert sorted(uses.values())[-1] <= 2 and sum(uses.values()) == len(h.chat.posts())


async def test_the_cohort_phase_decides_the_kind_of_question(
    h: Harness, packs: dict[str, Pack]
) -> None:
    pack = packs["amazon-backend-developer"]
    # The interview is 25 days out: the research phase.
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily interview_date:2026-12-25")
    await h.advance(timedelta(days=3))
    research = next(p for p in pack.info.phases if p.id == "research")
    for post in h.chat.posts():
        assert research.name in post.text
    kinds = set()
    for post_row in [await h.store.get_slot(h.driver.channel, f"2026-12-0{d}") for d in (1, 2)]:
        assert post_row is not None and post_row.question_id
        kinds.add(pack.by_id[post_row.question_id].kind.value)
    assert kinds <= {k.value for k in research.serves}


async def test_the_window_close_posts_a_summary_in_the_thread(h: Harness) -> None:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily window:2h")
    await h.advance(timedelta(hours=2, minutes=10))  # 09:10
    await h.user("ana").replies("Token bucket per API key.")
    await h.user("bo").replies("Sliding window in Redis.")
    await h.advance(timedelta(hours=3))  # window closed at 11:00
    await h.user("cy").replies("Fixed window counter.")  # late
    await h.advance(timedelta(hours=1))
    thread = h.driver.thread_of()
    texts = [s.text for s in h.chat.in_thread(thread)]
    summary = next(t for t in texts if t.startswith("⏰"))
    assert "2 answered: ana, bo" in summary and "Model answer outline" in summary
    assert any("cy" in t and "marked late" in t for t in texts[texts.index(summary) :])
    assert sum(t.startswith("⏰") for t in texts) == 1


async def test_pause_stops_posts_and_resume_restarts_them(h: Harness) -> None:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    await h.advance(timedelta(hours=3))
    await h.admin.runs("/pause")
    await h.advance(timedelta(days=2))
    assert len(h.chat.posts()) == 1
    await h.admin.runs("/resume")
    assert "next question comes" in h.chat.sent[-1].text
    await h.advance(timedelta(days=1))
    assert len(h.chat.posts()) == 2


async def test_post_now_takes_todays_slot_then_posts_extras(h: Harness) -> None:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    await h.admin.runs("/post-now")
    await h.admin.runs("/post-now")
    await h.advance(timedelta(hours=4))  # past 09:00: today's slot was taken by the first post-now
    posts = h.chat.posts()
    assert len(posts) == 2
    uses = await h.store.question_uses(h.driver.channel)
    assert len(uses) == 2  # two different questions


async def test_bad_setup_values_say_what_is_accepted(h: Harness) -> None:
    cases = {
        "/setup time:25:00": "24-hour HH:MM",
        "/setup timezone:Mars/Olympus": "IANA time zone",
        "/setup timezone:london": "Europe/London",
        "/setup pack:nope": "amazon-backend-developer",
        "/setup weekdays:funday": "mon-fri",
        "/setup window:forever": "24h",
        "/setup interview_date:2026-13-01": "YYYY-MM-DD",
        "/setup interview_date:2020-01-01": "in the past",
        "/setup colour:blue": "takes time, timezone",
    }
    for line, expected in cases.items():
        await h.admin.runs(line)
        reply = h.chat.sent[-1]
        assert reply.private and expected in reply.text, (line, reply.text)
    assert await h.store.get_channel(h.driver.channel) is None  # nothing half-saved


async def test_admin_commands_are_refused_to_members(h: Harness) -> None:
    for line in ("/setup", "/status", "/pause", "/resume", "/post-now"):
        await h.user("ana", admin=False).runs(line)
        assert "admins only" in h.chat.sent[-1].text
    assert await h.store.get_channel(h.driver.channel) is None
    assert h.chat.posts() == []


async def test_commands_on_a_channel_not_set_up_explain_how(h: Harness) -> None:
    await h.admin.runs("/status")
    assert "not set up" in h.chat.sent[-1].text and "/setup" in h.chat.sent[-1].text


async def test_one_tenants_channel_is_invisible_to_another(
    h: Harness, packs: dict[str, Pack]
) -> None:
    from bot.domain import ChannelRef

    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    await h.advance(timedelta(hours=3))
    thread = h.driver.thread_of()
    # Another server uses the same channel and thread ids (ids are only unique per platform).
    other = build(h.store, h.chat, h.clock, packs, channel=ChannelRef("guild-2", "study"))
    await other.user("eve").says("my answer", thread_id=thread)
    await other.admin.runs("/status")
    assert "not set up" in h.chat.sent[-1].text
    post = await h.store.last_post(h.driver.channel)
    assert post is not None and await h.store.answers_for(post) == []


async def test_the_summary_names_the_best_rated_answers(h: Harness) -> None:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily window:2h")
    await h.advance(timedelta(hours=2, minutes=10))
    post = await h.store.last_post(h.driver.channel)
    assert post is not None and post.question_id
    q = h.bot.svc.packs["amazon-backend-developer"].by_id[post.question_id]
    # A strong answer covers the rubric's key points in the pack's own words; a weak one does not.
    strong = " ".join(f"{k.point}. {' '.join(k.synonyms)}." for k in q.rubric) + (
        " The trade-off: it costs latency, but I chose it over the alternative because of load."
    )
    await h.user("ana").replies(strong)
    await h.user("bo").replies("Not sure, maybe a cache?")
    await h.bot.idle()
    await h.advance(timedelta(hours=3))
    summary = next(
        s.text for s in h.chat.in_thread(h.driver.thread_of()) if s.text.startswith("⏰")
    )
    best = summary.split("Best rated: ")[1].split(".\n")[0]
    assert best.startswith("ana (") and "bo (" in best
