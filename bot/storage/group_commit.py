"""Group commit: writes that arrive while a commit is under way share the next one (and
reads that arrive while a read is under way, the next read).

A burst of answers (or of a thousand channels' claims and finishes in one scheduled minute)
costs one transaction per batch instead of one per write, and each caller is answered only
after the commit that holds its write (the same durability as a commit of its own). No
timer: a lone write goes out at once, so its latency stays what it was; batches form only
when writes queue up behind a commit in progress.

Inserts skip duplicates (a platform's redelivery, a slot another instance claimed) by
ON CONFLICT DO NOTHING and answer None, so one duplicate never fails the others' rows. If a
batch fails for another reason, its writes are retried one by one, so only the bad one's
caller sees the error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.engine import writing

Row = dict[str, Any]
# Writes a batch in the open transaction; one result per item, in order.
Apply = Callable[[AsyncConnection, list[Any]], Awaitable[Sequence[Any]]]


class Batcher:
    """Items handled by `_run` in batches: each `submit` returns its item's result once the
    batch that held it is done.

    By default a lone item is handled at once, in its caller's task. With `together`, every
    batch is handled by a task of its own that starts after the callers of the current turn
    of the event loop have queued: callers resumed together (the posts of one batch moving
    on to their next step) share a batch instead of the first going alone."""

    def __init__(self, *, together: bool = False) -> None:
        self._queue: list[tuple[Any, asyncio.Future[Any]]] = []
        self._busy = False  # a commit is under way: newcomers queue for the next one
        self._flusher: asyncio.Task[None] | None = None
        self._together = together
        self.batches = 0  # batches done

    async def submit(self, item: Any) -> Any:
        if not self._busy and not self._together:
            # Nothing under way: write this item at once, in the caller's own task (a lone
            # write pays nothing for batching). Items arriving meanwhile queue up.
            self._busy = True
            try:
                [result] = await self._run([item])
                return result
            finally:
                self._hand_over()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if not self._busy:
            self._hand_over()
        return await future

    def _hand_over(self) -> None:
        """After a commit: the items that queued meanwhile go out together, in a task of
        their own (no caller waits longer than its own batch)."""
        if self._queue:
            self._busy = True
            self._flusher = asyncio.create_task(self._flush_all(), name="group-commit")
        else:
            self._busy = False

    async def _flush_all(self) -> None:
        batch: list[tuple[Any, asyncio.Future[Any]]] = []
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    results = await self._run([item for item, _ in batch])
                except Exception:
                    await self._one_by_one(batch)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        except BaseException:  # cancelled (the loop is closing): nobody waits forever
            for _, future in batch + self._queue:
                future.cancel()
            self._queue = []
            raise
        finally:
            self._busy = False

    async def _one_by_one(self, batch: list[tuple[Any, asyncio.Future[Any]]]) -> None:
        for item, future in batch:
            try:
                [result] = await self._run([item])
            except Exception as err:
                if not future.done():
                    future.set_exception(err)
            else:
                if not future.done():
                    future.set_result(result)

    async def _run(self, items: list[Any]) -> Sequence[Any]:
        raise NotImplementedError


class GroupWrite(Batcher):
    """Items written by `apply`, batched: each `submit` returns its item's result once the
    transaction that wrote it is committed."""

    def __init__(self, engine: AsyncEngine, apply: Apply, *, together: bool = False) -> None:
        super().__init__(together=together)
        self.engine = engine
        self._apply = apply

    async def _run(self, items: list[Any]) -> Sequence[Any]:
        async with writing(self.engine) as conn:
            results = await self._apply(conn, items)
        self.batches += 1  # transactions committed
        return results


class GroupRead(Batcher):
    """Reads by key that arrive while a read is under way share the next one: `read` takes
    many keys and answers each (a key it leaves out is answered `missing`)."""

    def __init__(
        self,
        read: Callable[[list[Any]], Awaitable[dict[Any, Any]]],
        missing: Any = None,
        *,
        together: bool = False,
    ) -> None:
        super().__init__(together=together)
        self._read = read
        self._missing = missing

    async def _run(self, keys: list[Any]) -> Sequence[Any]:
        found = await self._read(list(dict.fromkeys(keys)))
        self.batches += 1
        return [found.get(k, self._missing) for k in keys]


def upsert_dialect(engine: AsyncEngine) -> Any:
    """The dialect's insert() with ON CONFLICT clauses (SQLite and PostgreSQL alike)."""
    return postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert


class Inserts:
    """A batch of rows into `table` in one statement that skips duplicates; `key` names the
    columns of its unique constraint.

    With `ordered`, each batch goes in in key order: two processes inserting overlapping
    batches then take the keys' locks in the same order and never deadlock (PostgreSQL).
    Without it, rows keep their arrival order (and their ids follow it)."""

    def __init__(
        self, engine: AsyncEngine, table: Table, key: tuple[str, ...], *, ordered: bool = False
    ) -> None:
        self.key = key
        self.ordered = ordered
        cols = table.c
        self._statement = (
            upsert_dialect(engine)(table)
            .on_conflict_do_nothing(index_elements=[cols[k] for k in key])
            .returning(cols.id, *(cols[k] for k in key))
        )

    async def run(self, conn: AsyncConnection, rows: list[Row]) -> list[int | None]:
        """Each row's new id, or None where a row with its key exists (a key seen twice in
        one batch is the first one's)."""
        batch = sorted(rows, key=self._key) if self.ordered and len(rows) > 1 else rows
        # One row: a plain execute; several: one multi-row statement (insertmanyvalues).
        result = await conn.execute(self._statement, batch[0] if len(batch) == 1 else batch)
        stored = {tuple(r[1:]): int(r[0]) for r in result.all()}
        return [stored.pop(self._key(row), None) for row in rows]

    def _key(self, row: Row) -> tuple[Any, ...]:
        return tuple(row[c] for c in self.key)


class GroupInsert(GroupWrite):
    """Inserts into `table`, batched (see `Inserts`)."""

    def __init__(
        self, engine: AsyncEngine, table: Table, key: tuple[str, ...], *, ordered: bool = False
    ) -> None:
        self.inserts = Inserts(engine, table, key, ordered=ordered)
        super().__init__(engine, self.inserts.run)

    async def insert(self, row: Row) -> int | None:
        """The new row's id once committed; None when a row with its key exists."""
        result: int | None = await self.submit(row)
        return result
