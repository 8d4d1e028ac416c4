"""Mock rounds (F5) as a study group lives them, through the in-memory chat over a real
SQLite file and a fake clock: sign-up by role, briefs, timers in the thread, private
scoring, the debrief, the Bar Raiser's decision, the scorecard, rotation, solo rounds,
restarts mid-round, and the bad input each gets a clear message for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.memory import ChatDriver, MemoryChat, Sent
from bot.content import Pack
from bot.domain import Capabilities, ChannelRef, InteractionRef, UserRef
from bot.events import ButtonPressed
from bot.features.mock.plan import hard_principles
from bot.ports import FakeClock
from bot.storage.mock_store import MockStore
from bot.storage.store import Store
from tests.harness import Harness, build

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
    turn = h.chat.in_thread(s.opened_thread or "")[-1]
    assert [u.user_id for u in turn.mentions] == ["u-cy"]  # the asker is pinged, nobody else

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


async def test_a_veto_makes_it_no_hire_for_the_candidate(h: Harness) -> None:
    await h.admin.runs("/setup")
    s = await open_round(h, "/mock start format:behavioral questions:3 minutes:3")
    await h.user("ana").clicks(s.number, "Start")
    await run_questions(h, 3, 3)
    await score_all(h, ("cy", "dee", "eve"), "Strong Hire")
    debrief = next(s for s in to(h, "eve") if s.text.startswith("🗂️"))
    assert "Panel outcome: Strong Hire." in debrief.text
    # Only the Bar Raiser decides.
    await h.user("cy").clicks(debrief.number, "Veto")
    assert to(h, "cy")[-1].text == "Only the Bar Raiser can agree or veto."
    await h.user("bo").clicks(debrief.number, "Veto")
    assert to(h, "bo")[-1].text == "Only the Bar Raiser can agree or veto."
    assert not any(s.text.startswith("📊") for s in to(h, "bo"))
    await h.user("eve").clicks(debrief.number, "Veto")
    assert to(h, "eve")[-1].text.startswith("Vetoed")
    card = next(s.text for s in to(h, "bo") if s.text.startswith("📊"))
    assert "Outcome: No Hire (the Bar Raiser vetoed the panel's decision)." in card
    # A second press changes nothing and sends no second scorecard.
    await h.user("eve").clicks(debrief.number, "Agree")
    assert "not waiting on a decision" in to(h, "eve")[-1].text
    assert sum(s.text.startswith("📊") for s in to(h, "bo")) == 1


async def test_technical_round_avoids_questions_the_candidate_already_answered(
    h: Harness,
) -> None:
    await h.admin.runs("/setup")
    # bo drills two technical questions first; the round must not ask them again.
    drilled = []
    for _ in range(2):
        await h.user("bo").runs("/drill kind:technical")
        sent = to(h, "bo")[-1]
        sid = int(sent.buttons[0].custom_id.split(":")[1])
        session = await h.bot.svc.drills.session("guild-1", sid)
        assert session is not None
        drilled.append(session.question_id)
        await h.user("bo").clicks(sent.number, "Answer")
        await h.user("bo").submits(h.chat.forms[-1].form.custom_id, answer="A cache in front.")
    s = await open_round(h, "/mock start format:technical questions:4 minutes:10", bar_raiser=None)
    await h.user("ana").clicks(s.number, "Start")
    slots = await store(h).slots("guild-1", 1)
    pack = pack_of(h)
    assert [x.kind for x in slots] == ["technical"] * 4
    assert not set(drilled) & {x.question_id for x in slots}
    assert [x.asker_name for x in slots] == ["cy", "dee", "cy", "dee"]
    for x in slots:
        q = pack.question(x.question_id)
        assert q is not None and q.kind.value == "technical"
    # Technical interviewers also listen for a principle, none twice.
    begins = next(t for t in thread(h) if t.startswith("▶️"))
    assert begins.count("listening for") == 2
    await run_questions(h, 4, 10)
    await score_all(h, ("cy",), "No Hire")
    await score_all(h, ("dee",), "Hire")
    card = next(s.text for s in to(h, "bo") if s.text.startswith("📊"))
    assert "Technical:" in card and "Practise next: /drill topic:" in card
    # No Bar Raiser: the scorecard follows the debrief at once.
    assert next(s for s in to(h, "cy") if s.text.startswith("🗂️")).buttons == ()


async def test_a_loop_mixes_principles_and_technical_questions(h: Harness) -> None:
    await h.admin.runs("/setup")
    s = await open_round(h, "/mock start format:loop questions:4 minutes:5")
    await h.user("ana").clicks(s.number, "Start")
    slots = await store(h).slots("guild-1", 1)
    assert [x.kind for x in slots] == ["behavioral", "technical", "behavioral", "technical"]
    eve = [x for x in slots if x.asker_name == "eve"]
    assert eve and eve[0].kind == "behavioral"
    assert eve[0].principle_id in hard_principles(pack_of(h))
    behavioral = [x.principle_id for x in slots if x.kind == "behavioral"]
    assert len(set(behavioral)) == len(behavioral)
    await run_questions(h, 4, 5)
    await score_all(h, ("cy", "dee", "eve"), "Hire")
    debrief = next(s for s in to(h, "eve") if s.text.startswith("🗂️"))
    await h.user("eve").clicks(debrief.number, "Agree")
    card = next(s.text for s in to(h, "bo") if s.text.startswith("📊"))
    assert "loop" in card and "Technical:" in card and card.count("asked by") == 4


async def test_a_rotation_of_three_candidates(h: Harness) -> None:
    await h.admin.runs("/setup")
    s = await open_round(
        h, "/mock start format:behavioral questions:2 minutes:3", interviewers=("cy",),
        bar_raiser="dee",
    )  # fmt: skip
    await h.user("ana").clicks(s.number, "Start")
    candidates = []
    for rid in (1, 2, 3):
        members = await store(h).members("guild-1", rid)
        cand = next(m.user_name for m in members if m.role == "candidate")
        candidates.append(cand)
        panel = tuple(m.user_name for m in members if m.role in ("interviewer", "bar_raiser"))
        br = next(m.user_name for m in members if m.role == "bar_raiser")
        await run_questions(h, 2, 3)
        await score_all(h, panel, "Hire")
        debrief = next(s for s in to(h, br) if s.text.startswith("🗂️") and f"#{rid}" in s.text)
        await h.user(br).clicks(debrief.number, "Agree")
        assert any(f"mock round #{rid}" in s.text for s in to(h, cand) if s.text.startswith("📊"))
        if rid < 3:
            assert "Next in the rotation: /mock next makes" in thread(h)[-1]
            await h.user(cand).runs("/mock next")
            assert to(h, cand)[-1].text.startswith(f"Mock round #{rid + 1} has started")
            assert signup(h).text.startswith(f"🔁 Mock round #{rid + 1}")
    assert candidates == ["bo", "cy", "dee"]
    # Round 2: bo took cy's interviewer seat; round 3: cy took dee's Bar Raiser seat.
    r3 = {m.user_name: m.role for m in await store(h).members("guild-1", 3)}
    assert r3 == {"bo": "interviewer", "cy": "bar_raiser", "dee": "candidate"}
    await h.user("dee").runs("/mock next")
    assert "Everyone in round #3's line-up has been the candidate" in to(h, "dee")[-1].text


async def test_a_solo_round_asks_follow_ups_keeps_time_and_ends_with_a_scorecard(
    h: Harness,
) -> None:
    await h.admin.runs("/setup")
    await h.user("bo").runs("/mock solo format:behavioral questions:2 minutes:5")
    mine = to(h, "bo")
    assert mine[-1].text.startswith("🎙️ Solo mock round #1 started")
    question = next(s for s in mine if s.text.startswith("❓ Question 1 of 2"))
    assert [b.label for b in question.buttons] == ["Answer"]
    assert not h.chat.in_channel()[1:]  # nothing public beyond /setup's reply
    # Somebody else cannot answer it.
    forms = len(h.chat.forms)
    await h.user("cy").clicks(question.number, "Answer")
    assert to(h, "cy")[-1].text == "Only the candidate answers in round #1."
    assert len(h.chat.forms) == forms

    await h.user("bo").clicks(question.number, "Answer")
    form = h.chat.forms[-1].form
    await h.user("bo").submits(form.custom_id, answer="We fixed a bug. It went fine.")
    assert to(h, "bo")[-2].text.startswith("✅ Answer saved (7 words)")
    follow = to(h, "bo")[-1]
    assert follow.text.startswith("🔎 Follow-up on question 1:")
    slots = await store(h).slots("guild-1", 1)
    review_follow_up = follow.text.split(": ", 1)[1]
    assert slots[0].review and review_follow_up in slots[0].review
    # The first question's old Answer button is stale now; its text comes back, not lost.
    await h.user("bo").submits(form.custom_id, answer="another try")
    assert "moved on" in to(h, "bo")[-1].text and "another try" in to(h, "bo")[-1].text
    answered: set[int] = set()
    for _ in range(2):
        pending = [s for s in to(h, "bo") if s.buttons and s.number not in answered]
        last = pending[-1]
        if not last.text.startswith("🔎"):
            break
        answered.add(last.number)
        await h.user("bo").clicks(last.number, "Answer")
        await h.user("bo").submits(
            h.chat.forms[-1].form.custom_id,
            answer="I owned it: I measured error rates from 3% to 0.2% for customers.",
        )
    assert sum(s.text.startswith("🔎") for s in to(h, "bo")) in (1, 2)
    q2 = [s for s in to(h, "bo") if s.buttons][-1]
    assert q2.text.startswith("❓ Question 2 of 2") and to(h, "bo")[-1] == q2
    # The second is left unanswered: the timer warns, then ends the round.
    await h.advance(timedelta(minutes=4))
    assert to(h, "bo")[-1].text == "⏳ One minute left on question 2 of 2."
    await h.advance(timedelta(minutes=1))
    assert to(h, "bo")[-2].text == "⏰ Time's up on question 2."
    card = to(h, "bo")[-1].text
    assert card.startswith("📊 Your scorecard · mock round #1 · behavioral · solo")
    assert "Not answered in time." in card and "Practise next: /drill principle:" in card
    assert "asked by" not in card
    # Nothing of a solo round went to the channel or to anybody else.
    assert all(s.to_user is not None for s in h.chat.sent if "mock round" in s.text.lower())
    await h.advance(timedelta(hours=3))
    assert sum(s.text.startswith("📊") for s in to(h, "bo")) == 1


async def test_a_restart_mid_round_loses_and_repeats_nothing(h: Harness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.features.mock import steps

    await h.admin.runs("/setup")
    s = await open_round(h, "/mock start format:behavioral questions:3 minutes:5")
    await h.user("ana").clicks(s.number, "Start")
    await h.advance(timedelta(minutes=5))  # question 2 is under way

    # The process dies after recording the warning's step and before sending it.
    async def killed(*_a: object, **_k: object) -> None:
        return None

    monkeypatch.setattr(steps, "flush", killed)
    await h.advance(timedelta(minutes=4))
    assert not any("question 2 of 3" in t and "One minute" in t for t in thread(h))
    monkeypatch.undo()
    second = await h.restart()
    await second.advance(timedelta(seconds=30))
    assert thread(h)[-1] == "⏳ One minute left on question 2 of 3."
    await second.advance(timedelta(minutes=6))
    third = await second.restart(instance_id="third")
    await third.advance(timedelta(minutes=5))
    assert thread(h)[-1].startswith("⏰ Time's up: that was the last question.")
    await score_all(third, ("cy", "dee", "eve"), "Hire")
    debrief = next(s for s in to(h, "eve") if s.text.startswith("🗂️"))
    await third.user("eve").clicks(debrief.number, "Agree")
    texts = thread(h)
    assert len(texts) == len(set(texts)), "a thread message was repeated"
    for n in (1, 2, 3):
        assert sum(f"One minute left on question {n} of 3" in t for t in texts) == 1
        assert sum(t.startswith(f"❓ Question {n} of 3") or f"❓ Question {n} of 3" in t for t in texts) == 1  # fmt: skip
    assert sum(s.text.startswith("📊") for s in to(h, "bo")) == 1
    assert sum(s.text.startswith("📋") for s in h.chat.sent) == 3
    rows = await store(h).outbox("guild-1", 1)
    assert rows and all(r.status == "sent" for r in rows)


async def test_bad_input_each_gets_a_clear_message(h: Harness) -> None:
    await h.user("ana").runs("/mock start")
    assert "no question pack for a mock round. An admin can run /setup" in to(h, "ana")[-1].text
    await h.admin.runs("/setup")
    for line, said in (
        ("/mock start questions:0", "questions: 0 is out of range; give 1 to 8."),
        ("/mock start questions:9", "questions: 9 is out of range; give 1 to 8."),
        ("/mock start minutes:1", "minutes: 1 is out of range; give 2 to 60"),
        ("/mock start minutes:90", "minutes: 90 is out of range; give 2 to 60"),
        ("/mock start format:panel", "format: 'panel' is not one of behavioral, technical, loop."),
        ("/mock solo questions:12", "questions: 12 is out of range"),
        ("/mock start at:25:00", "at:"),
    ):
        await h.user("ana").runs(line)
        assert said in to(h, "ana")[-1].text, (line, to(h, "ana")[-1].text)
    assert not await store(h).active_rounds()

    await h.user("ana").runs("/mock format:behavioral questions:2 minutes:5")  # /mock is start
    s = signup(h)
    # A second round in the same channel, or in the round's thread.
    await h.user("cy").runs("/mock start")
    assert "Mock round #1 is already under way here" in to(h, "cy")[-1].text
    in_thread = ChatDriver(h.bot, h.chat, ChannelRef("guild-1", s.opened_thread or ""))
    await in_thread.as_user("cy").runs("/mock start")
    assert "Mock round #1 is already under way here" in to(h, "cy")[-1].text

    # Missing roles at start, said plainly; only the organiser starts.
    await h.user("ana").clicks(s.number, "Start")
    assert to(h, "ana")[-1].text.startswith(
        "Mock round #1 cannot start yet: it needs a candidate (nobody has pressed Candidate) "
        "and at least one interviewer (nobody has pressed Interviewer)."
    )
    await h.user("bo").clicks(s.number, "Candidate")
    await h.user("eve").clicks(s.number, "Bar Raiser")
    await h.user("ana").clicks(s.number, "Start")
    assert "it needs at least one interviewer" in to(h, "ana")[-1].text
    await h.user("cy").clicks(s.number, "Candidate")
    assert "bo is already the Candidate of round #1 (one per round)" in to(h, "cy")[-1].text
    await h.user("cy").clicks(s.number, "Bar Raiser")
    assert "eve is already the Bar Raiser" in to(h, "cy")[-1].text
    await h.user("cy").clicks(s.number, "Interviewer")
    await h.user("zed").clicks(s.number, "Leave")
    assert to(h, "zed")[-1].text == "You are not in mock round #1."
    await h.user("cy").clicks(s.number, "Start")
    assert to(h, "cy")[-1].text == "Only the organiser (ana) can start round #1."
    await h.user("ana").clicks(s.number, "Start")
    await h.user("dee").clicks(s.number, "Interviewer")
    assert to(h, "dee")[-1].text == "Mock round #1 has started; sign-ups are closed."

    # A score from outside the round, from the candidate, from the wrong interviewer, too early.
    await h.advance(timedelta(minutes=5))
    scoring = [s for s in to(h, "cy") if s.text.startswith("🗳️")]
    assert not scoring
    await h.advance(timedelta(minutes=5))
    cy_sheet = next(s for s in to(h, "cy") if s.text.startswith("🗳️"))
    for who, said in (
        ("zed", "You are not part of mock round #1, so you cannot score it."),
        ("bo", "You are the candidate of round #1: your scorecard comes after the debrief."),
        ("eve", "Only cy, who asked question 1, scores it."),
    ):
        forms = len(h.chat.forms)
        await h.user(who).clicks(cy_sheet.number, "Strong Hire")
        assert to(h, who)[-1].text == said and len(h.chat.forms) == forms
    await h.user("zed").submits("mock:comment:1:0", comment="sneaky")
    assert "You are not part of mock round #1" in to(h, "zed")[-1].text
    assert "sneaky" in to(h, "zed")[-1].text  # echoed back, not lost
    slots = await store(h).slots("guild-1", 1)
    assert slots[0].score is None and slots[0].comment is None
    await h.user("cy").submits("mock:comment:1:0", comment="before a score")
    assert to(h, "cy")[-1].text == "Press a score first; the comment goes with it."


async def test_another_tenant_sees_nothing_and_cannot_press(h: Harness) -> None:
    await h.admin.runs("/setup")
    s = await open_round(h, "/mock start questions:1 minutes:5")
    other = ChatDriver(h.bot, h.chat, ChannelRef("guild-2", "study"), admins={"you"})
    for custom_id in ("mock:join:1:candidate", "mock:start:1", "mock:score:1:0:4", "mock:veto:1"):
        await h.bot.handle(
            ButtonPressed(
                InteractionRef("x", UserRef("guild-2", "u-bo", "bo"), other.channel), custom_id
            )
        )
        assert h.chat.sent[-1].text == "That mock round does not exist here."
    await other.as_user("zed").runs("/mock next")
    assert "No mock round has run here yet" in h.chat.sent[-1].text
    assert await store(h).round("guild-2", 1) is None
    members = await store(h).members("guild-1", 1)
    assert [m.user_name for m in members] == ["bo", "cy", "dee", "eve"]
    assert s.channel == ChannelRef("guild-1", "study")


async def test_leaving_reassigns_questions_or_ends_the_round(h: Harness) -> None:
    await h.admin.runs("/setup")
    s = await open_round(h, "/mock start format:behavioral questions:4 minutes:5")
    await h.user("fay").clicks(s.number, "Observer")
    await h.user("fay").clicks(s.number, "Leave")
    assert "You left the sign-ups" in to(h, "fay")[-1].text
    await h.user("ana").clicks(s.number, "Start")
    before = {x.position: x for x in await store(h).slots("guild-1", 1)}
    assert [x.asker_name for x in before.values()] == ["cy", "dee", "eve", "cy"]
    await h.advance(timedelta(minutes=5))  # question 2 (dee) is under way
    await h.user("cy").runs("/mock leave")
    assert to(h, "cy")[-1].text == "You left mock round #1."
    after = await store(h).slots("guild-1", 1)
    assert after[0].asker_name == "cy"  # already asked: stays on the record
    assert after[3].asker_name == "dee" and after[3].principle_id == before[3].principle_id
    note = next(t for t in thread(h) if t.startswith("🚪 cy left the panel"))
    assert "question 4" in note and "goes to dee" in note
    assert any(
        t.text.startswith("📋 Your brief · mock round #1 · question 4") for t in to(h, "dee")
    )
    # A member who left cannot press the round's buttons any more.
    await h.user("cy").runs("/mock leave")
    assert to(h, "cy")[-1].text == "You are in no mock round that is under way."
    # The candidate leaving ends the round cleanly, with a message and no timers after.
    await h.user("bo").clicks(s.number, "Leave")
    assert to(h, "bo")[-1].text == "You left mock round #1; it has ended."
    assert (
        thread(h)[-1] == "🚪 bo, the candidate, left: mock round #1 ends here. No scores are kept."
    )
    count = len(h.chat.sent)
    await h.advance(timedelta(hours=3))
    assert not [s.text for s in h.chat.sent[count:] if not s.text.startswith("📌")]
    assert (await store(h).round("guild-1", 1)).status == "ended"  # type: ignore[union-attr]


async def test_abandoned_rounds_close_with_a_message(h: Harness) -> None:
    await h.admin.runs("/setup")
    s = await open_round(h, "/mock start questions:1 minutes:5")
    await h.advance(timedelta(hours=1, minutes=59))
    assert not any(t.startswith("💤") for t in thread(h))
    await h.advance(timedelta(minutes=1))
    assert thread(h)[-1] == "💤 Mock round #1 was closed: no activity for 2 h. /mock start opens a new one."  # fmt: skip
    await h.user("ana").clicks(s.number, "Start")
    assert "has already started" in to(h, "ana")[-1].text or "over" in to(h, "ana")[-1].text
    # The idle time is the organiser's to choose; scoring that never happens closes too.
    await h.user("ana").runs("/mock start questions:1 minutes:5 idle:30m")
    s2 = signup(h)
    for who, role in (("bo", "Candidate"), ("cy", "Interviewer")):
        await h.user(who).clicks(s2.number, role)
    await h.user("ana").clicks(s2.number, "Start")
    await h.advance(timedelta(minutes=5))
    await h.advance(timedelta(minutes=29))
    assert not thread(h, s2)[-1].startswith("💤")
    await h.advance(timedelta(minutes=1))
    assert thread(h, s2)[-1] == "💤 Mock round #2 was closed: no activity for 30 min. /mock start opens a new one."  # fmt: skip
    assert not any(s.text.startswith("📊") for s in to(h, "bo"))
    # A round set for later is not closed for quiet before its time.
    await h.user("ana").runs("/mock start questions:1 minutes:5 idle:30m at:23:00")
    s3 = signup(h)
    await h.advance_to(h.clock.now().replace(hour=23, minute=29))
    assert thread(h, s3)[-1].startswith("⏰ It is 23:00 UTC, but mock round #3 cannot start")
    await h.advance(timedelta(minutes=1))
    assert thread(h, s3)[-1].startswith("💤 Mock round #3 was closed")


async def test_a_timed_start_starts_when_filled_and_says_who_is_missing(h: Harness) -> None:
    await h.admin.runs("/setup")  # the channel's zone is UTC by default
    await h.user("ana").runs("/mock start questions:1 minutes:5 at:08:00 candidate:@bo")
    s = signup(h)
    assert "It starts at 08:00 UTC" in s.text and "kept for bo" in s.text
    await h.user("cy").clicks(s.number, "Candidate")
    assert to(h, "cy")[-1].text == "The candidate seat of round #1 is kept for bo."
    await h.user("bo").clicks(s.number, "Candidate")
    await h.advance_to(h.clock.now().replace(hour=8))
    assert thread(h)[-1] == (
        "⏰ It is 08:00 UTC, but mock round #1 cannot start: it needs at least one interviewer "
        "(nobody has pressed Interviewer). ana can press Start once they sign up."
    )
    await h.user("cy").clicks(s.number, "Interviewer")
    await h.user("ana").clicks(s.number, "Start")
    assert thread(h)[-1].startswith("❓ Question 1 of 1 · cy asks now")

    await h.advance(timedelta(minutes=5))
    await score_all(h, ("cy",), "Hire")
    await h.user("ana").runs("/mock start questions:1 minutes:5 at:09:00")
    s2 = signup(h)
    await h.user("dee").clicks(s2.number, "Candidate")
    await h.user("eve").clicks(s2.number, "Interviewer")
    await h.advance_to(h.clock.now().replace(hour=9, minute=0))
    assert thread(h, s2)[-1].startswith("❓ Question 1 of 1 · eve asks now")


async def test_forget_me_removes_a_members_mock_data(h: Harness) -> None:
    await h.admin.runs("/setup")
    await h.user("bo").runs("/mock solo questions:1 minutes:5")
    s = await open_round(h, "/mock start questions:1 minutes:5", bar_raiser=None)
    await h.user("ana").clicks(s.number, "Start")
    await h.advance(timedelta(minutes=5))
    await score_all(h, ("cy",), "Hire")
    await h.user("cy").runs("/forget-me confirm:yes")
    assert "mock round records:" in to(h, "cy")[-1].text
    slots = await store(h).slots("guild-1", 2)
    assert slots[0].asker_name == "(deleted member)" and slots[0].comment is None
    await h.user("bo").runs("/forget-me confirm:yes")
    assert await store(h).round("guild-1", 1) is None  # bo's solo round, whole
    assert not [m for m in await store(h).members("guild-1", 2) if m.user_id == "u-bo"]


async def test_a_short_round_on_sqlite_and_postgresql(any_db_url: str, packs: dict) -> None:  # type: ignore[type-arg]
    from tests.harness import open_store

    db = await open_store(any_db_url)
    clock = FakeClock(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    h = build(db, MemoryChat(), clock, packs)
    try:
        await h.admin.runs("/setup")
        s = await open_round(h, "/mock start format:loop questions:2 minutes:2")
        await h.user("ana").clicks(s.number, "Start")
        await run_questions(h, 2, 2)
        await score_all(h, ("cy", "dee", "eve"), "No Hire")
        debrief = next(x for x in to(h, "eve") if x.text.startswith("🗂️"))
        await h.user("eve").clicks(debrief.number, "Agree")
        card = next(x.text for x in to(h, "bo") if x.text.startswith("📊"))
        assert "Outcome: No Hire." in card
        await h.user("bo").runs("/mock solo questions:1 minutes:2")
        await h.advance(timedelta(minutes=2))
        assert sum(x.text.startswith("📊") for x in to(h, "bo")) == 2
        assert all(r.status == "sent" for r in await store(h).outbox("guild-1", 1))
    finally:
        await db.close()


def test_long_messages_are_cut_between_lines_within_the_limit() -> None:
    from bot.features.mock.steps import parts

    text = "\n".join(f"line {i} " + "x" * 50 for i in range(40))
    pieces = parts(text, 500)
    assert all(len(p) <= 500 for p in pieces) and len(pieces) > 1
    assert "\n".join(pieces) == text
    assert parts("y" * 1200, 500) == ["y" * 500, "y" * 500, "y" * 200]
    assert parts("short", 500) == ["short"]


async def test_a_brief_longer_than_the_platform_allows_comes_in_parts(
    store: Store, clock: FakeClock, packs: dict[str, Pack]
) -> None:
    chat = MemoryChat(Capabilities(max_message_length=600))
    h = build(store, chat, clock, packs)
    await h.admin.runs("/setup")
    s = await open_round(h, "/mock start format:technical questions:1 minutes:2", bar_raiser=None)
    await h.user("ana").clicks(s.number, "Start")
    assert all(len(x.text) <= 600 for x in chat.sent)
    brief = [x for x in to(h, "cy") if x.nonce and x.nonce.startswith("mock-1-")]
    assert len(brief) > 1 and brief[0].text.startswith("📋 Your brief")
    await h.advance(timedelta(minutes=2))
    sheet = [x for x in to(h, "cy") if x.buttons]
    assert sheet[-1].buttons[0].label == "Strong Hire" and to(h, "cy")[-1] == sheet[-1]


async def test_an_admin_may_keep_group_rounds_to_admins(h: Harness) -> None:
    await h.admin.runs("/setup")
    await h.user("ana").runs("/mock settings start:admins")
    assert "admins only" in to(h, "ana")[-1].text and "/mock settings" in to(h, "ana")[-1].text
    await h.admin.runs("/mock settings start:admins")
    assert "started by admins only" in to(h, "you")[-1].text
    await h.user("ana").runs("/mock start")
    assert to(h, "ana")[-1].text.startswith("In this channel only admins start group mock rounds")
    assert not await store(h).active_rounds()
    await h.user("ana").runs("/mock solo questions:1 minutes:2")  # private practice stays open
    assert to(h, "ana")[-1].text.startswith("🎙️ Solo mock round #1 started")
    await h.admin.runs("/mock start questions:1 minutes:2")
    assert signup(h).text.startswith("🎤 Mock round #2")
    await h.admin.runs("/mock settings start:anyone")
    await h.user("bo").runs("/mock settings")
    assert "admins only" in to(h, "bo")[-1].text  # the settings command itself is for admins


async def test_status_says_where_the_round_stands_and_never_a_score(h: Harness) -> None:
    await h.admin.runs("/setup")
    await h.user("bo").runs("/mock status")
    assert to(h, "bo")[-1].text.startswith("No mock round is under way here.")
    s = await open_round(h, "/mock start questions:2 minutes:5", bar_raiser=None)
    await h.user("bo").runs("/mock status")
    assert "Mock round #1 · behavioral · signup" in to(h, "bo")[-1].text
    assert "Candidate: bo · Interviewers: cy, dee" in to(h, "bo")[-1].text
    await h.user("ana").clicks(s.number, "Start")
    await h.advance(timedelta(minutes=2))
    await h.user("bo").runs("/mock status")
    assert "Question 1 of 2: about 3 min left." in to(h, "bo")[-1].text
    await h.advance(timedelta(minutes=8))
    await score_all(h, ("cy",), "Strong No Hire")
    await h.user("bo").runs("/mock status")
    said = to(h, "bo")[-1].text
    assert "1 of 2 question(s) scored" in said and not any(w in said for w in WORDS)


async def test_two_instances_on_one_database_send_each_step_once(
    any_db_url: str,
    packs: dict,  # type: ignore[type-arg]
) -> None:
    import asyncio

    from tests.harness import open_store

    db = await open_store(any_db_url)
    clock = FakeClock(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    h = build(db, MemoryChat(), clock, packs)
    other = await h.restart(instance_id="second")
    try:
        await h.admin.runs("/setup")
        s = await open_round(h, "/mock start format:loop questions:3 minutes:3")
        await h.user("ana").clicks(s.number, "Start")
        await h.user("fay").runs("/mock solo questions:2 minutes:3")
        # Both processes run the timers at every due time, at once.
        for _ in range(20):
            due = await h.bot.next_due(clock.now())
            if due is None or due > clock.now() + timedelta(minutes=30):
                break
            clock.set(due)
            await asyncio.gather(h.bot.run_due(), other.bot.run_due())
        texts = thread(h)
        for n in (1, 2, 3):
            assert sum(f"One minute left on question {n} of 3" in t for t in texts) == 1
        assert sum(t.startswith("⏰ Time's up: that was the last question") for t in texts) == 1
        assert sum(x.text.startswith("📊") for x in to(h, "fay")) == 1
        nonces = [x.nonce for x in h.chat.sent if x.nonce]
        assert len(nonces) == len(set(nonces)), "a step was sent twice"
    finally:
        await db.close()
