"""An edited answer is reviewed again and the new review replaces the old one where members
read it; a review whose task died is taken over after its lease and given once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.domain import Review
from bot.review.models import ReviewRequest
from bot.review.rubric import RubricReviewer
from tests.harness import CHANNEL, Harness, build

STRONG = (
    "I would put a token bucket per API key in Redis, updated atomically with a Lua script, "
    "at the API gateway. Over the limit the client gets 429 Too Many Requests with a "
    "Retry-After header. The trade-off is a network hop per request; if Redis is down we "
    "fail open with a local in-memory limit, accepting some over-admission."
)
WEAK = "Limit requests per user with a counter and return an error when it is exceeded."
REVIEW = "🤖 Review of"
UPDATED = "(updated: the answer was edited)"


async def _posted(h: Harness, *settings: str) -> str:
    await h.admin.runs("/setup")
    for line in settings:
        await h.admin.runs(line)
    await h.admin.runs("/post-now")
    return h.driver.thread_of()


def _reviews_in(h: Harness, thread: str) -> list[str]:
    return [s.text for s in h.chat.in_thread(thread) if REVIEW in s.text]


async def _answer_id(h: Harness, message_id: str) -> int:
    post = await h.store.post_by_thread(CHANNEL, h.driver.thread_of())
    assert post is not None
    answer = await h.store.answer_by_message(post, message_id)
    assert answer is not None
    return answer.id


async def test_an_edited_answer_gets_one_review_in_the_thread_edited_in_place(
    h: Harness,
) -> None:
    thread = await _posted(h)
    mid = await h.user("ana").replies(WEAK)
    await h.bot.idle()
    [first] = _reviews_in(h, thread)
    assert UPDATED not in first

    await h.user("ana").edits(mid, STRONG)
    await h.bot.idle()
    [now] = _reviews_in(h, thread)  # one review in the thread, not two
    assert now != first and UPDATED in now
    assert now.startswith("🤖 Review of the answer from ana")
    assert len(h.chat.edits) == 1 and h.chat.edits[0][1] == first
    assert "ana updated" in h.chat.in_thread(thread)[-1].text  # the edit was acknowledged

    versions = await h.bot.svc.reviews.review_versions(CHANNEL.tenant, await _answer_id(h, mid))
    assert [(v.version, v.status) for v in versions] == [(1, "superseded"), (2, "given")]
    assert versions[0].review.scores != versions[1].review.scores  # the old one is kept
    current = await h.bot.svc.reviews.review_for(CHANNEL.tenant, versions[0].answer_id)
    assert current is not None and current.version == 2


async def test_an_edit_that_leaves_the_text_as_it_was_is_not_reviewed_again(
    h: Harness,
) -> None:
    thread = await _posted(h)
    mid = await h.user("ana").replies(WEAK)
    await h.bot.idle()
    before = len(h.chat.sent)
    await h.user("ana").edits(mid, WEAK)
    await h.bot.idle()
    assert len(h.chat.sent) == before and not h.chat.edits
    assert len(_reviews_in(h, thread)) == 1


async def test_a_review_the_platform_will_not_edit_is_sent_anew_marked_as_an_update(
    h: Harness,
) -> None:
    thread = await _posted(h)
    mid = await h.user("ana").replies(WEAK)
    await h.bot.idle()
    h.chat.uneditable.add(next(s for s in h.chat.in_thread(thread) if REVIEW in s.text).message_id)
    await h.user("ana").edits(mid, STRONG)
    await h.bot.idle()
    first, second = _reviews_in(h, thread)
    assert UPDATED not in first and UPDATED in second
    # A second edit edits the newest review's message, not the one the platform refused.
    await h.user("ana").edits(mid, STRONG + " Buckets refill at a fixed rate.")
    await h.bot.idle()
    assert len(_reviews_in(h, thread)) == 2 and len(h.chat.edits) == 1


async def test_a_private_review_is_sent_again_privately_marked_as_an_update(h: Harness) -> None:
    thread = await _posted(h, "/review settings to:private")
    mid = await h.user("ana").replies(WEAK)
    await h.bot.idle()
    await h.user("ana").edits(mid, STRONG)
    await h.bot.idle()
    dms = [s.text for s in h.chat.to("u-ana") if REVIEW in s.text]
    assert len(dms) == 2
    assert UPDATED not in dms[0] and UPDATED in dms[1]
    assert _reviews_in(h, thread) == [] and not h.chat.edits


async def test_hidden_mode_reveals_only_the_current_review_then_edits_the_reveal(
    h: Harness,
) -> None:
    thread = await _posted(h, "/review settings visibility:hidden")
    mid = await h.user("ana").replies(WEAK)
    await h.bot.idle()
    await h.user("ana").edits(mid, STRONG)
    await h.bot.idle()
    assert _reviews_in(h, thread) == []  # nothing shows before the close

    await h.advance(timedelta(hours=24))
    [revealed] = _reviews_in(h, thread)
    assert revealed.startswith("💬 ana:") and STRONG[:60] in revealed
    assert UPDATED not in revealed  # the first the thread sees of it

    # Edited after the close: the revealed message is edited, answer and review together.
    later = STRONG + " Buckets refill at a fixed rate per key."
    await h.user("ana").edits(mid, later)
    await h.bot.idle()
    [now] = _reviews_in(h, thread)
    assert now.startswith("💬 ana:") and "refill at a fixed rate" in now and UPDATED in now
    assert len(h.chat.edits) == 1


class StuckReviewer:
    """A reviewer whose call never returns until released: its process 'died' mid-review."""

    name = "stuck"

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def review(self, request: ReviewRequest) -> Review:
        await self.release.wait()
        return await RubricReviewer().review(request)


async def test_a_review_whose_task_died_is_taken_over_after_the_lease_and_given_once(
    h: Harness,
) -> None:
    stuck = StuckReviewer()
    first = build(h.store, h.chat, h.clock, h.bot.svc.packs, reviewer=stuck)
    thread = await _posted(first)
    mid = await first.user("ana").replies(STRONG)
    assert _reviews_in(first, thread) == []

    second = await first.restart(instance_id="second")
    await second.bot.run_due()
    await second.bot.idle()
    assert _reviews_in(second, thread) == []  # the lease still holds: it may yet finish

    await second.advance(second.bot.svc.tuning.lease)
    await second.bot.idle()
    [review] = _reviews_in(second, thread)
    assert "rubric reviewer" in review

    stuck.release.set()  # the first task comes back too late: it sends nothing
    await first.bot.idle()
    assert len(_reviews_in(second, thread)) == 1
    answer = await _answer_id(second, mid)
    [row] = await second.bot.svc.reviews.review_versions(CHANNEL.tenant, answer)
    assert row.status == "given" and row.delivered_at is not None
