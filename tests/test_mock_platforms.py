"""A short mock round on Discord and on Slack, through the real adapters against their
loopback fakes: the sign-up message's buttons, the round's thread, private briefs and
score sheets (DMs), the comment modal, and the candidate's private scorecard."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest

from bot.ports import FakeClock
from bot.scheduling import advance_to
from tests.discord import fixtures
from tests.discord.fixtures import MakeWorld
from tests.slack.fake_slack import FakeSlack, Msg
from tests.slack.world import World as SlackWorld
from tests.slack.world import shown, start_world

fake, guild, make_world = fixtures.fake, fixtures.guild, fixtures.make_world
SETUP = "/setup time:09:00 timezone:UTC weekdays:daily"


async def test_a_short_round_on_discord(make_world: MakeWorld, clock: FakeClock) -> None:
    world = await make_world()
    await world.command("you", SETUP, admin=True)
    await world.command("ana", "/mock start format:loop questions:2 minutes:2")
    shown_signup = next(s for s in world.fake.shown if s.text.startswith("🎤"))
    assert shown_signup.where == "channel"
    signup = world.fake.messages[shown_signup.message_id]
    labels = [c["label"] for row in signup["components"] for c in row["components"]]
    assert labels == ["Candidate", "Interviewer", "Bar Raiser", "Observer", "Leave", "Start"]
    for who, role in (("bo", "Candidate"), ("cy", "Interviewer"), ("dee", "Bar Raiser")):
        await world.click(who, signup, role)
    await world.click("ana", signup, "Start")

    # Discord puts the deliberate mention (the candidate, then the asker) before the text.
    thread = [re.sub(r"^(<@\d+> )+", "", s.text) for s in world.fake.shown if s.where == "thread"]
    assert any(t.startswith("▶️ Mock round #1 begins") for t in thread)
    assert thread[-1].startswith("❓ Question 1 of 2")
    briefs = [s for s in world.fake.shown if s.text.startswith("📋")]
    assert {b.to_user for b in briefs} == {"cy", "dee"} and all(
        b.where == "private" for b in briefs
    )
    assert all(len(b.text) <= 2000 for b in world.fake.shown)  # long ones come in parts

    bot = world.bot
    await advance_to(bot, clock, clock.now() + timedelta(minutes=4))
    thread = [re.sub(r"^(<@\d+> )+", "", s.text) for s in world.fake.shown if s.where == "thread"]
    assert sum("One minute left" in t for t in thread) == 2
    assert thread[-1].startswith("⏰ Time's up: that was the last question.")

    for who in ("cy", "dee"):
        sheet = next(s for s in world.fake.shown if s.to_user == who and s.text.startswith("🗳️"))
        await world.click(who, world.fake.messages[sheet.message_id], "Hire")
        modal = world.fake.modals[-1]
        assert modal["title"].startswith("Q") and len(modal["title"]) <= 45
        await world.submit(who, modal["custom_id"], {"comment": f"{who}: solid"})
    debrief = next(s for s in world.fake.shown if s.to_user == "dee" and s.text.startswith("🗂️"))
    assert not any(s.to_user == "bo" and s.text.startswith("📊") for s in world.fake.shown)
    await world.click("dee", world.fake.messages[debrief.message_id], "Veto")
    card = next(s for s in world.fake.shown if s.to_user == "bo" and s.text.startswith("📊"))
    assert card.where == "private" and "vetoed" in card.text and "cy: solid" in card.text
    # Only the deliberate pings: the candidate at the start, each asker when their turn comes.
    pinged = [re.sub(r"^(<@\d+> )+", "", s.text) for s in world.fake.shown if s.pings]
    starts = ("▶️ Mock round #1 begins", "❓ Question 1 of 2", "⏰ Time's up on question 1")
    assert len(pinged) == 3 and all(t.startswith(w) for t, w in zip(pinged, starts, strict=True))
    turn = next(s for s in world.fake.shown if "❓ Question 1 of 2" in s.text)
    asker = "cy" if "cy asks now" in turn.text else "dee"
    assert f"<@{world.user_id(asker)}>" in world.fake.messages[turn.message_id]["content"]


@pytest.fixture
async def slack(sqlite_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    f = FakeSlack()
    await f.start()
    async with aiohttp.ClientSession() as session:
        world = await start_world(f, "http", sqlite_url, clock, session)
        try:
            yield world
        finally:
            await world.service.stop()
            await f.stop()


def _newest(world: SlackWorld, start: str) -> Msg:
    hits = [m for m in world.fake.messages if shown(m).startswith(start)]
    assert hits, (start, [(m.kind, m.channel, shown(m)[:80]) for m in world.fake.messages])
    return hits[-1]


async def test_a_short_round_on_slack(slack: SlackWorld, clock: FakeClock) -> None:
    world = slack
    world.user("you", admin=True)
    await world.run("you", "/studybot", SETUP.removeprefix("/"))
    await world.run("ana", "/studybot", "mock start format:behavioral questions:1 minutes:2")
    signup = _newest(world, "🎤")
    assert not signup.thread_ts
    for who, role in (("bo", "Candidate"), ("cy", "Interviewer")):
        await world.clicks(who, signup, role)
    await world.clicks("ana", signup, "Start")
    thread = [shown(m) for m in world.in_thread(signup.ts)]
    # The candidate, then the asker, are mentioned on purpose: Slack shows <@U…> first.
    assert any(t.startswith("<@UBO> ▶️ Mock round #1 begins") for t in thread)
    assert thread[-1].startswith("<@UCY> ❓ Question 1 of 1")
    brief = _newest(world, "📋")
    assert brief.channel.startswith("D") and not brief.thread_ts

    await advance_to(world.service.runtime.bot, clock, clock.now() + timedelta(minutes=2))
    thread = [shown(m) for m in world.in_thread(signup.ts)]
    assert thread[-1].startswith("⏰ Time's up: that was the last question.")
    sheet = _newest(world, "🗳️")
    await world.clicks("cy", sheet, "Strong Hire")
    [opened] = world.fake.called("views.open")
    view = opened.args["view"]
    assert view["type"] == "modal" and len(view["title"]["text"]) <= 24
    await world.submits("cy", view, {"comment": "Owned the incident end to end."})
    card = _newest(world, "📊")
    assert card.channel.startswith("D") and "Owned the incident end to end." in shown(card)
    assert "Outcome: Strong Hire." in shown(card)
