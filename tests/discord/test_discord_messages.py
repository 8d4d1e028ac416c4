"""What members post in a question's thread besides text: files, stickers, forwards
(message payloads as Discord's Message object documents them)."""

from __future__ import annotations

from typing import Any

from tests.discord import payloads as p
from tests.discord.world import World

SETUP = "/setup time:09:00 timezone:UTC weekdays:daily"


async def _in_thread(world: World, user: str, **extra: Any) -> int:
    await world.command("you", SETUP, admin=True)
    await world.command("you", "/post-now", admin=True)
    thread = world.newest_thread()
    mid = p.snowflake()
    data = p.message_create(mid, int(thread["id"]), world.guild.id, world.user_id(user), user, "")
    data.update(extra)
    await world.feed("MESSAGE_CREATE", data)
    return mid


def _attachment(name: str) -> dict[str, Any]:
    aid = p.snowflake()
    return {
        "id": str(aid),
        "filename": name,
        "size": 48213,
        "url": f"https://cdn.discordapp.com/attachments/1/{aid}/{name}",
        "proxy_url": f"https://media.discordapp.net/attachments/1/{aid}/{name}",
        "content_type": "image/png",
        "width": 800,
        "height": 600,
    }


async def test_an_attachment_only_reply_is_kept_as_an_answer_with_a_note(world: World) -> None:
    await _in_thread(world, "ana", attachments=[_attachment("design.png")])
    assert await world.stored_answers() == ["📎 attached: design.png"]
    assert not any("was empty" in s.text for s in world.fake.shown)


async def test_a_sticker_alone_is_ignored(world: World) -> None:
    sticker = {"id": str(p.snowflake()), "name": "thumbs", "format_type": 1}
    await _in_thread(world, "ana", sticker_items=[sticker])
    assert await world.stored_answers() == []
    assert not any("was empty" in s.text for s in world.fake.shown)


async def test_a_forwarded_message_is_ignored(world: World) -> None:
    ref = {"type": 1, "message_id": str(p.snowflake()), "channel_id": str(p.snowflake()),
           "guild_id": str(world.guild.id)}  # fmt: skip
    snapshot = {"message": {"type": 0, "content": "someone else's answer", "embeds": [],
                            "attachments": [], "timestamp": p.TS, "edited_timestamp": None,
                            "flags": 0, "mentions": [], "mention_roles": []}}  # fmt: skip
    await _in_thread(world, "ana", message_reference=ref, message_snapshots=[snapshot])
    assert await world.stored_answers() == []
    assert not any("was empty" in s.text for s in world.fake.shown)
