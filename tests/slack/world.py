"""A running Slack bot (the real adapter, bolt and aiohttp) against the fake Slack, and
members who act on it. HTTP mode signs every request as Slack does; Socket Mode sends
envelopes over the fake's websocket. Tests read what Slack received from `fake`."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import re
import time
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

import aiohttp

from adapters.slack.runner import EVENTS_PATH, SlackOptions, SlackService
from bot.domain import ChannelRef
from bot.ports import FakeClock
from bot.settings import Settings
from bot.text import ZWSP
from tests.slack import payloads
from tests.slack.fake_slack import APP_TOKEN, BOT_TOKEN, TEAM, FakeSlack, Msg

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
Mode = Literal["http", "socket"]
# What Slack turns into a notification: <!here>, <@U1>, <!subteam^S1>, or a bare @here.
PING = re.compile(r"<[!@]|@(everyone|here|channel)\b")


def shown(m: Msg) -> str:
    """What a member reads: Slack unescapes entities; a zero-width space is invisible."""
    text = "\n".join(m.block_texts()) or m.text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace(ZWSP, "")


def pings(m: Msg) -> bool:
    return any(PING.search(t) for t in [m.text, *m.block_texts()])


@dataclass
class Ack:
    status: int  # HTTP status; 200 for a Socket Mode ack
    body: Any


def sign(secret: str, timestamp: str, body: str) -> str:
    """X-Slack-Signature: v0= and the HMAC-SHA256 of 'v0:{timestamp}:{body}'."""
    digest = hmac.new(
        secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256
    ).hexdigest()
    return f"v0={digest}"


class HttpSlack:
    """Posts to the bot's /slack/events the way Slack does."""

    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        self.url = url
        self.session = session

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        secret: str = SECRET,
        age: float = 0.0,
        signature: str | None = None,
        retry_num: int = 0,
    ) -> Ack:
        timestamp = str(int(time.time() - age))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature or sign(secret, timestamp, body),
        }
        if retry_num:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        async with self.session.post(self.url, data=body.encode(), headers=headers) as resp:
            return Ack(resp.status, await resp.text())

    async def command(self, fields: dict[str, str], **kw: Any) -> Ack:
        return await self.post(urlencode(fields), "application/x-www-form-urlencoded", **kw)

    async def event(self, body: dict[str, Any], *, retry_num: int = 0, **kw: Any) -> Ack:
        return await self.post(json.dumps(body), "application/json", retry_num=retry_num, **kw)

    async def interactive(self, payload: dict[str, Any], **kw: Any) -> Ack:
        return await self.post(
            urlencode(payloads.interactive_form(payload)), "application/x-www-form-urlencoded", **kw
        )


class SocketSlack:
    """Sends Socket Mode envelopes; each returns once the bot acks its envelope_id."""

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake

    async def command(self, fields: dict[str, str]) -> Ack:
        return Ack(200, await self.fake.envelope("slash_commands", fields))

    async def event(self, body: dict[str, Any], *, retry_num: int = 0) -> Ack:
        return Ack(200, await self.fake.envelope("events_api", body, retry_attempt=retry_num))

    async def interactive(self, payload: dict[str, Any]) -> Ack:
        return Ack(200, await self.fake.envelope("interactive", payload))


class World:
    def __init__(
        self,
        fake: FakeSlack,
        service: SlackService,
        slack: HttpSlack | SocketSlack,
        clock: FakeClock,
    ):
        self.fake = fake
        self.service = service
        self.slack = slack
        self.clock = clock
        self._n = itertools.count(1)

    # -- people ---------------------------------------------------------------------

    def user(self, name: str, *, admin: bool = False, owner: bool = False) -> str:
        uid = "U" + name.upper()
        if uid not in self.fake.users:
            self.fake.add_user(uid, name, admin=admin, owner=owner)
        return uid

    # -- acting ---------------------------------------------------------------------

    async def run(
        self,
        name: str,
        command: str,
        text: str = "",
        *,
        team: str = TEAM,
        channel: str = payloads.CHANNEL,
    ) -> Ack:
        uid = self.user(name)
        fields = payloads.slash_command(
            uid,
            name,
            command,
            text,
            response_url=self.fake.response_url(f"cmd{next(self._n)}"),
            trigger_id=self.fake.issue_trigger(),
            team=team,
            channel=channel,
        )
        ack = await self.slack.command(fields)
        await self.settle()
        return ack

    async def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int = 0,
        team: str = TEAM,
    ) -> Ack:
        ack = await self.slack.event(
            payloads.event_callback(event, event_id=event_id, team=team), retry_num=retry_num
        )
        await self.settle()
        return ack

    async def says(
        self,
        name: str,
        text: str,
        *,
        thread_ts: str | None = None,
        team: str = TEAM,
        deliver: bool = True,
    ) -> str:
        """`name` writes in the channel (or a thread); Slack keeps it, and with `deliver` this
        bot gets the event. Without it, no bot heard of it (the bot was down)."""
        typed = payloads.as_typed(text)
        held = self.fake.member_writes(
            payloads.CHANNEL, self.user(name), typed, thread_ts=thread_ts
        )
        if deliver:
            event = payloads.message(self.user(name), typed, held["ts"], thread_ts=thread_ts)
            await self.event(event, team=team)
        return str(held["ts"])

    async def replies(self, name: str, text: str, *, deliver: bool = True) -> str:
        return await self.says(name, text, thread_ts=self.newest_post().ts, deliver=deliver)

    async def edits(self, name: str, ts: str, old: str, new: str, *, deliver: bool = True) -> None:
        edit_ts = self.fake.next_ts()
        self.fake.member_edits(payloads.CHANNEL, ts, payloads.as_typed(new), edit_ts=edit_ts)
        if not deliver:
            return
        event = payloads.message_changed(
            self.user(name),
            ts,
            self.newest_post().ts,
            payloads.as_typed(old),
            payloads.as_typed(new),
            edit_ts=edit_ts,
        )
        await self.event(event)

    async def deletes(self, name: str, ts: str, old: str = "", *, deliver: bool = True) -> None:
        self.fake.member_deletes(payloads.CHANNEL, ts)
        if deliver:
            await self.event(
                payloads.message_deleted(self.user(name), ts, self.newest_post().ts, old)
            )

    async def clicks(self, name: str, message: Msg, label: str) -> Ack:
        button = next(b for b in message.buttons() if b["text"]["text"] == label)
        body = payloads.block_actions(
            self.user(name),
            name,
            button["action_id"],
            message.ts,
            response_url=self.fake.response_url(f"act{next(self._n)}"),
            trigger_id=self.fake.issue_trigger(),
            channel=message.channel or payloads.CHANNEL,  # a DM's buttons come from the DM
        )
        ack = await self.slack.interactive(body)
        await self.settle()
        return ack

    async def submits(self, name: str, view: dict[str, Any], values: dict[str, str]) -> Ack:
        ack = await self.slack.interactive(
            payloads.view_submission(self.user(name), name, view, values)
        )
        await self.settle()
        return ack

    async def settle(self) -> None:
        """Wait until the bot has finished with everything Slack sent it."""
        for _ in range(3):
            await asyncio.sleep(0)
        await asyncio.wait_for(self.service.inbound.quiet(), 5)

    # -- reading --------------------------------------------------------------------

    def posts(self) -> list[Msg]:
        """Top-level channel messages with buttons: the daily questions."""
        return [
            m for m in self.fake.messages if m.kind == "message" and not m.thread_ts and m.buttons()
        ]

    def newest_post(self) -> Msg:
        posts = self.posts()
        assert posts, "no question has been posted"
        return posts[-1]

    def in_thread(self, ts: str) -> list[Msg]:
        return [m for m in self.fake.messages if m.kind == "message" and m.thread_ts == ts]

    def private_to(self, name: str) -> list[Msg]:
        """Ephemeral messages and response_url replies (these go to whoever acted)."""
        uid = "U" + name.upper()
        return [
            m
            for m in self.fake.messages
            if (m.kind == "ephemeral" and m.user == uid) or m.kind == "response"
        ]

    def last_private(self) -> Msg:
        private = [m for m in self.fake.messages if m.kind in ("ephemeral", "response")]
        assert private, "nothing was sent privately"
        return private[-1]

    async def stored_answers(self, channel: ChannelRef | None = None) -> list[str]:
        store = self.service.runtime.store
        post = await store.last_post(channel or ChannelRef(TEAM, payloads.CHANNEL))
        assert post is not None
        return [a.text for a in await store.answers_for(post)]


async def start_world(
    fake: FakeSlack,
    mode: Mode,
    db_url: str,
    clock: FakeClock,
    session: aiohttp.ClientSession,
    *,
    admins: tuple[str, ...] = (),
) -> World:
    settings = Settings(
        STUDYBOT_DB_URL=db_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN if mode == "socket" else None,
        SLACK_SIGNING_SECRET=SECRET if mode == "http" else None,
    )
    options = SlackOptions(
        bot_token=BOT_TOKEN,
        app_token=APP_TOKEN if mode == "socket" else "",
        signing_secret=SECRET if mode == "http" else "",
        api_url=fake.api_url,
        admins=admins,
        http_port=0 if mode == "http" else None,
        http_host="127.0.0.1",
        pace_seconds=0.0,
    )
    connects = fake.socket_connects
    service = await SlackService.start(settings, options, clock=clock, schedule=False)
    slack: HttpSlack | SocketSlack
    if mode == "http":
        slack = HttpSlack(f"http://127.0.0.1:{service.port}{EVENTS_PATH}", session)
    else:
        await fake.wait_for(lambda: fake.socket_connects > connects)
        slack = SocketSlack(fake)
    if service.backfill_task is not None:  # start-up's read of the open threads
        await asyncio.wait_for(service.backfill_task, 10)
    return World(fake, service, slack, clock)
