"""slack_sdk's installation store and OAuth state store over our own database, so every
process sharing the database sees the same installs (bolt's default keeps them in files).

One row per workspace (or Enterprise Grid org, for an org-wide install): a reinstall
replaces it, and an uninstall or token revocation removes it. Only bot tokens are kept;
studybot asks for no user scopes.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import delete, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.engine import writing
from bot.storage.tables import slack_installations as rows
from bot.storage.tables import slack_oauth_states as states

log = logging.getLogger(__name__)


def tenant_for(enterprise_id: str | None, team_id: str | None, org_wide: bool | None) -> str:
    """The tenant an install serves: the team, or the org for an org-wide install (the same
    rule as `mapping.tenant_of`, which reads a payload's team first)."""
    if org_wide or not team_id:
        return str(enterprise_id or "")
    return team_id


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromtimestamp(float(value), tz=UTC)


class SqlInstallationStore(AsyncInstallationStore):
    def __init__(
        self, engine: AsyncEngine, *, on_removed: Callable[[str], None] | None = None
    ) -> None:
        self._engine = engine
        self._on_removed = on_removed or (lambda _tenant: None)

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await self.async_save_bot(installation.to_bot(), installer=installation.user_id or "")

    async def async_save_bot(self, bot: Bot, *, installer: str = "") -> None:
        tenant = tenant_for(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        if not tenant:
            raise ValueError("an installation without a team or an enterprise")
        values = {
            "tenant": tenant,
            "enterprise_id": bot.enterprise_id or "",
            "team_id": bot.team_id or "",
            "team_name": bot.team_name or "",
            "app_id": bot.app_id or "",
            "bot_token": bot.bot_token,
            "bot_id": bot.bot_id,
            "bot_user_id": bot.bot_user_id,
            "bot_scopes": ",".join(bot.bot_scopes or ()),
            "bot_refresh_token": bot.bot_refresh_token,
            "bot_token_expires_at": _when(bot.bot_token_expires_at),
            "installer_user_id": installer,
            "is_enterprise_install": bool(bot.is_enterprise_install),
            "installed_at": _when(bot.installed_at) or datetime.now(UTC),
        }
        async with writing(self._engine) as conn:
            await conn.execute(delete(rows).where(rows.c.tenant == tenant))
            await conn.execute(rows.insert().values(**values))
        log.info("slack app installed", extra={"tenant": tenant})

    async def _row(
        self, enterprise_id: str | None, team_id: str | None, org_wide: bool | None
    ) -> RowMapping | None:
        tenant = tenant_for(enterprise_id, team_id, org_wide)
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(rows).where(rows.c.tenant == tenant))).first()
        return row._mapping if row is not None else None

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        row = await self._row(enterprise_id, team_id, is_enterprise_install)
        if row is None:
            return None
        return Bot(
            app_id=row["app_id"] or None,
            enterprise_id=row["enterprise_id"] or None,
            team_id=row["team_id"] or None,
            team_name=row["team_name"] or None,
            bot_token=row["bot_token"],
            bot_id=row["bot_id"],
            bot_user_id=row["bot_user_id"],
            bot_scopes=row["bot_scopes"],
            bot_refresh_token=row["bot_refresh_token"],
            bot_token_expires_at=row["bot_token_expires_at"],
            is_enterprise_install=row["is_enterprise_install"],
            installed_at=row["installed_at"],
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        row = await self._row(enterprise_id, team_id, is_enterprise_install)
        if row is None or (user_id and user_id != row["installer_user_id"]):
            return None
        return Installation(
            app_id=row["app_id"] or None,
            enterprise_id=row["enterprise_id"] or None,
            team_id=row["team_id"] or None,
            team_name=row["team_name"] or None,
            bot_token=row["bot_token"],
            bot_id=row["bot_id"],
            bot_user_id=row["bot_user_id"],
            bot_scopes=row["bot_scopes"],
            bot_refresh_token=row["bot_refresh_token"],
            bot_token_expires_at=row["bot_token_expires_at"],
            user_id=row["installer_user_id"],
            is_enterprise_install=row["is_enterprise_install"],
            installed_at=row["installed_at"],
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        # Called without knowing whether the install was org-wide: remove either.
        tenants = {
            tenant_for(enterprise_id, team_id, False),
            tenant_for(enterprise_id, team_id, True),
        }
        tenants.discard("")
        async with writing(self._engine) as conn:
            await conn.execute(delete(rows).where(rows.c.tenant.in_(tenants)))
        for tenant in tenants:
            self._on_removed(tenant)
        log.info("slack app removed", extra={"tenants": sorted(tenants)})

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id:
            return  # a user token was revoked; studybot keeps none
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)


class SqlOAuthStateStore(AsyncOAuthStateStore):
    """One-time `state` values for the OAuth redirect, valid `expiration_seconds`."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        expiration_seconds: int = 600,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._engine = engine
        self._life = timedelta(seconds=expiration_seconds)
        self._clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        now = self._clock()
        async with writing(self._engine) as conn:
            await conn.execute(delete(states).where(states.c.expires_at < now))
            await conn.execute(states.insert().values(state=state, expires_at=now + self._life))
        return state

    async def async_consume(self, state: str) -> bool:
        if not state:
            return False
        async with writing(self._engine) as conn:
            gone = await conn.execute(
                delete(states).where(states.c.state == state, states.c.expires_at >= self._clock())
            )
        return bool(gone.rowcount)
