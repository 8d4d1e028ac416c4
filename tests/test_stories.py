"""The STAR story bank (F7) as a member lives it, through the in-memory chat over a real
SQLite file: a story written in the form, reviewed, edited and reviewed again, mapped
against the pack's targets; bad principles refused without losing the text; privacy across
members and tenants; the weekly gap nudge on the fake clock; Save as story from a drill."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from adapters.memory import ChatDriver, Sent
from bot.content import Pack
from bot.domain import ChannelRef, Form
from tests.harness import Harness
from tests.test_drills import answer, drill, question_of

PACK = "amazon-backend-developer"

WEAK_STORY = {
    "title": "A bug",
    "principles": "Ownership",
    "situation": "We had a bug.",
    "action": "We fixed it.",
    "result": "It was fine.",
}


def strong_story(pack: Pack, principle_id: str) -> dict[str, str]:
    p = pack.principle(principle_id)
    assert p is not None
    signals = "; ".join(p.signals)
    return {
        "title": "The checkout outage I owned",
        "principles": p.name,
        "situation": (
            "Situation: in 2024 our checkout service failed 3% of orders during the holiday "
            "peak, and nobody owned the payment retries. Task: I took ownership of the fix "
            "because customers were being charged twice."
        ),
        "action": (
            f"I dug into the logs and traced the duplicate charges to a retry without an "
            f"idempotency key. I {signals}. I wrote the design, I reviewed it with the payments "
            "team, I rolled it out behind a flag and I measured every step."
        ),
        "result": (
            "Failures fell from 3% to 0.2% in six weeks, saving $40k a month, and duplicate "
            "charges went to zero. I wrote the runbook so it stays fixed."
        ),
    }


def pack_of(h: Harness) -> Pack:
    pack = h.bot.svc.pack(PACK)
    assert pack is not None
    return pack


def last_to(h: Harness, who: str) -> Sent:
    return h.chat.to(f"u-{who}")[-1]


async def open_story_form(h: Harness, who: str) -> Form:
    await h.user(who).runs("/story add")
    await h.user(who).clicks(last_to(h, who).number, "Write story")
    return h.chat.forms[-1].form


async def add_story(h: Harness, who: str, values: dict[str, str]) -> list[Sent]:
    form = await open_story_form(h, who)
    before = len(h.chat.to(f"u-{who}"))
    await h.user(who).submits(form.custom_id, **values)
    return h.chat.to(f"u-{who}")[before:]


def story_number(sent: Sent) -> int:
    text = sent.text
    return int(text.split("#", 1)[1].split(" ", 1)[0])


async def test_a_story_is_saved_reviewed_edited_reviewed_again_and_mapped(h: Harness) -> None:
    await h.admin.runs("/setup")
    form = await open_story_form(h, "ana")
    assert [f.name for f in form.fields] == ["title", "principles", "situation", "action", "result"]
    assert len(form.fields) <= 5  # Discord modals hold five inputs

    back = await add_story(h, "ana", WEAK_STORY)
    assert back[0].text.startswith("✅ Story #") and back[0].private
    sid = story_number(back[0])
    weak_review = back[1].text
    assert weak_review.startswith("🤖 Review of your answer") and "Ownership" in weak_review
    assert "Put a number in the result" in weak_review
    stored = await h.bot.svc.stories.get("guild-1", "u-ana", sid)
    assert stored is not None and stored.review is not None and stored.score is not None
    weak_score = stored.score

    # Edit: the form comes prefilled with the story as it is.
    await h.user("ana").runs(f"/story edit id:{sid}")
    await h.user("ana").clicks(last_to(h, "ana").number, "Edit")
    edit = h.chat.forms[-1].form
    assert {f.name: f.value for f in edit.fields} == WEAK_STORY
    strong = strong_story(pack_of(h), "ownership")
    before = len(h.chat.to("u-ana"))
    await h.user("ana").submits(edit.custom_id, **strong)
    again = h.chat.to("u-ana")[before:]
    assert again[0].text == f"✅ Story #{sid} updated. Reviewing it again…"
    assert "Quantified result" in again[1].text
    stored = await h.bot.svc.stories.get("guild-1", "u-ana", sid)
    assert stored is not None and stored.score is not None and stored.score > weak_score
    assert stored.title == strong["title"]

    await h.user("ana").runs(f"/story show id:{sid}")
    shown = last_to(h, "ana").text
    assert strong["title"] in shown and "Failures fell from 3%" in shown and "🤖 Review" in shown

    await h.user("ana").runs("/story list")
    assert f"#{sid} {strong['title']} · Ownership · {stored.score:.1f}/4" in last_to(h, "ana").text

    await h.user("ana").runs("/story map")
    m = last_to(h, "ana").text
    ownership = pack_of(h).principle("ownership")
    assert ownership is not None and ownership.story_target == 2
    assert f"🟡 Ownership: 1/2 · strength {stored.score:.1f}/4" in m
    assert "❌ Customer Obsession: 0/2" in m
    # The largest gaps lead: Customer Obsession needs two, Ownership one more.
    assert "Largest gaps: Customer Obsession (2 more)" in m


async def test_bad_principles_are_refused_with_the_valid_ones_and_nothing_lost(
    h: Harness,
) -> None:
    await h.admin.runs("/setup")
    values = dict(WEAK_STORY, principles="Ownership, Teleportation")
    back = await add_story(h, "ana", values)
    text = back[0].text
    assert text.startswith("Nothing was saved. Not a principle of this pack: Teleportation.")
    assert "Customer Obsession (customer-obsession)" in text
    for v in values.values():
        assert v in text  # every field echoed back
    assert await h.bot.svc.stories.of_member("guild-1", "u-ana") == []
    back = await add_story(h, "ana", dict(WEAK_STORY, principles="a, b, c, d"))
    assert "one to three principles (you gave 4)" in back[0].text
    back = await add_story(h, "ana", dict(WEAK_STORY, action="  "))
    assert "empty: action" in back[0].text
    # By id works as well as by name, and a story can show up to three.
    back = await add_story(h, "ana", dict(WEAK_STORY, principles="ownership, dive deep"))
    assert back[0].text.startswith("✅ Story #")


async def test_stories_are_private_to_their_author_and_tenant(h: Harness) -> None:
    await h.admin.runs("/setup")
    back = await add_story(h, "ana", WEAK_STORY)
    sid = story_number(back[0])
    await h.user("bo").runs(f"/story show id:{sid}")
    assert last_to(h, "bo").text.startswith(f"No story #{sid} of yours")
    await h.user("bo").runs("/story list")
    assert last_to(h, "bo").text.startswith("No stories yet")
    # Bo presses Ana's Edit and Delete buttons: refused, nothing opens, nothing goes.
    forms = len(h.chat.forms)
    await h.user("bo").clicks(back[1].number, "Edit")
    await h.user("bo").clicks(back[1].number, "Delete")
    assert len(h.chat.forms) == forms
    await h.user("bo").submits(f"story-save:{sid}", **WEAK_STORY)
    assert await h.bot.svc.stories.get("guild-1", "u-ana", sid) is not None
    # The same member id in another tenant sees none of them.
    other = ChatDriver(h.bot, h.chat, ChannelRef("guild-2", "study"), admins={"you"})
    await other.as_user("ana").runs("/story list")
    assert last_to(h, "ana").text.startswith("No stories yet")


async def test_delete_asks_first(h: Harness) -> None:
    await h.admin.runs("/setup")
    sid = story_number((await add_story(h, "ana", WEAK_STORY))[0])
    await h.user("ana").runs(f"/story delete id:{sid}")
    ask = last_to(h, "ana")
    assert "for good?" in ask.text
    assert await h.bot.svc.stories.get("guild-1", "u-ana", sid) is not None
    await h.user("ana").clicks(ask.number, "Delete for good")
    assert last_to(h, "ana").text == f"🗑️ Story #{sid} deleted."
    assert await h.bot.svc.stories.get("guild-1", "u-ana", sid) is None


async def test_forget_me_deletes_stories(h: Harness) -> None:
    await h.admin.runs("/setup")
    await add_story(h, "ana", WEAK_STORY)
    await h.user("ana").runs("/forget-me confirm:yes")
    assert "stories: 1" in last_to(h, "ana").text
    assert await h.bot.svc.stories.of_member("guild-1", "u-ana") == []


async def test_a_behavioral_drill_is_saved_as_a_story_in_one_press(h: Harness) -> None:
    await h.admin.runs("/setup")
    sent = await drill(h, "ana", "/drill kind:behavioral")
    q = await question_of(h, sent)
    text = (
        "Situation: our deploys broke weekly. Task: I owned the pipeline.\n"
        "Action: I added canaries and I wrote the rollback.\n"
        "Result: incidents fell from 4 to 1 a month."
    )
    back = await answer(h, "ana", sent, text)
    assert [b.label for b in back[1].buttons][-1] == "Save as story"
    await h.user("ana").clicks(back[1].number, "Save as story")
    form = h.chat.forms[-1].form
    prefill = {f.name: f.value for f in form.fields}
    assert prefill["situation"] == "our deploys broke weekly.\nTask: I owned the pipeline."
    assert prefill["action"] == "I added canaries and I wrote the rollback."
    assert prefill["result"] == "incidents fell from 4 to 1 a month."
    pack = pack_of(h)
    assert prefill["principles"].split(", ")[0] == pack.principle(q.principles[0]).name  # type: ignore[union-attr]
    # Nobody else can save it.
    forms = len(h.chat.forms)
    await h.user("bo").clicks(back[1].number, "Save as story")
    assert len(h.chat.forms) == forms and "not yours" in last_to(h, "bo").text
    await h.user("ana").submits(form.custom_id, **prefill)
    assert last_to(h, "ana").text.startswith("🤖 Review")
    assert len(await h.bot.svc.stories.of_member("guild-1", "u-ana")) == 1


async def test_a_daily_behavioral_answer_review_offers_save_as_story(h: Harness) -> None:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    pack = pack_of(h)
    await h.admin.runs("/review settings to:private")
    # Post days until a behavioral question comes up.
    for _ in range(10):
        await h.advance(timedelta(days=1))
        post = h.chat.posts()[-1]
        if any(q.prompt in post.text for q in pack.questions if q.kind == "behavioral"):
            break
    else:
        raise AssertionError("no behavioral question in ten days")
    await h.user("ana").replies(
        "Situation: we lost a customer. Action: I called them. Result: they stayed."
    )
    await h.bot.idle()
    review = last_to(h, "ana")
    assert review.text.startswith("🤖 Review") and review.buttons[-1].label == "Save as story"
    await h.user("ana").clicks(review.number, "Save as story")
    prefill = {f.name: f.value for f in h.chat.forms[-1].form.fields}
    assert prefill["action"] == "I called them."


async def test_the_gap_nudge_comes_weekly_in_research_and_practice_only(h: Harness) -> None:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    # 35 days out: before research (28-22 days); the nudge waits for the research phase.
    await h.user("ana").runs("/prep set date:2027-01-04")
    at: list[datetime] = []
    h.chat.listeners.append(lambda s: at.append(h.clock.now()) if s.text.startswith("🗺️") else None)

    def nudges() -> list[Sent]:
        return [s for s in h.chat.to("u-ana") if s.text.startswith("🗺️") and "gaps" in s.text]

    await h.advance(timedelta(days=6))
    assert nudges() == []
    await h.advance(timedelta(days=2))  # research has begun
    assert len(nudges()) == 1
    first = nudges()[0].text
    assert first.startswith("🗺️ Research, 28 day(s) to your interview")
    assert "Customer Obsession (2 more)" in first and "Ownership (2 more)" in first
    await h.advance(timedelta(days=6))
    assert len(nudges()) == 1  # not twice in a week
    # A restart (another process on the same database) keeps to the week as well.
    second = await h.restart()
    await second.advance(timedelta(days=2))
    assert len(nudges()) == 2 and at[1] - at[0] >= timedelta(days=7)
    # A story closes a gap: the next nudge no longer names it.
    await add_story(second, "ana", dict(WEAK_STORY, principles="Customer Obsession"))
    await second.advance(timedelta(days=7))
    assert len(nudges()) == 3 and nudges()[2].text.startswith("🗺️ Daily practice")
    assert "Customer Obsession (1 more)" in nudges()[2].text
    # The mock phase (7 days out and closer) has no nudge, nor does the time after.
    await second.advance(timedelta(days=20))
    assert len(nudges()) == 3
    assert all(b - a >= timedelta(days=7) for a, b in itertools.pairwise(at))
