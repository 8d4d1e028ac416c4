"""Mock rounds (F5) as a study group lives them, through the in-memory chat over a real
SQLite file and a fake clock: sign-up by role, briefs, timers in the thread, private
scoring, the debrief, the Bar Raiser's decision, the scorecard, rotation, solo rounds,
restarts mid-round, and the bad input each gets a clear message for."""

from __future__ import annotations

from datetime import timedelta

from adapters.memory import Sent
from bot.content import Pack
from bot.features.mock.plan import hard_principles
from bot.storage.mock_store import MockStore
from tests.harness import Harness

PACK = "amazon-backend-developer"
WORDS = ("Strong Hire", "Hire", "No Hire", "Strong No Hire")


def pack_of(h: Harness) -> Pack:
    pack = h.bot.svc.pack(PACK)
    assert pack is not None
    return pack


def store(h: Harness) -> MockStore:
    return MockStore(h.store.engine)


def signup(h: Harness) -> Sent:
    return [s for s in h.chat.in_channel() if s.text.startswith(("🎤", "🔁"))][-1]


def thread(h: Harness, sent: Sent | None = None) -> list[str]:
    sent = sent or signup(h)
    assert sent.opened_thread
    return [s.text for s in h.chat.in_thread(sent.opened_thread)]


def to(h: Harness, who: str) -> list[Sent]:
    return h.chat.to(f"u-{who}")


async def open_round(
    h: Harness,
    line: str,
    *,
    candidate: str = "bo",
    interviewers: tuple[str, ...] = ("cy", "dee"),
    bar_raiser: str | None = "eve",
    observers: tuple[str, ...] = (),
) -> Sent:
    await h.user("ana").runs(line)
    s = signup(h)
    await h.user(candidate).clicks(s.number, "Candidate")
    for who in interviewers:
        await h.user(who).clicks(s.number, "Interviewer")
    if bar_raiser:
        await h.user(bar_raiser).clicks(s.number, "Bar Raiser")
    for who in observers:
        await h.user(who).clicks(s.number, "Observer")
    return s


async def run_questions(h: Harness, n: int, minutes: int) -> None:
    for _ in range(n):
        await h.advance(timedelta(minutes=minutes))


async def score_all(h: Harness, panel: tuple[str, ...], value: str = "Hire") -> None:
    """Every panel member scores each of their questions, with a comment."""
    for who in panel:
        for sent in [s for s in to(h, who) if s.text.startswith("🗳️")]:
            await h.user(who).clicks(sent.number, value)
            form = h.chat.forms[-1].form
            await h.user(who).submits(form.custom_id, comment=f"{who}: clear STAR, thin metrics")


async def test_behavioral_round_with_two_interviewers_and_a_bar_raiser(h: Harness) -> None:
    await h.admin.runs("/setup")
    s = await open_round(
        h, "/mock start format:behavioral questions:3 minutes:5", observers=("fay",)
    )
    assert "Mock round #1" in s.text and [b.label for b in s.buttons] == [
        "Candidate", "Interviewer", "Bar Raiser", "Observer", "Leave", "Start",
    ]  # fmt: skip
    assert any("signed up as Bar Raiser" in t for t in thread(h))
    await h.user("ana").clicks(s.number, "Start")

    texts = thread(h)
    begins = next(t for t in texts if t.startswith("▶️"))
    assert "Candidate: bo" in begins and "Bar Raiser eve" in begins and "Observers: fay" in begins
    assert texts[-1].startswith("❓ Question 1 of 3")

    # Each panel member has a private brief: question, key points, signals, red flags, follow-ups.
    slots = await store(h).slots("guild-1", 1)
    assert [s.asker_name for s in slots] == ["cy", "dee", "eve"]
    principles = [s.principle_id for s in slots]
    assert len(set(principles)) == 3 and all(principles)
    assert slots[2].principle_id in hard_principles(pack_of(h))
    for who in ("cy", "dee", "eve"):
        brief = next(s.text for s in to(h, who) if s.text.startswith("📋 Your brief"))
        for part in ("Ask:", "Key points:", "Signals of a strong answer:", "Follow-ups:"):
            assert part in brief, (who, part)
    pack = pack_of(h)
    eve_q = pack.question(slots[2].question_id)
    assert eve_q is not None
    eve_brief = next(s.text for s in to(h, "eve") if s.text.startswith("📋"))
    assert "You are the Bar Raiser" in eve_brief and eve_q.prompt in eve_brief
    assert all(f.claim in eve_brief for f in eve_q.red_flags)
    assert not any(s.text.startswith("📋") for s in to(h, "bo") + to(h, "fay"))

    # Timers on the fake clock: the warning a minute before, then time's up, in the thread.
    await h.advance(timedelta(minutes=4))
    assert thread(h)[-1] == "⏳ One minute left on question 1 of 3."
    await h.advance(timedelta(minutes=1))
    assert thread(h)[-1].startswith("⏰ Time's up on question 1: next question.")
    assert "Question 2 of 3 · dee asks now" in thread(h)[-1]
    await run_questions(h, 2, 5)
    assert thread(h)[-1].startswith("⏰ Time's up: that was the last question.")
    assert sum("One minute left" in t for t in thread(h)) == 3

    # Private scoring; nothing of it reaches the candidate or the thread.
    await score_all(h, ("cy", "dee"), "Hire")
    assert not any(s.text.startswith("🗂️") for s in h.chat.sent)
    await score_all(h, ("eve",), "Strong Hire")
    for who in ("cy", "dee", "eve"):
        debrief = next(s for s in to(h, who) if s.text.startswith("🗂️ Debrief"))
        assert "Panel outcome: Hire." in debrief.text and "cy: clear STAR" in debrief.text
    eve_debrief = next(s for s in to(h, "eve") if s.text.startswith("🗂️"))
    assert [b.label for b in eve_debrief.buttons] == ["Agree", "Veto"]
    assert not any(w in s.text for s in to(h, "bo") for w in WORDS)
    assert not any(w in t for t in thread(h) for w in WORDS)

    await h.user("eve").clicks(eve_debrief.number, "Agree")
    card = to(h, "bo")[-1].text
    assert card.startswith("📊 Your scorecard · mock round #1")
    assert "Outcome: Hire." in card and "cy: clear STAR" in card and "asked by eve" in card
    assert "Practise next: /drill principle:" in card
    for s in slots:
        label = pack.principle(s.principle_id or "")
        assert label is not None and f"• {label.name}:" in card
    assert thread(h)[-1].startswith("✅ Mock round #1 is over")
    assert not any(w in t for t in thread(h) for w in WORDS)
