"""Starting the Slack bot: Socket Mode (the default, no public URL) or HTTP mode.

Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN (xapp-, connections:write).
HTTP mode (`studybot run --http-port PORT`) needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET
and serves the Events API, slash commands and interactivity at /slack/events.
SLACK_API_URL points the Web API client elsewhere (a proxy, or a test's fake Slack).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import Inbound, build_app
from adapters.slack.chat import ChannelPacer, SlackChat
from adapters.slack.directory import Directory
from adapters.slack.errors import error_code
from bot.ports import Clock, SystemClock
from bot.runtime import Runtime
from bot.runtime import start as start_runtime
from bot.scheduling import Scheduler
from bot.settings import Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


class SlackSetupError(Exception):
    """Missing or refused credentials: a message for the organizer, not a traceback."""


@dataclass(frozen=True)
class SlackOptions:
    bot_token: str
    app_token: str = ""
    signing_secret: str = ""
    api_url: str | None = None
    # User ids allowed admin commands besides workspace admins and owners.
    admins: tuple[str, ...] = ()
    http_port: int | None = None  # None: Socket Mode
    http_host: str = "0.0.0.0"
    pace_seconds: float = 1.0  # Slack allows about one message per second per channel
    retry_limit: int = 5  # 429s retried per call

    @property
    def http_mode(self) -> bool:
        return self.http_port is not None

    @classmethod
    def from_settings(
        cls, settings: Settings, *, http_port: int | None, env: Mapping[str, str] | None = None
    ) -> SlackOptions:
        env = os.environ if env is None else env

        def secret(value: object) -> str:
            get = getattr(value, "get_secret_value", None)
            return str(get()) if get else ""

        bot_token = secret(settings.slack_bot_token)
        app_token = secret(settings.slack_app_token)
        signing_secret = secret(settings.slack_signing_secret)
        if not bot_token:
            raise SlackSetupError(
                "set SLACK_BOT_TOKEN (xoxb-...) to run on Slack; see docs/slack.md."
            )
        if http_port is None and not app_token:
            raise SlackSetupError(
                "Socket Mode needs SLACK_APP_TOKEN (xapp-..., scope connections:write); "
                "or serve HTTP with --http-port PORT and SLACK_SIGNING_SECRET. See docs/slack.md."
            )
        if http_port is not None and not signing_secret:
            raise SlackSetupError("HTTP mode needs SLACK_SIGNING_SECRET to check Slack's requests.")
        admins = tuple(
            a.strip()
            for a in env.get("STUDYBOT_SLACK_ADMINS", "").replace(";", ",").split(",")
            if a.strip()
        )
        return cls(
            bot_token=bot_token,
            app_token=app_token,
            signing_secret=signing_secret,
            api_url=env.get("SLACK_API_URL") or None,
            admins=admins,
            http_port=http_port,
            http_host=env.get("STUDYBOT_HTTP_HOST", "0.0.0.0"),
        )


def web_client(options: SlackOptions) -> AsyncWebClient:
    """The Web API client: 429s wait for Retry-After, dropped connections are tried again."""
    handlers = [
        AsyncConnectionErrorRetryHandler(),
        AsyncRateLimitErrorRetryHandler(max_retry_count=options.retry_limit),
    ]
    if options.api_url:
        base = options.api_url if options.api_url.endswith("/") else options.api_url + "/"
        return AsyncWebClient(token=options.bot_token, base_url=base, retry_handlers=handlers)
    return AsyncWebClient(token=options.bot_token, retry_handlers=handlers)


class SlackService:
    """One running Slack bot: the core, the bolt app, and its connection to Slack."""

    def __init__(
        self,
        runtime: Runtime,
        chat: SlackChat,
        inbound: Inbound,
        app: AsyncApp,
        options: SlackOptions,
    ):
        self.runtime = runtime
        self.chat = chat
        self.inbound = inbound
        self.app = app
        self.options = options
        self.port: int | None = None
        self.team_id = ""
        self._site_runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._scheduler: Scheduler | None = None

    @classmethod
    async def start(
        cls,
        settings: Settings,
        options: SlackOptions,
        *,
        clock: Clock | None = None,
        schedule: bool = True,
    ) -> SlackService:
        client = web_client(options)
        try:
            auth = await client.auth_test()
        except SlackApiError as err:
            raise SlackSetupError(f"Slack refused SLACK_BOT_TOKEN ({error_code(err)}).") from None
        except (aiohttp.ClientError, TimeoutError) as err:
            raise SlackSetupError(
                f"could not reach the Slack Web API at {client.base_url} ({err!r})."
            ) from None
        chat = SlackChat(client, pacer=ChannelPacer(options.pace_seconds))
        runtime = await start_runtime(settings, chat, clock or SystemClock())
        chat.command_names = frozenset(runtime.bot.commands.groups())
        inbound = Inbound(runtime.bot.handle, chat, Directory(client, admins=options.admins))
        app = build_app(inbound, client, signing_secret=options.signing_secret)
        service = cls(runtime, chat, inbound, app, options)
        service.team_id = str(auth.get("team_id") or "")
        try:
            if options.http_mode:
                await service._serve_http()
            else:
                await service._connect_socket()
            if schedule:
                service._scheduler = Scheduler(runtime.bot)
                await service._scheduler.start()
        except BaseException:
            await service.stop()
            raise
        return service

    async def _serve_http(self) -> None:
        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, self._on_request)
        web_app.router.add_get("/healthz", self._on_health)
        self._site_runner = web.AppRunner(web_app, access_log=None)
        await self._site_runner.setup()
        site = web.TCPSite(self._site_runner, self.options.http_host, self.options.http_port or 0)
        await site.start()
        self.port = int(self._site_runner.addresses[0][1])
        log.info("serving Slack HTTP mode", extra={"port": self.port, "path": EVENTS_PATH})

    async def _on_request(self, request: web.Request) -> web.Response:
        # bolt checks X-Slack-Signature and the timestamp's age, answering 401 when wrong.
        response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def _on_health(self, _: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def _connect_socket(self) -> None:
        self._socket = AsyncSocketModeHandler(self.app, app_token=self.options.app_token)
        await self._socket.connect_async()  # type: ignore[no-untyped-call]
        self.runtime.report_connection(self._socket.client.is_connected)
        log.info("connected to Slack in Socket Mode")

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown()
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close_async()  # type: ignore[no-untyped-call]
        if self._site_runner is not None:
            await self._site_runner.cleanup()
        await self.runtime.close()


async def run(settings: Settings, *, http_port: int | None) -> int:
    """`studybot run` on Slack: until Ctrl-C or SIGTERM."""
    try:
        options = SlackOptions.from_settings(settings, http_port=http_port)
        service = await SlackService.start(settings, options)
    except SlackSetupError as err:
        print(f"studybot: {err}", file=sys.stderr)
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
        loop.add_signal_handler(signal.SIGTERM, stop.set)
    mode = f"HTTP on port {service.port} at {EVENTS_PATH}" if options.http_mode else "Socket Mode"
    log.info(f"studybot is running on Slack ({mode}) for team {service.team_id}")
    try:
        await stop.wait()
    finally:
        await service.stop()
    return 0
