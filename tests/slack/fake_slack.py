"""A loopback fake of Slack: the Web API methods the bot calls, response_urls, the OAuth
token exchange, and a Socket Mode websocket server. It records every call, and a test can
make a method answer 429, hold a method until released, or tell the socket client to
reconnect.

It is as strict as Slack where Slack is strict, each behaviour written from Slack's API
documentation and reachable as a named scenario:
- a trigger_id can open one view, within 3 s of the fake's own clock (`now`), else
  `expired_trigger_id` (`slow(method, seconds)` makes a call take that long);
- a bot posts only in channels it is a member of (`not_in_channel`), not in archived
  (`is_archived`) or unknown ones (`channel_not_found`); every method checks the token
  (`invalid_auth`, `token_revoked`) and its scope (`missing_scope`, naming the one needed);
- DMs fail for bots (`cannot_dm_bot`), deactivated users (`user_disabled`) and when the
  app's Messages tab is off (`messages_tab_disabled`);
- Slack has no idempotency key: `drop_after_accept(method)` stores the post and then cuts
  the connection before the response, as a network failure after the write does;
- message metadata is kept and conversations.history returns it (include_all_metadata);
- each workspace has its own token (oauth.v2.access issues one; `revoke` ends it).

Only what the bot uses is here; an unknown method answers `unknown_method` so a new call
shows up as a failing test rather than passing silently.

It holds each channel's messages as Slack does (`held`): the bot's posts, and what members
write, edit and delete (`member_writes`, `member_edits`, `member_deletes`), whether or not a
bot is connected to hear of it. conversations.replies reads a thread back as documented:
parent first, oldest first, paged by `cursor` / `response_metadata.next_cursor`, at most
`replies_page_cap` messages a page (15 for apps created after May 2025 outside the
Marketplace, whatever `limit` asks).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

TEAM = "T0STUDY"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
APP_ID = "A0STUDY"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "c1ient5ecret0f7he5tudyb07app000"
# What the app's manifest asks for; a workspace grants these at install.
SCOPES = frozenset(
    {
        "commands",
        "chat:write",
        "im:write",
        "files:write",
        "channels:history",
        "groups:history",
        "users:read",
    }
)
TRIGGER_LIFE = 3.0  # seconds a trigger_id can be exchanged for a view
# The scope each method needs (Slack's method reference); None: the token alone.
NEEDS: dict[str, str | None] = {
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.update": "chat:write",
    "views.open": None,
    "users.info": "users:read",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
}


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str
    status: int = 200


@dataclass
class Msg:
    """A message as Slack would hold it (only successful sends)."""

    kind: str  # "message" | "ephemeral" | "response"
    text: str
    channel: str = ""
    ts: str = ""
    thread_ts: str | None = None
    user: str | None = None  # ephemeral: who sees it; response: the response_url key
    blocks: list[dict[str, Any]] = field(default_factory=list)
    response_type: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    team: str = TEAM
    metadata: dict[str, Any] | None = None

    def block_texts(self) -> list[str]:
        return [b["text"]["text"] for b in self.blocks if b.get("type") == "section"]

    def buttons(self) -> list[dict[str, Any]]:
        return [e for b in self.blocks if b.get("type") == "actions" for e in b["elements"]]


@dataclass
class Channel:
    """A conversation in one workspace, as far as the bot is concerned."""

    bot_is_member: bool = True
    archived: bool = False
    deleted: bool = False


@dataclass
class Workspace:
    team: str
    name: str
    token: str
    scopes: set[str] = field(default_factory=lambda: set(SCOPES))
    bot_user: str = BOT_USER
    bot_id: str = BOT_ID


@dataclass
class SharedFile:
    """A file uploaded and shared (private when `channel` is a DM, "D" + the user id)."""

    file_id: str
    filename: str
    title: str
    data: bytes
    channel: str
    thread_ts: str | None
    comment: str


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: list[Msg] = []
        self.views: list[dict[str, Any]] = []
        # files_upload_v2: file id -> its name, announced length and (once uploaded) bytes
        self.uploads: dict[str, dict[str, Any]] = {}
        self.shared_files: list[SharedFile] = []
        self.users: dict[str, dict[str, Any]] = {}
        # The fake's clock (Slack's time), in seconds; only tests and `slow` move it.
        self.now = 1764500000.0
        self._triggers: dict[str, float] = {}  # trigger_id -> when Slack issued it
        self._exchanged: set[str] = set()
        self._slow: dict[str, float] = {}
        self._drops: dict[str, int] = {}
        self._cuts: dict[str, int] = {}
        self.workspaces: dict[str, Workspace] = {TEAM: Workspace(TEAM, "Study", BOT_TOKEN)}
        self.revoked: set[str] = set()
        self.channels: dict[tuple[str, str], Channel] = {}
        self.dms_closed: set[str] = set()  # users whose DMs with the app fail (Messages tab off)
        self._codes: dict[str, str] = {}  # OAuth code -> the team that approved
        # The app's Redirect URL (OAuth & Permissions), where the consent screen sends back.
        self.redirect_url = ""
        self.installing_team = TEAM  # whose member is at the consent screen
        # channel -> ts -> the message as conversations.replies returns it
        self.held: dict[str, dict[str, dict[str, Any]]] = {}
        self.replies_page_cap = 15
        # The workspace's message edit setting (seconds after posting, None: any time), and
        # when each message was posted by the fake's clock: chat.update honours both.
        self.edit_window: float | None = None
        self._posted_at: dict[tuple[str, str], float] = {}
        self._failures: dict[str, list[tuple[int, str]]] = {}
        self._holds: dict[str, asyncio.Event] = {}
        self._ts = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base = ""
        # Socket Mode
        self.sockets: list[web.WebSocketResponse] = []
        self.connections_opened = 0
        self.socket_connects = 0
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}

    # -- life -----------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # slack_sdk reads with GET (users.info)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_get("/oauth/v2/authorize", self._authorize)
        app.router.add_post("/upload/v1/{file_id}", self._upload)
        app.router.add_get("/link/", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, key: str) -> str:
        return f"{self.base}/respond/{key}"

    # -- set-up by tests ------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        admin: bool = False,
        owner: bool = False,
        team: str = TEAM,
    ) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": team,
            "name": name.lower(),
            "real_name": name,
            "is_admin": admin,
            "is_owner": owner,
            "is_bot": False,
            "profile": {"display_name": name, "real_name": name},
        }

    def channel(self, channel_id: str, team: str = TEAM) -> Channel:
        """A channel's state (a channel a test never named exists, with the bot in it)."""
        return self.channels.setdefault((team, channel_id), Channel())

    def issue_trigger(self) -> str:
        """A trigger_id for an interaction Slack sends now; views.open takes it for 3 s."""
        trigger = f"{int(self.now)}.{len(self._triggers) + 1}.{uuid.uuid4().hex[:16]}"
        self._triggers[trigger] = self.now
        return trigger

    def slow(self, method: str, seconds: float) -> None:
        """Each call of `method` takes `seconds` of the fake's clock (a slow or queued call)."""
        self._slow[method] = seconds

    def drop_after_accept(self, method: str, times: int = 1) -> None:
        """The next `times` calls of `method` are carried out, then the connection drops
        before the response: the client sees a network error for a write that happened."""
        self._drops[method] = times

    def drop_before_accept(self, method: str) -> None:
        """The next call of `method` is cut off before Slack carries it out."""
        self._cuts[method] = self._cuts.get(method, 0) + 1

    def add_workspace(self, team: str, name: str) -> Workspace:
        """A workspace that has not installed the app yet (see `approve`)."""
        ws = Workspace(team, name, token="", bot_user=f"UBOT{team}", bot_id=f"BBOT{team}")
        self.workspaces[team] = ws
        return ws

    def approve(self, team: str) -> str:
        """A member of `team` presses Allow on the OAuth screen: the code Slack redirects with."""
        code = f"{team}.{uuid.uuid4().hex[:12]}"
        self._codes[code] = team
        return code

    def revoke(self, team: str) -> None:
        """The app is uninstalled from `team`: its token stops working (token_revoked)."""
        self.revoked.add(self.workspaces[team].token)

    def fail_next(self, method: str, *, status: int = 429, retry_after: int = 0) -> None:
        """The next call of `method` answers `status` (a 429 with Retry-After)."""
        self._failures.setdefault(method, []).append((status, str(retry_after)))

    def hold(self, method: str) -> asyncio.Event:
        """Calls of `method` wait until the returned event is set."""
        gate = asyncio.Event()
        self._holds[method] = gate
        return gate

    def next_ts(self) -> str:
        return f"1764500000.{next(self._ts):06d}"

    # -- what members do --------------------------------------------------------------

    def member_writes(
        self, channel: str, user: str, text: str, *, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """A member's message, kept as Slack keeps it; `text` is wire text (as typed)."""
        ts = self.next_ts()
        msg: dict[str, Any] = {
            "type": "message",
            "user": user,
            "text": text,
            "ts": ts,
            "team": TEAM,
            "client_msg_id": str(uuid.uuid4()),
            "blocks": [],
        }
        if thread_ts:
            msg["thread_ts"] = thread_ts
            msg["parent_user_id"] = self.held.get(channel, {}).get(thread_ts, {}).get("user")
        self.held.setdefault(channel, {})[ts] = msg
        return msg

    def member_edits(self, channel: str, ts: str, text: str, *, edit_ts: str) -> None:
        msg = self.held.get(channel, {}).get(ts)
        if msg is not None:
            msg["text"] = text
            msg["edited"] = {"user": msg["user"], "ts": edit_ts}

    def member_deletes(self, channel: str, ts: str) -> None:
        self.held.get(channel, {}).pop(ts, None)

    # -- reading --------------------------------------------------------------------

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, predicate: Callable[[], bool], within: float = 5.0) -> None:
        async def until() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(until(), within)

    def posted(self, team: str = TEAM) -> list[Msg]:
        """Messages that exist in `team` (channel posts and DMs, not ephemeral ones)."""
        return [m for m in self.messages if m.kind == "message" and m.team == team]

    async def _record(self, call: Call, msg: Msg | None = None) -> None:
        async with self._changed:
            self.calls.append(call)
            if msg is not None:
                self.messages.append(msg)
            self._changed.notify_all()

    # -- the Web API ----------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _args(request)
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Basic "):  # oauth.v2.access: the client id and secret
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
            args.setdefault("client_id", client_id)
            args.setdefault("client_secret", client_secret)
            auth = ""
        token = auth.removeprefix("Bearer ") or str(args.get("token", ""))
        if method in self._holds:
            await self._holds[method].wait()
        self.now += self._slow.get(method, 0.0)
        if self._failures.get(method):
            status, retry_after = self._failures[method].pop(0)
            await self._record(Call(method, args, token, status))
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=status,
                headers={"Retry-After": retry_after},
            )
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            await self._record(Call(method, args, token))
            return web.json_response({"ok": False, "error": "unknown_method"})
        if self._cuts.get(method):
            self._cuts[method] -= 1
            await self._record(Call(method, args, token, status=0))
            assert request.transport is not None
            request.transport.close()
            return web.json_response({})
        refused = self._check_token(method, args, token)
        if refused is not None:
            await self._record(Call(method, args, token))
            return web.json_response(refused)
        ws = self._workspace_of(token)
        body, msg = handler(args, ws) if ws is not None else handler(args, token)
        await self._record(Call(method, args, token), msg)
        if self._drops.get(method) and body.get("ok"):
            self._drops[method] -= 1
            # The write happened; the response never arrives.
            assert request.transport is not None
            request.transport.close()
        return web.json_response(body)

    def _workspace_of(self, token: str) -> Workspace | None:
        return next((w for w in self.workspaces.values() if w.token and w.token == token), None)

    def _check_token(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any] | None:
        """Slack's answer when the token cannot call `method`, else None."""
        if method in ("oauth.v2.access", "apps.connections.open"):
            return None  # client credentials / the app-level token, checked by the method
        if token in self.revoked:
            return {"ok": False, "error": "token_revoked"}
        ws = self._workspace_of(token)
        if ws is None:
            return {"ok": False, "error": "invalid_auth"}
        needed = NEEDS.get(method)
        if method == "conversations.history":
            kind = str(args.get("channel", ""))[:1]
            needed = {"G": "groups:history", "D": "im:history"}.get(kind, "channels:history")
        if needed is not None and needed not in ws.scopes:
            return {
                "ok": False,
                "error": "missing_scope",
                "needed": needed,
                "provided": ",".join(sorted(ws.scopes)),
            }
        return None

    def _channel_refusal(self, ws: Workspace, channel: str) -> str | None:
        """Why the bot cannot post in `channel`, in Slack's words, or None."""
        state = self.channel(channel, ws.team)
        if state.deleted:
            return "channel_not_found"
        if state.archived:
            return "is_archived"
        if not state.bot_is_member:
            return "not_in_channel"
        return None

    def _dm_refusal(self, ws: Workspace, user_id: str) -> str | None:
        user = self.users.get(user_id)
        if user is None or user.get("team_id", TEAM) != ws.team:
            return "channel_not_found"
        if user.get("is_bot"):
            return "cannot_dm_bot"
        if user.get("deleted"):
            return "user_disabled"
        if user_id in self.dms_closed:
            return "messages_tab_disabled"
        return None

    def _auth_test(self, args: dict[str, Any], ws: Workspace) -> tuple[dict[str, Any], None]:
        return {
            "ok": True,
            "url": f"https://{ws.name.lower()}.slack.com/",
            "team": ws.name,
            "user": "studybot",
            "team_id": ws.team,
            "user_id": ws.bot_user,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }, None

    def _chat_postMessage(
        self, args: dict[str, Any], ws: Workspace
    ) -> tuple[dict[str, Any], Msg | None]:
        channel = str(args.get("channel", ""))
        if not channel or not (args.get("text") or args.get("blocks")):
            return {"ok": False, "error": "no_text" if channel else "channel_not_found"}, None
        if channel.startswith(("U", "W")):
            refusal = self._dm_refusal(ws, channel)
            channel = "D" + channel  # a user id opens the bot's DM with them
        else:
            refusal = self._channel_refusal(ws, channel)
        if refusal is not None:
            return {"ok": False, "error": refusal}, None
        metadata = args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        ts = self.next_ts()
        thread = args.get("thread_ts") or None
        msg = Msg(
            "message",
            str(args.get("text", "")),
            channel,
            ts,
            thread,
            None,
            args.get("blocks") or [],
            args=args,
            team=ws.team,
            metadata=metadata or None,
        )
        held: dict[str, Any] = {
            "type": "message",
            "user": ws.bot_user,
            "bot_id": ws.bot_id,
            "app_id": APP_ID,
            "text": msg.text,
            "ts": ts,
            "team": ws.team,
            "blocks": msg.blocks,
        }
        if thread:
            held["thread_ts"] = thread
            held["parent_user_id"] = self.held.get(channel, {}).get(thread, {}).get("user")
        self.held.setdefault(channel, {})[ts] = held
        self._posted_at[(channel, ts)] = self.now
        body = {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "message": {"text": msg.text, "ts": ts, "bot_id": ws.bot_id},
        }
        return body, msg

    def _chat_update(self, args: dict[str, Any], ws: Workspace) -> tuple[dict[str, Any], None]:
        """chat.update: the bot's own message only (cant_update_message otherwise), within the
        workspace's edit window (edit_window_closed); blocks not sent are kept."""
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            return {"ok": False, "error": "no_text"}, None
        refusal = self._channel_refusal(ws, channel)
        if refusal is not None:
            return {"ok": False, "error": refusal}, None
        held = self.held.get(channel, {}).get(ts)
        if held is None:
            return {"ok": False, "error": "message_not_found"}, None
        if held.get("bot_id") != ws.bot_id:
            return {"ok": False, "error": "cant_update_message"}, None
        posted_at = self._posted_at.get((channel, ts), self.now)
        if self.edit_window is not None and self.now - posted_at > self.edit_window:
            return {"ok": False, "error": "edit_window_closed"}, None
        text = str(args.get("text", ""))
        held["text"] = text
        held["edited"] = {"user": ws.bot_user, "ts": self.next_ts()}
        if "blocks" in args:
            held["blocks"] = args.get("blocks") or []
        for msg in self.messages:
            if msg.kind == "message" and msg.channel == channel and msg.ts == ts:
                msg.text = text
                msg.blocks = held["blocks"]
        body = {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": text,
            "message": {
                "type": "message",
                "user": ws.bot_user,
                "bot_id": ws.bot_id,
                "app_id": APP_ID,
                "text": text,
                "team": ws.team,
                "blocks": held["blocks"],
                "edited": held["edited"],
            },
        }
        return body, None

    def _conversations_history(
        self, args: dict[str, Any], ws: Workspace
    ) -> tuple[dict[str, Any], None]:
        """Newest first; `oldest`/`latest` bound the ts; metadata only with include_all_metadata."""
        channel = str(args.get("channel", ""))
        state = self.channel(channel, ws.team)
        if state.deleted:
            return {"ok": False, "error": "channel_not_found"}, None
        if not state.bot_is_member:
            return {"ok": False, "error": "not_in_channel"}, None
        oldest = float(args.get("oldest") or 0)
        latest = float(args.get("latest") or "inf")
        limit = int(args.get("limit") or 100)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [
            m
            for m in reversed(self.messages)
            if m.kind == "message"
            and m.team == ws.team
            and m.channel == channel
            and not m.thread_ts
            and oldest < float(m.ts) < latest
        ][:limit]
        out = []
        for m in found:
            item: dict[str, Any] = {
                "type": "message",
                "user": ws.bot_user,
                "bot_id": ws.bot_id,
                "text": m.text,
                "ts": m.ts,
            }
            if m.metadata and with_metadata:
                item["metadata"] = m.metadata
            out.append(item)
        return {"ok": True, "messages": out, "has_more": False, "pin_count": 0}, None

    def _oauth_v2_access(self, args: dict[str, Any], token: str) -> tuple[dict[str, Any], None]:
        """The token exchange: client credentials and a one-time code -> a bot token."""
        if args.get("client_id") != CLIENT_ID or args.get("client_secret") != CLIENT_SECRET:
            return {"ok": False, "error": "invalid_client_id"}, None
        team = self._codes.pop(str(args.get("code", "")), None)
        if team is None:
            return {"ok": False, "error": "invalid_code"}, None
        ws = self.workspaces[team]
        ws.token = f"xoxb-{team}-{uuid.uuid4().hex[:16]}"
        return {
            "ok": True,
            "access_token": ws.token,
            "token_type": "bot",
            "scope": ",".join(sorted(ws.scopes)),
            "bot_user_id": ws.bot_user,
            "app_id": APP_ID,
            "team": {"name": ws.name, "id": ws.team},
            "enterprise": None,
            "authed_user": {"id": f"U{team}ADMIN"},
            "is_enterprise_install": False,
        }, None

    def _chat_postEphemeral(
        self, args: dict[str, Any], ws: Workspace
    ) -> tuple[dict[str, Any], Msg | None]:
        refusal = self._channel_refusal(ws, str(args.get("channel", "")))
        if refusal is not None:
            return {"ok": False, "error": refusal}, None
        ts = self.next_ts()
        msg = Msg(
            "ephemeral",
            str(args.get("text", "")),
            str(args.get("channel", "")),
            ts,
            args.get("thread_ts") or None,
            str(args.get("user", "")),
            args.get("blocks") or [],
            args=args,
            team=ws.team,
        )
        return {"ok": True, "message_ts": ts}, msg

    def _conversations_replies(
        self, args: dict[str, Any], ws: Workspace
    ) -> tuple[dict[str, Any], None]:
        channel, parent = str(args.get("channel", "")), str(args.get("ts", ""))
        if not channel or not parent:
            return {"ok": False, "error": "invalid_arguments"}, None
        if channel not in self.held:
            return {"ok": False, "error": "channel_not_found"}, None
        held = self.held[channel]
        if parent not in held:
            return {"ok": False, "error": "thread_not_found"}, None
        limit = min(int(args.get("limit") or self.replies_page_cap), self.replies_page_cap)
        thread = sorted(
            (m for ts, m in held.items() if ts == parent or m.get("thread_ts") == parent),
            key=lambda m: float(m["ts"]),
        )
        parent_msg = {**held[parent]}
        replies = [m for m in thread if m["ts"] != parent]
        if replies:
            parent_msg.update(
                thread_ts=parent,
                reply_count=len(replies),
                reply_users=sorted({m["user"] for m in replies}),
                latest_reply=replies[-1]["ts"],
            )
        start = 0
        if args.get("cursor"):
            try:
                after = base64.b64decode(str(args["cursor"])).decode().removeprefix("next_ts:")
                start = next(i for i, m in enumerate(replies) if float(m["ts"]) >= float(after))
            except (ValueError, StopIteration):
                return {"ok": False, "error": "invalid_cursor"}, None
        # The parent leads the first page; later pages carry only replies.
        page = ([] if start else [parent_msg]) + replies[start:]
        page, rest = page[:limit], page[limit:]
        next_cursor = base64.b64encode(f"next_ts:{rest[0]['ts']}".encode()).decode() if rest else ""
        body = {
            "ok": True,
            "messages": [dict(m) for m in page],
            "has_more": bool(rest),
            "response_metadata": {"next_cursor": next_cursor},
        }
        return body, None

    def _views_open(self, args: dict[str, Any], ws: Workspace) -> tuple[dict[str, Any], None]:
        trigger = str(args.get("trigger_id", ""))
        issued = self._triggers.get(trigger)
        if trigger in self._exchanged:
            return {"ok": False, "error": "exchanged_trigger_id"}, None
        if issued is None:
            return {"ok": False, "error": "invalid_trigger_id"}, None
        if self.now - issued > TRIGGER_LIFE:
            return {"ok": False, "error": "expired_trigger_id"}, None
        self._exchanged.add(trigger)
        view = args["view"]
        self.views.append(view)
        return {"ok": True, "view": {**view, "id": f"V{len(self.views)}"}}, None

    def _users_info(self, args: dict[str, Any], ws: Workspace) -> tuple[dict[str, Any], None]:
        user = self.users.get(str(args.get("user", "")))
        if user is None or user.get("team_id", TEAM) != ws.team:
            return {"ok": False, "error": "user_not_found"}, None
        return {"ok": True, "user": user}, None

    def _apps_connections_open(
        self, args: dict[str, Any], token: str
    ) -> tuple[dict[str, Any], None]:
        if not token.startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}, None
        self.connections_opened += 1
        return {
            "ok": True,
            "url": f"ws://{self.base.removeprefix('http://')}/link/?ticket={uuid.uuid4()}",
        }, None

    @property
    def authorize_url(self) -> str:
        return f"{self.base}/oauth/v2/authorize"

    async def _authorize(self, request: web.Request) -> web.Response:
        """The consent screen: a member of `installing_team` presses Allow, and Slack sends
        the browser to the app's redirect URL with a one-time code and the state it got."""
        q = request.query
        await self._record(Call("oauth/v2/authorize", dict(q), ""))
        if q.get("client_id") != CLIENT_ID:
            return web.Response(status=400, text="invalid_client_id")
        asked = {s for s in q.get("scope", "").split(",") if s}
        if not asked <= SCOPES | {"connections:write"}:
            return web.Response(status=400, text="invalid_scope")
        redirect = q.get("redirect_uri") or self.redirect_url
        if not redirect or (self.redirect_url and not redirect.startswith(self.redirect_url)):
            return web.Response(status=400, text="bad_redirect_uri")
        team = q.get("team") or self.installing_team
        self.workspaces[team].scopes = set(asked)
        code = self.approve(team)
        sep = "&" if "?" in redirect else "?"
        raise web.HTTPFound(f"{redirect}{sep}code={code}&state={q.get('state', '')}")

    # -- files (files_upload_v2: getUploadURLExternal, the upload, completeUploadExternal)

    def _files_getUploadURLExternal(
        self, args: dict[str, Any], ws: Workspace
    ) -> tuple[dict[str, Any], None]:
        filename, length = str(args.get("filename", "")), str(args.get("length", ""))
        if not filename or not length.isdigit():
            return {"ok": False, "error": "invalid_arguments"}, None
        file_id = f"F{len(self.uploads) + 1:08d}"
        self.uploads[file_id] = {"filename": filename, "length": int(length), "data": None}
        return {
            "ok": True,
            "upload_url": f"{self.base}/upload/v1/{file_id}",
            "file_id": file_id,
        }, None

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        data = await request.read()
        pending = self.uploads.get(file_id)
        if pending is None:
            return web.Response(status=404, text="Not Found")
        if len(data) != pending["length"]:
            return web.Response(status=400, text="Bad Request: length mismatch")
        pending["data"] = data
        return web.Response(text=f"OK - {len(data)}")

    def _files_completeUploadExternal(
        self, args: dict[str, Any], ws: Workspace
    ) -> tuple[dict[str, Any], None]:
        files = args.get("files")
        listed = json.loads(files) if isinstance(files, str) else files
        if not listed:
            return {"ok": False, "error": "invalid_arguments"}, None
        done = []
        for f in listed:
            pending = self.uploads.get(str(f.get("id", "")))
            if pending is None or pending["data"] is None:
                return {"ok": False, "error": "file_not_found"}, None
            done.append((str(f["id"]), str(f.get("title") or pending["filename"]), pending))
        channels = [c for c in str(args.get("channels") or "").split(",") if c]
        channel = str(args.get("channel_id") or "")
        where = (
            [channel] if channel else ["D" + c if c.startswith(("U", "W")) else c for c in channels]
        )
        for file_id, title, pending in done:
            for c in where:
                self.shared_files.append(
                    SharedFile(
                        file_id, pending["filename"], title, pending["data"], c,
                        args.get("thread_ts") or None, str(args.get("initial_comment") or ""),
                    )
                )  # fmt: skip
        return {"ok": True, "files": [{"id": i, "title": t} for i, t, _ in done]}, None

    async def _respond(self, request: web.Request) -> web.Response:
        payload = await request.json()
        key = request.match_info["key"]
        msg = Msg(
            "response",
            str(payload.get("text", "")),
            user=key,
            blocks=payload.get("blocks") or [],
            response_type=str(payload.get("response_type") or "ephemeral"),
            args=payload,
        )
        await self._record(Call("response_url", payload, key), msg)
        return web.Response(text="ok")

    # -- Socket Mode ----------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async with self._changed:
            self.sockets.append(ws)
            self.socket_connects += 1
            self._changed.notify_all()
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
                "connection_info": {"app_id": APP_ID},
            }
        )
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                continue
            data = json.loads(frame.data)
            future = self._acks.get(str(data.get("envelope_id", "")))
            if future is not None and not future.done():
                future.set_result(data)
        async with self._changed:
            self.sockets.remove(ws)
            self._changed.notify_all()
        return ws

    def _live(self) -> web.WebSocketResponse:
        live = [ws for ws in self.sockets if not ws.closed]
        if not live:
            raise AssertionError("no Socket Mode client is connected")
        return live[-1]

    async def envelope(
        self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0
    ) -> dict[str, Any]:
        """Send one Socket Mode envelope; returns the client's ack (it must name the envelope)."""
        envelope_id = str(uuid.uuid4())
        ack: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = ack
        message: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            message["retry_attempt"] = retry_attempt
            message["retry_reason"] = "timeout" if retry_attempt else ""
        await self._live().send_json(message)
        return await asyncio.wait_for(ack, 5)

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Slack's 'please reconnect' message; the client should open a new connection."""
        await self._live().send_json(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}}
        )


async def _args(request: web.Request) -> dict[str, Any]:
    if request.method == "GET":
        return dict(request.query)
    if request.content_type == "application/json":
        data = await request.json()
        return dict(data)
    form = await request.post()
    # Slack reads arguments from the query string as well as the body (slack_sdk sends some
    # methods' `params` that way, e.g. files.getUploadURLExternal).
    args: dict[str, Any] = dict(request.query)
    args.update({k: v for k, v in form.items() if isinstance(v, str)})
    for key in ("blocks", "view"):
        if isinstance(args.get(key), str):
            args[key] = json.loads(args[key])
    return args
