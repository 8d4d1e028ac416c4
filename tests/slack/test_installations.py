"""The Slack installation store and OAuth state store over our database (SQLite and
PostgreSQL): migration 0006 both ways, one row per workspace, reinstall, removal, states
used once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import inspect

from adapters.slack.installations import SqlInstallationStore, SqlOAuthStateStore
from bot.storage.engine import create_engine, upgrade
from bot.storage.store import Store

TABLES = {"slack_installations", "slack_oauth_states", "slack_sends"}


def installation(team: str, token: str) -> Installation:
    return Installation(
        app_id="A0STUDY",
        team_id=team,
        team_name=team.title(),
        bot_token=token,
        bot_id=f"B{team}",
        bot_user_id=f"U{team}",
        bot_scopes="chat:write,commands",
        user_id=f"U{team}ADMIN",
        installed_at=datetime(2026, 11, 30, 8, tzinfo=UTC).timestamp(),
    )


async def _tables(store: Store) -> set[str]:
    async with store.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_migration_0006_up_down_up(any_db_url: str) -> None:
    from alembic import command

    from bot.storage.engine import alembic_config

    store = Store(create_engine(any_db_url))
    try:
        await upgrade(store.engine)
        assert await _tables(store) >= TABLES
        async with store.engine.begin() as conn:
            await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "0003"))
        assert not TABLES & await _tables(store)
        await upgrade(store.engine)
        assert await _tables(store) >= TABLES
    finally:
        await store.close()


async def test_installations_are_per_workspace_and_removable(any_db_url: str) -> None:
    engine = create_engine(any_db_url)
    await upgrade(engine)
    removed: list[str] = []
    store = SqlInstallationStore(engine, on_removed=removed.append)
    try:
        await store.async_save(installation("T0ALPHA", "xoxb-alpha-1"))
        await store.async_save(installation("T0BETA", "xoxb-beta-1"))
        await store.async_save(installation("T0ALPHA", "xoxb-alpha-2"))  # a reinstall
        alpha = await store.async_find_bot(enterprise_id=None, team_id="T0ALPHA")
        assert alpha is not None and alpha.bot_token == "xoxb-alpha-2"
        assert alpha.bot_scopes == ["chat:write", "commands"]
        found = await store.async_find_installation(enterprise_id=None, team_id="T0BETA")
        assert found is not None and found.bot_token == "xoxb-beta-1"
        assert found.user_id == "UT0BETAADMIN"
        assert await store.async_find_bot(enterprise_id=None, team_id="T0GAMMA") is None

        await store.async_delete_installation(
            enterprise_id=None, team_id="T0BETA", user_id="UT0BETAADMIN"
        )  # a user token revoked: the bot stays
        assert await store.async_find_bot(enterprise_id=None, team_id="T0BETA") is not None
        await store.async_delete_all(enterprise_id=None, team_id="T0BETA")
        assert await store.async_find_bot(enterprise_id=None, team_id="T0BETA") is None
        assert await store.async_find_bot(enterprise_id=None, team_id="T0ALPHA") is not None
        assert "T0BETA" in removed and "T0ALPHA" not in removed
    finally:
        await engine.dispose()


async def test_an_oauth_state_is_good_once_and_not_after_it_expires(any_db_url: str) -> None:
    engine = create_engine(any_db_url)
    await upgrade(engine)
    now = [datetime(2026, 11, 30, 8, tzinfo=UTC)]
    states = SqlOAuthStateStore(engine, expiration_seconds=600, clock=lambda: now[0])
    try:
        fresh, stale = await states.async_issue(), await states.async_issue()
        assert fresh != stale
        assert await states.async_consume(fresh)
        assert not await states.async_consume(fresh)
        now[0] += timedelta(minutes=11)
        assert not await states.async_consume(stale)
        assert not await states.async_consume("made-up")
    finally:
        await engine.dispose()
