"""What became of each post sent with a nonce. Slack has no idempotency key: the only way
to send a post at most once is to remember that it was begun, and the ts Slack answered.

- never begun: post it;
- begun and answered (a ts): it exists; the core just did not record it (a crash between
  Slack's answer and the claim's update). Return it, send nothing;
- begun, no answer (lost connection, crash mid-call, a Slack error that may have posted):
  look for it in the channel's history by its metadata before posting.

The journal lives in the database (table slack_sends), so a process that takes over a dead
process's claim knows what that process had begun. `begin` and `posted` each return only
once their row is committed; when many posts are under way at once (a thousand channels in
one scheduled minute), their rows share transactions (group commit), which changes nothing
of that.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.group_commit import GroupWrite, upsert_dialect
from bot.storage.tables import slack_sends as sends

KEEP = timedelta(days=14)
PRUNE_EVERY = 3600.0  # seconds between two deletions of rows older than KEEP

Key = tuple[str, str, str]  # tenant, nonce, channel id


@dataclass(frozen=True, slots=True)
class Attempt:
    channel_id: str
    ts: str | None  # Slack's answer, when one arrived


class SendJournal(Protocol):
    async def begin(self, tenant: str, nonce: str, channel_id: str) -> Attempt | None:
        """Record that the post with `nonce` is begun and return None; or, when it was begun
        before (by this process or one that died), return that attempt and record nothing."""

    async def posted(self, tenant: str, nonce: str, channel_id: str, ts: str) -> None:
        """Record Slack's answer (the post's ts)."""


class MemoryJournal:
    """This process only (when no database is at hand)."""

    def __init__(self) -> None:
        self._attempts: dict[tuple[str, str], Attempt] = {}

    async def begin(self, tenant: str, nonce: str, channel_id: str) -> Attempt | None:
        before = self._attempts.get((tenant, nonce))
        if before is None:
            self._attempts[(tenant, nonce)] = Attempt(channel_id, None)
        return before

    async def posted(self, tenant: str, nonce: str, channel_id: str, ts: str) -> None:
        self._attempts[(tenant, nonce)] = Attempt(channel_id, ts)


class SqlSendJournal:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._insert = upsert_dialect(engine)
        self._begins = GroupWrite(engine, self._begin_all, together=True)
        self._answers = GroupWrite(engine, self._posted_all, together=True)
        self._prune_at = 0.0  # time.monotonic() of the next deletion of old rows

    async def begin(self, tenant: str, nonce: str, channel_id: str) -> Attempt | None:
        before: Attempt | None = await self._begins.submit((tenant, nonce, channel_id))
        return before

    async def posted(self, tenant: str, nonce: str, channel_id: str, ts: str) -> None:
        await self._answers.submit((tenant, nonce, channel_id, ts))

    async def _begin_all(self, conn: AsyncConnection, keys: list[Key]) -> list[Attempt | None]:
        """Insert-if-absent, one statement for the batch (in key order: two processes'
        batches then never deadlock); then the earlier attempts of the keys already there."""
        now = datetime.now(UTC)
        if time.monotonic() >= self._prune_at:
            await conn.execute(delete(sends).where(sends.c.started_at < now - KEEP))
            self._prune_at = time.monotonic() + PRUNE_EVERY
        rows = [
            {"tenant": t, "nonce": n, "channel_id": c, "started_at": now}
            for t, n, c in sorted(set(keys))
        ]
        stmt = (
            self._insert(sends)
            .on_conflict_do_nothing(index_elements=[sends.c.tenant, sends.c.nonce])
            .returning(sends.c.tenant, sends.c.nonce)
        )
        result = await conn.execute(stmt, rows[0] if len(rows) == 1 else rows)
        new = {(r[0], r[1]) for r in result.all()}
        out: list[Attempt | None] = []
        for tenant, nonce, _ in keys:
            if (tenant, nonce) in new:
                new.discard((tenant, nonce))  # a key twice in one batch: begun by the first
                out.append(None)
                continue
            q = select(sends.c.channel_id, sends.c.message_ts).where(
                sends.c.tenant == tenant, sends.c.nonce == nonce
            )
            row = (await conn.execute(q)).one()
            out.append(Attempt(row.channel_id, row.message_ts))
        return out

    async def _posted_all(
        self, conn: AsyncConnection, answers: list[tuple[str, str, str, str]]
    ) -> list[None]:
        """Each answer's ts on its row (the row is written afresh if it was pruned)."""
        now = datetime.now(UTC)
        # One row per key (the last answer wins): ON CONFLICT DO UPDATE may touch a row once.
        latest = {(t, n): (c, ts) for t, n, c, ts in answers}
        rows = [
            {"tenant": t, "nonce": n, "channel_id": c, "message_ts": ts, "started_at": now}
            for (t, n), (c, ts) in sorted(latest.items())
        ]
        stmt = self._insert(sends)
        stmt = stmt.on_conflict_do_update(
            index_elements=[sends.c.tenant, sends.c.nonce],
            set_={"message_ts": stmt.excluded.message_ts},
        )
        await conn.execute(stmt, rows[0] if len(rows) == 1 else rows)
        return [None] * len(answers)
