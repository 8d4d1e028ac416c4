"""`/healthz` and `/metrics` on `--metrics-port` (off by default), for a container's
health check and a Prometheus scrape. Served from the bot's own event loop."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import text

from bot.metrics import CONTENT_TYPE, Metrics
from bot.storage.store import Store

log = logging.getLogger(__name__)

# Is the chat platform connected? Plain or async; None means the adapter has no connection
# to lose (the console).
Connected = Callable[[], bool | Awaitable[bool]]


class OpsServer:
    def __init__(self, metrics: Metrics, store: Store, connected: Connected | None = None) -> None:
        self.metrics = metrics
        self.store = store
        self.connected = connected
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(
        self, port: int, host: str = "0.0.0.0"
    ) -> int:  # every interface: a container's port
        app = web.Application()
        app.router.add_get("/healthz", self._health)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.port = int(self._runner.addresses[0][1])
        log.info("serving /healthz and /metrics", extra={"port": self.port})
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def problems(self) -> list[str]:
        """What keeps the bot from being ready; empty when it is."""
        out: list[str] = []
        try:
            async with self.store.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as err:
            out.append(f"database: {type(err).__name__}")
        if self.connected is not None:
            try:
                state = self.connected()
                ok = await state if inspect.isawaitable(state) else bool(state)
            except Exception as err:
                out.append(f"chat platform: {type(err).__name__}")
            else:
                if not ok:
                    out.append("chat platform: not connected")
        return out

    async def _health(self, _: web.Request) -> web.Response:
        problems = await self.problems()
        if problems:
            return web.json_response({"ready": False, "problems": problems}, status=503)
        return web.json_response({"ready": True})

    async def _metrics(self, _: web.Request) -> web.Response:
        return web.Response(body=self.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})
