"""/healthz and /metrics on --metrics-port: what an operator's probe and scraper see."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.memory import ChatDriver, MemoryChat
from bot.domain import ChannelRef
from bot.metrics import Metrics, RateLimitLog
from bot.ops_http import OpsServer
from bot.ports import FakeClock
from bot.runtime import Runtime, start
from bot.scheduling import advance_to
from bot.settings import Settings
from bot.storage.engine import create_engine
from bot.storage.store import Store
from tests.llm_server import Step, good_content, serve

CHANNEL = ChannelRef("guild-1", "study")
MORNING = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
ANSWER = "I would put a token bucket per API key in Redis and answer 429 with Retry-After."


def settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings(**{"STUDYBOT_DATA": tmp_path, "STUDYBOT_METRICS_PORT": 0, **extra})  # type: ignore[arg-type]


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as s, s.get(url) as r:
        return r.status, await r.text()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[tuple[Runtime, MemoryChat, FakeClock]]:
    async with serve(Step(good_content())) as llm:
        clock, chat = FakeClock(MORNING), MemoryChat()
        rt = await start(
            settings(
                tmp_path,
                STUDYBOT_LLM_BASE_URL=llm.url,
                STUDYBOT_LLM_MODEL="tiny",
                STUDYBOT_LLM_RETRIES=0,
            ),
            chat,
            clock,
        )
        try:
            yield rt, chat, clock
        finally:
            await rt.close()


async def test_a_day_of_posting_answering_and_reviewing_shows_in_metrics(
    runtime: tuple[Runtime, MemoryChat, FakeClock],
) -> None:
    rt, chat, clock = runtime
    assert rt.ops is not None and rt.ops.port
    base = f"http://127.0.0.1:{rt.ops.port}"
    driver = ChatDriver(rt.bot, chat, CHANNEL, admins={"you"})
    await driver.as_user("you").runs("/setup time:09:00 timezone:UTC weekdays:daily")
    await advance_to(rt.bot, clock, MORNING.replace(hour=9, minute=1))
    await driver.as_user("ana").replies(ANSWER)
    await rt.bot.idle()

    status, text = await get(f"{base}/metrics")
    assert status == 200
    got = samples(text)
    assert got[("studybot_posts_total", (("outcome", "sent"),))] == 1
    assert got[("studybot_posts_total", (("outcome", "skipped"),))] == 0
    assert got[("studybot_answers_total", ())] == 1
    assert got[("studybot_reviews_total", (("outcome", "ok"), ("reviewer", "llm:tiny")))] == 1
    assert got[("studybot_llm_request_seconds_count", (("result", "ok"),))] == 1
    assert got[("studybot_scheduler_lag_seconds_count", ())] == 1
    # The slot was 09:00 and the clock stepped to it exactly: no lag.
    assert got[("studybot_scheduler_lag_seconds_sum", ())] == 0

    status, body = await get(f"{base}/healthz")
    assert (status, body) == (200, '{"ready": true}')


async def test_a_missed_slot_counts_as_skipped_and_a_failed_llm_as_a_fallback(
    tmp_path: Path,
) -> None:
    async with serve(Step(status=500)) as llm:
        clock, chat = FakeClock(MORNING), MemoryChat()
        rt = await start(
            settings(tmp_path, STUDYBOT_LLM_BASE_URL=llm.url, STUDYBOT_LLM_RETRIES=0),
            chat,
            clock,
        )
        try:
            driver = ChatDriver(rt.bot, chat, CHANNEL, admins={"you"})
            await driver.as_user("you").runs(
                "/setup time:09:00 timezone:UTC weekdays:daily catchup:skip"
            )
            await advance_to(rt.bot, clock, MORNING.replace(hour=9))
            await driver.as_user("ana").replies(ANSWER)
            await rt.bot.idle()
            clock.set(MORNING + timedelta(days=1, hours=5))  # down over the next slot
            await rt.bot.run_due()
            m = rt.bot.svc.metrics
            assert m.value("studybot_posts_total", outcome="skipped") == 1
            assert (
                m.value("studybot_reviews_total", reviewer="llm:gpt-4o-mini", outcome="fallback")
                == 1
            )
            assert m.value("studybot_llm_request_seconds_count", result="error") == 1
        finally:
            await rt.close()


async def test_not_ready_while_the_platform_is_disconnected(tmp_path: Path) -> None:
    connected = False
    rt = await start(settings(tmp_path), MemoryChat(), FakeClock(MORNING))
    try:
        assert rt.ops is not None
        rt.report_connection(lambda: connected)
        status, body = await get(f"http://127.0.0.1:{rt.ops.port}/healthz")
        assert status == 503 and "chat platform: not connected" in body
        connected = True
        status, _ = await get(f"http://127.0.0.1:{rt.ops.port}/healthz")
        assert status == 200
    finally:
        await rt.close()


async def test_not_ready_while_the_database_does_not_answer() -> None:
    # Nothing listens on port 9 of loopback: the connection is refused at once.
    store = Store(create_engine("postgresql+asyncpg://studybot@127.0.0.1:9/studybot"))
    ops = OpsServer(Metrics(), store)
    port = await ops.start(0, host="127.0.0.1")
    try:
        status, body = await get(f"http://127.0.0.1:{port}/healthz")
        assert status == 503 and '"database: ' in body
        assert "studybot@" not in body  # no connection details leak
    finally:
        await ops.stop()
        await store.close()


def test_off_by_default(tmp_path: Path) -> None:
    assert Settings(**{"STUDYBOT_DATA": tmp_path}).metrics_port is None  # type: ignore[arg-type]


def test_platform_429s_are_counted_from_the_sdks_logs() -> None:
    m = Metrics()
    counter = RateLimitLog(m)
    counter.install()
    try:
        # The lines discord.py and slack_sdk log when they meet a 429 and wait it out.
        logging.getLogger("discord.http").warning(
            "We are being rate limited. %s %s responded with 429. Retrying in %.2f seconds.",
            "POST",
            "https://discord.com/api/v10/channels/1/messages",
            0.5,
        )
        logging.getLogger("discord.http").debug("Done sleeping for the rate limit. Retrying...")
        logging.getLogger("slack_sdk.web.async_internal_utils").info(
            "A retry handler found: AsyncRateLimitErrorRetryHandler for POST https://slack.com/api/chat.postMessage"
        )
    finally:
        counter.remove()
    assert m.value("studybot_platform_429_total", platform="discord") == 1
    assert m.value("studybot_platform_429_total", platform="slack") == 1


async def test_the_compose_health_probe_passes_only_when_ready(tmp_path: Path) -> None:
    """The docker-compose healthcheck command, run against a live bot on its metrics port."""
    import asyncio
    import sys

    import yaml

    compose = yaml.safe_load((Path(__file__).parent.parent / "docker-compose.yml").read_text())
    code = compose["services"]["bot"]["healthcheck"]["test"][3]
    connected = True
    rt = await start(settings(tmp_path), MemoryChat(), FakeClock(MORNING))
    rt.report_connection(lambda: connected)
    assert rt.ops is not None
    probe = code.replace(":9100/", f":{rt.ops.port}/")

    async def exit_code() -> int:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", probe, stderr=asyncio.subprocess.DEVNULL
        )
        return await proc.wait()

    try:
        assert await exit_code() == 0
        connected = False
        assert await exit_code() != 0
    finally:
        await rt.close()
