"""The core's CommandSpecs rendered as Discord app commands.

("setup",) becomes /setup; ("prep", "set") becomes the sub-command `set` of a /prep group.
Options keep their type (string, integer, boolean); the core's other types (time, date, ...)
are strings the core parses. Choices become Discord choices, suggestions autocomplete.
Admin commands carry Manage Server as default member permissions; the core checks again.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, Optional
from zoneinfo import available_timezones

import discord
from discord import app_commands

from bot.commands import CommandSpec, Option, OptionType

log = logging.getLogger(__name__)

Run = Callable[[discord.Interaction[Any], tuple[str, ...], dict[str, Any]], Awaitable[None]]
AppCommand = app_commands.Command[Any, ..., Any]
TopLevel = AppCommand | app_commands.Group

MAX_CHOICES = 25
_TYPES: dict[OptionType, type] = {OptionType.integer: int, OptionType.boolean: bool}
ADMIN = discord.Permissions(manage_guild=True)


def _text(value: str, limit: int = 100) -> str:
    value = " ".join(value.split()) or "…"
    return value if len(value) <= limit else value[: limit - 1] + "…"


Suggest = Callable[
    [discord.Interaction[Any], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]
]


def suggest_from(values: Iterable[str]) -> Suggest:
    pool = tuple(values)

    async def suggest(
        interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.strip().lower()
        hits = [v for v in pool if needle in v.lower()] if needle else list(pool)
        return [app_commands.Choice(name=v[:100], value=v[:100]) for v in hits[:MAX_CHOICES]]

    return suggest


def _suggestions(opt: Option) -> tuple[str, ...]:
    values = list(opt.suggestions)
    if len(opt.choices) > MAX_CHOICES:
        values += opt.choices
    if opt.type is OptionType.timezone:  # the type itself names its values
        values += sorted(available_timezones())
    return tuple(dict.fromkeys(values))


def _callback(spec: CommandSpec, run: Run) -> Callable[..., Coroutine[Any, Any, None]]:
    async def callback(interaction: discord.Interaction[Any], **options: Any) -> None:
        await run(interaction, spec.path, {k: v for k, v in options.items() if v is not None})

    # discord.py reads the options off the callback's signature; give it one per core option.
    params = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    for opt in sorted(spec.options, key=lambda o: not o.required):  # Discord wants required first
        kind = _TYPES.get(opt.type, str)
        params.append(
            inspect.Parameter(
                opt.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=kind if opt.required else Optional[kind],  # noqa: UP045 - a runtime object
                default=inspect.Parameter.empty if opt.required else None,
            )
        )
    callback.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    callback.__qualname__ = callback.__name__ = f"command_{'_'.join(spec.path).replace('-', '_')}"

    if spec.options:
        app_commands.describe(**{o.name: _text(o.help) for o in spec.options})(callback)
    choices = {
        o.name: [app_commands.Choice(name=c, value=c) for c in o.choices]
        for o in spec.options
        if o.choices and len(o.choices) <= MAX_CHOICES and o.type is OptionType.string
    }
    if choices:
        app_commands.choices(**choices)(callback)
    completions = {
        o.name: suggest_from(s)
        for o in spec.options
        if o.name not in choices and (s := _suggestions(o))
    }
    if completions:
        app_commands.autocomplete(**completions)(callback)
    return callback


def _command(
    spec: CommandSpec, run: Run, name: str, parent: app_commands.Group | None
) -> AppCommand:
    cmd: AppCommand = app_commands.Command(
        name=name, description=_text(spec.help), callback=_callback(spec, run), parent=parent
    )
    if parent is None:
        cmd.guild_only = True
        cmd.default_permissions = ADMIN if spec.admin else None
    return cmd


def render(specs: Iterable[CommandSpec], run: Run) -> list[TopLevel]:
    """Top-level app commands and groups for every spec (paths of one to three words)."""
    by_top: dict[str, list[CommandSpec]] = {}
    for spec in specs:
        by_top.setdefault(spec.path[0], []).append(spec)
    out: list[TopLevel] = []
    for top, members in by_top.items():
        if len(members) == 1 and len(members[0].path) == 1:
            out.append(_command(members[0], run, top, None))
            continue
        subs = [s for s in members if len(s.path) > 1]
        for s in members:
            if len(s.path) == 1 or len(s.path) > 3:
                log.warning(
                    "/%s cannot be a Discord command next to its sub-commands; skipped", s.name
                )
        everyone_admin = all(s.admin for s in subs)
        group = app_commands.Group(
            name=top,
            description=_text(f"{top}: " + ", ".join(s.path[-1] for s in subs)),
            guild_only=True,
            default_permissions=ADMIN if everyone_admin else None,
        )
        subgroups: dict[str, app_commands.Group] = {}
        for s in subs:
            if len(s.path) == 2:
                group.add_command(_command(s, run, s.path[1], group))
            elif len(s.path) == 3:
                sub = subgroups.get(s.path[1])
                if sub is None:
                    sub = subgroups[s.path[1]] = app_commands.Group(
                        name=s.path[1], description=_text(f"{top} {s.path[1]}"), parent=group
                    )
                    group.add_command(sub)
                sub.add_command(_command(s, run, s.path[2], sub))
        out.append(group)
    return out


def digest(tree: app_commands.CommandTree[Any]) -> str:
    """A hash of the command set exactly as it would be sent to Discord."""
    payload = sorted(
        (c.to_dict(tree) for c in tree.get_commands()), key=lambda c: str(c.get("name"))
    )
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
