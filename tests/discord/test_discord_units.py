"""The adapter's pure parts and its start-up settings."""

from __future__ import annotations

import re

import discord
import pytest
import yarl

from adapters.discord_bot import mapping
from adapters.discord_bot.client import use_endpoints
from adapters.discord_bot.invite import PERMISSIONS
from adapters.discord_bot.runner import build_client
from adapters.discord_bot.settings import DiscordSettings
from bot.cli import main
from bot.commands import CommandSpec, Option, OptionType


def test_invite_url_has_both_scopes_and_only_the_needed_permissions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["discord", "invite-url", "--client-id", "123456789012345678"]) == 0
    url = yarl.URL(capsys.readouterr().out.strip())
    assert url.query["client_id"] == "123456789012345678"
    assert url.query["scope"] == "bot applications.commands"
    granted = discord.Permissions(int(url.query["permissions"]))
    assert granted == PERMISSIONS
    assert not (
        granted.administrator
        or granted.manage_guild
        or granted.mention_everyone
        or granted.manage_messages
    )


def test_invite_url_without_a_client_id_says_what_to_do(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCORD_CLIENT_ID", raising=False)
    assert main(["discord", "invite-url"]) == 2
    assert "DISCORD_CLIENT_ID" in capsys.readouterr().err


def test_shards_from_the_environment_pick_this_process_guilds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "4")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "0-1")
    client = build_client(DiscordSettings())
    assert isinstance(client, discord.AutoShardedClient)
    assert (client.shard_count, client.shard_ids) == (4, [0, 1])
    on_shard = {g: mapping.shard_of(g, 4) for g in (1 << 22, 2 << 22, 3 << 22, 4 << 22)}
    assert {g for g, s in on_shard.items() if client.owns_tenant(str(g))} == {
        g for g, s in on_shard.items() if s < 2
    }


def test_shard_ids_need_a_count() -> None:
    with pytest.raises(ValueError, match="DISCORD_SHARD_COUNT"):
        DiscordSettings(DISCORD_SHARD_IDS="0").shards()  # type: ignore[call-arg]


def test_api_and_gateway_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket,
        "DEFAULT_GATEWAY",
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
    )
    ds = DiscordSettings(
        DISCORD_API_URL="http://proxy.local:8080", DISCORD_GATEWAY_URL="ws://relay.local:9000/"
    )  # type: ignore[call-arg]
    use_endpoints(ds.rest_base(), ds.gateway_url)
    assert (
        discord.http.Route("GET", "/users/@me").url == "http://proxy.local:8080/api/v10/users/@me"
    )
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "ws://relay.local:9000/"


def test_nonce_is_deterministic_and_fits_discord() -> None:
    key = "studybot-1576763024998400003-123456"
    assert mapping.nonce_for(key) == mapping.nonce_for(key) != mapping.nonce_for(key + "7")
    assert len(mapping.nonce_for(key)) <= 25


def test_form_values_read_both_modal_layouts() -> None:
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": "answer", "value": "A"}]}]
    labels = [{"type": 18, "id": 1, "component": {"type": 4, "custom_id": "answer", "value": "B"}}]
    assert mapping.form_values(rows) == {"answer": "A"}
    assert mapping.form_values(labels) == {"answer": "B"}


def test_multi_part_commands_become_groups_with_typed_options() -> None:
    from adapters.discord_bot.commands import render

    async def run(*_: object) -> None:
        return None

    specs = [
        CommandSpec(
            ("prep", "set"),
            "Set your date.",
            (Option("date", OptionType.date, "YYYY-MM-DD", required=True),),
        ),
        CommandSpec(
            ("prep", "show"),
            "Show.",
            (
                Option("days", OptionType.integer, "how many"),
                Option("all", OptionType.boolean, "all"),
            ),
        ),
        CommandSpec(
            ("drill",),
            "Drill.",
            (Option("topic", OptionType.string, "topic", suggestions=("caching", "queues")),),
        ),
    ]
    rendered = {c.name: c for c in render(specs, run)}
    tree = discord.app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    prep = rendered["prep"].to_dict(tree)
    subs = {o["name"]: o for o in prep["options"]}
    assert set(subs) == {"set", "show"} and all(o["type"] == 1 for o in subs.values())
    assert subs["set"]["options"] == [
        {"type": 3, "name": "date", "description": "YYYY-MM-DD", "required": True}
    ]
    assert [o["type"] for o in subs["show"]["options"]] == [4, 5]
    drill = rendered["drill"].to_dict(tree)
    assert drill["options"][0]["autocomplete"] is True


def test_split_text_never_loses_text_and_respects_the_limit() -> None:
    from adapters.discord_bot.mapping import split_text

    word = "x" * 4500  # no break anywhere: cut inside the word, as a last resort
    parts = split_text(word)
    assert [len(p) for p in parts] == [2000, 2000, 500] and "".join(parts) == word
    text = "first line\nsecond line " + "y" * 1990 + "\n\nlast"
    parts = split_text(text)
    assert all(len(p) <= 2000 for p in parts) and "".join(parts) == text
    assert split_text("short") == ["short"]


def test_dm_custom_ids_carry_the_tenant_and_give_it_back() -> None:
    from adapters.discord_bot.mapping import CUSTOM_ID, split_tenant, with_tenant

    dm = with_tenant("peer:7:clarity:4", "1234567890123456789")
    assert re.fullmatch(CUSTOM_ID, dm) and len(dm) <= 100
    assert split_tenant(dm) == ("peer:7:clarity:4", "1234567890123456789")
    assert split_tenant("answer:12") == ("answer:12", None)
    assert with_tenant("answer:12", None) == "answer:12"
