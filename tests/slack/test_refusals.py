"""Slack's permanent refusals reach the core as DeliveryRefused: the right reason, a detail
an admin can act on, and one call to Slack (no retrying what cannot succeed). The fake
answers with Slack's own error bodies for each named situation."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.domain import ChannelRef, DeliveryRefused, Destination, Outgoing, Refusal, UserRef
from tests.slack.fake_slack import TEAM, FakeSlack
from tests.slack.world import World

HERE = "C0ELSE"


def _not_a_member(f: FakeSlack) -> None:
    f.channel(HERE).bot_is_member = False


def _archived(f: FakeSlack) -> None:
    f.channel(HERE).archived = True


def _deleted(f: FakeSlack) -> None:
    f.channel(HERE).deleted = True


def _no_chat_write(f: FakeSlack) -> None:
    f.workspaces[TEAM].scopes.discard("chat:write")


CHANNEL_CASES: dict[str, tuple[Callable[[FakeSlack], None], str, Refusal, str]] = {
    "not_in_channel": (
        _not_a_member,
        "not_in_channel",
        Refusal.not_in_channel,
        "/invite @studybot",
    ),
    "is_archived": (_archived, "is_archived", Refusal.gone, "archived"),
    "channel_not_found": (_deleted, "channel_not_found", Refusal.gone, "/invite @studybot"),
    "missing_scope": (_no_chat_write, "missing_scope", Refusal.missing_permission, "chat:write"),
}


@pytest.mark.parametrize("case", sorted(CHANNEL_CASES))
async def test_a_channel_post_slack_refuses_is_a_delivery_refusal(http: World, case: str) -> None:
    situation, error, reason, words = CHANNEL_CASES[case]
    situation(http.fake)
    with pytest.raises(DeliveryRefused) as refused:
        await http.service.chat.send(
            Destination.to_channel(ChannelRef(TEAM, HERE)),
            Outgoing("📌 Question of the day", nonce="studybot-C0ELSE-7"),
        )
    assert refused.value.reason is reason and words in refused.value.detail
    cause = refused.value.__cause__
    assert cause is not None and cause.response.data["error"] == error  # type: ignore[attr-defined]
    [call] = http.fake.called("chat.postMessage")  # refused once, never tried again
    assert call.status == 200 and http.fake.posted() == []
    assert http.fake.called("conversations.history") == []  # a refusal is not a lost answer


async def test_the_fake_answers_with_slacks_error_body(http: World) -> None:
    _no_chat_write(http.fake)
    with pytest.raises(DeliveryRefused) as refused:
        await http.service.chat.send(Destination.to_channel(ChannelRef(TEAM, HERE)), Outgoing("x"))
    body = refused.value.__cause__.response.data  # type: ignore[union-attr]
    assert body["ok"] is False and body["error"] == "missing_scope"
    assert body["needed"] == "chat:write" and "users:read" in body["provided"].split(",")


DM_CASES: dict[str, tuple[str, Refusal, str]] = {
    "a bot": ("cannot_dm_bot", Refusal.dm_closed, "bot"),
    "messages tab off": ("messages_tab_disabled", Refusal.dm_closed, "Messages Tab"),
    "deactivated": ("user_disabled", Refusal.gone, "no longer in this workspace"),
}


@pytest.mark.parametrize("case", sorted(DM_CASES))
async def test_a_direct_message_slack_refuses_is_a_delivery_refusal(http: World, case: str) -> None:
    error, reason, words = DM_CASES[case]
    uid = http.user("ana")
    if case == "a bot":
        http.fake.users[uid]["is_bot"] = True
    elif case == "messages tab off":
        http.fake.dms_closed.add(uid)
    else:
        http.fake.users[uid]["deleted"] = True
    with pytest.raises(DeliveryRefused) as refused:
        await http.service.chat.send(
            Destination.to_user(UserRef(TEAM, uid, "ana")), Outgoing("Your review is in.")
        )
    assert refused.value.reason is reason and words in refused.value.detail
    assert [c.status for c in http.fake.called("chat.postMessage")] == [200]
    cause = refused.value.__cause__
    assert cause is not None and cause.response.data["error"] == error  # type: ignore[attr-defined]


async def test_an_ephemeral_reply_in_a_channel_without_the_bot_is_refused(http: World) -> None:
    _not_a_member(http.fake)
    ana = UserRef(TEAM, http.user("ana"), "ana")
    with pytest.raises(DeliveryRefused) as refused:
        await http.service.chat.send(
            Destination(channel=ChannelRef(TEAM, HERE), user=ana), Outgoing("Only you see this")
        )
    assert refused.value.reason is Refusal.not_in_channel


async def test_a_passing_failure_is_not_a_refusal(http: World) -> None:
    # A 429 is retried after Retry-After and the post goes out: no DeliveryRefused.
    http.fake.fail_next("chat.postMessage", status=429, retry_after=0)
    ref = await http.service.chat.send(
        Destination.to_channel(ChannelRef(TEAM, HERE)), Outgoing("hello")
    )
    assert [m.ts for m in http.fake.posted()] == [ref.message_id]
