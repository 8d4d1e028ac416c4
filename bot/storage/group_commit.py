"""Group commit for answers: rows that arrive while a commit is under way share the next one.

A burst of answers costs one transaction per batch instead of one per answer, and each caller
is answered only after the commit that holds its row (the same durability as a commit of its
own). No timer: a lone answer is written at once, so its latency stays what it was; batches
form only when answers queue up behind a commit in progress.

Duplicates (a platform's redelivery) are skipped by ON CONFLICT DO NOTHING and answered None,
so one member's duplicate never fails the others' rows. If a batch fails for another reason,
its rows are retried one by one, so only the bad row's caller sees the error.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.engine import writing

Row = dict[str, Any]


class GroupInsert:
    """Inserts into `table`, batched; `key` names the columns of its unique constraint."""

    def __init__(self, engine: AsyncEngine, table: Table, key: tuple[str, ...]) -> None:
        self.engine = engine
        self.table = table
        self.key = key
        self._queue: list[tuple[Row, asyncio.Future[int | None]]] = []
        self._busy = False  # a commit is under way: newcomers queue for the next one
        self._flusher: asyncio.Task[None] | None = None
        self.batches = 0  # transactions committed

    async def insert(self, row: Row) -> int | None:
        """The new row's id once committed; None when a row with its key exists."""
        if not self._busy:
            # Nothing under way: write this row at once, in the caller's own task (a lone
            # answer pays nothing for batching). Rows arriving meanwhile queue up.
            self._busy = True
            try:
                [new_id] = await self._write([row])
                return new_id
            finally:
                self._hand_over()
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._queue.append((row, future))
        return await future

    def _hand_over(self) -> None:
        """After a commit: the rows that queued meanwhile go out together, in a task of
        their own (no caller waits longer than its own batch)."""
        if self._queue:
            self._flusher = asyncio.create_task(self._flush_all(), name="group-commit")
        else:
            self._busy = False

    async def _flush_all(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    ids = await self._write([row for row, _ in batch])
                except Exception:
                    await self._one_by_one(batch)
                    continue
                for (_, future), new_id in zip(batch, ids, strict=True):
                    if not future.done():
                        future.set_result(new_id)
        finally:
            self._busy = False

    async def _one_by_one(self, batch: list[tuple[Row, asyncio.Future[int | None]]]) -> None:
        for row, future in batch:
            try:
                [new_id] = await self._write([row])
            except Exception as err:
                if not future.done():
                    future.set_exception(err)
            else:
                if not future.done():
                    future.set_result(new_id)

    def _statement(self) -> Any:
        dialect = self.engine.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        cols = self.table.c
        return (
            insert(self.table)
            .on_conflict_do_nothing(index_elements=[cols[k] for k in self.key])
            .returning(cols.id, *(cols[k] for k in self.key))
        )

    async def _write(self, rows: list[Row]) -> list[int | None]:
        async with writing(self.engine) as conn:
            # One row: a plain execute; several: one multi-row statement (insertmanyvalues).
            result = await conn.execute(self._statement(), rows[0] if len(rows) == 1 else rows)
            stored = {tuple(r[1:]): int(r[0]) for r in result.all()}
        self.batches += 1
        # Each row's id by its key; a key seen twice in one batch is the first one's.
        out: list[int | None] = []
        for row in rows:
            k = tuple(row[c] for c in self.key)
            out.append(stored.pop(k, None))
        return out
