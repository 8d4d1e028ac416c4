"""The story form on Discord: five inputs (a modal's most), and an edit opens it prefilled."""

from __future__ import annotations

from typing import Any

from tests.discord.world import World

SETUP = "/setup time:09:00 timezone:UTC weekdays:daily"
STORY = {
    "title": "The checkout outage",
    "principles": "Ownership, Dive Deep",
    "situation": "Situation: checkout failed 3% of orders. Task: I owned the fix.",
    "action": "I traced the retries and I added idempotency keys.",
    "result": "Failures fell from 3% to 0.2% in six weeks.",
}


def _inputs(modal: dict[str, Any]) -> dict[str, Any]:
    return {c["custom_id"]: c for row in modal["components"] for c in row["components"]}


async def _press(world: World, label: str) -> None:
    shown = next(
        s for s in reversed(world.fake.shown)
        if any(c.get("label") == label for row in s.components for c in row["components"])
    )  # fmt: skip
    await world.click("ana", world.fake.messages[shown.message_id], label)


async def test_a_story_is_written_in_a_modal_and_edited_prefilled(world: World) -> None:
    await world.command("you", SETUP, admin=True)
    await world.command("ana", "/story add")
    await _press(world, "Write story")
    modal = world.fake.modals[-1]
    inputs = _inputs(modal)
    assert list(inputs) == ["title", "principles", "situation", "action", "result"]
    assert all("value" not in i for i in inputs.values())
    await world.submit("ana", modal["custom_id"], STORY)
    assert any(s.text.startswith("✅ Story #1 saved") for s in world.fake.shown)
    assert any(s.text.startswith("🤖 Review") and s.where == "private" for s in world.fake.shown)

    await world.command("ana", "/story edit id:1")
    await _press(world, "Edit")
    edit = world.fake.modals[-1]
    assert edit["custom_id"] == "story-save:1"
    assert {k: i.get("value") for k, i in _inputs(edit).items()} == STORY
