"""The console adapter (the embedded default): one study channel in a terminal, no tokens.

Lines it reads:
  /name sub key:value key:"quoted value"   run a command (as the current user)
  @alice: text                             speak as alice (`you`, the default, is an admin)
  > text    /    >N text                   reply in the newest post's thread / post N's
  /clock +1d | +90m | 2026-12-01 09:00     move the simulated clock, running what falls due
  /click N [label]                         press a button of message N (a form then asks
                                           for each field on the next lines; /cancel drops it)
  anything else                            a message in the channel
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from adapters.memory import ChatDriver, MemoryChat, Sent, UserActions
from bot.app import StudyBot
from bot.clock import ShiftedClock
from bot.commands import CommandError
from bot.domain import ChannelRef, Form, FormField
from bot.features.admin import NOT_SET_UP
from bot.scheduling import advance_to
from bot.text import shorten
from bot.timing import BadValue, parse_zone

TENANT = "console"
CHANNEL = ChannelRef(TENANT, "study")
DEFAULT_USER = "you"
_SPEAKER = re.compile(r"^@([\w.-]+):\s*(.*)$", re.DOTALL)
_REPLY = re.compile(r"^>(\d*)\s?(.*)$", re.DOTALL)
_STEP = re.compile(r"^\+(\d+)([mhdw])$")
_CLICK = re.compile(r"^/click\s+(\d+)(?:\s+(.+))?$")


@dataclass
class FormInProgress:
    """A form a button opened, filled one field a line, as a terminal can."""

    form: Form
    values: dict[str, str] = field(default_factory=dict)

    @property
    def next_field(self) -> FormField | None:
        return next((f for f in self.form.fields if f.name not in self.values), None)


class Console:
    def __init__(
        self,
        bot: StudyBot,
        chat: MemoryChat,
        clock: ShiftedClock,
        out: TextIO = sys.stdout,
        transcript: TextIO | None = None,
        files_dir: Path | None = None,
    ) -> None:
        self.bot = bot
        self.chat = chat
        self.clock = clock
        self.out = out
        self.transcript = transcript
        # Where attachments (charts, CSV exports) are written; a terminal shows their path.
        self.files_dir = files_dir or Path("data")
        self._forms: dict[str, FormInProgress] = {}  # by user name
        self._forms_seen = 0
        self.driver = ChatDriver(bot, chat, CHANNEL, admins={DEFAULT_USER})
        chat.listeners.append(self.show)

    # -- output -------------------------------------------------------------------

    def show(self, sent: Sent) -> None:
        if sent.to_user is not None:
            where = f"private → {sent.to_user.name}"
        elif sent.thread_id is not None:
            where = f"#{CHANNEL.channel_id} › thread of [{self._post_number(sent.thread_id)}]"
        else:
            where = f"#{sent.channel.channel_id if sent.channel else '?'}"
        body = sent.text.replace("\n", "\n    ")
        buttons = "  " + " ".join(f"[{b.label}]" for b in sent.buttons) if sent.buttons else ""
        print(f"[{sent.number}] {where}: {body}{buttons}", file=self.out, flush=True)
        for path in self._save_files(sent):
            print(f"    📎 {path}", file=self.out, flush=True)
        if self.transcript is not None:
            # One JSON line a message, written through at once: a record that outlives a
            # killed process (tests count posts in it; the nonce marks a retried send).
            record = {
                "at": self.clock.now().isoformat(),
                "channel": sent.channel.channel_id if sent.channel else None,
                "thread": sent.thread_id,
                "to": sent.to_user.name if sent.to_user else None,
                "opened_thread": sent.opened_thread is not None,
                "nonce": sent.nonce,
                "text": sent.text,
            }
            self.transcript.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.transcript.flush()

    def _save_files(self, sent: Sent) -> list[Path]:
        paths = []
        for name, data in sent.files:
            folder = self.files_dir / "files"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{sent.number}-{Path(name).name}"  # never outside the folder
            path.write_bytes(data)
            paths.append(path)
        return paths

    def say(self, text: str) -> None:
        print(f"-- {text}", file=self.out, flush=True)

    def _post_number(self, thread_id: str) -> str:
        return next((str(s.number) for s in self.chat.sent if s.opened_thread == thread_id), "?")

    # -- start-up -----------------------------------------------------------------

    async def ensure_channel(self, zone: str) -> None:
        """The console's study channel, set up on first run with the default pack."""
        store = self.bot.svc.store
        if await store.get_channel(CHANNEL) is None:
            await self.driver.as_user(DEFAULT_USER).runs(f"/setup timezone:{zone} weekdays:daily")
            if await store.get_channel(CHANNEL) is None:
                raise RuntimeError(NOT_SET_UP)
        await self.bot.run_due()

    # -- input --------------------------------------------------------------------

    async def handle_line(self, line: str) -> bool:
        """Handle one line; False when the user asked to quit."""
        line = line.rstrip("\n")
        if not line.strip():
            return True
        user = DEFAULT_USER
        if m := _SPEAKER.match(line):
            user, line = m.group(1), m.group(2)
        actions = self.driver.as_user(user)
        try:
            if line.strip() in ("/quit", "/exit"):
                return False
            pending = self._forms.get(user)
            if pending is not None and line.strip() == "/cancel":
                del self._forms[user]
                self.say(f"{pending.form.title}: dropped, nothing was sent.")
            elif pending is not None and not line.startswith("/"):
                await self._fill(actions, user, pending, line)
            elif m := _CLICK.match(line.strip()):
                await self._click(actions, int(m.group(1)), m.group(2))
            elif line.startswith("/clock"):
                await self.move_clock(line.removeprefix("/clock").strip())
            elif line.startswith("/"):
                await actions.runs(line)
            elif m := _REPLY.match(line):
                await actions.replies(m.group(2), to=int(m.group(1)) if m.group(1) else None)
            else:
                await actions.says(line)
        except (CommandError, LookupError, ValueError) as err:
            # A KeyError's str() is its repr, quotes and all: say its message instead.
            self.say(str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err))
        self._watch_forms()
        return True

    async def _click(self, actions: UserActions, number: int, label: str | None) -> None:
        sent = self.chat.by_number(number)
        if not sent.buttons:
            raise LookupError(f"message [{number}] has no buttons")
        if label is None:
            if len(sent.buttons) > 1:
                names = ", ".join(b.label for b in sent.buttons)
                raise LookupError(f"message [{number}] has several buttons; name one: {names}")
            label = sent.buttons[0].label
        await actions.clicks(number, label.strip())

    def _watch_forms(self) -> None:
        """Forms the bot opened since the last line: ask for their first field."""
        for opened in self.chat.forms[self._forms_seen :]:
            fill = FormInProgress(opened.form)
            self._forms[opened.interaction.user.name] = fill
            self._ask(opened.interaction.user.name, fill)
        self._forms_seen = len(self.chat.forms)

    def _ask(self, user: str, fill: FormInProgress) -> None:
        f = fill.next_field
        if f is not None:
            optional = " (optional: - to leave it empty)" if not f.required else ""
            if f.value:
                optional += f" (now: {shorten(f.value, 120)}; . keeps it)"
            self.say(
                f"📝 {fill.form.title} for {user}: {f.label}{optional}. Type it on the next line, or /cancel."
            )

    async def _fill(self, actions: UserActions, user: str, fill: FormInProgress, line: str) -> None:
        f = fill.next_field
        assert f is not None
        text = "" if (not f.required and line.strip() == "-") else line
        if f.value and line.strip() == ".":
            text = f.value  # an edit form: keep what is there
        if f.required and not text.strip():
            self.say(f"{f.label} is required; type it, or /cancel.")
            return
        fill.values[f.name] = text[: f.max_length]
        if fill.next_field is not None:
            self._ask(user, fill)
            return
        del self._forms[user]
        await actions.submits(fill.form.custom_id, **fill.values)

    async def move_clock(self, arg: str) -> None:
        settings = await self.bot.svc.store.get_channel(CHANNEL)
        zone = settings.timezone if settings else "UTC"
        now = self.clock.now()
        if not arg:
            self.say(f"It is {now.astimezone(ZoneInfo(zone)):%a %Y-%m-%d %H:%M} ({zone}).")
            return
        if m := _STEP.match(arg):
            n, unit = int(m.group(1)), m.group(2)
            target = now + timedelta(
                **{{"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[unit]: n}
            )
        else:
            try:
                target = datetime.fromisoformat(arg)
            except ValueError:
                raise ValueError(
                    "/clock takes +90m, +2h, +1d, +1w or a local "
                    f"time like 2026-12-01 09:00; not {arg!r}"
                ) from None
            if target.tzinfo is None:
                target = target.replace(tzinfo=ZoneInfo(zone))
        if target < now:
            raise ValueError("the clock only moves forward")
        await advance_to(self.bot, self.clock, target)
        self.say(f"It is now {target.astimezone(ZoneInfo(zone)):%a %Y-%m-%d %H:%M} ({zone}).")

    async def run(self, stream: TextIO, *, interactive: bool) -> None:
        loop = asyncio.get_running_loop()
        ticker = asyncio.create_task(self._tick()) if interactive else None
        try:
            while True:
                if interactive:
                    print("> ", end="", file=self.out, flush=True)
                line = await loop.run_in_executor(None, stream.readline)
                if not line:
                    break
                if not await self.handle_line(line):
                    break
                if not interactive:
                    # A piped script reads in order: the AI review before the next line.
                    await self.bot.idle()
        finally:
            if ticker:
                ticker.cancel()

    async def _tick(self) -> None:
        # Real time passes in an interactive session: post and close on time.
        while True:
            await asyncio.sleep(20)
            await self.bot.run_due()


def default_zone() -> str:
    """The terminal's zone from TZ, when it is an IANA name; else UTC."""
    try:
        return (
            parse_zone(os.environ.get("TZ", "UTC").lstrip(":")) if os.environ.get("TZ") else "UTC"
        )
    except BadValue:
        return "UTC"
