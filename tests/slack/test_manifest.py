"""The app manifest an organizer pastes into Slack matches what the adapter handles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from adapters.slack import mapping
from bot.app import StudyBot
from tests.harness import Harness

MANIFEST = Path(__file__).resolve().parents[2] / "adapters" / "slack" / "manifest.yaml"


def manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text())
    assert isinstance(data, dict)
    return data


def test_every_slash_command_reaches_a_core_command(h: Harness) -> None:
    bot: StudyBot = h.bot
    commands = [c["command"] for c in manifest()["features"]["slash_commands"]]
    assert commands[0] == mapping.ROOT_COMMAND
    for command in commands[1:]:
        assert command.startswith(mapping.SHORT_PREFIX), command
        path = (mapping.command_line(command, ""),)
        assert bot.commands.resolve(path).path == path, command
    assert all(len(c) <= 32 and c == c.lower() for c in commands)  # Slack's rules for names


def test_scopes_events_and_socket_mode() -> None:
    m = manifest()
    scopes = set(m["oauth_config"]["scopes"]["bot"])
    # Commands; posting; reading thread replies as events (never history polling); users.info.
    assert {"commands", "chat:write", "channels:history", "groups:history", "users:read"} <= scopes
    settings = m["settings"]
    assert {"message.channels", "message.groups"} <= set(
        settings["event_subscriptions"]["bot_events"]
    )
    assert settings["interactivity"]["is_enabled"] and settings["socket_mode_enabled"]


def test_direct_messages_and_uninstalls_are_provided_for() -> None:
    m = manifest()
    # Without the Messages tab every DM fails with messages_tab_disabled.
    assert m["features"]["app_home"]["messages_tab_enabled"] is True
    events = set(m["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_uninstalled", "tokens_revoked"} <= events


def test_the_oauth_install_asks_for_the_manifests_scopes() -> None:
    from adapters.slack.settings import DEFAULT_SCOPES

    assert set(DEFAULT_SCOPES.split(",")) == set(manifest()["oauth_config"]["scopes"]["bot"])
