"""Which Web API client speaks for a workspace. One bot token (SLACK_BOT_TOKEN) serves one
workspace; with the OAuth install flow each workspace has its own token, read from the
installation store in our database."""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from typing import Protocol

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import DeliveryRefused, Refusal


def owns_tenant(tenant: str, workers: int, worker: int) -> bool:
    """Whether process `worker` of `workers` schedules workspace `tenant`: a stable share
    (CRC-32 of the team id), so processes sharing a database split the workspaces between
    them. Each still handles whatever Slack sends it, for any workspace."""
    if workers <= 1:
        return True
    return zlib.crc32(tenant.encode()) % workers == worker


class Workspaces(Protocol):
    async def client(self, tenant: str) -> AsyncWebClient:
        """The client for workspace `tenant`; raises DeliveryRefused when there is none."""


class OneWorkspace:
    """A single bot token: the same client whatever the workspace."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def client(self, tenant: str) -> AsyncWebClient:
        return self._client


class InstalledWorkspaces:
    """Tokens from the OAuth installations, cached briefly so another process's uninstall
    is noticed within `ttl` seconds (a revoked token is refused by Slack meanwhile)."""

    def __init__(
        self,
        make_client: Callable[[str], AsyncWebClient],
        store: AsyncInstallationStore | None = None,
        *,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self._make_client = make_client
        self._ttl = ttl
        self._clock = clock
        self._clients: dict[str, tuple[float, AsyncWebClient]] = {}

    async def client(self, tenant: str) -> AsyncWebClient:
        hit = self._clients.get(tenant)
        if hit is not None and hit[0] > self._clock():
            return hit[1]
        if self.store is None:
            raise RuntimeError("InstalledWorkspaces used before its store was bound")
        bot = await self.store.async_find_bot(enterprise_id=None, team_id=tenant)
        if bot is None or not bot.bot_token:
            self._clients.pop(tenant, None)
            raise DeliveryRefused(
                Refusal.gone,
                "studybot is not installed in this workspace: an admin can add it from the "
                "install page (/slack/install).",
            )
        current = hit[1] if hit is not None and hit[1].token == bot.bot_token else None
        client = current or self._make_client(bot.bot_token)
        self._clients[tenant] = (self._clock() + self._ttl, client)
        return client

    def bind(self, store: AsyncInstallationStore) -> None:
        """The installation store, once the database is open (it opens after the chat)."""
        self.store = store

    def forget(self, tenant: str) -> None:
        """Drop the cached client (the app was uninstalled or its tokens revoked)."""
        self._clients.pop(tenant, None)
