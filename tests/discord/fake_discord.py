"""A loopback fake of Discord's REST API (aiohttp on 127.0.0.1).

It records every request, answers with the bodies and rate-limit headers Discord sends,
keeps what a member would see (`shown`), honours `enforce_nonce` like Discord (a repeated
nonce from the same author returns the first message), and can be told to fail: a 429 with
retry_after, or a 500 that happens after the write went through (a lost response).
It also queues the gateway events Discord would send back (THREAD_CREATE, the bot's own
MESSAGE_CREATE), for the test to feed to the client.

It keeps every message of every channel, members' too (`member_writes`, `member_edits`,
`member_deletes`: what members do, whether or not a bot is connected to hear of it), and
lists them as GET /channels/{id}/messages does: newest first, `limit` 1 to 100 (50 by
default), paged with `before`, `after` or `around`; in a channel listed in `no_history`
(the bot lacks Read Message History there) Discord returns no messages, not an error.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from tests.discord import payloads as p

BOT_NAME = "studybot"
ZWSP = "\u200b"
MAX_CONTENT = 2000  # Discord refuses longer content with 400 50035 Invalid Form Body

# Permission bits (Discord "Permissions" topic) a channel overwrite can deny the bot.
PERMISSION_BITS = {
    "VIEW_CHANNEL": 1 << 10,
    "SEND_MESSAGES": 1 << 11,
    "EMBED_LINKS": 1 << 14,
    "READ_MESSAGE_HISTORY": 1 << 16,
    "CREATE_PUBLIC_THREADS": 1 << 35,
    "SEND_MESSAGES_IN_THREADS": 1 << 38,
}
ALL_PERMISSIONS = (1 << 49) - 1
# Discord's error bodies, as its JSON error codes table words them.
MISSING_ACCESS = {"message": "Missing Access", "code": 50001}
MISSING_PERMISSIONS = {"message": "Missing Permissions", "code": 50013}
CANNOT_DM = {"message": "Cannot send messages to this user", "code": 50007}
UNKNOWN_INTERACTION = {"message": "Unknown interaction", "code": 10062}
UNKNOWN_MESSAGE = {"message": "Unknown Message", "code": 10008}
NOT_THE_AUTHOR = {"message": "Cannot edit a message authored by another user", "code": 50005}
ARCHIVED_THREAD = {"message": "Operation was attempted on an archived thread", "code": 50083}


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int = 0
    # Attachments of a multipart request: (form field name, file name, bytes).
    files: list[tuple[str, str, bytes]] = field(default_factory=list)


@dataclass
class Fault:
    status: int
    # For a 5xx: True when the write happened before the failure (the response was lost).
    committed: bool = False
    retry_after: float = 0.05
    # The error body Discord sends with it (a 404 of an expired interaction, ...).
    body: dict[str, Any] | None = None


@dataclass
class Shown:
    """A message as a member sees it."""

    text: str
    where: str  # channel | thread | private
    channel_id: int
    message_id: int
    to_user: str | None = None
    pings: bool = False
    components: list[Any] = field(default_factory=list)
    edit: bool = False  # an edit of the message `message_id` already shown, not a new one
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, bytes)


@dataclass
class Interaction:
    id: int
    token: str
    user_id: int
    user_name: str
    channel_id: int
    responded: int | None = None  # callback type
    original: dict[str, Any] | None = None
    ephemeral: bool = False


def would_ping(content: str, allowed: dict[str, Any] | None) -> bool:
    """Whether Discord would notify anyone for this content under these allowed mentions."""
    parse = set(allowed.get("parse", [])) if allowed is not None else {"everyone", "users", "roles"}
    users = {str(u) for u in (allowed or {}).get("users", [])}
    roles = {str(r) for r in (allowed or {}).get("roles", [])}
    if re.search(r"@(everyone|here)", content) and "everyone" in parse:
        return True
    if any("users" in parse or uid in users for uid in re.findall(r"<@!?(\d+)>", content)):
        return True
    return any("roles" in parse or rid in roles for rid in re.findall(r"<@&(\d+)>", content))


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json", as Discord sends it (discord.py compares the header verbatim).
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def _too_long() -> web.Response:
    errors = {
        "content": {
            "_errors": [
                {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}
            ]
        }
    }
    return _json({"message": "Invalid Form Body", "code": 50035, "errors": errors}, status=400)


Handler = Callable[[web.Request, re.Match[str], Any], Awaitable[web.Response]]


class FakeDiscord:
    def __init__(self) -> None:
        self.app_id = p.snowflake()
        self.bot_id = self.app_id
        self.bot_user = p.user(self.bot_id, BOT_NAME, bot=True)
        self.channels: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.requests: list[Recorded] = []
        self.shown: list[Shown] = []
        self.commands: list[dict[str, Any]] = []
        self.modals: list[dict[str, Any]] = []
        self.autocompletes: list[list[dict[str, Any]]] = []
        self.interactions: dict[str, Interaction] = {}
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.faults: list[tuple[str, re.Pattern[str], Fault]] = []
        self.no_history: set[int] = set()
        self._nonces: dict[tuple[int, str], dict[str, Any]] = {}
        self._dms: dict[int, int] = {}
        self.names: dict[int, str] = {}
        # Named scenarios: a channel overwrite denying the bot permissions; members whose
        # privacy settings refuse DMs from server members.
        self.denied: dict[int, set[str]] = {}
        self.closed_dms: set[int] = set()
        self.url = ""
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = [
            ("GET", re.compile(r"/users/@me"), self._me),
            ("GET", re.compile(r"/oauth2/applications/@me"), self._application),
            ("GET", re.compile(r"/gateway/bot"), self._gateway),
            ("PUT", re.compile(r"/applications/(\d+)/commands"), self._put_commands),
            ("GET", re.compile(r"/channels/(\d+)"), self._get_channel),
            ("GET", re.compile(r"/channels/(\d+)/messages/(\d+)"), self._get_message),
            ("GET", re.compile(r"/guilds/(\d+)/threads/active"), self._active_threads),
            ("GET", re.compile(r"/channels/(\d+)/messages"), self._list_messages),
            ("POST", re.compile(r"/channels/(\d+)/messages"), self._create_message),
            ("PATCH", re.compile(r"/channels/(\d+)/messages/(\d+)"), self._edit_message),
            (
                "POST",
                re.compile(r"/channels/(\d+)/messages/(\d+)/threads"),
                self._thread_from_message,
            ),
            ("POST", re.compile(r"/channels/(\d+)/threads"), self._forum_post),
            ("POST", re.compile(r"/users/@me/channels"), self._dm),
            ("POST", re.compile(r"/interactions/(\d+)/([^/]+)/callback"), self._callback),
            (
                "PATCH",
                re.compile(r"/webhooks/(\d+)/([^/]+)/messages/@original"),
                self._edit_original,
            ),
            (
                "DELETE",
                re.compile(r"/webhooks/(\d+)/([^/]+)/messages/@original"),
                self._delete_original,
            ),
            ("POST", re.compile(r"/webhooks/(\d+)/([^/]+)"), self._followup),
        ]

    # -- server -------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/v10/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/api/v10"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail(self, method: str, path: str, *faults: Fault) -> None:
        """The next requests matching `method path` (a regex) fail like this, in order."""
        for f in faults:
            self.faults.append((method, re.compile(path), f))

    def deny(self, channel_id: int, *permissions: str) -> None:
        """A channel overwrite that denies the bot these permissions (it applies to threads
        in the channel too)."""
        unknown = set(permissions) - set(PERMISSION_BITS)
        if unknown:
            raise ValueError(f"unknown permissions {unknown}")
        self.denied.setdefault(channel_id, set()).update(permissions)

    def close_dms(self, user_id: int) -> None:
        """The member turned off "Allow direct messages from server members"."""
        self.closed_dms.add(user_id)

    def app_permissions(self, channel_id: int) -> str:
        """What Discord puts in an interaction's app_permissions for this channel."""
        channel = self.channels.get(channel_id, {})
        parent = int(channel.get("parent_id") or 0) if channel.get("type") == 11 else 0
        bits = ALL_PERMISSIONS
        for name in self.denied.get(parent or channel_id, set()):
            bits &= ~PERMISSION_BITS[name]
        return str(bits)

    def _refused(self, channel_id: int, needed: str) -> web.Response | None:
        """Discord's 403 when the bot may not do `needed` in this channel (or its thread's
        parent): Missing Access when it cannot even see it."""
        channel = self.channels.get(channel_id, {})
        owner = int(channel.get("parent_id") or 0) if channel.get("type") == 11 else channel_id
        denied = self.denied.get(owner, set())
        if "VIEW_CHANNEL" in denied:
            return _json(MISSING_ACCESS, status=403)
        if needed in denied:
            return _json(MISSING_PERMISSIONS, status=403)
        return None

    def _headers(self, path: str, remaining: int = 49) -> dict[str, str]:
        route = re.sub(r"/\d+", "/id", path)
        return {
            "X-RateLimit-Limit": "50",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": "1796000001.000",
            "X-RateLimit-Reset-After": "1.000",
            "X-RateLimit-Bucket": f"bucket-{abs(hash(route)) % 10**8}",
            "Via": "1.1 google",
        }

    async def _dispatch(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        uploads: list[tuple[str, str, bytes]] = []
        if request.content_type == "multipart/form-data":
            body, uploads = await _multipart(request)
        else:
            body = await request.json() if request.can_read_body else None
        rec = Recorded(request.method, path, dict(request.query), body, files=uploads)
        self.requests.append(rec)
        if uploads:
            problem = _check_attachments(body, uploads)
            if problem is not None:
                rec.status = 400
                return _json(problem, status=400)
            message = body.get("data", body) if isinstance(body, dict) else {}
            message[UPLOADS] = uploads
        async with self._arrived:
            self._arrived.notify_all()
        fault = self._take_fault(request.method, path)
        if fault is not None and fault.status == 429:
            rec.status = 429
            headers = {**self._headers(path, 0), "Retry-After": "1", "X-RateLimit-Scope": "user"}
            payload = {
                "message": "You are being rate limited.",
                "retry_after": fault.retry_after,
                "global": False,
            }
            return _json(payload, status=429, headers=headers)
        if fault is not None and not fault.committed:
            rec.status = fault.status
            body = fault.body or {"message": "500: Internal Server Error", "code": 0}
            return _json(body, status=fault.status)
        for method, pattern, handler in self._routes:
            m = pattern.fullmatch(path)
            if m and method == request.method:
                response = await handler(request, m, body)
                break
        else:
            response = _json({"message": "404: Not Found", "code": 0}, status=404)
        if fault is not None:  # the write happened; the answer is lost
            response = _json(
                {"message": "500: Internal Server Error", "code": 0}, status=fault.status
            )
        rec.status = response.status
        for k, v in self._headers(path).items():
            response.headers.setdefault(k, v)
        return response

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for i, (m, pattern, fault) in enumerate(self.faults):
            if m == method and pattern.fullmatch(path):
                del self.faults[i]
                return fault
        return None

    # -- the world ----------------------------------------------------------------

    def add_channel(self, data: dict[str, Any]) -> dict[str, Any]:
        self.channels[int(data["id"])] = data
        return data

    async def wait_until(self, seen: Callable[[], bool]) -> None:
        """Until a request has arrived that makes `seen()` true."""
        async with self._arrived:
            await self._arrived.wait_for(seen)

    def requests_to(self, method: str, path_regex: str) -> list[Recorded]:
        pattern = re.compile(path_regex)
        return [r for r in self.requests if r.method == method and pattern.fullmatch(r.path)]

    # -- what members do ------------------------------------------------------------

    def member_writes(
        self, channel_id: int, uid: int, name: str, content: str, *, mid: int | None = None
    ) -> dict[str, Any]:
        """A member's message as Discord stores it (and would send it in MESSAGE_CREATE)."""
        guild = int(self.channels[channel_id]["guild_id"])
        msg = p.message_create(mid or p.snowflake(), channel_id, guild, uid, name, content)
        self.messages[int(msg["id"])] = msg
        return msg

    def member_edits(self, mid: int, content: str) -> dict[str, Any]:
        msg = self.messages[mid]
        msg.update(content=content, edited_timestamp="2026-11-30T09:05:00.000000+00:00")
        return msg

    def member_deletes(self, mid: int) -> None:
        self.messages.pop(mid, None)

    def threads(self) -> list[dict[str, Any]]:
        return [c for c in self.channels.values() if c["type"] == 11]

    def _where(self, channel_id: int) -> str:
        kind = self.channels.get(channel_id, {}).get("type", 0)
        return {11: "thread", 1: "private"}.get(kind, "channel")

    def _new_message(
        self,
        channel_id: int,
        body: dict[str, Any],
        *,
        to_user: str | None = None,
        where: str | None = None,
        mid: int | None = None,
    ) -> dict[str, Any]:
        channel = self.channels.get(channel_id, {})
        guild = channel.get("guild_id")
        msg = p.message(
            mid or p.snowflake(),
            channel_id,
            int(guild) if guild else None,
            self.bot_user,
            body.get("content") or "",
            components=body.get("components"),
            flags=int(body.get("flags", 0)),
            nonce=body.get("nonce"),
        )
        uploads = body.pop(UPLOADS, [])
        msg["attachments"] = [_attachment(channel_id, name, data) for _f, name, data in uploads]
        self.messages[int(msg["id"])] = msg
        place = where or self._where(channel_id)
        self.shown.append(
            Shown(
                msg["content"],
                place,
                channel_id,
                int(msg["id"]),
                to_user=to_user,
                pings=would_ping(msg["content"], body.get("allowed_mentions")),
                components=msg["components"],
                files=[(name, data) for _f, name, data in uploads],
            )
        )
        if place != "private" and guild:
            self.events.append(("MESSAGE_CREATE", msg))
        return msg

    # -- routes -------------------------------------------------------------------

    async def _me(self, request: web.Request, m: re.Match[str], body: Any) -> web.Response:
        return _json({**self.bot_user, "verified": True, "mfa_enabled": False, "flags": 0})

    async def _application(self, request: web.Request, m: re.Match[str], body: Any) -> web.Response:
        return _json(
            {
                "id": str(self.app_id),
                "name": BOT_NAME,
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": p.user(1, "organizer"),
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
                "summary": "",
                "interactions_endpoint_url": None,
            }
        )

    async def _gateway(self, request: web.Request, m: re.Match[str], body: Any) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": "wss://gateway.fake", "shards": 2, "session_start_limit": limit})

    async def _put_commands(
        self, request: web.Request, m: re.Match[str], body: Any
    ) -> web.Response:
        def stored(c: dict[str, Any]) -> dict[str, Any]:
            perms = c.get("default_member_permissions")  # Discord answers with a string
            return {
                **c,
                "id": str(p.snowflake()),
                "application_id": str(self.app_id),
                "version": "1",
                "default_member_permissions": None if perms is None else str(perms),
            }

        self.commands = [stored(c) for c in body]
        return _json(self.commands)

    async def _get_channel(self, request: web.Request, m: re.Match[str], body: Any) -> web.Response:
        channel = self.channels.get(int(m.group(1)))
        if channel is None:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        return _json(channel)

    async def _list_messages(
        self, request: web.Request, m: re.Match[str], body: Any
    ) -> web.Response:
        cid = int(m.group(1))
        if cid not in self.channels:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        query = request.query
        raw_limit = query.get("limit", "50")
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
            return _json(
                {
                    "message": "Invalid Form Body",
                    "code": 50035,
                    "errors": {
                        "limit": {
                            "_errors": [
                                {
                                    "code": "NUMBER_TYPE_MAX",
                                    "message": "int value should be less than or equal to 100.",
                                }
                            ]
                        }
                    },
                },
                status=400,
            )
        limit = int(raw_limit)
        if cid in self.no_history:
            return _json([])
        ids = sorted(i for i, msg in self.messages.items() if int(msg["channel_id"]) == cid)
        if "after" in query:  # the `limit` messages right after it
            picked = [i for i in ids if i > int(query["after"])][:limit]
        elif "around" in query:
            at = int(query["around"])
            older = [i for i in ids if i < at][-(limit // 2) :] if limit > 1 else []
            picked = older + [i for i in ids if i >= at][: limit - len(older)]
        else:  # the `limit` messages right before it (or the newest)
            before = int(query.get("before", str(1 << 63)))
            picked = [i for i in ids if i < before][-limit:]
        # Newest first. `guild_id` and `member` are extra fields of the gateway's MESSAGE_CREATE,
        # not part of the message object REST returns.
        gateway_only = ("guild_id", "member")
        return _json(
            [
                {k: v for k, v in self.messages[i].items() if k not in gateway_only}
                for i in reversed(picked)
            ]
        )

    async def _get_message(self, request: web.Request, m: re.Match[str], body: Any) -> web.Response:
        msg = self.messages.get(int(m.group(2)))
        if msg is None or int(msg["channel_id"]) != int(m.group(1)):
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        return _json(msg)

    async def _active_threads(
        self, request: web.Request, m: re.Match[str], body: Any
    ) -> web.Response:
        guild = m.group(1)
        live = [
            t
            for t in self.threads()
            if t["guild_id"] == guild and not t["thread_metadata"]["archived"]
        ]
        return _json({"threads": live, "members": []})

    async def _create_message(
        self, request: web.Request, m: re.Match[str], body: Any
    ) -> web.Response:
        cid = int(m.group(1))
        if cid not in self.channels:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        if len(body.get("content") or "") > MAX_CONTENT:
            return _too_long()
        if self.channels[cid]["type"] == 1:
            recipient = int(self.channels[cid]["recipients"][0]["id"])
            if recipient in self.closed_dms:
                return _json(CANNOT_DM, status=403)
        else:
            thread = self.channels[cid]["type"] == 11
            refused = self._refused(cid, "SEND_MESSAGES_IN_THREADS" if thread else "SEND_MESSAGES")
            if refused is not None:
                return refused
        nonce = body.get("nonce")
        if nonce and body.get("enforce_nonce") and (cid, nonce) in self._nonces:
            return _json(self._nonces[(cid, nonce)])
        dm_user = next((self.names.get(u) for u, c in self._dms.items() if c == cid), None)
        msg = self._new_message(cid, body, to_user=dm_user)
        if nonce:
            self._nonces[(cid, nonce)] = msg
        return _json(msg)

    async def _edit_message(
        self, request: web.Request, m: re.Match[str], body: Any
    ) -> web.Response:
        """PATCH /channels/{c}/messages/{m}: only the author edits content; the message object
        comes back with `edited_timestamp` set, and MESSAGE_UPDATE follows. Without
        allowed_mentions in the body Discord parses every mention in the new content."""
        cid, mid = int(m.group(1)), int(m.group(2))
        channel = self.channels.get(cid)
        if channel is None:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        refused = self._refused(cid, "VIEW_CHANNEL")
        if refused is not None:
            return refused
        msg = self.messages.get(mid)
        if msg is None or int(msg["channel_id"]) != cid:
            return _json(UNKNOWN_MESSAGE, status=404)
        if msg["author"]["id"] != self.bot_user["id"]:
            return _json(NOT_THE_AUTHOR, status=403)
        if channel.get("type") == 11 and channel["thread_metadata"].get("archived"):
            return _json(ARCHIVED_THREAD, status=400)
        if len(body.get("content") or "") > MAX_CONTENT:
            return _too_long()
        if "content" in body:
            msg["content"] = body["content"] or ""
        if "components" in body:
            msg["components"] = body["components"] or []
        msg["edited_timestamp"] = "2026-11-30T09:10:00.000000+00:00"
        self.shown.append(
            Shown(
                msg["content"],
                self._where(cid),
                cid,
                mid,
                pings=would_ping(msg["content"], body.get("allowed_mentions")),
                components=msg["components"],
                edit=True,
            )
        )
        if channel.get("guild_id"):
            self.events.append(("MESSAGE_UPDATE", msg))
        return _json(msg)

    def current(self, mid: int) -> str:
        """A message's text as members read it now (edits applied)."""
        return str(self.messages[mid]["content"])

    async def _thread_from_message(
        self, request: web.Request, m: re.Match[str], body: Any
    ) -> web.Response:
        cid, mid = int(m.group(1)), int(m.group(2))
        refused = self._refused(cid, "CREATE_PUBLIC_THREADS")
        if refused is not None:
            return refused
        if mid in self.channels:
            return _json(
                {"message": "A thread has already been created for this message", "code": 160004},
                status=400,
            )
        guild = int(self.channels[cid]["guild_id"])
        t = p.thread(mid, guild, cid, body["name"], self.bot_id)
        self.add_channel(t)
        # A thread started from a message opens with a system message pointing at it.
        starter = p.message(p.snowflake(), mid, guild, self.bot_user, "", kind=21)
        starter["message_reference"] = {
            "type": 0,
            "channel_id": str(cid),
            "guild_id": str(guild),
            "message_id": str(mid),
        }
        self.messages[int(starter["id"])] = starter
        self.events.append(("THREAD_CREATE", {**t, "newly_created": True}))
        return _json(t, status=201)

    async def _forum_post(self, request: web.Request, m: re.Match[str], body: Any) -> web.Response:
        fid = int(m.group(1))
        refused = self._refused(fid, "SEND_MESSAGES")  # a forum post needs Send Messages
        if refused is not None:
            return refused
        tid = p.snowflake()
        t = p.thread(tid, int(self.channels[fid]["guild_id"]), fid, body["name"], self.bot_id)
        self.add_channel(t)
        self.events.append(("THREAD_CREATE", {**t, "newly_created": True}))
        # A new post, in the forum's list; its starter message has the thread's id.
        msg = self._new_message(tid, body["message"], where="channel", mid=tid)
        return _json({**t, "message": msg}, status=201)

    async def _dm(self, request: web.Request, m: re.Match[str], body: Any) -> web.Response:
        uid = int(body["recipient_id"])
        cid = self._dms.setdefault(uid, p.snowflake())
        channel = p.dm_channel(cid, p.user(uid, self.names.get(uid, "someone")))
        self.channels[cid] = channel
        return _json(channel)

    def interaction_for(self, token: str) -> Interaction:
        return self.interactions[token]

    def register_interaction(self, data: dict[str, Any]) -> None:
        # In a server the invoking user is under member.user; in a DM, under user.
        who = data["member"]["user"] if "member" in data else data["user"]
        self.interactions[data["token"]] = Interaction(
            int(data["id"]), data["token"], int(who["id"]), who["username"], int(data["channel_id"])
        )

    async def _callback(self, request: web.Request, m: re.Match[str], body: Any) -> web.Response:
        it = self.interactions.get(m.group(2))
        if it is None or str(it.id) != m.group(1):
            return _json({"message": "Unknown interaction", "code": 10062}, status=404)
        if it.responded is not None:
            return _json(
                {"message": "Interaction has already been acknowledged.", "code": 40060}, status=400
            )
        kind = int(body["type"])
        data = body.get("data") or {}
        if len(data.get("content") or "") > MAX_CONTENT:
            return _too_long()
        it.responded = kind
        resource: dict[str, Any] = {"type": kind}
        if kind == 9:
            self.modals.append(data)
        elif kind == 8:
            self.autocompletes.append(data.get("choices", []))
        elif kind in (4, 5):
            it.ephemeral = bool(int(data.get("flags", 0)) & 64)
            where = "private" if it.ephemeral else self._where(it.channel_id)
            if kind == 4:
                private = it.ephemeral or where == "private"
                msg = self._new_message(
                    it.channel_id, data, to_user=it.user_name if private else None, where=where
                )
            else:  # the "thinking…" placeholder: nothing a member reads yet
                msg = p.message(
                    p.snowflake(),
                    it.channel_id,
                    None,
                    self.bot_user,
                    "",
                    flags=int(data.get("flags", 0)) | 128,
                )
            it.original = msg
            resource["message"] = msg
        interaction = {
            "id": str(it.id),
            "type": 2,
            "response_message_id": it.original["id"] if it.original else None,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": it.ephemeral,
        }
        return _json({"interaction": interaction, "resource": resource})

    async def _edit_original(
        self, request: web.Request, m: re.Match[str], body: Any
    ) -> web.Response:
        it = self.interactions[m.group(2)]
        if len(body.get("content") or "") > MAX_CONTENT:
            return _too_long()
        if it.original is None:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        where = "private" if it.ephemeral else self._where(it.channel_id)
        msg = {
            **it.original,
            "content": body.get("content") or "",
            "components": body.get("components") or [],
        }
        it.original = msg
        self.shown.append(
            Shown(
                msg["content"],
                where,
                it.channel_id,
                int(msg["id"]),
                to_user=it.user_name if it.ephemeral else None,
                pings=would_ping(msg["content"], body.get("allowed_mentions")),
                components=msg["components"],
            )
        )
        return _json(msg)

    async def _delete_original(
        self, request: web.Request, m: re.Match[str], body: Any
    ) -> web.Response:
        return web.Response(status=204)

    async def _followup(self, request: web.Request, m: re.Match[str], body: Any) -> web.Response:
        it = self.interactions[m.group(2)]
        if len(body.get("content") or "") > MAX_CONTENT:
            return _too_long()
        private = bool(int(body.get("flags", 0)) & 64)
        where = "private" if private else self._where(it.channel_id)
        msg = self._new_message(
            it.channel_id, body, to_user=it.user_name if private else None, where=where
        )
        return _json(msg)


# -- attachments (https://discord.com/developers/docs/reference#uploading-files) ---------

UPLOADS = "__uploads__"  # where the fake keeps a request's files next to its JSON body


async def _multipart(request: web.Request) -> tuple[Any, list[tuple[str, str, bytes]]]:
    """A multipart request as Discord reads it: the JSON in `payload_json`, each file in a
    `files[n]` part with its file name."""
    body: Any = {}
    uploads: list[tuple[str, str, bytes]] = []
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "payload_json":
            body = json.loads(await part.text())
        else:
            uploads.append((part.name or "", part.filename or "", bytes(await part.read())))
    return body, uploads


def _check_attachments(body: Any, uploads: list[tuple[str, str, bytes]]) -> dict[str, Any] | None:
    """Discord's 400 for files it cannot place: a part not named files[n], or no file name."""
    for field_name, filename, _data in uploads:
        if not re.fullmatch(r"files\[\d+\]", field_name) or not filename:
            return {
                "message": "Invalid Form Body",
                "code": 50035,
                "errors": {
                    field_name or "files": {
                        "_errors": [
                            {"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}
                        ]
                    }
                },
            }
    return None


def _attachment(channel_id: int, filename: str, data: bytes) -> dict[str, Any]:
    aid = p.snowflake()
    kind = (
        "image/png"
        if data.startswith(b"\x89PNG")
        else "text/csv"
        if filename.endswith(".csv")
        else "application/octet-stream"
    )
    url = f"https://cdn.discordapp.com/attachments/{channel_id}/{aid}/{filename}"
    return {
        "id": str(aid),
        "filename": filename,
        "size": len(data),
        "url": url,
        "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
        "content_type": kind,
    }
