"""Review as members live it, through the in-memory chat: AI review, hidden mode and reveal,
a peer-review cycle with its reminder and gathered feedback, and the settings command."""

from __future__ import annotations

from datetime import timedelta

from adapters.memory import Sent
from tests.harness import CHANNEL, Harness

ANA = (
    "I would put a token bucket per API key in Redis, updated atomically with a Lua script, "
    "at the API gateway. Over the limit the client gets 429 Too Many Requests with a "
    "Retry-After header. The trade-off is a network hop per request; if Redis is down we "
    "fail open with a local in-memory limit, accepting some over-admission."
)
BO = "Limit requests per user with a counter and return an error when it is exceeded."
CY = "Use a sliding window log per IP at the load balancer; clients get 429 responses."


async def _posted(h: Harness, *settings: str) -> str:
    await h.admin.runs("/setup")
    for line in settings:
        await h.admin.runs(line)
    await h.admin.runs("/post-now")
    return h.driver.thread_of()


def _dm(h: Harness, who: str, contains: str) -> Sent:
    found = [s for s in h.chat.to(f"u-{who}") if contains in s.text]
    assert found, f"{who} got no private message containing {contains!r}"
    return found[-1]


async def test_answer_then_ai_review_in_the_thread(h: Harness) -> None:
    thread = await _posted(h)
    await h.user("ana").replies(ANA)
    await h.bot.idle()
    said = h.chat.in_thread(thread)
    assert [s.text.split(" ")[0] for s in said] == ["✅", "🤖"]
    review = said[1].text
    assert review.startswith("🤖 Review of the answer from ana · rubric reviewer")
    assert "Coverage" in review and "/4" in review
    assert "Follow-up an interviewer would ask:" in review


async def test_ai_review_can_go_privately_to_the_author(h: Harness) -> None:
    thread = await _posted(h, "/review settings to:private")
    await h.user("ana").replies(ANA)
    await h.bot.idle()
    assert [s.text[0] for s in h.chat.in_thread(thread)] == ["✅"]
    assert _dm(h, "ana", "🤖 Review of your answer to").text


async def test_review_mode_none_sends_no_review(h: Harness) -> None:
    thread = await _posted(h, "/review settings mode:none")
    await h.user("ana").replies(ANA)
    await h.bot.idle()
    assert not any("🤖" in s.text for s in h.chat.sent)
    assert len(h.chat.in_thread(thread)) == 1


async def test_review_settings_explain_bad_values(h: Harness) -> None:
    await h.admin.runs("/review settings mode:ai")
    assert "not set up yet" in h.chat.sent[-1].text
    await h.admin.runs("/setup")
    await h.admin.runs("/review settings mode:robots")
    assert h.chat.sent[-1].text == "mode: 'robots' is not one of ai, peer, both, none."
    await h.admin.runs("/review settings to:everyone")
    assert h.chat.sent[-1].text == "to: 'everyone' is not one of thread, private."
    await h.admin.runs("/review settings peers:9")
    assert "peers: 9 is out of range; give 1 to 5." in h.chat.sent[-1].text
    await h.admin.runs("/review settings peers:two")
    assert "peers: 'two' is not a whole number" in h.chat.sent[-1].text
    await h.user("bo").runs("/review settings mode:peer")
    assert "admins only" in h.chat.sent[-1].text
    await h.admin.runs("/review settings mode:both visibility:hidden peers:3")
    text = h.chat.sent[-1].text
    assert "AI and peer review" in text and "3 answers each" in text and "hidden" in text


async def test_hidden_answers_show_nothing_until_the_close_then_all_are_revealed(
    h: Harness,
) -> None:
    thread = await _posted(h, "/review settings visibility:hidden")
    post = h.chat.posts()[-1]
    assert "Press Answer to answer privately" in post.text
    await h.user("ana").clicks(post.number, "Answer")
    form = h.chat.forms[-1].form
    await h.user("ana").submits(form.custom_id, answer=ANA)
    assert "stays hidden" in h.chat.to("u-ana")[-1].text
    await h.user("bo").replies(BO)  # the thread is not the way in, but nothing is lost
    note = h.chat.to("u-bo")[-1]
    assert "go through the Answer button" in note.text and "stays visible" in note.text
    assert note.thread_id == thread  # beside the reply where the platform can (else a DM)
    await h.bot.idle()
    assert h.chat.in_thread(thread) == []  # no echo, no review yet
    assert not any(ANA[:40] in s.text or BO[:40] in s.text for s in h.chat.in_thread(thread))

    await h.advance(timedelta(hours=24))
    said = [s.text for s in h.chat.in_thread(thread)]
    assert said[0].startswith("⏰ Answers are closed. 2 answered")
    assert said[1].startswith("🔓 The answers are revealed: 2 from 2 member(s).")
    ana, bo = said[2], said[3]
    assert (
        ana.startswith("💬 ana:") and ANA[:60] in ana and "🤖 Review of the answer from ana" in ana
    )
    assert bo.startswith("💬 bo:") and BO in bo and "🤖 Review of the answer from bo" in bo
    assert len(said) == 4  # each review went out once, with its answer


async def test_peer_review_cycle_with_reminder_gathered_feedback_and_agreement(
    h: Harness,
) -> None:
    await _posted(h, "/review settings mode:peer")
    for who, text in (("ana", ANA), ("bo", BO), ("cy", CY)):
        await h.user(who).replies(text)
    await h.bot.idle()
    assert not any("👥" in s.text for s in h.chat.sent)  # nothing before the close

    await h.advance(timedelta(hours=24))  # the window closes: assignments go out
    for who in ("ana", "bo", "cy"):
        assert "👥 Peer review: 2 answer(s)" in _dm(h, who, "👥 Peer review").text
    # Never their own answer.
    assert not any(ANA[:40] in s.text for s in h.chat.to("u-ana") if s.buttons)

    async def score(who: str, answer: str, marks: dict[str, int], comment: str = "") -> None:
        msg = _dm(h, who, answer[:40])
        for label, n in marks.items():
            await h.user(who).clicks(msg.number, f"{label} {n}")
        await h.user(who).clicks(msg.number, "Finish review")
        await h.user(who).submits(h.chat.forms[-1].form.custom_id, comment=comment)

    await score("bo", ANA, {"Coverage": 3, "Trade-offs": 3, "Depth": 2}, "Clear 429 story @here")
    assert h.chat.to("u-bo")[-1].text == "✅ Thanks, your review is in."
    assert not any("Peer feedback" in s.text for s in h.chat.to("u-ana"))  # one still out
    await score("cy", ANA, {"Coverage": 3, "Trade-offs": 2, "Depth": 2})
    feedback = _dm(h, "ana", "Peer feedback").text
    assert "2 of 2 reviewers" in feedback
    assert "Coverage: 3, 3 (average 3.0)" in feedback
    assert "Trade-offs: 3, 2 (average 2.5)" in feedback
    assert "Clear 429 story @\u200bhere" in feedback  # comments never ping

    # cy cannot score an answer assigned to ana.
    ana_task = _dm(h, "ana", BO[:40])
    await h.user("cy").clicks(ana_task.number, "Coverage 1")
    assert h.chat.to("u-cy")[-1].text == "That review is not yours to score."
    # ana starts on bo's answer but does not finish.
    await h.user("ana").clicks(ana_task.number, "Coverage 2")
    assert "Still to score: Trade-offs, Depth" in h.chat.to("u-ana")[-1].text

    await h.advance(timedelta(hours=20))  # four hours before the deadline
    reminder = _dm(h, "ana", "scored 1 of 3 parts").text
    assert reminder.startswith("⏰ Reminder") and "is due" in reminder and BO[:30] in reminder
    assert _dm(h, "ana", CY[:30]).text.startswith("⏰ Reminder")
    assert not any("⏰ Reminder" in s.text for s in h.chat.to("u-bo") if ANA[:20] in s.text)

    await h.advance(timedelta(hours=4))  # the deadline: late reviews close, authors hear
    assert "No peer reviews of your answer" in _dm(h, "bo", "No peer reviews").text
    await h.user("ana").clicks(ana_task.number, "Depth 3")
    assert "closed at its deadline" in h.chat.to("u-ana")[-1].text

    await h.admin.runs("/status")
    status = h.chat.sent[-1].text
    assert (
        "Peer reviewer agreement with the others: bo 89% (1 answer), cy 89% (1 answer)." in status
    )


async def test_peer_review_at_once_when_the_channel_says_so(h: Harness) -> None:
    await _posted(h, "/review settings mode:peer peer_start:now")
    await h.user("ana").replies(ANA)
    await h.bot.idle()
    assert not any("👥" in s.text for s in h.chat.to("u-ana"))  # nobody to swap with yet
    await h.user("bo").replies(BO)
    await h.bot.idle()
    assert ANA[:40] in _dm(h, "bo", ANA[:40]).text
    assert BO[:40] in _dm(h, "ana", BO[:40]).text


async def test_reviews_and_assignments_survive_a_restart(h: Harness) -> None:
    thread = await _posted(h, "/review settings mode:both visibility:hidden")
    await h.user("ana").replies(ANA)
    await h.user("bo").replies(BO)
    await h.bot.idle()
    second = await h.restart()
    await second.advance(timedelta(hours=24))
    said = [s.text for s in h.chat.in_thread(thread)]
    assert sum("🤖 Review of" in t for t in said) == 2  # stored before, revealed after restart
    post = await h.store.last_post(CHANNEL)
    assert post is not None
    assert len(await second.bot.svc.reviews.assignments_for_post(CHANNEL.tenant, post.id)) == 2
