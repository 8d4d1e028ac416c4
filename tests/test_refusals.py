"""The core's answer to permanent refusals (DeliveryRefused), over the in-memory chat: what
went out is recorded, nothing is retried into a storm, nothing meant for a member is lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import DeliveryRefused, Refusal
from bot.features.notices import explain
from tests.harness import Harness

SETUP = "/setup time:09:00 timezone:UTC weekdays:daily"


async def test_a_refused_post_is_not_retried_past_its_lease(h: Harness) -> None:
    h.clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    await h.admin.runs(SETUP)
    h.chat.no_posting.add(h.driver.channel)
    await h.advance_to(datetime(2026, 11, 30, 9, 0, 30, tzinfo=UTC))
    post = await h.store.last_post(h.driver.channel)
    assert post is not None and post.status == "refused"
    await h.advance(timedelta(hours=3))  # leases run out many times over: no retry
    assert (await h.store.last_post(h.driver.channel)).status == "refused"  # type: ignore[union-attr]
    assert h.chat.posts() == [] and len(await h.store.posts_of(h.driver.channel)) == 1


async def test_a_private_review_to_a_closed_dm_is_noticed_and_not_marked_delivered(
    h: Harness,
) -> None:
    await h.admin.runs(SETUP)
    await h.admin.runs("/review settings to:private")
    await h.admin.runs("/post-now")
    h.chat.closed_dms.add(h.user("ana").user.user_id)
    await h.user("ana").replies("Token bucket per API key.")
    await h.bot.idle()
    notices = [s for s in h.chat.in_thread(h.driver.thread_of()) if s.text.startswith("📭")]
    assert len(notices) == 1 and [u.name for u in notices[0].mentions] == ["ana"]
    assert not [s for s in h.chat.to(h.user("ana").user.user_id) if s.text.startswith("🤖")]
    post = await h.store.last_post(h.driver.channel)
    assert post is not None
    reviews = await h.bot.svc.reviews.reviews_for_post(post)
    assert [r.delivered_at for r in reviews.values()] == [None]

    # The review is kept: ana sees it privately from the notice's button; bo cannot.
    await h.user("bo").clicks(notices[0].number, "Show my review")
    assert h.chat.sent[-1].text == "That review is not yours to see."
    await h.user("ana").clicks(notices[0].number, "Show my review")
    shown = h.chat.sent[-1]
    assert shown.private and shown.to_user.name == "ana" and shown.text.startswith("🤖")  # type: ignore[union-attr]
    reviews = await h.bot.svc.reviews.reviews_for_post(post)
    assert all(r.delivered_at is not None for r in reviews.values())


def test_refusals_are_explained_in_words_an_admin_can_act_on() -> None:
    text = explain(DeliveryRefused(Refusal.missing_permission, "Send Messages"))
    assert "missing the permission Send Messages" in text
    assert "went wrong" not in text


async def test_a_channel_without_thread_permission_is_told_once_not_daily(h: Harness) -> None:
    h.clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    await h.admin.runs(SETUP)
    h.chat.no_threads.add(h.driver.channel)
    await h.advance_to(datetime(2026, 12, 2, 9, 0, 30, tzinfo=UTC))  # three daily posts
    posts = [s for s in h.chat.in_channel() if s.text.startswith("📌")]
    assert len(posts) == 3 and not h.chat.posts()  # all out, none with a thread
    notices = [s for s in h.chat.in_channel() if "Admins" in s.text]
    assert len(notices) == 1 and "Create Public Threads" in notices[0].text
    await h.admin.runs("/status")
    assert "Posted without a thread" in h.chat.sent[-1].text
