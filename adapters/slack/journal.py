"""What became of each post sent with a nonce. Slack has no idempotency key: the only way
to send a post at most once is to remember that it was begun, and the ts Slack answered.

- never begun: post it;
- begun and answered (a ts): it exists; the core just did not record it (a crash between
  Slack's answer and the claim's update). Return it, send nothing;
- begun, no answer (lost connection, crash mid-call, a Slack error that may have posted):
  look for it in the channel's history by its metadata before posting.

The journal lives in the database (table slack_sends), so a process that takes over a dead
process's claim knows what that process had begun.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.engine import writing
from bot.storage.tables import slack_sends as sends

KEEP = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class Attempt:
    channel_id: str
    ts: str | None  # Slack's answer, when one arrived


class SendJournal(Protocol):
    async def previous(self, tenant: str, nonce: str) -> Attempt | None: ...

    async def begin(self, tenant: str, nonce: str, channel_id: str) -> None: ...

    async def posted(self, tenant: str, nonce: str, channel_id: str, ts: str) -> None: ...


class MemoryJournal:
    """This process only (when no database is at hand)."""

    def __init__(self) -> None:
        self._attempts: dict[tuple[str, str], Attempt] = {}

    async def previous(self, tenant: str, nonce: str) -> Attempt | None:
        return self._attempts.get((tenant, nonce))

    async def begin(self, tenant: str, nonce: str, channel_id: str) -> None:
        self._attempts.setdefault((tenant, nonce), Attempt(channel_id, None))

    async def posted(self, tenant: str, nonce: str, channel_id: str, ts: str) -> None:
        self._attempts[(tenant, nonce)] = Attempt(channel_id, ts)


class SqlSendJournal:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def previous(self, tenant: str, nonce: str) -> Attempt | None:
        q = select(sends.c.channel_id, sends.c.message_ts).where(
            sends.c.tenant == tenant, sends.c.nonce == nonce
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return Attempt(row.channel_id, row.message_ts) if row is not None else None

    async def begin(self, tenant: str, nonce: str, channel_id: str) -> None:
        now = datetime.now(UTC)
        try:
            async with writing(self._engine) as conn:
                await conn.execute(delete(sends).where(sends.c.started_at < now - KEEP))
                await conn.execute(
                    sends.insert().values(
                        tenant=tenant, nonce=nonce, channel_id=channel_id, started_at=now
                    )
                )
        except IntegrityError:
            pass  # begun already: the row says so, which is all it is for

    async def posted(self, tenant: str, nonce: str, channel_id: str, ts: str) -> None:
        async with writing(self._engine) as conn:
            done = await conn.execute(
                update(sends)
                .where(sends.c.tenant == tenant, sends.c.nonce == nonce)
                .values(message_ts=ts)
            )
            if not done.rowcount:
                await conn.execute(
                    sends.insert().values(
                        tenant=tenant,
                        nonce=nonce,
                        channel_id=channel_id,
                        message_ts=ts,
                        started_at=datetime.now(UTC),
                    )
                )
