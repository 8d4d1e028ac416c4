"""The contract cases. Each adapter's suite calls `run_case(name, platform)` for each name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.contract.platform import Delivered, Platform

Case = Callable[[Platform], Awaitable[None]]


def last_ack(p: Platform) -> Delivered:
    """The newest acknowledgement: an AI review of the answer may arrive after it."""
    return next(d for d in reversed(p.delivered()) if d.text.startswith("✅"))


async def help_answers_privately(p: Platform) -> None:
    await p.command("ana", "/help")
    last = p.delivered()[-1]
    assert last.where == "private" and "/setup" in last.text


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


CASES: dict[str, Case] = {
    f.__name__: f
    for f in (
        help_answers_privately,
        admin_command_refused_for_member,
        reply_edit_delete,
        echo_never_pings,
        redelivery_handled_once,
        hidden_mode_thread_reply_is_kept_and_explained_privately,
        downtime_is_backfilled_once,
    )
}
