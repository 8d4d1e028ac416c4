"""The commands the core offers, declared once. Adapters render this list (console help,
Discord app commands, Slack sub-commands); a new command needs no adapter change."""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.domain import InteractionRef, Reply
from bot.events import OptionValue
from bot.timing import (
    BadValue,
    parse_date,
    parse_duration_minutes,
    parse_time,
    parse_weekdays,
    parse_zone,
)


class OptionType(StrEnum):
    string = "string"
    integer = "integer"
    boolean = "boolean"
    time = "time"  # HH:MM
    timezone = "timezone"  # IANA name
    date = "date"  # YYYY-MM-DD
    weekdays = "weekdays"  # mon-fri, daily, ...
    duration = "duration"  # 90m, 24h, 2d -> minutes


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    type: OptionType
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()
    # Discord/Slack may offer these as autocomplete; the core still checks the value.
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """`path` is ("setup",) for a top-level command or ("prep", "set") for a sub-command."""

    path: tuple[str, ...]
    help: str
    options: tuple[Option, ...] = ()
    admin: bool = False

    @property
    def name(self) -> str:
        return " ".join(self.path)

    def usage(self) -> str:
        parts = [f"/{self.name}"]
        for o in self.options:
            parts.append(
                f"{o.name}:<{o.type.value}>" if o.required else f"[{o.name}:<{o.type.value}>]"
            )
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class CommandContext:
    interaction: InteractionRef
    spec: CommandSpec
    options: Mapping[str, Any]


Handler = Callable[[CommandContext], Awaitable[Reply]]


class CommandError(Exception):
    """A message for the user who ran the command: what was wrong and what is accepted."""


@dataclass
class CommandRegistry:
    specs: dict[tuple[str, ...], CommandSpec] = field(default_factory=dict)
    handlers: dict[tuple[str, ...], Handler] = field(default_factory=dict)
    # A group run on its own runs this sub-command: `/drill topic:caching` is `/drill next
    # topic:caching` where the platform allows it (Discord cannot run a group itself).
    defaults: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)

    def add(self, spec: CommandSpec, handler: Handler) -> None:
        if spec.path in self.specs:
            raise ValueError(f"command /{spec.name} declared twice")
        self.specs[spec.path] = spec
        self.handlers[spec.path] = handler

    def default_sub(self, group: str, sub: str) -> None:
        if (group, sub) not in self.specs:
            raise ValueError(f"/{group} {sub} is not declared")
        self.defaults[(group,)] = (group, sub)

    def all(self) -> list[CommandSpec]:
        return sorted(self.specs.values(), key=lambda s: s.path)

    def groups(self) -> dict[str, list[CommandSpec]]:
        """Top-level names, each with its sub-commands (or itself when it has none)."""
        out: dict[str, list[CommandSpec]] = {}
        for spec in self.all():
            out.setdefault(spec.path[0], []).append(spec)
        return out

    def resolve(
        self, path: tuple[str, ...], options: dict[str, OptionValue] | None = None
    ) -> CommandSpec:
        """The command a path names. Words past a known command fill its first option, so
        `/help setup` reads as `/help command:setup` (when `options` is given to fill)."""
        if path in self.specs:
            return self.specs[path]
        if path in self.defaults:
            return self.specs[self.defaults[path]]
        for cut in range(len(path) - 1, 0, -1):
            spec = self.specs.get(path[:cut])
            if (
                spec is not None
                and spec.options
                and options is not None
                and spec.options[0].name not in options
            ):
                options[spec.options[0].name] = " ".join(path[cut:])
                return spec
        subs = [s for s in self.all() if s.path[: len(path)] == path]
        if subs:
            listing = ", ".join(s.path[-1] for s in subs)
            raise CommandError(
                f"/{' '.join(path)} needs a sub-command: {listing}. Try /help {path[0]}."
            )
        raise CommandError(f"There is no command /{' '.join(path)}. Try /help for the list.")

    def coerce(self, spec: CommandSpec, raw: Mapping[str, OptionValue]) -> dict[str, Any]:
        known = {o.name: o for o in spec.options}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            accepted = ", ".join(known) or "no options"
            raise CommandError(
                f"/{spec.name} does not take {', '.join(unknown)}; it takes {accepted}.\nUsage: {spec.usage()}"
            )
        out: dict[str, Any] = {}
        for opt in spec.options:
            if opt.name not in raw or raw[opt.name] == "":
                if opt.required:
                    raise CommandError(
                        f"/{spec.name} needs {opt.name}: {opt.help}\nUsage: {spec.usage()}"
                    )
                continue
            out[opt.name] = _coerce_one(spec, opt, raw[opt.name])
        return out


def _coerce_one(spec: CommandSpec, opt: Option, value: OptionValue) -> Any:
    text = str(value).strip()
    if opt.choices and text.lower() not in opt.choices:
        raise CommandError(f"{opt.name}: {text!r} is not one of {', '.join(opt.choices)}.")
    try:
        match opt.type:
            case OptionType.integer:
                if isinstance(value, bool) or not text.lstrip("-").isdigit():
                    raise BadValue(f"{text!r} is not a whole number")
                return int(text)
            case OptionType.boolean:
                if isinstance(value, bool):
                    return value
                if text.lower() in ("yes", "true", "on", "1"):
                    return True
                if text.lower() in ("no", "false", "off", "0"):
                    return False
                raise BadValue(f"{text!r} is not yes or no")
            case OptionType.time:
                return parse_time(text)
            case OptionType.timezone:
                return parse_zone(text)
            case OptionType.date:
                return parse_date(text)
            case OptionType.weekdays:
                return parse_weekdays(text)
            case OptionType.duration:
                return parse_duration_minutes(text)
            case _:
                return text.lower() if opt.choices else text
    except BadValue as err:
        raise CommandError(f"{opt.name}: {err}") from None


def parse_command_line(line: str) -> tuple[tuple[str, ...], dict[str, OptionValue]]:
    """`/prep set date:2026-12-20 note:"two words"` -> (("prep", "set"), {...}).

    Words before the first `key:value` are the command path. Used by the console and by
    Slack, where a slash command arrives as one line of text.
    """
    text = line.strip().removeprefix("/")
    try:
        tokens = shlex.split(text)
    except ValueError as err:
        raise CommandError(f"Could not read that command ({err}); close your quotes.") from None
    path: list[str] = []
    options: dict[str, OptionValue] = {}
    for token in tokens:
        key, sep, value = token.partition(":")
        if sep and key and key.replace("_", "").replace("-", "").isalnum() and not options.get(key):
            options[key.lower().replace("-", "_")] = value
        elif not options:
            path.append(token.lower())
        else:
            raise CommandError(f"{token!r}: after the command name, give options as key:value.")
    if not path:
        raise CommandError("Type a command name after the slash, e.g. /help.")
    return tuple(path), options
