"""F2: replies in a question's thread are answers; nothing a member writes is lost."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.harness import Harness


@pytest.fixture
async def posted(h: Harness) -> Harness:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    await h.advance(timedelta(hours=2, minutes=5))
    assert len(h.chat.posts()) == 1
    return h


async def _answers(h: Harness) -> list[tuple[str, str, bool]]:
    post = await h.store.last_post(h.driver.channel)
    assert post is not None
    return [(a.user_name, a.text, a.late) for a in await h.store.answers_for(post)]


async def test_a_reply_is_stored_and_acknowledged_in_the_thread(posted: Harness) -> None:
    h = posted
    await h.user("ana").replies("I would put a token bucket per API key in Redis.")
    assert await _answers(h) == [("ana", "I would put a token bucket per API key in Redis.", False)]
    ack = h.chat.sent[-1]
    assert ack.thread_id == h.driver.thread_of() and "ana" in ack.text and "11 words" in ack.text


async def test_an_edit_updates_and_a_delete_removes(posted: Harness) -> None:
    h = posted
    mid = await h.user("ana").replies("first draft")
    await h.user("ana").edits(mid, "second draft, better")
    assert await _answers(h) == [("ana", "second draft, better", False)]
    await h.user("ana").deletes(mid)
    assert await _answers(h) == []
    assert "no longer counts" in h.chat.sent[-1].text


async def test_an_answer_after_the_window_is_kept_and_marked_late(posted: Harness) -> None:
    h = posted
    await h.advance(timedelta(hours=25))
    await h.user("bo").replies("Late but here.", to=h.chat.posts()[0].number)
    first = await h.store.get_slot(h.driver.channel, "2026-11-30")
    assert first is not None
    [answer] = await h.store.answers_for(first)
    assert answer.late and answer.text == "Late but here."
    assert "marked late" in h.chat.sent[-1].text


async def test_an_empty_reply_gets_a_hint_and_stores_nothing(posted: Harness) -> None:
    h = posted
    await h.user("ana").replies("   \n\t ")
    assert await _answers(h) == []
    assert "empty" in h.chat.sent[-1].text


async def test_a_huge_answer_is_stored_whole_and_echoed_short(posted: Harness) -> None:
    h = posted
    text = ("word " * 20_000).strip()  # 99,999 characters
    await h.user("ana").replies(text)
    [(_, stored, _)] = await _answers(h)
    assert stored == text
    ack = h.chat.sent[-1].text
    assert len(ack) < 600 and "characters)" in ack and "20,000 words" in ack


async def test_nul_bytes_and_odd_unicode_are_no_crash(posted: Harness) -> None:
    h = posted
    await h.user("ana").replies("a\x00b \ud800 café 👩🏽‍💻 \u202eevil")
    [(_, stored, _)] = await _answers(h)
    assert stored == "a\u2400b \ufffd café 👩🏽‍💻 \u202eevil"
    assert "✅" in h.chat.sent[-1].text


async def test_echoed_text_never_pings(posted: Harness) -> None:
    h = posted
    await h.user("ana").replies("@everyone @here <@123> <@!456> <@&789> <!channel> look")
    ack = h.chat.sent[-1].text
    for ping in ("@everyone", "@here", "<@123>", "<@!456>", "<@&789>", "<!channel>"):
        assert ping not in ack
    assert "look" in ack


async def test_a_user_named_like_a_ping_is_echoed_inert(posted: Harness) -> None:
    h = posted
    await h.user("@everyone").replies("hello")
    assert "@everyone" not in h.chat.sent[-1].text


async def test_replies_in_other_threads_are_ignored(posted: Harness) -> None:
    h = posted
    before = len(h.chat.sent)
    await h.user("ana").says("chatting", thread_id="some-other-thread")
    await h.user("ana").says("in the channel")
    assert len(h.chat.sent) == before


async def test_the_answer_button_opens_a_form_and_the_form_stores_the_answer(
    posted: Harness,
) -> None:
    h = posted
    post = h.chat.posts()[0]
    await h.user("ana").clicks(post.number, "Answer")
    [opened] = h.chat.forms
    assert opened.form.fields[0].long
    await h.user("ana").submits(opened.form.custom_id, answer="Through the form.")
    assert await _answers(h) == [("ana", "Through the form.", False)]
    assert h.chat.sent[-1].private and "Through the form." in h.chat.sent[-1].text


async def test_a_form_for_a_post_of_another_server_is_refused_and_the_text_shown_back(
    posted: Harness,
) -> None:
    from adapters.memory import ChatDriver
    from bot.domain import ChannelRef

    h = posted
    post = await h.store.last_post(h.driver.channel)
    assert post is not None
    intruder = ChatDriver(h.bot, h.chat, ChannelRef("guild-2", "study")).as_user("eve")
    await intruder.submits(f"answer:{post.id}", answer="sneaky")
    assert await _answers(h) == []
    assert "not saved" in h.chat.sent[-1].text and "sneaky" in h.chat.sent[-1].text
