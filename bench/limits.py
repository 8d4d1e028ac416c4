"""The platforms' rate limits, enforced around the loopback fakes (tests/discord,
tests/slack) for bench/fanout.py. The fakes themselves stay as they are.

Discord (docs: Topics > Rate Limits):
- global: 50 requests per second per bot token, interaction callbacks and webhooks exempt;
  kept here as at most 50 arrivals in any sliding second (the strict reading);
- per route: buckets keyed by route and top-level resource (channel, guild, webhook), each
  answered with X-RateLimit-Limit / -Remaining / -Reset / -Reset-After / -Bucket; creating a
  message allows 5 per 5 s per channel, other routes here 5 per 5 s too (assumed);
- over either: 429 with {"message", "retry_after", "global"} and Retry-After,
  X-RateLimit-Scope (user | global) and, for the global one, X-RateLimit-Global: true.

Slack (docs: Web API rate limits): limits are per method per workspace per app.
- chat.postMessage: about 1 message per second per channel, short bursts allowed (a bucket
  of 3 refilled at 1/s here), and a workspace-wide limit of "several hundred per minute"
  (300 per minute here, in a bucket of 30 refilled at 5/s);
- other methods: their tier (Tier 3: 50 per minute, bursts of 10 here);
- over any: HTTP 429, {"ok": false, "error": "ratelimited"} and Retry-After in whole seconds.

Each 429 is logged with whether the bot could have avoided it: Discord's global 429s and
route 429s on a bucket whose headers had already said Remaining 0 are avoidable; Slack's
per-channel ones are (Slack documents 1/s per channel); its workspace ones are not (the
limit is not published as a number).
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import deque
from dataclasses import dataclass, field

from aiohttp import web

from tests.discord.fake_discord import FakeDiscord, Recorded
from tests.slack.fake_slack import FakeSlack, _args

DISCORD_GLOBAL = 50
_EXEMPT = re.compile(r"/interactions/|/webhooks/")
_MAJOR = re.compile(r"^/(channels|guilds|webhooks)/(\d+)")


@dataclass
class Limited:
    """One 429 the fake answered."""

    at: float
    where: str  # "global", a route bucket, "channel", "workspace", a tier
    avoidable: bool


@dataclass
class Window:
    """A fixed window bucket, as Discord's route buckets behave."""

    limit: int
    per: float
    used: int = 0
    resets_at: float = 0.0
    told_empty_until: float = 0.0  # when the headers said Remaining 0, until this reset

    def take(self, now: float) -> bool:
        if now >= self.resets_at:
            self.used, self.resets_at = 0, now + self.per
        if self.used >= self.limit:
            return False
        self.used += 1
        return True


@dataclass
class Arrivals:
    """Count what arrives in a trailing window of `per` seconds."""

    limit: int
    per: float = 1.0
    times: deque[float] = field(default_factory=deque)

    def wait(self, now: float) -> float:
        """0 if one more may pass now (and it is counted), else how long until one may."""
        while self.times and self.times[0] <= now - self.per:
            self.times.popleft()
        if len(self.times) >= self.limit:
            return self.times[0] + self.per - now
        self.times.append(now)
        return 0.0


def route_of(method: str, path: str) -> tuple[str, str]:
    """(bucket name, top-level resource) for a request."""
    template = re.sub(r"/\d+", "/{id}", path)
    major = _MAJOR.match(path)
    return f"{method} {template}", major.group(2) if major else ""


class LimitedDiscord(FakeDiscord):
    def __init__(self, *, global_limit: int = DISCORD_GLOBAL) -> None:
        super().__init__()
        self.global_window = Arrivals(global_limit)
        self.buckets: dict[tuple[str, str], Window] = {}
        self.limited: list[Limited] = []
        # When each request arrived (time.monotonic), in order, and what it was.
        self.arrived: list[tuple[float, str, str, int]] = []

    def _bucket(self, route: str, major: str) -> Window:
        return self.buckets.setdefault((route, major), Window(5, 5.0))

    async def _dispatch(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        path = "/" + request.match_info["tail"]
        route, major = route_of(request.method, path)
        bucket = self._bucket(route, major)
        if not _EXEMPT.search(path):
            wait = self.global_window.wait(now)
            if wait > 0:
                return await self._too_many(request, path, now, wait, "global", True)
        if not bucket.take(now):
            avoidable = now < bucket.told_empty_until
            return await self._too_many(
                request, path, now, bucket.resets_at - now, route, avoidable
            )
        response = await super()._dispatch(request)
        self.arrived.append((now, request.method, path, response.status))
        remaining = bucket.limit - bucket.used
        if remaining == 0:
            bucket.told_empty_until = bucket.resets_at
        reset_after = max(bucket.resets_at - now, 0.0)
        response.headers.update(
            {
                "X-RateLimit-Limit": str(bucket.limit),
                "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                "X-RateLimit-Bucket": f"{abs(hash(route)) % 10**12:012x}",
            }
        )
        return response

    async def _too_many(
        self, request: web.Request, path: str, now: float, wait: float, where: str, avoidable: bool
    ) -> web.Response:
        body = await request.json() if request.can_read_body else None
        self.requests.append(Recorded(request.method, path, dict(request.query), body, 429))
        self.limited.append(Limited(now, where, avoidable))
        is_global = where == "global"
        headers = {
            "Content-Type": "application/json",
            "Retry-After": str(math.ceil(wait)),
            "X-RateLimit-Scope": "global" if is_global else "user",
            "Via": "1.1 google",  # Discord's API answers carry it; discord.py checks for it
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        else:
            route, major = route_of(request.method, path)
            bucket = self._bucket(route, major)
            headers.update(
                {
                    "X-RateLimit-Limit": str(bucket.limit),
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": f"{time.time() + wait:.3f}",
                    "X-RateLimit-Reset-After": f"{wait:.3f}",
                    "X-RateLimit-Bucket": f"{abs(hash(route)) % 10**12:012x}",
                }
            )
        payload = {
            "message": "You are being rate limited.",
            "retry_after": round(wait, 3),
            "global": is_global,
        }
        return web.Response(body=json.dumps(payload).encode(), status=429, headers=headers)


@dataclass
class Bucket:
    """A token bucket: `burst` tokens, refilled at `rate` a second."""

    burst: float
    rate: float
    tokens: float = -1.0
    at: float = 0.0

    def wait(self, now: float) -> float:
        if self.tokens < 0:
            self.tokens, self.at = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class LimitedSlack(FakeSlack):
    """Slack's limits on the fake's Web API (per workspace, told apart by token)."""

    def __init__(self) -> None:
        super().__init__()
        self.per_channel: dict[tuple[str, str], Bucket] = {}
        self.per_workspace: dict[tuple[str, str], Bucket] = {}
        self.limited: list[Limited] = []
        self.arrived: list[tuple[float, str, str]] = []

    async def _api(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        method = request.match_info["method"]
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ")
        if method == "chat.postMessage":
            args = await _args(request)  # aiohttp keeps the body: the fake reads it again
            channel = str(args.get("channel", ""))
            ch = self.per_channel.setdefault((token, channel), Bucket(3, 1.0))
            wait = ch.wait(now)
            if wait > 0:
                return self._too_many(now, wait, "channel", True)
            ws = self.per_workspace.setdefault((token, method), Bucket(30, 5.0))
            wait = ws.wait(now)
            if wait > 0:
                ch.tokens += 1  # not posted: the channel's token is given back
                return self._too_many(now, wait, "workspace", False)
            self.arrived.append((now, token, channel))
        elif method not in ("auth.test",):
            tier = self.per_workspace.setdefault((token, method), Bucket(10, 50 / 60))
            wait = tier.wait(now)
            if wait > 0:
                return self._too_many(now, wait, "tier 3", True)
        return await super()._api(request)

    def _too_many(self, now: float, wait: float, where: str, avoidable: bool) -> web.Response:
        self.limited.append(Limited(now, where, avoidable))
        return web.json_response(
            {"ok": False, "error": "ratelimited"},
            status=429,
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
