"""Attachments on Discord: /progress answers with its chart and /export with its CSV as
files of a multipart request (payload_json plus files[n]), against the loopback fake."""

from __future__ import annotations

import csv
import io

from PIL import Image

from tests.discord.world import World

SETUP = "/setup time:09:00 timezone:UTC weekdays:daily"
GOOD = (
    "Situation: our checkout failed 3% of orders. Task: I owned the fix. Action: I traced the "
    "retries, I added idempotency keys and I wrote the runbook. Result: failures fell from 3% "
    "to 0.2% in six weeks, saving $40k a month."
)


async def _drill_once(world: World, who: str) -> None:
    await world.command(who, "/drill next")
    shown = next(s for s in reversed(world.fake.shown) if s.text.startswith("🎯 Drill"))
    await world.click(who, world.fake.messages[shown.message_id], "Answer")
    await world.submit(who, world.fake.modals[-1]["custom_id"], {"answer": GOOD})


async def test_progress_comes_with_its_chart_as_an_attachment(world: World) -> None:
    await world.command("you", SETUP, admin=True)
    await _drill_once(world, "ana")
    data = await world.command("ana", "/progress")
    [callback] = world.fake.requests_to("POST", rf"/interactions/{data['id']}/.*/callback")
    assert callback.body["type"] == 4 and callback.body["data"]["flags"] == 64
    assert callback.body["data"]["content"].startswith("📈 Your progress")
    assert [(f, name) for f, name, _ in callback.files] == [("files[0]", "progress.png")]
    assert callback.body["data"]["attachments"][0]["filename"] == "progress.png"
    shown = world.fake.shown[-1]
    assert shown.where == "private" and shown.to_user == "ana"
    [(name, png)] = shown.files
    assert name == "progress.png"
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (900, 450)


async def test_export_is_a_private_csv_attachment(world: World) -> None:
    await world.command("you", SETUP, admin=True)
    await world.command("you", "/post-now", admin=True)
    await world.reply("ana", "A token bucket in Redis, keyed by API key.")
    data = await world.command("you", "/export", admin=True)
    [callback] = world.fake.requests_to("POST", rf"/interactions/{data['id']}/.*/callback")
    assert callback.body["data"]["flags"] == 64
    [(field, name, body)] = callback.files
    assert field == "files[0]" and name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert [r["member"] for r in rows] == ["ana"]
