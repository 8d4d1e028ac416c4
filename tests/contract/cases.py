"""The contract cases. Each adapter's suite calls `run_case(name, platform)` for each name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.contract.platform import Delivered, Platform

Case = Callable[[Platform], Awaitable[None]]


def last_ack(p: Platform) -> Delivered:
    """The newest acknowledgement: an AI review of the answer may arrive after it."""
    return next(d for d in reversed(p.delivered()) if d.text.startswith("✅"))


async def help_answers_privately(p: Platform) -> None:
    before = len(p.delivered())
    await p.command("ana", "/help")
    # A long list may come in parts (Discord takes 2,000 characters a message): all private.
    parts = p.delivered()[before:]
    assert parts and all(d.where == "private" for d in parts)
    assert "/setup" in "\n".join(d.text for d in parts)


async def admin_command_refused_for_member(p: Platform) -> None:
    before = len([d for d in p.delivered() if d.where == "channel"])
    await p.command("ana", "/post-now", admin=False)
    last = p.delivered()[-1]
    assert last.where == "private" and "admins only" in last.text
    assert len([d for d in p.delivered() if d.where == "channel"]) == before


async def reply_edit_delete(p: Platform) -> None:
    await p.post_question()
    assert any(d.where == "channel" and "Question of the day" in d.text for d in p.delivered())
    mid = await p.reply("ana", "I would use a token bucket per client key.")
    assert last_ack(p).where == "thread" and "ana" in last_ack(p).text
    assert await p.stored_answers() == ["I would use a token bucket per client key."]
    await p.edit("ana", mid, "A sliding window log, kept in Redis.")
    assert await p.stored_answers() == ["A sliding window log, kept in Redis."]
    await p.delete("ana", mid)
    assert await p.stored_answers() == []


async def echo_never_pings(p: Platform) -> None:
    await p.post_question()
    await p.reply("ana", "hey @everyone and @here and <!channel> and <@U999> and <@&123> look")
    ack = last_ack(p)
    assert ack.where == "thread" and "look" in ack.text
    assert not any(d.pings for d in p.delivered())


async def redelivery_handled_once(p: Platform) -> None:
    await p.post_question()
    mid = await p.reply("bo", "Use idempotency keys.")
    acks = sum(d.text.startswith("✅") for d in p.delivered())
    await p.redeliver("bo", mid, "Use idempotency keys.")
    assert sum(d.text.startswith("✅") for d in p.delivered()) == acks == 1
    assert await p.stored_answers() == ["Use idempotency keys."]


async def hidden_mode_thread_reply_is_kept_and_explained_privately(p: Platform) -> None:
    await p.command("you", "/review settings visibility:hidden", admin=True)
    await p.post_question()
    await p.reply("ana", "I would shard the counters by user id.")
    assert await p.stored_answers() == ["I would shard the counters by user id."]
    [note] = [d for d in p.delivered() if d.to_user == "ana"]
    assert note.where == "private" and "Answer button" in note.text
    # True on every platform: the reply is not hidden, and the note does not say it is.
    assert "stays visible in the thread" in note.text and "not shown" not in note.text
    assert "I would shard the counters by user id." in note.text
    assert not [d for d in p.delivered() if d.where == "thread"]  # the bot adds nothing there


async def downtime_is_backfilled_once(p: Platform) -> None:
    await p.post_question()
    await p.reply("ana", "A token bucket per client key.")
    draft = await p.reply("bo", "First draft.")
    regret = await p.reply("cy", "Never mind this one.")
    await p.go_down()
    await p.reply("di", "Written while the bot was down.")
    await p.edit("bo", draft, "Rewritten while the bot was down.")
    await p.delete("cy", regret)
    await p.come_back()
    expected = [
        "A token bucket per client key.",
        "Rewritten while the bot was down.",
        "Written while the bot was down.",
    ]
    assert sorted(await p.stored_answers()) == expected
    offline = [d for d in p.delivered() if "while the bot was offline" in d.text]
    assert [d.where for d in offline] == ["thread", "thread"]
    assert "Answer from di saved" in offline[0].text or "Answer from di saved" in offline[1].text
    assert sum("no longer counts" in d.text for d in p.delivered()) == 1
    seen = len(p.delivered())
    await p.come_back()  # a second start-up finds nothing new
    assert sorted(await p.stored_answers()) == expected
    assert len(p.delivered()) == seen, p.delivered()[seen:]


DRILL_ANSWER = (
    "I would put a token bucket per API key in Redis, updated atomically with a Lua script, at "
    "the API gateway. Over the limit the client gets 429 with Retry-After. The trade-off is a "
    "network hop per request; if Redis is down we fail open with a local in-memory limit."
)


async def a_drill_stays_private_from_question_to_outline(p: Platform) -> None:
    public = [d for d in p.delivered() if d.where != "private"]
    await p.command("ana", "/drill next kind:technical difficulty:medium")
    question = p.delivered()[-1]
    assert question.where == "private" and question.text.startswith("🎯 Drill"), question
    assert p.own_buttons("ana") == ["Answer", "Skip"]
    await p.press_own("ana", "Answer")
    await p.submit_own_form("ana", {"answer": DRILL_ANSWER})
    await p.settle()
    mine = [d.text for d in p.delivered() if d.where == "private"]
    assert any(t.startswith("✅ Drill answer saved") for t in mine)
    review = next(t for t in reversed(mine) if t.startswith("🤖 Review of your answer"))
    assert "/4" in review and "Rated " in review
    assert p.own_buttons("ana") == ["Show outline", "Next drill"]
    await p.press_own("ana", "Show outline")
    assert p.delivered()[-1].where == "private"
    assert p.delivered()[-1].text.startswith("📝 Outline")
    # Nothing of the drill reached the channel or a thread.
    assert [d for d in p.delivered() if d.where != "private"] == public


CASES: dict[str, Case] = {
    f.__name__: f
    for f in (
        help_answers_privately,
        admin_command_refused_for_member,
        reply_edit_delete,
        echo_never_pings,
        redelivery_handled_once,
        a_drill_stays_private_from_question_to_outline,
        hidden_mode_thread_reply_is_kept_and_explained_privately,
        downtime_is_backfilled_once,
    )
}


# -- refusals and private places (issue 10): what a real platform does to the bot ---------

PEER_NOW = "/review settings mode:peer peer_start:now peers:1"
# Three paragraphs of 1,500 characters: over Discord's 2,000 and the memory chat's 4,000.
LONG = "\n\n".join(f"Part {n}. " + "lorem ipsum " * 124 for n in range(1, 4))


async def _two_answers(p: Platform) -> None:
    await p.post_question()
    await p.reply("ana", "Token bucket per API key, refilled every second.")
    await p.reply("bo", "A sliding window counter, keyed by user.")
    await p.settle()


async def closed_dm_is_noticed_in_the_thread(p: Platform) -> None:
    await p.command("you", PEER_NOW, admin=True)
    p.close_dms("ana")
    await _two_answers(p)
    notices = [d for d in p.delivered() if d.where == "thread" and "📭" in d.text]
    assert len(notices) == 1 and "ana" in notices[0].text
    assert "/review settings to:thread" in notices[0].text
    # One closed DM does not stop the round: bo still got his assignment.
    assert any(d.where == "private" and d.to_user == "bo" and "Peer review" in d.text
               for d in p.delivered())  # fmt: skip


async def refused_thread_keeps_the_post_and_tells_the_admins(p: Platform) -> None:
    p.deny_threads()
    await p.post_question()
    posts = [d for d in p.delivered() if d.where == "channel" and "Question of the day" in d.text]
    assert len(posts) == 1
    notices = [d for d in p.delivered() if d.where == "channel" and "Admins" in d.text]
    assert len(notices) == 1 and "Create Public Threads" in notices[0].text
    reply = p.delivered()[-1]
    assert reply.where == "private" and "without a thread" in reply.text


async def refused_post_says_what_is_missing(p: Platform) -> None:
    p.deny_posting()
    await p.post_question()
    reply = p.delivered()[-1]
    assert reply.where == "private" and reply.text.startswith("⚠️"), reply.text
    assert "went wrong" not in reply.text
    assert not any("Question of the day" in d.text for d in p.delivered())
    await p.post_question()  # the admin tries again: refused again, said again, nothing posted
    assert p.delivered()[-1].text.startswith("⚠️")
    assert not any("Question of the day" in d.text for d in p.delivered())


async def long_message_arrives_whole(p: Platform) -> None:
    await p.announce(LONG)
    sent = [d.text for d in p.delivered() if d.where == "channel"]
    assert len(sent) >= 2, "a message this long goes out in parts"
    assert " ".join(sent).split() == LONG.split()


async def peer_review_from_private_messages(p: Platform) -> None:
    await p.command("you", PEER_NOW, admin=True)
    await _two_answers(p)
    scores = [label for label in p.private_buttons("bo") if label.endswith(" 4")]
    assert scores, "bo's assignment carries score buttons"
    for label in scores:
        await p.press_private("bo", label)
        answer = p.delivered()[-1]
        assert answer.where == "private" and "saved" in answer.text, answer.text
    await p.press_private("bo", "Finish review")
    await p.submit_private_form("bo", {"comment": "Clear and measurable."})
    await p.settle()
    assert any(d.where == "private" and "your review is in" in d.text for d in p.delivered())
    feedback = [d.text for d in p.delivered() if d.to_user == "ana" and "Peer feedback" in d.text]
    assert feedback and "Clear and measurable." in feedback[-1]


REFUSAL_CASES: dict[str, Case] = {
    f.__name__: f
    for f in (
        closed_dm_is_noticed_in_the_thread,
        refused_thread_keeps_the_post_and_tells_the_admins,
        refused_post_says_what_is_missing,
        long_message_arrives_whole,
        peer_review_from_private_messages,
    )
}
CASES.update(REFUSAL_CASES)

# Cases a platform does not run, with the reason (shown as the skip reason in its suite).
NOT_ON: dict[str, dict[str, str]] = {
    "refused_thread_keeps_the_post_and_tells_the_admins": {
        "slack": "a Slack thread is a reply to the post; there is no thread permission to lack"
    },
}


def cases_for(platform: str) -> list[object]:
    """The case names for one platform's suite; the ones it does not run are skipped with
    their reason, so the gap stays visible."""
    import pytest

    return [
        pytest.param(name, marks=pytest.mark.skip(reason=NOT_ON[name][platform]))
        if platform in NOT_ON.get(name, {})
        else name
        for name in sorted(CASES)
    ]
