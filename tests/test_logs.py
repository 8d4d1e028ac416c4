"""The logs of a daily cycle: every line about a post, an answer or a review says which
tenant and channel it was about, and no member's text is logged at INFO or above."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from adapters.memory import MemoryChat
from bot.content import Pack
from bot.logs import JsonFormatter, where
from bot.ports import FakeClock
from bot.review.llm import LLMConfig, LLMReviewer
from bot.storage.store import Store
from tests.harness import CHANNEL, build
from tests.llm_server import Step, serve

SECRET_TEXT = "my-private-answer-4711 about token buckets in Redis"


async def test_a_daily_cycle_logs_ids_and_never_the_text(
    store: Store,
    chat: MemoryChat,
    clock: FakeClock,
    packs: dict[str, Pack],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    # The LLM endpoint fails, so its reviewer logs a warning from inside the review task.
    async with serve(Step(status=500)) as llm:
        reviewer = LLMReviewer(LLMConfig(base_url=llm.url, model="tiny", retries=0))
        h = build(store, chat, clock, packs, reviewer=reviewer)
        try:
            await h.admin.runs("/setup time:09:00 timezone:UTC weekdays:daily catchup:skip")
            await h.advance_to(clock.now().replace(hour=9))
            await h.user("ana").replies(SECRET_TEXT)
            await h.user("bo").replies(f"{SECRET_TEXT} (bo's take)")
            await h.bot.idle()
            await h.advance(timedelta(days=1))  # the window closes; the next day's post
            clock.advance(timedelta(days=1, hours=5))  # down over the third day's slot
            await h.bot.run_due()
            await h.bot.idle()
        finally:
            await reviewer.aclose()

    core = [r for r in caplog.records if r.name.startswith("bot.")]
    said = {r.getMessage() for r in core}
    assert {
        "post sent",
        "answer stored",
        "review given",
        "answers closed",
        "post skipped: missed while down",
        "AI review failed, using the rubric reviewer",
    } <= said
    for r in core:
        ids = where(r)
        assert (ids.get("tenant"), ids.get("channel")) == (CHANNEL.tenant, CHANNEL.channel_id), (
            r.getMessage()
        )
    formatter = JsonFormatter()
    for r in caplog.records:
        line = formatter.format(r)
        assert "4711" not in line, line  # no member text, at any level we capture (INFO+)
    sent = next(r for r in core if r.getMessage() == "post sent")
    out = json.loads(formatter.format(sent))
    assert (out["tenant"], out["channel"], out["level"]) == ("guild-1", "study", "info")
    assert isinstance(out["post"], int) and out["question"]
