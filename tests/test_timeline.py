"""F6 and the scheduling guarantees of issue 5, through the in-memory chat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.content import Pack
from tests.harness import Harness


async def setup(h: Harness, extra: str = "") -> None:
    await h.admin.runs(f"/setup time:09:00 timezone:UTC weekdays:daily {extra}".strip())


def private_to(h: Harness, name: str) -> list[str]:
    return [s.text for s in h.chat.sent if s.to_user is not None and s.to_user.name == name]


async def test_prep_set_shows_the_phase_and_its_checklist(
    h: Harness, packs: dict[str, Pack]
) -> None:
    await setup(h)
    await h.user("ana").runs("/prep set date:2026-12-15")  # 15 days out: practice
    reply = h.chat.sent[-1]
    assert reply.private and "15 days to go" in reply.text
    practice = next(p for p in packs["amazon-backend-developer"].info.phases if p.id == "practice")
    assert practice.name in reply.text and f"☐ 1. {practice.checklist[0]}" in reply.text


async def test_bad_prep_dates_get_clear_messages(h: Harness) -> None:
    await setup(h)
    cases = {
        "/prep set date:2026-11-01": "in the past",
        "/prep set date:2028-01-01": "more than a year away",
        "/prep set date:15/12/2026": "YYYY-MM-DD",
        "/prep set": "needs date",
        "/prep status": "no interview date set",
        "/prep check item:1": "no interview date set",
    }
    for line, expected in cases.items():
        await h.user("ana").runs(line)
        assert expected in h.chat.sent[-1].text, (line, h.chat.sent[-1].text)
    assert await h.store.get_prep("guild-1", "u-ana") is None


async def test_a_nudge_at_each_phase_change_at_the_posting_time_once(
    h: Harness, packs: dict[str, Pack]
) -> None:
    await setup(h)
    pack = packs["amazon-backend-developer"]
    # Monday 30 Nov; the interview is on 24 Dec: 24 days out, the research phase.
    await h.user("ana").runs("/prep set date:2026-12-24")
    assert "Research" in h.chat.sent[-1].text or "research" in h.chat.sent[-1].text.lower()
    await h.advance(timedelta(days=3))  # 3 Dec 07:00: 21 days out only from 09:00 on
    assert [t for t in private_to(h, "ana")[1:] if "🗓️" in t] == []
    await h.advance(timedelta(hours=2))  # 09:00: practice begins
    nudges = [t for t in private_to(h, "ana") if t.startswith("🗓️")]
    practice = next(p for p in pack.info.phases if p.id == "practice")
    assert len(nudges) == 1 and nudges[0].startswith(f"🗓️ {practice.name}: 21 days to go")
    again = await h.restart()
    await again.advance(timedelta(days=14))  # 17 Dec 09:00: the mock phase (7 days out)
    nudges = [t for t in private_to(h, "ana") if t.startswith("🗓️")]
    mock = next(p for p in pack.info.phases if p.id == "mock")
    assert len(nudges) == 2 and nudges[1].startswith(f"🗓️ {mock.name}: 7 days to go")


async def test_prep_status_and_check_track_the_checklist(h: Harness) -> None:
    await setup(h)
    await h.user("ana").runs("/prep set date:2026-12-15")
    await h.user("ana").runs("/prep check item:2")
    assert h.chat.sent[-1].text.startswith("☑")
    await h.user("ana").runs("/prep check item:99")
    assert "give a number from 1 to" in h.chat.sent[-1].text
    await h.user("ana").runs("/prep status")
    status = h.chat.sent[-1].text
    assert "15 days to go" in status and "(1 of" in status and "☑ 2." in status
    await h.user("ana").runs("/prep clear")
    assert "cleared" in h.chat.sent[-1].text
    await h.advance(timedelta(days=20))
    assert not [t for t in private_to(h, "ana") if t.startswith("🗓️")]


async def test_skip_mode_says_so_instead_of_posting_late(h: Harness) -> None:
    await setup(h, "catchup:skip")
    await h.advance(timedelta(hours=3))  # posted Monday 09:00
    h.clock.set(datetime(2026, 12, 1, 9, 30, tzinfo=UTC))  # down over Tuesday 09:00
    await (await h.restart()).bot.run_due()
    assert len(h.chat.posts()) == 1
    assert "skips missed questions" in h.chat.in_channel()[-1].text


async def test_skip_dates_have_no_post(h: Harness) -> None:
    await setup(h, "skip_dates:2026-12-01,2026-12-02")
    await h.advance(timedelta(days=4))
    days = [p.text.splitlines()[0].split("·")[1].strip() for p in h.chat.posts()]
    assert days == ["Mon 30 Nov", "Thu 3 Dec"]
    await h.admin.runs("/status")
    assert "No post on: 2026-12-01, 2026-12-02" in h.chat.sent[-1].text
    await h.admin.runs("/setup skip_dates:2026-12-40")
    assert "skip_dates:" in h.chat.sent[-1].text and "YYYY-MM-DD" in h.chat.sent[-1].text


async def test_status_shows_the_next_post_in_the_channel_zone(h: Harness) -> None:
    await h.admin.runs("/setup time:08:15 timezone:America/New_York weekdays:mon-fri")
    await h.admin.runs("/status")
    assert "Next question: Mon 30 Nov 08:15 (America/New_York)" in h.chat.sent[-1].text


async def dead_claim(h: Harness, at: datetime) -> int | None:
    """The slot of `at`'s day, claimed by a process that died before it sent anything."""
    return await h.store.claim_slot(
        h.driver.channel, at.date().isoformat(), at.date(), claimer="dead", now=at,
        lease_until=at + timedelta(minutes=2), late=False,
    )  # fmt: skip


async def test_a_claim_left_by_a_dead_sender_is_taken_over_even_days_later(h: Harness) -> None:
    await setup(h)
    await h.advance(timedelta(hours=3))
    # A process claimed Tuesday's slot and died before sending.
    ref = h.driver.channel
    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    claimed = await dead_claim(h, at)
    assert claimed is not None
    h.clock.set(datetime(2026, 12, 1, 9, 1, tzinfo=UTC))
    await h.bot.run_due()
    assert len(h.chat.posts()) == 1  # the lease still runs: nobody else may send
    h.clock.set(datetime(2026, 12, 1, 9, 5, tzinfo=UTC))
    await h.bot.run_due()
    posts = h.chat.posts()
    assert len(posts) == 2 and posts[1].nonce == f"studybot-{ref.channel_id}-{claimed}"
    # Another claim dies and the bot stays down past the grace window: a notice, not silence.
    at = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    dead = await dead_claim(h, at)
    h.clock.set(datetime(2026, 12, 3, 8, 0, tzinfo=UTC))
    await h.bot.run_due()
    post = await h.store.get_post(ref.tenant, dead or 0)
    assert post is not None and post.status == "skipped"
    assert "was skipped" in h.chat.in_channel()[-1].text


async def test_the_clock_wakes_when_a_dead_senders_lease_runs_out(h: Harness) -> None:
    await setup(h)
    await h.advance(timedelta(hours=3))  # Monday's post
    ref = h.driver.channel
    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    dead = await dead_claim(h, at)
    # A whole day in one step: the lease's end is a due time, so the post goes out at 09:02,
    # well inside the grace window, as the minute tick would do it in production.
    await h.advance(timedelta(days=1))
    post = await h.store.get_post(ref.tenant, dead or 0)
    assert post is not None and post.status == "sent"
    assert post.posted_at == at + timedelta(minutes=2)
