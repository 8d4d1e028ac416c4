"""The contract cases. Each adapter's suite calls `run_case(name, platform)` for each name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.contract.platform import Platform

Case = Callable[[Platform], Awaitable[None]]


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
    assert p.delivered()[-1].where == "thread" and "ana" in p.delivered()[-1].text
    assert await p.stored_answers() == ["I would use a token bucket per client key."]
    await p.edit("ana", mid, "A sliding window log, kept in Redis.")
    assert await p.stored_answers() == ["A sliding window log, kept in Redis."]
    await p.delete("ana", mid)
    assert await p.stored_answers() == []


async def echo_never_pings(p: Platform) -> None:
    await p.post_question()
    await p.reply("ana", "hey @everyone and @here and <!channel> and <@U999> and <@&123> look")
    ack = p.delivered()[-1]
    assert ack.where == "thread" and "look" in ack.text
    assert not any(d.pings for d in p.delivered())


async def redelivery_handled_once(p: Platform) -> None:
    await p.post_question()
    mid = await p.reply("bo", "Use idempotency keys.")
    acks = len(p.delivered())
    await p.redeliver("bo", mid, "Use idempotency keys.")
    assert len(p.delivered()) == acks
    assert await p.stored_answers() == ["Use idempotency keys."]


CASES: dict[str, Case] = {
    f.__name__: f
    for f in (
        help_answers_privately,
        admin_command_refused_for_member,
        reply_edit_delete,
        echo_never_pings,
        redelivery_handled_once,
    )
}
