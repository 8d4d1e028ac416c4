"""Starting the Slack bot: Socket Mode (the default, no public URL) or HTTP mode.

Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN (xapp-, connections:write).
HTTP mode (`studybot run --http-port PORT`) needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET
and serves the Events API, slash commands and interactivity at /slack/events.
With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (HTTP mode only) no bot token is set: each
workspace installs the app at /slack/install, Slack redirects to /slack/oauth_redirect, and
its bot token is kept in our database (see installations.py).
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
from pydantic import ValidationError
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import Inbound, build_app
from adapters.slack.chat import ChannelPacer, SlackChat
from adapters.slack.directory import Directory
from adapters.slack.errors import error_code
from adapters.slack.installations import SqlInstallationStore, SqlOAuthStateStore
from adapters.slack.journal import SqlSendJournal
from adapters.slack.settings import SlackSettings
from adapters.slack.workspaces import InstalledWorkspaces, OneWorkspace, Workspaces, owns_tenant
from bot.ports import Clock, SystemClock
from bot.runtime import Runtime
from bot.runtime import start as start_runtime
from bot.scheduling import Scheduler
from bot.settings import Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


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
    # The OAuth install flow (many workspaces); empty: the one workspace of bot_token.
    client_id: str = ""
    client_secret: str = ""
    scopes: tuple[str, ...] = ()
    redirect_uri: str | None = None
    authorize_url: str | None = None
    # This process schedules the workspaces of its share (see workspaces.owns_tenant).
    workers: int = 1
    worker: int = 0

    @property
    def http_mode(self) -> bool:
        return self.http_port is not None

    @property
    def oauth(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def owns_tenant(self, tenant: str) -> bool:
        return owns_tenant(tenant, self.workers, self.worker)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, http_port: int | None, env: Mapping[str, str] | None = None
    ) -> SlackOptions:
        try:
            slack = SlackSettings() if env is None else SlackSettings.model_validate(dict(env))
        except ValidationError as err:
            raise SlackSetupError(_first_error(err)) from None
        env = os.environ if env is None else env

        def secret(value: object) -> str:
            get = getattr(value, "get_secret_value", None)
            return str(get()) if get else ""

        bot_token = secret(settings.slack_bot_token)
        app_token = secret(settings.slack_app_token)
        signing_secret = secret(settings.slack_signing_secret)
        if slack.oauth and http_port is None:
            raise SlackSetupError(
                "the OAuth install flow (SLACK_CLIENT_ID) needs HTTP mode: --http-port PORT, "
                "so Slack can redirect installers back. See docs/slack.md."
            )
        if not bot_token and not slack.oauth:
            raise SlackSetupError(
                "set SLACK_BOT_TOKEN (xoxb-...) to run on Slack, or SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET to let workspaces install the app; see docs/slack.md."
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
            client_id=slack.client_id or "",
            client_secret=slack.client_secret.get_secret_value() if slack.client_secret else "",
            scopes=slack.scope_list(),
            redirect_uri=slack.redirect_uri,
            authorize_url=slack.authorize_url,
            workers=slack.workers,
            worker=slack.worker,
        )


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    return str(first.get("msg", err)).removeprefix("Value error, ")


# Calls that must not be repeated blindly once Slack may have carried them out: a post
# would appear twice (Slack has no idempotency key), a trigger_id or OAuth code works once.
_NOT_REPEATABLE = ("chat.postMessage", "chat.postEphemeral", "views.open", "oauth.v2.access")


class RepeatSafeRetryHandler(AsyncConnectionErrorRetryHandler):
    """slack_sdk's retry of a dropped connection, except for calls that may have been
    carried out already: those are retried only when the connection was never made.
    SlackChat reconciles a post whose answer was lost instead (see chat.py)."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        ):
            return False
        if isinstance(error, aiohttp.ClientConnectorError):
            return True  # nothing reached Slack
        return not request.url.rstrip("/").endswith(_NOT_REPEATABLE)


# slack_sdk's own time-out for a Web API call, kept when the client gets our session.
WEB_TIMEOUT = 30


def web_session() -> aiohttp.ClientSession:
    """The process's one HTTP session for the Web API. Without one, slack_sdk opens a new
    session (and a new TCP and TLS connection) for every call and closes it after; with it,
    calls reuse kept-alive connections. Its owner closes it on shutdown."""
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WEB_TIMEOUT))


def web_client(
    options: SlackOptions,
    token: str | None = None,
    *,
    session: aiohttp.ClientSession | None = None,
) -> AsyncWebClient:
    """The Web API client: 429s wait for Retry-After; a dropped connection is tried again
    where repeating the call is harmless. `session` (see `web_session`) is shared by every
    client of the process."""
    handlers = [
        RepeatSafeRetryHandler(),
        AsyncRateLimitErrorRetryHandler(max_retry_count=options.retry_limit),
    ]
    token = options.bot_token if token is None else token
    if options.api_url:
        base = options.api_url if options.api_url.endswith("/") else options.api_url + "/"
        return AsyncWebClient(
            token=token or None,
            base_url=base,
            retry_handlers=handlers,
            session=session,
            timeout=WEB_TIMEOUT,
        )
    return AsyncWebClient(
        token=token or None, retry_handlers=handlers, session=session, timeout=WEB_TIMEOUT
    )


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
        # Start-up's read of the open question threads (see `_backfill`).
        self.backfill_task: asyncio.Task[None] | None = None
        # Every Web API client's HTTP session (see `web_session`); closed last.
        self.session: aiohttp.ClientSession | None = None

    @classmethod
    async def start(
        cls,
        settings: Settings,
        options: SlackOptions,
        *,
        clock: Clock | None = None,
        schedule: bool = True,
    ) -> SlackService:
        session = web_session()  # closed by stop(), or here if start-up fails first
        try:
            client = web_client(options, token="" if options.oauth else None, session=session)
            auth: dict[str, object] = {}
            if not options.oauth:
                try:
                    auth = dict((await client.auth_test()).data)  # type: ignore[arg-type]
                except SlackApiError as err:
                    raise SlackSetupError(
                        f"Slack refused SLACK_BOT_TOKEN ({error_code(err)})."
                    ) from None
                except (aiohttp.ClientError, TimeoutError) as err:
                    raise SlackSetupError(
                        f"could not reach the Slack Web API at {client.base_url} ({err!r})."
                    ) from None
            installed = InstalledWorkspaces(
                lambda token: web_client(options, token, session=session)
            )
            workspaces: Workspaces = installed if options.oauth else OneWorkspace(client)
            chat = SlackChat(workspaces, pacer=ChannelPacer(options.pace_seconds))
            runtime = await start_runtime(
                settings, chat, clock or SystemClock(), owns_tenant=options.owns_tenant
            )
            chat.journal = SqlSendJournal(runtime.store.engine)
            oauth_settings: AsyncOAuthSettings | None = None
            if options.oauth:
                engine = runtime.store.engine
                installed.bind(SqlInstallationStore(engine, on_removed=installed.forget))
                oauth_settings = AsyncOAuthSettings(
                    client_id=options.client_id,
                    client_secret=options.client_secret,
                    scopes=list(options.scopes),
                    redirect_uri=options.redirect_uri,
                    install_path=INSTALL_PATH,
                    redirect_uri_path=REDIRECT_PATH,
                    authorization_url=options.authorize_url,
                    installation_store=installed.store,
                    installation_store_bot_only=True,
                    state_store=SqlOAuthStateStore(engine),
                )
            chat.command_names = frozenset(runtime.bot.commands.groups())
            directory = Directory(workspaces, admins=options.admins)
            chat.directory = directory
            inbound = Inbound(runtime.bot.handle, chat, directory)
            app = build_app(
                inbound,
                client,
                signing_secret=options.signing_secret,
                oauth_settings=oauth_settings,
            )
        except BaseException:
            await session.close()
            raise
        service = cls(runtime, chat, inbound, app, options)
        service.session = session
        service.team_id = str(auth.get("team_id") or "")
        try:
            if options.http_mode:
                await service._serve_http()
            else:
                await service._connect_socket()
            if schedule:
                service._scheduler = Scheduler(runtime.bot)
                await service._scheduler.start()
            service.backfill_task = asyncio.create_task(service._backfill())
        except BaseException:
            await service.stop()
            raise
        return service

    async def _serve_http(self) -> None:
        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, self._on_request)
        web_app.router.add_get("/healthz", self._on_health)
        if self.app.oauth_flow is not None:
            web_app.router.add_get(INSTALL_PATH, self._on_install)
            web_app.router.add_get(REDIRECT_PATH, self._on_oauth_redirect)
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

    async def _on_install(self, request: web.Request) -> web.Response:
        """The page with the "Add to Slack" link; it sets the OAuth state cookie."""
        assert self.app.oauth_flow is not None
        response = await self.app.oauth_flow.handle_installation(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def _on_oauth_redirect(self, request: web.Request) -> web.Response:
        """Slack sends the installer back here with a one-time code: bolt checks the state,
        exchanges the code (oauth.v2.access) and saves the workspace's bot token."""
        assert self.app.oauth_flow is not None
        response = await self.app.oauth_flow.handle_callback(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def _on_health(self, _: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def _connect_socket(self) -> None:
        self._socket = AsyncSocketModeHandler(self.app, app_token=self.options.app_token)
        await self._socket.connect_async()  # type: ignore[no-untyped-call]
        self.runtime.report_connection(self._socket.client.is_connected)
        log.info("connected to Slack in Socket Mode")

    async def _backfill(self) -> None:
        """Once per start, connected first so nothing new slips between the read and the
        events: replies, edits and deletes made while the bot was down past Slack's event
        retries. Not after a Socket Mode reconnect (Slack retries events meanwhile), and
        in the background: conversations.replies may be rate-limited to one call a minute."""
        try:
            await self.runtime.bot.backfill()
        except Exception:
            log.exception("back-filling the open question threads failed")

    async def stop(self) -> None:
        if self.backfill_task is not None and not self.backfill_task.done():
            self.backfill_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.backfill_task
        if self._scheduler is not None:
            self._scheduler.shutdown()
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close_async()  # type: ignore[no-untyped-call]
        if self._site_runner is not None:
            await self._site_runner.cleanup()
        await self.runtime.close()
        if self.session is not None:
            await self.session.close()


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
    serves = (
        f"every workspace that installs it at {INSTALL_PATH}"
        if options.oauth
        else f"team {service.team_id}"
    )
    log.info(f"studybot is running on Slack ({mode}) for {serves}")
    try:
        await stop.wait()
    finally:
        await service.stop()
    return 0
