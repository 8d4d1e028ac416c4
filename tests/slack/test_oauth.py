"""One deployment, many workspaces: the OAuth install flow end to end against the fake Slack
(install page, consent, redirect, oauth.v2.access), each workspace posting with its own
token, nothing crossing between them, uninstall and revocation removing the installation,
and two processes on one database splitting the scheduling between them."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest

from adapters.slack.runner import (
    EVENTS_PATH,
    INSTALL_PATH,
    REDIRECT_PATH,
    SlackOptions,
    SlackService,
    SlackSetupError,
)
from bot.domain import ChannelRef
from bot.ports import FakeClock
from bot.scheduling import advance_to
from bot.settings import Settings
from tests.slack import payloads
from tests.slack.fake_slack import CLIENT_ID, CLIENT_SECRET, SCOPES, FakeSlack
from tests.slack.world import SECRET, HttpSlack, World, shown

ALPHA, BETA = "T0ALPHA", "T0BETA"  # CRC-32 puts ALPHA in share 0 of 2, BETA in share 1
SETUP = "setup time:09:00 timezone:UTC weekdays:daily"
NINE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def options_for(fake: FakeSlack, *, workers: int = 1, worker: int = 0) -> SlackOptions:
    return SlackOptions(
        bot_token="",
        signing_secret=SECRET,
        api_url=fake.api_url,
        http_port=0,
        http_host="127.0.0.1",
        pace_seconds=0.0,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes=tuple(sorted(SCOPES)),
        authorize_url=fake.authorize_url,
        workers=workers,
        worker=worker,
    )


async def start(
    fake: FakeSlack,
    db_url: str,
    clock: FakeClock,
    session: aiohttp.ClientSession,
    **share: int,
) -> World:
    settings = Settings(STUDYBOT_DB_URL=db_url, SLACK_SIGNING_SECRET=SECRET)
    service = await SlackService.start(
        settings, options_for(fake, **share), clock=clock, schedule=False
    )
    fake.redirect_url = f"http://127.0.0.1:{service.port}{REDIRECT_PATH}"
    return World(
        fake, service, HttpSlack(f"http://127.0.0.1:{service.port}{EVENTS_PATH}", session), clock
    )


@pytest.fixture
async def hosted(
    fake: FakeSlack, sqlite_url: str, clock: FakeClock, session: aiohttp.ClientSession
) -> AsyncIterator[World]:
    fake.add_workspace(ALPHA, "Alpha")
    fake.add_workspace(BETA, "Beta")
    fake.add_user("UALICE", "alice", admin=True, team=ALPHA)
    fake.add_user("UBOB", "bob", admin=True, team=BETA)
    fake.add_user("UCARL", "carl", team=BETA)
    world = await start(fake, sqlite_url, clock, session)
    try:
        yield world
    finally:
        await world.service.stop()


async def install(w: World, session: aiohttp.ClientSession, team: str) -> tuple[int, str, str]:
    """An admin of `team` opens the install page, presses Add to Slack, then Allow.
    Returns the redirect's status, and the redirect and state cookie (to replay them)."""
    base = f"http://127.0.0.1:{w.service.port}"
    async with session.get(base + INSTALL_PATH) as page:
        assert page.status == 200
        body = await page.text()
        state_cookie = page.cookies["slack-app-oauth-state"].value
    link = html.unescape(re.search(r'href="([^"]+/oauth/v2/authorize[^"]*)"', body).group(1))  # type: ignore[union-attr]
    asked = parse_qs(urlparse(link).query)
    assert asked["client_id"] == [CLIENT_ID] and set(asked["scope"][0].split(",")) == SCOPES
    w.fake.installing_team = team
    async with session.get(link, allow_redirects=False) as consent:
        assert consent.status == 302
        back = consent.headers["Location"]
    assert back.startswith(w.fake.redirect_url)
    cookie = f"slack-app-oauth-state={state_cookie}"
    async with session.get(back, headers={"Cookie": cookie}) as done:
        await done.read()
        return done.status, back, cookie


async def token_of(w: World, team: str) -> str | None:
    bot = await w.service.chat._workspaces.store.async_find_bot(enterprise_id=None, team_id=team)  # type: ignore[attr-defined]
    return bot.bot_token if bot is not None else None


async def post_now(w: World, name: str, team: str) -> None:
    await w.run(name, "/studybot", "post-now", team=team)


async def test_two_workspaces_install_and_each_posts_with_its_own_token(
    hosted: World, session: aiohttp.ClientSession
) -> None:
    w = hosted
    assert (await install(w, session, ALPHA))[0] == 200
    assert (await install(w, session, BETA))[0] == 200
    exchanged = w.fake.called("oauth.v2.access")
    assert [c.status for c in exchanged] == [200, 200]
    alpha_token, beta_token = await token_of(w, ALPHA), await token_of(w, BETA)
    assert alpha_token == w.fake.workspaces[ALPHA].token
    assert beta_token == w.fake.workspaces[BETA].token and alpha_token != beta_token

    await w.run("alice", "/studybot", SETUP, team=ALPHA)
    await w.run("bob", "/studybot", SETUP, team=BETA)
    assert "Set up this channel" in shown(w.last_private())
    await post_now(w, "alice", ALPHA)
    await post_now(w, "bob", BETA)
    [alpha_post] = [m for m in w.fake.posted(ALPHA) if m.buttons()]
    [beta_post] = [m for m in w.fake.posted(BETA) if m.buttons()]
    # Every post went out with its own workspace's token.
    posts = w.fake.called("chat.postMessage")
    assert {c.token for c in posts if c.args["channel"] == payloads.CHANNEL} == {
        alpha_token,
        beta_token,
    }
    assert alpha_post.ts != beta_post.ts

    # The same channel id and thread ts in the other workspace reach nothing of Alpha's.
    await w.event(
        payloads.message("UCARL", "Beta's answer", w.fake.next_ts(), thread_ts=beta_post.ts),
        team=BETA,
    )
    store = w.service.runtime.store
    alpha = await store.last_post(ChannelRef(ALPHA, payloads.CHANNEL))
    beta = await store.last_post(ChannelRef(BETA, payloads.CHANNEL))
    assert alpha is not None and beta is not None
    assert [a.text for a in await store.answers_for(alpha)] == []
    assert [a.text for a in await store.answers_for(beta)] == ["Beta's answer"]
    acks = [m for m in w.fake.posted(BETA) if m.thread_ts == beta_post.ts]
    assert acks and all(
        c.token == beta_token for c in posts if c.args.get("thread_ts") == beta_post.ts
    )


async def test_uninstalling_removes_the_workspace_and_spares_the_other(
    hosted: World, session: aiohttp.ClientSession
) -> None:
    w = hosted
    await install(w, session, ALPHA)
    await install(w, session, BETA)
    await w.run("alice", "/studybot", SETUP, team=ALPHA)
    await w.run("bob", "/studybot", SETUP, team=BETA)

    w.fake.revoke(BETA)  # Slack ends the token, then tells the app
    ack = await w.event({"type": "app_uninstalled"}, team=BETA)
    assert ack.status == 200
    assert await token_of(w, BETA) is None and await token_of(w, ALPHA) is not None

    # Beta's schedule comes due: nothing is sent with the dead token, Alpha posts as usual.
    await advance_to(w.service.runtime.bot, w.clock, NINE)
    assert w.fake.posted(BETA) == []
    assert len([m for m in w.fake.posted(ALPHA) if m.buttons()]) == 1
    assert not [
        c
        for c in w.fake.calls
        if c.token == w.fake.workspaces[BETA].token and c.method == "chat.postMessage"
    ]


async def test_revoked_bot_tokens_remove_the_installation(
    hosted: World, session: aiohttp.ClientSession
) -> None:
    w = hosted
    await install(w, session, BETA)
    assert await token_of(w, BETA) is not None
    w.fake.revoke(BETA)
    event = {
        "type": "tokens_revoked",
        "tokens": {"oauth": [], "bot": [w.fake.workspaces[BETA].bot_user]},
    }
    assert (await w.event(event, team=BETA)).status == 200
    assert await token_of(w, BETA) is None
    # A command from the removed workspace is not run; the member is told the app is gone.
    await w.run("bob", "/studybot", "status", team=BETA)
    assert w.fake.posted(BETA) == []
    assert "not installed in this workspace" in shown(w.last_private())


async def test_a_replayed_redirect_installs_nothing_more(
    hosted: World, session: aiohttp.ClientSession
) -> None:
    w = hosted
    base = f"http://127.0.0.1:{w.service.port}"
    async with session.get(f"{base}{REDIRECT_PATH}?code=forged&state=made-up") as forged:
        assert forged.status in (400, 401)
    assert w.fake.called("oauth.v2.access") == []  # no state, no exchange
    assert await token_of(w, ALPHA) is None

    status, back, cookie = await install(w, session, ALPHA)
    token = await token_of(w, ALPHA)
    assert status == 200 and token is not None
    async with session.get(back, headers={"Cookie": cookie}) as replayed:  # state used up
        assert replayed.status in (400, 401)
    assert len(w.fake.called("oauth.v2.access")) == 1 and await token_of(w, ALPHA) == token


async def test_two_processes_on_one_database_split_the_workspaces(
    fake: FakeSlack, sqlite_url: str, clock: FakeClock, session: aiohttp.ClientSession
) -> None:
    fake.add_workspace(ALPHA, "Alpha")
    fake.add_workspace(BETA, "Beta")
    fake.add_user("UALICE", "alice", admin=True, team=ALPHA)
    fake.add_user("UBOB", "bob", admin=True, team=BETA)
    first = await start(fake, sqlite_url, clock, session, workers=2, worker=0)
    second = await start(fake, sqlite_url, clock, session, workers=2, worker=1)
    try:
        # Installed through the first process, served by both (one database).
        await install(first, session, ALPHA)
        fake.redirect_url = f"http://127.0.0.1:{second.service.port}{REDIRECT_PATH}"
        await install(second, session, BETA)
        await first.run("alice", "/studybot", SETUP, team=ALPHA)
        await second.run("bob", "/studybot", SETUP, team=BETA)

        await advance_to(first.service.runtime.bot, clock, NINE)
        assert [m.team for m in fake.messages if m.kind == "message" and m.buttons()] == [ALPHA]
        await advance_to(second.service.runtime.bot, clock, NINE)
        posts = sorted(m.team for m in fake.messages if m.kind == "message" and m.buttons())
        assert posts == [ALPHA, BETA]
    finally:
        await first.service.stop()
        await second.service.stop()


def test_oauth_needs_http_mode_and_both_credentials() -> None:
    settings = Settings(STUDYBOT_DB_URL="sqlite+aiosqlite:///:memory:", SLACK_SIGNING_SECRET=SECRET)
    creds = {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET}
    with pytest.raises(SlackSetupError, match="HTTP mode"):
        SlackOptions.from_settings(settings, http_port=None, env=creds)
    with pytest.raises(SlackSetupError, match="SLACK_CLIENT_SECRET"):
        SlackOptions.from_settings(settings, http_port=3000, env={"SLACK_CLIENT_ID": CLIENT_ID})
    with pytest.raises(SlackSetupError, match="below STUDYBOT_SLACK_WORKERS"):
        SlackOptions.from_settings(
            settings,
            http_port=3000,
            env={**creds, "STUDYBOT_SLACK_WORKERS": "2", "STUDYBOT_SLACK_WORKER": "2"},
        )
    options = SlackOptions.from_settings(settings, http_port=3000, env=creds)
    assert options.oauth and options.bot_token == "" and "chat:write" in options.scopes


async def test_an_uninstall_with_one_bot_token_is_acknowledged_and_logged(
    http: World, caplog: pytest.LogCaptureFixture
) -> None:
    ack = await http.event({"type": "app_uninstalled"})
    assert ack.status == 200  # a 404 would have Slack retry, then turn events off
    assert "no longer works" in caplog.text
