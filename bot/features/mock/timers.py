"""A round's timed steps, from its rows: a timed start, the one-minute warning and the end
of each question, the Bar Raiser's deadline and abandonment. Nothing lives in memory, so a
restart finds every timer where it was; `next_due` lets a simulated clock step to them."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.features.mock import render, steps
from bot.features.mock.steps import WARN_BEFORE, store_of
from bot.services import Services
from bot.storage.mock_store import Round, Step

MAX_STEPS = 6  # one round's due steps per tick (a restart after a long outage catches up)


def idle_deadline(r: Round) -> datetime | None:
    """When a quiet round is closed. A timed start still to come counts as activity then,
    so a round set up for tonight is not closed this afternoon."""
    if r.status not in ("signup", "scoring", "decision"):
        return None
    since = r.last_activity_at
    if r.status == "signup" and r.start_at is not None:
        since = max(since, r.start_at)
    return since + timedelta(minutes=r.idle_minutes)


async def run_due(svc: Services) -> None:
    await steps.flush(svc)  # what a process that died had written and not sent
    for r in await store_of(svc).active_rounds():
        if not svc.tuning.owns_tenant(r.tenant):
            continue
        for _ in range(MAX_STEPS):
            fresh = await store_of(svc).round(r.tenant, r.id)
            if fresh is None or not await _step(svc, fresh):
                break


async def _step(svc: Services, r: Round) -> bool:
    """Take the round's one due step, if any; True when one was taken."""
    now = svc.clock.now()
    idle = idle_deadline(r)
    if idle is not None and now >= idle:
        text = (
            f"💤 Mock round #{r.id} was closed: no activity for "
            f"{_span(r.idle_minutes)}. /mock start opens a new one."
        )
        return await steps.close(svc, r, "abandoned", text)
    if r.status == "signup" and r.start_at is not None and now >= r.start_at:
        return await _timed_start(svc, r)
    if r.status == "running" and r.ends_at is not None:
        if now >= r.ends_at:
            return await steps.end_question(svc, r)
        if not r.warned and now >= r.ends_at - WARN_BEFORE:
            done = await steps.warn(svc, r)
            await steps.flush(svc, r.id)
            return done
    if r.status == "decision" and r.decide_by is not None and now >= r.decide_by:
        note = "The Bar Raiser did not decide in time, so the panel's outcome stands."
        return await steps.finish(svc, r, vetoed=False, note=note)
    return False


async def _timed_start(svc: Services, r: Round) -> bool:
    ms = store_of(svc)
    members = await ms.members(r.tenant, r.id)
    missing = steps.missing_roles(members)
    if not missing:
        return await steps.begin(svc, r)
    text = (
        f"⏰ It is {render.hhmm(svc.clock.now())}, but mock round #{r.id} cannot start: it "
        f"needs {missing}. {render.name(r.organiser_name)} can press Start once they sign up."
    )
    step = Step(out=[steps.thread("timed-start", text)])
    done = await ms.advance(
        r.tenant,
        r.id,
        expect={"status": "signup", "start_at": r.start_at},
        values={"start_at": None, "last_activity_at": svc.clock.now()},
        step=step,
        now=svc.clock.now(),
    )
    await steps.flush(svc, r.id)
    return done


def _span(minutes: int) -> str:
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


async def next_due(svc: Services, after: datetime) -> datetime | None:
    """The rounds' next step, strictly after `after`. The outbox's retries are due times
    of its rows, which the scheduler asks with the others (bot/storage/activity.py)."""
    times: list[datetime] = []
    for r in await store_of(svc).active_rounds():
        if not svc.tuning.owns_tenant(r.tenant):
            continue
        if r.status == "signup" and r.start_at is not None:
            times.append(r.start_at)
        if r.status == "running" and r.ends_at is not None:
            times.append(r.ends_at)
            if not r.warned:
                times.append(r.ends_at - WARN_BEFORE)
        if r.status == "decision" and r.decide_by is not None:
            times.append(r.decide_by)
        if (idle := idle_deadline(r)) is not None:
            times.append(idle)
    return min((t for t in times if t > after), default=None)
