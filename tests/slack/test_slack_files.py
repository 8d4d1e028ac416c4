"""Attachments on Slack: /progress's chart and /export's CSV go up with files_upload_v2
(files.getUploadURLExternal, the upload, files.completeUploadExternal) to the member's DM,
after the text, against the loopback fake, in both transports."""

from __future__ import annotations

import csv
import io

from PIL import Image

from tests.slack.test_flows import post_question, set_up
from tests.slack.world import World, shown

GOOD = (
    "Situation: our checkout failed 3% of orders. Task: I owned the fix. Action: I traced the "
    "retries, I added idempotency keys and I wrote the runbook. Result: failures fell from 3% "
    "to 0.2% in six weeks, saving $40k a month."
)


async def test_progress_text_then_its_chart_uploaded_privately(world: World) -> None:
    await set_up(world)
    await world.run("ana", "/studybot", "drill")
    await world.clicks("ana", world.last_private(), "Answer")
    await world.submits("ana", world.fake.views[-1], {"answer": GOOD})
    await world.run("ana", "/studybot", "progress")
    assert shown(world.last_private()).startswith("📈 Your progress")
    [url_call] = world.fake.called("files.getUploadURLExternal")
    assert url_call.args["filename"] == "progress.png"
    [complete] = world.fake.called("files.completeUploadExternal")
    assert complete.args["channels"] == "UANA"  # a private file: the member's DM
    [shared] = world.fake.shared_files
    assert shared.channel == "DUANA" and shared.filename == "progress.png"
    image = Image.open(io.BytesIO(shared.data))
    assert image.format == "PNG" and image.size == (900, 450)


async def test_export_csv_is_uploaded_to_the_admin_only(world: World) -> None:
    await set_up(world)
    await post_question(world)
    await world.replies("ana", "A token bucket in Redis, keyed by API key.")
    await world.run("ana", "/studybot", "export")
    assert "admins only" in shown(world.last_private()) and world.fake.shared_files == []
    await world.run("you", "/studybot", "export")
    assert shown(world.last_private()).startswith("📄 1 answer(s) from 1 member(s)")
    [shared] = world.fake.shared_files
    assert shared.channel == "DUYOU" and shared.filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(shared.data.decode())))
    assert [r["member"] for r in rows] == ["ana"]


def test_an_edit_form_is_prefilled_in_the_slack_modal() -> None:
    from adapters.slack import render
    from bot.features.stories.flow import story_form

    prefill = {"title": "Outage", "principles": "Ownership", "situation": "S", "action": "A"}
    view = render.modal(story_form("3", prefill), "ctx")
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert {k: e.get("initial_value") for k, e in elements.items()} == {**prefill, "result": None}
