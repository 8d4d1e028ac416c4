"""HTTP mode: the bot's own aiohttp server on loopback, requests signed as Slack signs them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import aiohttp
import pytest

from adapters.slack.runner import SlackOptions, SlackSetupError
from bot.domain import ChannelRef
from bot.ports import FakeClock
from bot.settings import Settings
from tests.slack import payloads
from tests.slack.fake_slack import TEAM, FakeSlack
from tests.slack.test_flows import SETUP, set_up
from tests.slack.world import HttpSlack, World, shown, start_world


async def test_url_verification_echoes_the_challenge(http: World) -> None:
    ack = await http.slack.event(
        payloads.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    )
    assert ack.status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in ack.body


@pytest.mark.parametrize("forgery", ["wrong secret", "stale timestamp", "no signature"])
async def test_an_unsigned_or_stale_request_gets_401_and_changes_nothing(
    http: World, forgery: str
) -> None:
    http.user("you", admin=True)
    fields = payloads.slash_command(
        "UYOU", "you", "/studybot", SETUP, response_url=http.fake.response_url("x")
    )
    body = urlencode(fields)
    assert isinstance(http.slack, HttpSlack)
    if forgery == "wrong secret":
        ack = await http.slack.post(
            body, "application/x-www-form-urlencoded", secret="not-the-secret"
        )
    elif forgery == "stale timestamp":
        ack = await http.slack.post(
            body, "application/x-www-form-urlencoded", age=6 * 60
        )  # Slack: 5 min
    else:
        ack = await http.slack.post(body, "application/x-www-form-urlencoded", signature="v0=")
    await http.settle()
    assert ack.status == 401
    assert http.fake.messages == [] and http.fake.called("users.info") == []
    assert await http.service.runtime.store.get_channel(ChannelRef(TEAM, payloads.CHANNEL)) is None


async def test_a_signed_request_passes_the_same_check(http: World) -> None:
    # The control for the test above: the same request, signed right, sets the channel up.
    await set_up(http)
    assert (
        await http.service.runtime.store.get_channel(ChannelRef(TEAM, payloads.CHANNEL)) is not None
    )


async def test_a_slash_command_is_acked_before_its_slow_work(http: World) -> None:
    assert isinstance(http.slack, HttpSlack)
    gate = http.fake.hold("users.info")  # the work after the ack cannot finish until released
    fields = payloads.slash_command(
        "UANA", "ana", "/studybot", "help", response_url=http.fake.response_url("r")
    )
    http.user("ana")
    ack = await http.slack.command(fields)
    assert ack.status == 200 and http.fake.messages == []
    gate.set()
    await http.settle()
    assert "/studybot setup" in shown(http.last_private())


async def test_a_message_event_is_acked_before_its_slow_work(http: World) -> None:
    await set_up(http)
    await http.run("you", "/studybot", "post-now")
    post = http.newest_post()
    assert isinstance(http.slack, HttpSlack)
    gate = http.fake.hold("chat.postMessage")
    event = payloads.message(
        http.user("ana"), "Shard by tenant id.", http.fake.next_ts(), thread_ts=post.ts
    )
    ack = await http.slack.event(payloads.event_callback(event))
    assert ack.status == 200 and http.in_thread(post.ts) == []
    gate.set()
    await http.settle()
    assert any("Answer from ana saved" in shown(m) for m in http.in_thread(post.ts))


async def test_health_endpoint(http: World, session: aiohttp.ClientSession) -> None:
    async with session.get(f"http://127.0.0.1:{http.service.port}/healthz") as resp:
        assert resp.status == 200 and await resp.text() == "ok"


@pytest.fixture
async def with_admin_list(
    fake: FakeSlack, sqlite_url: str, clock: FakeClock, session: aiohttp.ClientSession
) -> AsyncIterator[World]:
    world = await start_world(fake, "http", sqlite_url, clock, session, admins=("ULEAD",))
    yield world
    await world.service.stop()


async def test_the_configured_admin_list_is_admin(with_admin_list: World) -> None:
    w = with_admin_list
    w.user("lead")  # not a workspace admin
    await w.run("lead", "/studybot", SETUP)
    assert "Set up this channel" in shown(w.last_private())
    w.user("ana")
    await w.run("ana", "/studybot", "pause")
    assert "admins only" in shown(w.last_private())


def test_options_from_the_environment() -> None:
    settings = Settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", SLACK_APP_TOKEN=None)
    env = {"STUDYBOT_SLACK_ADMINS": "U1, U2;U3", "SLACK_API_URL": "http://127.0.0.1:9/api/"}
    options = SlackOptions.from_settings(settings, http_port=3000, env=env)
    assert options.admins == ("U1", "U2", "U3") and options.api_url == "http://127.0.0.1:9/api/"
    assert options.http_mode and options.signing_secret == "s"
    with pytest.raises(SlackSetupError, match="SLACK_APP_TOKEN"):
        SlackOptions.from_settings(settings, http_port=None, env={})
    no_secret = Settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET=None)
    with pytest.raises(SlackSetupError, match="SLACK_SIGNING_SECRET"):
        SlackOptions.from_settings(no_secret, http_port=3000, env={})


async def test_a_wrong_bot_token_stops_start_up_with_a_clear_message(
    fake: FakeSlack, sqlite_url: str, clock: FakeClock
) -> None:
    from adapters.slack.runner import SlackService

    settings = Settings(STUDYBOT_DB_URL=sqlite_url, SLACK_BOT_TOKEN="xoxb-revoked")
    options = SlackOptions(
        bot_token="xoxb-revoked", signing_secret="s", api_url=fake.api_url, http_port=0
    )
    with pytest.raises(SlackSetupError, match="invalid_auth"):
        await asyncio.wait_for(
            SlackService.start(settings, options, clock=clock, schedule=False), 10
        )
