"""When the core's timed work runs.

The database decides *what* is due (a claim row per slot makes posting exactly-once);
this module only decides *when* to look. In production APScheduler's AsyncIOScheduler
fires a CronTrigger per channel at its local posting time, plus a minute tick that
catches up missed slots and closes answer windows. With a simulated clock (tests, the
console's `/clock`) `advance_to` steps through the same due times in order.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import StudyBot
from bot.ports import Clock

log = logging.getLogger(__name__)

TICK = timedelta(minutes=1)


class SettableClock(Clock, Protocol):
    def set(self, when: datetime) -> None: ...


async def advance_to(bot: StudyBot, clock: SettableClock, target: datetime) -> None:
    """Move a simulated clock to `target`, running everything that falls due on the way."""
    while True:
        due = await bot.next_due(clock.now())
        if due is None or due > target:
            break
        clock.set(due)
        await bot.run_due()
        await bot.idle()
    clock.set(target)
    await bot.run_due()
    await bot.idle()


class Scheduler:
    """APScheduler wiring for a real clock: one cron job per active channel, one tick."""

    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot
        self.aps = AsyncIOScheduler(timezone="UTC")
        self._jobs: dict[str, tuple[str, str, str]] = {}

    async def start(self) -> None:
        if self.aps.running:  # a reconnect must not start a second scheduler
            return
        self.aps.add_job(
            self._tick,
            IntervalTrigger(seconds=int(TICK.total_seconds())),
            id="tick",
            max_instances=1,
            coalesce=True,
        )
        self.aps.start()
        await self._tick()

    def shutdown(self) -> None:
        if self.aps.running:
            self.aps.shutdown(wait=False)

    async def _tick(self) -> None:
        try:
            await self.sync_jobs()
            await self.bot.run_due()
        except Exception:
            log.exception("scheduler tick failed")

    async def sync_jobs(self) -> None:
        """Mirror channel settings into cron jobs (added, changed or removed)."""
        wanted: dict[str, tuple[str, str, str]] = {}
        owns = self.bot.svc.tuning.owns_tenant
        for s in await self.bot.svc.store.list_channels(active_only=True):
            if not owns(s.channel.tenant):
                continue
            wanted[f"post:{s.channel.tenant}:{s.channel.channel_id}"] = (
                s.post_time,
                s.timezone,
                ",".join(s.weekdays),
            )
        for job_id in set(self._jobs) - set(wanted):
            self.aps.remove_job(job_id)
            del self._jobs[job_id]
        for job_id, spec in wanted.items():
            if self._jobs.get(job_id) == spec:
                continue
            hh, mm = spec[0].split(":")
            trigger = CronTrigger(
                hour=int(hh), minute=int(mm), day_of_week=spec[2], timezone=ZoneInfo(spec[1])
            )
            self.aps.add_job(
                self._fire,
                trigger,
                id=job_id,
                replace_existing=True,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
            self._jobs[job_id] = spec

    async def _fire(self, *_: Any) -> None:
        try:
            await self.bot.run_due()
        except Exception:
            log.exception("posting job failed")
