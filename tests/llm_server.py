"""A loopback server that speaks the chat completions API, scripted per test.

Each request takes the next step of the script (the last step repeats): a JSON reply, raw
text, an HTTP status, or a delay first. It records every request and the most requests
it had in flight at once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

ALL_DIMENSIONS = (
    "structure",
    "ownership",
    "results",
    "principle",
    "coverage",
    "trade_offs",
    "depth",
)


def good_content(score: int = 3, follow_up: str = "How would you test the fail-open path?") -> str:
    return json.dumps(
        {
            "scores": dict.fromkeys(ALL_DIMENSIONS, score),
            "strengths": ["Names the 429 and Retry-After contract."],
            "improvements": ["Say where the counters live when Redis fails."],
            "follow_up": follow_up,
        }
    )


@dataclass
class Step:
    content: str | None = None  # the assistant message
    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeLLM:
    script: list[Step]
    requests: list[dict[str, Any]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    url: str = ""
    auth_headers: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        self.auth_headers.append(request.headers.get("Authorization", ""))
        step = self.script[min(len(self.requests) - 1, len(self.script) - 1)]
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if step.delay:
                await asyncio.sleep(step.delay)
        finally:
            self.in_flight -= 1
        if step.status != 200:
            error = {"error": {"message": "scripted failure", "type": "server_error"}}
            return web.json_response(error, status=step.status, headers=step.headers)
        return web.json_response(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "test"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": step.content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )


@asynccontextmanager
async def serve(*script: Step) -> AsyncIterator[FakeLLM]:
    fake = FakeLLM(list(script) or [Step(good_content())])
    app = web.Application()
    app.router.add_post("/v1/chat/completions", fake.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"http://127.0.0.1:{port}/v1"
    try:
        yield fake
    finally:
        await runner.cleanup()
