"""The bolt AsyncApp. Listeners only ack and hand the payload on; `Inbound` translates it
(mapping), drops retried deliveries, fills in who the user is, and gives it to the core.

Every request is acked before any work: bolt answers Slack as soon as ack() is called
and the rest of the listener runs after the response (process_before_response=False).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import mapping
from adapters.slack.chat import SlackChat
from adapters.slack.directory import Directory
from bot.commands import CommandError
from bot.domain import Reply
from bot.events import Event

log = logging.getLogger(__name__)

Body = dict[str, Any]


class RecentIds:
    """The last `size` ids seen: Slack redelivers an event (same event_id) when unsure."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, key: str) -> bool:
        if key in self._ids:
            self._ids.move_to_end(key)
            return False
        self._ids[key] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True


class Inbound:
    """Slack payloads into the core. Counts work in flight so a caller can wait for quiet."""

    def __init__(
        self,
        handle: Callable[[Event], Awaitable[None]],
        chat: SlackChat,
        directory: Directory,
        *,
        seen: RecentIds | None = None,
    ) -> None:
        self._handle = handle
        self._chat = chat
        self._directory = directory
        self._seen = seen or RecentIds()
        self._busy = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    async def command(self, ack: AsyncAck, body: Body) -> None:
        with self.working():
            await ack()
            try:
                event = mapping.command(body)
            except CommandError as err:
                await self._chat.respond(mapping.command_interaction(body), Reply(str(err)))
                return
            await self._deliver(event)

    async def event(self, body: Body) -> None:
        """An Events API callback (bolt acks these itself, before the listener runs)."""
        with self.working():
            event_id = str(body.get("event_id") or "")
            if event_id and not self._seen.first_time(f"{body.get('team_id')}/{event_id}"):
                log.info("redelivered event dropped", extra={"event_id": event_id})
                return
            event = mapping.message(body)
            if event is not None:
                await self._deliver(event)

    async def action(self, ack: AsyncAck, body: Body) -> None:
        with self.working():
            await ack()
            event = mapping.button(body)
            if event is not None:
                # A button may open a modal, and its trigger_id dies 3 s after the click:
                # no users.info call (slow, or rate-limited and retried) may come first.
                # No button handler needs more than the payload's username.
                await self._deliver(event, lookup=False)

    async def view(self, ack: AsyncAck, body: Body) -> None:
        with self.working():
            await ack()  # closes the modal; the core answers privately afterwards
            event = mapping.form(body)
            if event is not None:
                await self._deliver(event)

    async def quiet(self) -> None:
        """Returns once no payload is being handled."""
        await self._quiet.wait()

    async def _deliver(self, event: Event, *, lookup: bool = True) -> None:
        await self._handle(await self._directory.enrich(event, lookup=lookup))

    @contextmanager
    def working(self) -> Iterator[None]:
        """Counts the work, and never lets it raise into bolt: a listener that raises right
        after ack() makes bolt drop the ack it had not yet sent (Slack then sees a 404)."""
        self._busy += 1
        self._quiet.clear()
        try:
            yield
        except Exception:
            log.exception("handling a Slack payload failed")
        finally:
            self._busy -= 1
            if self._busy == 0:
                self._quiet.set()


def build_app(
    inbound: Inbound,
    client: AsyncWebClient,
    *,
    signing_secret: str,
    oauth_settings: AsyncOAuthSettings | None = None,
) -> AsyncApp:
    """The bolt app. `signing_secret` is checked on every HTTP request (Socket Mode has none).
    With `oauth_settings` bolt authorizes each request from the workspace's installation,
    and an uninstall or token revocation removes the installation."""
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        name="studybot",
        logger=logging.getLogger("adapters.slack.bolt"),
        process_before_response=False,
        oauth_settings=oauth_settings,
        installation_store_bot_only=True if oauth_settings is not None else None,
        user_facing_authorize_error_message=(
            "studybot is not installed in this workspace any more: a workspace admin can add "
            "it again from its install page."
        ),
    )
    store = oauth_settings.installation_store if oauth_settings is not None else None
    if store is not None:
        # app_uninstalled and tokens_revoked: bolt's own handlers delete the installation,
        # counted as work in flight like every other payload.
        revocations = AsyncTokenRevocationListeners(store)

        @app.event("app_uninstalled")
        async def on_uninstalled(context: AsyncBoltContext) -> None:
            with inbound.working():
                await revocations.handle_app_uninstalled_events(context)

        @app.event("tokens_revoked")
        async def on_tokens_revoked(event: Body, context: AsyncBoltContext) -> None:
            with inbound.working():
                await revocations.handle_tokens_revoked_events(event, context)
    else:

        @app.event("app_uninstalled")
        @app.event("tokens_revoked")
        async def on_removed(body: Body) -> None:
            # One bot token: nothing to delete, but the operator should know it is dead.
            log.warning(
                "studybot was removed from the workspace; its SLACK_BOT_TOKEN no longer works",
                extra={"team": body.get("team_id"), "event": (body.get("event") or {}).get("type")},
            )

    anything = re.compile(r".*")

    @app.command(anything)
    async def on_command(ack: AsyncAck, body: Body) -> None:
        await inbound.command(ack, body)

    @app.event("message")
    async def on_message(body: Body) -> None:
        await inbound.event(body)

    @app.action(anything)
    async def on_action(ack: AsyncAck, body: Body) -> None:
        await inbound.action(ack, body)

    @app.view(anything)
    async def on_view(ack: AsyncAck, body: Body) -> None:
        await inbound.view(ack, body)

    @app.error
    async def on_error(error: Exception, body: Body) -> None:
        log.error("slack listener failed", exc_info=error, extra={"type": body.get("type")})

    return app
