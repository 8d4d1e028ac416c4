"""Which question threads may hold replies the bot has not seen: the back-fill's reading list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from bot.storage.records import Post
from bot.storage.store import Store, _post
from bot.storage.tables import posts


async def posts_to_backfill(store: Store, closed_since: datetime) -> list[Post]:
    """Sent posts with a thread whose answer window is open, or closed since `closed_since`
    (late replies still count, and the first scheduler tick after a restart may close a
    window that ran out while the bot was down before the back-fill has read it)."""
    q = (
        select(posts)
        .where(
            posts.c.status == "sent",
            posts.c.thread_id.is_not(None),
            or_(posts.c.closed_at.is_(None), posts.c.closed_at >= closed_since),
        )
        .order_by(posts.c.id)
    )
    async with store.engine.connect() as conn:
        rows = (await conn.execute(q)).all()
    return [_post(r._mapping) for r in rows]
