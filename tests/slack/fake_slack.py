"""A loopback fake of Slack: the Web API methods the bot calls, response_urls, and a Socket
Mode websocket server. It records every call, and a test can make a method answer 429,
hold a method until released, or tell the socket client to reconnect.

Only what the bot uses is here; an unknown method answers `unknown_method` so a new call
shows up as a failing test rather than passing silently.
"""

from __future__ import annotations

import asyncio
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

    def block_texts(self) -> list[str]:
        return [b["text"]["text"] for b in self.blocks if b.get("type") == "section"]

    def buttons(self) -> list[dict[str, Any]]:
        return [e for b in self.blocks if b.get("type") == "actions" for e in b["elements"]]


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
        self.expired_triggers: set[str] = set()
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
        self, user_id: str, name: str, *, admin: bool = False, owner: bool = False
    ) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM,
            "name": name.lower(),
            "real_name": name,
            "is_admin": admin,
            "is_owner": owner,
            "is_bot": False,
            "profile": {"display_name": name, "real_name": name},
        }

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

    # -- reading --------------------------------------------------------------------

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, predicate: Callable[[], bool], within: float = 5.0) -> None:
        async def until() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(until(), within)

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
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or str(
            args.get("token", "")
        )
        if method in self._holds:
            await self._holds[method].wait()
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
        body, msg = handler(args, token)
        await self._record(Call(method, args, token), msg)
        return web.json_response(body)

    def _auth_test(self, args: dict[str, Any], token: str) -> tuple[dict[str, Any], None]:
        if token != BOT_TOKEN:
            return {"ok": False, "error": "invalid_auth"}, None
        return {
            "ok": True,
            "url": "https://study.slack.com/",
            "team": "Study",
            "user": "studybot",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }, None

    def _chat_postMessage(
        self, args: dict[str, Any], token: str
    ) -> tuple[dict[str, Any], Msg | None]:
        channel = str(args.get("channel", ""))
        if not channel or not (args.get("text") or args.get("blocks")):
            return {"ok": False, "error": "no_text" if channel else "channel_not_found"}, None
        if channel.startswith(("U", "W")):
            channel = "D" + channel  # a user id opens the bot's DM with them
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
        )
        body = {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "message": {"text": msg.text, "ts": ts, "bot_id": BOT_ID},
        }
        return body, msg

    def _chat_postEphemeral(
        self, args: dict[str, Any], token: str
    ) -> tuple[dict[str, Any], Msg | None]:
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
        )
        return {"ok": True, "message_ts": ts}, msg

    def _views_open(self, args: dict[str, Any], token: str) -> tuple[dict[str, Any], None]:
        trigger = str(args.get("trigger_id", ""))
        if not trigger or trigger in self.expired_triggers:
            return {"ok": False, "error": "expired_trigger_id"}, None
        view = args["view"]
        self.views.append(view)
        return {"ok": True, "view": {**view, "id": f"V{len(self.views)}"}}, None

    def _users_info(self, args: dict[str, Any], token: str) -> tuple[dict[str, Any], None]:
        user = self.users.get(str(args.get("user", "")))
        if user is None:
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

    # -- files (files_upload_v2: getUploadURLExternal, the upload, completeUploadExternal)

    def _files_getUploadURLExternal(
        self, args: dict[str, Any], token: str
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
        self, args: dict[str, Any], token: str
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
