"""An edited answer's review is updated in place on Slack (chat.update, escaped like a post),
and an update Slack refuses (message_not_found, cant_update_message, edit_window_closed)
reaches the core as DeliveryRefused, so the review is posted anew instead of lost."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.domain import ChannelRef, DeliveryRefused, Destination, MessageRef, Outgoing, Refusal
from tests.slack import payloads
from tests.slack.fake_slack import TEAM, FakeSlack, Msg
from tests.slack.world import World, shown

SETUP = "setup time:09:00 timezone:UTC weekdays:daily"
WEAK = "Limit requests per user with a counter."
STRONG = (
    "A token bucket per API key in Redis, refilled at a fixed rate and updated atomically "
    "with a Lua script at the gateway; over the limit the client gets 429 with Retry-After. "
    "The trade-off is a network hop per request; if Redis is down we fail open with a local "
    "limit, accepting some over-admission."
)
UPDATED = "(updated: the answer was edited)"


async def _answered(w: World) -> tuple[Msg, str, Msg]:
    """(the post, ana's reply ts, the review) once her answer was reviewed in the thread."""
    w.user("you", admin=True)
    await w.run("you", "/studybot", SETUP)
    await w.run("you", "/studybot", "post-now")
    post = w.newest_post()
    ts = await w.replies("ana", WEAK)
    await w.service.runtime.bot.idle()
    [review] = [m for m in w.in_thread(post.ts) if shown(m).startswith("🤖")]
    return post, ts, review


def _reviews(w: World, post: Msg) -> list[Msg]:
    return [m for m in w.in_thread(post.ts) if shown(m).startswith("🤖")]


async def test_an_edited_answer_updates_the_review_in_place(http: World) -> None:
    post, ts, review = await _answered(http)
    before = review.text
    await http.edits("ana", ts, WEAK, STRONG)
    await http.service.runtime.bot.idle()
    [update] = http.fake.called("chat.update")
    assert update.args["ts"] == review.ts and update.args["channel"] == payloads.CHANNEL
    assert update.args["parse"] == "none"  # names in echoed text are not linked
    [now] = _reviews(http, post)  # one review in the thread, edited
    assert now.ts == review.ts and now.text != before and UPDATED in shown(now)
    assert http.fake.held[payloads.CHANNEL][review.ts]["edited"]["user"] == "UBOT"


async def test_an_update_past_the_edit_window_posts_the_review_anew(http: World) -> None:
    post, ts, review = await _answered(http)
    http.fake.edit_window = 60.0
    http.fake.now += 3600  # an hour later, past the workspace's edit window
    await http.edits("ana", ts, WEAK, STRONG)
    await http.service.runtime.bot.idle()
    [update] = http.fake.called("chat.update")
    assert update.args["ts"] == review.ts
    first, second = _reviews(http, post)
    assert first.text == review.text and UPDATED in shown(second)


def _gone(f: FakeSlack, ts: str) -> None:
    f.held[payloads.CHANNEL].pop(ts)


def _window(f: FakeSlack, ts: str) -> None:
    f.edit_window = 1.0
    f.now += 10


CASES: dict[str, Callable[[FakeSlack, str], None]] = {
    "message_not_found": _gone,
    "edit_window_closed": _window,
    "cant_update_message": lambda f, ts: None,  # the target is a member's message
}


@pytest.mark.parametrize("error", sorted(CASES))
async def test_an_update_slack_refuses_is_a_delivery_refusal(http: World, error: str) -> None:
    http.user("you", admin=True)
    await http.run("you", "/studybot", SETUP)
    await http.run("you", "/studybot", "post-now")
    post = http.newest_post()
    here = ChannelRef(TEAM, payloads.CHANNEL)
    ref = await http.service.chat.send(Destination.to_thread(here, post.ts), Outgoing("🤖 old"))
    target = ref.message_id
    if error == "cant_update_message":
        target = await http.replies("ana", "my answer")
    CASES[error](http.fake, target)
    with pytest.raises(DeliveryRefused) as refused:
        await http.service.chat.edit(MessageRef(here, target, post.ts), Outgoing("🤖 new"))
    assert refused.value.reason is Refusal.gone
    cause = refused.value.__cause__
    assert cause is not None and cause.response.data["error"] == error  # type: ignore[attr-defined]
    [call] = http.fake.called("chat.update")  # refused once, never tried again
    assert call.status == 200


async def test_an_update_is_escaped_as_a_post_is(http: World) -> None:
    http.user("you", admin=True)
    await http.run("you", "/studybot", SETUP)
    await http.run("you", "/studybot", "post-now")
    post = http.newest_post()
    here = ChannelRef(TEAM, payloads.CHANNEL)
    ref = await http.service.chat.send(Destination.to_thread(here, post.ts), Outgoing("🤖 old"))
    await http.service.chat.edit(ref, Outgoing("🤖 <!channel> & <@U0ANA>"))
    [update] = http.fake.called("chat.update")
    text = update.args["text"]
    assert "<!channel>" not in text and "<@U0ANA>" not in text and "&amp;" in text
