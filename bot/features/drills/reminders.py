"""The opt-in daily drill reminder: "N drills due" at the member's chosen local time.

Once a day across restarts and instances: the reminder row is claimed for the local day
by a conditional update before the message goes out (as a daily post's slot is), and a
claim left "sending" by a process that died is taken over once its lease runs out. A day
with nothing due is claimed and settled without a message.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain import Destination, Outgoing, UserRef
from bot.features.drills.pick import DRILLABLE
from bot.services import Services
from bot.storage.drill_store import Reminder
from bot.timing import local_date, local_slot


def due_at(r: Reminder, now: datetime) -> tuple[datetime, bool]:
    """Today's reminder time for `r` and whether today's reminder is still to be handled."""
    today = local_date(now, r.timezone)
    at = local_slot(today, r.remind_at, r.timezone)
    handled = r.day is not None and (r.day > today or (r.day == today and r.status != "sending"))
    return at, not handled


async def run_due(svc: Services) -> None:
    now = svc.clock.now()
    for r in await svc.drills.reminders():
        if not svc.tuning.owns_tenant(r.tenant):
            continue
        at, open_ = due_at(r, now)
        if not open_ or now < at:
            continue
        if r.status == "sending" and r.lease_until is not None and r.lease_until > now:
            continue  # another process is sending it right now
        day = local_date(now, r.timezone)
        if not await svc.drills.claim_reminder(
            r, day, instance=svc.tuning.instance_id, now=now, lease_until=now + svc.tuning.lease
        ):
            continue
        count = await _due_today(svc, r, now)
        if count == 0:
            await svc.drills.settle_reminder(r, day, "none")
            continue
        user = UserRef(r.tenant, r.user_id, r.user_name)
        await svc.chat.send(
            Destination.to_user(user),
            Outgoing(
                f"📚 {count} drill(s) due today. Run /drill due:yes to take them "
                "(/drill remind off:yes stops these messages)."
            ),
        )
        await svc.drills.settle_reminder(r, day, "sent")


async def _due_today(svc: Services, r: Reminder, now: datetime) -> int:
    end = local_slot(local_date(now, r.timezone) + timedelta(days=1), "00:00", r.timezone)
    cards = await svc.drills.all_cards(r.tenant, r.user_id)
    live = {
        q.id
        for c in {card.pack_id for card in cards}
        if (pack := svc.pack(c)) is not None
        for q in pack.questions
        if q.kind in DRILLABLE and not q.retired
    }
    return sum(1 for c in cards if c.due < end and c.question_id in live)


async def next_due(svc: Services, after: datetime) -> datetime | None:
    times = []
    for r in await svc.drills.reminders():
        if not svc.tuning.owns_tenant(r.tenant):
            continue
        at, open_ = due_at(r, after)
        if open_ and at > after:
            times.append(at)
        elif r.status == "sending" and r.lease_until is not None and r.lease_until > after:
            times.append(r.lease_until)
        else:
            tomorrow = local_date(after, r.timezone) + timedelta(days=1)
            times.append(local_slot(tomorrow, r.remind_at, r.timezone))
    return min(times, default=None)
