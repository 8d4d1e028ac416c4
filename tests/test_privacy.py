"""F10: a member can delete all their data; nobody else's, and nowhere else."""

from __future__ import annotations

from datetime import timedelta

from bot.content import Pack
from bot.domain import ChannelRef
from tests.harness import Harness, build


async def test_forget_me_deletes_only_my_data_here(h: Harness, packs: dict[str, Pack]) -> None:
    await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    await h.advance(timedelta(hours=3))
    await h.user("ana").replies("My answer about token buckets.")
    await h.user("bo").replies("Bo's answer.")
    await h.user("ana").runs("/prep set date:2026-12-20")
    await h.bot.idle()
    # The same user id in another server keeps everything.
    other = build(h.store, h.chat, h.clock, packs, channel=ChannelRef("guild-2", "study"))
    await other.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily")
    await other.user("ana").replies("Ana elsewhere.")
    await other.bot.idle()  # its review is out: the replies below are the last messages

    await h.user("ana").runs("/forget-me")
    assert "confirm:yes" in h.chat.sent[-1].text
    post = await h.store.last_post(h.driver.channel)
    assert post is not None and len(await h.store.answers_for(post)) == 2

    await h.user("ana").runs("/forget-me confirm:yes")
    assert (
        h.chat.sent[-1].private
        and "answers: 1, peer reviews: 0, interview dates: 1" in h.chat.sent[-1].text
    )
    assert [a.user_name for a in await h.store.answers_for(post)] == ["bo"]
    assert await h.store.get_prep("guild-1", "u-ana") is None
    elsewhere = await h.store.last_post(ChannelRef("guild-2", "study"))
    assert elsewhere is not None
    assert [a.text for a in await h.store.answers_for(elsewhere)] == ["Ana elsewhere."]
