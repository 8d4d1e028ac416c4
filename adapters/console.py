"""The console adapter (the embedded default): one study channel in a terminal, no tokens.

Lines it reads:
  /name sub key:value key:"quoted value"   run a command (as the current user)
  @alice: text                             speak as alice (`you`, the default, is an admin)
  > text    /    >N text                   reply in the newest post's thread / post N's
  /clock +1d | +90m | 2026-12-01 09:00     move the simulated clock, running what falls due
  anything else                            a message in the channel
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from datetime import datetime, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from adapters.memory import ChatDriver, MemoryChat, Sent
from bot.app import StudyBot
from bot.clock import ShiftedClock
from bot.commands import CommandError
from bot.domain import ChannelRef
from bot.features.admin import NOT_SET_UP
from bot.scheduling import advance_to
from bot.timing import BadValue, parse_zone

TENANT = "console"
CHANNEL = ChannelRef(TENANT, "study")
DEFAULT_USER = "you"
_SPEAKER = re.compile(r"^@([\w.-]+):\s*(.*)$", re.DOTALL)
_REPLY = re.compile(r"^>(\d*)\s?(.*)$", re.DOTALL)
_STEP = re.compile(r"^\+(\d+)([mhdw])$")


class Console:
    def __init__(self, bot: StudyBot, chat: MemoryChat, clock: ShiftedClock, out: TextIO = sys.stdout) -> None:
        self.bot = bot
        self.chat = chat
        self.clock = clock
        self.out = out
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
            if line.startswith("/clock"):
                await self.move_clock(line.removeprefix("/clock").strip())
            elif line.startswith("/"):
                await actions.runs(line)
            elif m := _REPLY.match(line):
                await actions.replies(m.group(2), to=int(m.group(1)) if m.group(1) else None)
            else:
                await actions.says(line)
        except (CommandError, LookupError, ValueError) as err:
            self.say(str(err).strip("'\""))
        return True

    async def move_clock(self, arg: str) -> None:
        settings = await self.bot.svc.store.get_channel(CHANNEL)
        zone = settings.timezone if settings else "UTC"
        now = self.clock.now()
        if not arg:
            self.say(f"It is {now.astimezone(ZoneInfo(zone)):%a %Y-%m-%d %H:%M} ({zone}).")
            return
        if m := _STEP.match(arg):
            n, unit = int(m.group(1)), m.group(2)
            target = now + timedelta(**{{"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[unit]: n})
        else:
            try:
                target = datetime.fromisoformat(arg)
            except ValueError:
                raise ValueError(
                    f"/clock takes +90m, +2h, +1d, +1w or a local time like 2026-12-01 09:00; not {arg!r}"
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
        return parse_zone(os.environ.get("TZ", "UTC").lstrip(":")) if os.environ.get("TZ") else "UTC"
    except BadValue:
        return "UTC"
