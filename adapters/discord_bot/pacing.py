"""Discord's global rate limit, kept before it is hit.

Discord allows a bot 50 requests per second across all routes (interaction callbacks and
interaction webhooks excepted), on top of each route's bucket. discord.py paces each bucket
from the X-RateLimit-* headers, but learns of the global limit only from a 429: with a
thousand channels due at once it would send past it, be told to stop, and send again. This
spaces this process's requests evenly at a chosen rate instead.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

# Discord allows 50/s; a few percent are left for jitter between sending and arriving.
GLOBAL_RATE = 48.0
# Requests that may leave together before spacing starts (within any second).
BURST = 10
# Not counted against the global limit (Discord's rate-limit docs).
_EXEMPT = re.compile(r"/interactions/|/webhooks/")


class GlobalPacer:
    """Requests leave evenly spaced at `per_second`, in the order they ask, and never more
    than `per_second` within any second: after the process stalled (a busy machine), the
    requests that waited go out spaced again, not all at once."""

    def __init__(
        self,
        per_second: float = GLOBAL_RATE,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError("the global rate must be positive")
        self.interval = 1.0 / per_second
        self.per_window = max(1, int(per_second))
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._sent: deque[float] = deque()
        self._turn = asyncio.Lock()  # first come, first served

    async def take(self) -> None:
        async with self._turn:
            while True:
                now = self._clock()
                while self._sent and self._sent[0] <= now - 1.0:
                    self._sent.popleft()
                # A few requests at once go unspaced (a command's replies, a test); past
                # that, they are spaced evenly.
                wait = self._next - now if len(self._sent) >= BURST else 0.0
                if len(self._sent) >= self.per_window:
                    wait = max(wait, self._sent[0] + 1.0 - now)
                if wait <= 0:
                    break
                await self._sleep(wait)
            self._sent.append(now)
            self._next = now + self.interval


def paced_requests(trace: aiohttp.TraceConfig, pacer: GlobalPacer) -> aiohttp.TraceConfig:
    """Make every request through discord.py's session (bar the exempt ones) wait its turn:
    aiohttp awaits on_request_start before the request is sent."""

    async def on_start(
        session: aiohttp.ClientSession, ctx: object, params: aiohttp.TraceRequestStartParams
    ) -> None:
        if not _EXEMPT.search(params.url.path):
            await pacer.take()

    trace.on_request_start.append(on_start)
    return trace
