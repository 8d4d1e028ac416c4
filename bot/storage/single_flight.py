"""One read in flight per key: concurrent callers asking for the same thing share it.

A burst of answers to one question would otherwise send as many identical lookups (the
post behind the thread, the channel's review settings) as there are answers, all missing
the cache at once because none has come back to fill it yet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SingleFlight(Generic[K, V]):
    def __init__(self) -> None:
        self._running: dict[K, asyncio.Task[V]] = {}

    async def run(self, key: K, read: Callable[[], Awaitable[V]]) -> V:
        task = self._running.get(key)
        if task is None:

            async def reading() -> V:
                return await read()

            task = asyncio.ensure_future(reading())
            self._running[key] = task
            task.add_done_callback(lambda _: self._running.pop(key, None))
        # shield: one caller giving up (cancelled) must not cancel the read the others share.
        return await asyncio.shield(task)
