"""F1: the daily question. Claims a slot in the database before it posts, so a restart or a
second instance never posts twice, and a slot missed while down is caught up or skipped
with a notice, never silently."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import mean

from bot import faults
from bot.content import Pack
from bot.content.schema import Phase, Question
from bot.domain import Button, ChannelRef, DeliveryRefused, Destination, Outgoing
from bot.features import notices, review
from bot.features.questions import choose_question, phase_on
from bot.features.timeline import countdown, nudge_members, nudges_due
from bot.logs import about
from bot.services import Services
from bot.storage.activity import Tick
from bot.storage.records import Answer, ChannelSettings, History, Post
from bot.text import defang, shorten
from bot.timing import describe, is_posting_day, local_date, local_slot

log = logging.getLogger(__name__)

ANSWER_BUTTON = "answer"
# A post the platform refused for good (the bot may not post here): never retried, unlike
# "failed", which a later tick takes over.
REFUSED = "refused"
# The error a post that went out without its thread keeps, for /post-now and /status.
NO_THREAD = "no thread: "


def slot_for(settings: ChannelSettings, day: date) -> datetime:
    return local_slot(day, settings.post_time, settings.timezone)


def posting_day(settings: ChannelSettings, day: date) -> bool:
    return is_posting_day(day, settings.weekdays) and day not in settings.skip_dates


def latest_slot(settings: ChannelSettings, now: datetime) -> tuple[date, datetime] | None:
    """The most recent posting slot at or before `now` (looking back a week)."""
    today = local_date(now, settings.timezone)
    for back in range(8):
        day = today - timedelta(days=back)
        if posting_day(settings, day):
            at = slot_for(settings, day)
            if at <= now:
                return day, at
    return None


def next_slot(
    settings: ChannelSettings, after: datetime, *, any_day: bool = False
) -> datetime | None:
    """The first posting slot strictly after `after` (with `any_day`, the posting time of
    any day, posting day or not: members' nudges go out then too)."""
    today = local_date(after, settings.timezone)
    for ahead in range(370):  # a long list of skipped dates must not hide the next post
        day = today + timedelta(days=ahead)
        if any_day or posting_day(settings, day):
            at = slot_for(settings, day)
            if at > after:
                return at
    return None


@dataclass(frozen=True, slots=True)
class Looked:
    """What one read of the database, for all the channels of a tick at once, said about a
    channel's slot (as `Store.unsettled_slot` answers)."""

    slot: str
    settled: bool
    existing: Post | None


async def run_due(svc: Services, tick: Tick | None = None) -> None:
    """Everything due by now: each channel's slot, then the windows that closed. With a
    tick (the scheduler's), what it says is idle is not looked at."""
    channels = await _own_channels(svc, tick)
    # Looked at once, before this feature writes anything: a post made now is neither a
    # stale claim nor due to close in this tick, and no post makes a member to nudge.
    active = await tick.activity() if tick is not None else None
    if active is None or active.stale_claims:
        await retry_stale_claims(svc, {s.channel: s for s in channels})
    now = svc.clock.now()
    # What the channels' posts need from the database, read for all of them in a few
    # queries instead of a few per channel: a thousand channels due in one minute.
    looked = await look(svc, channels, now)
    # Nobody with an interview date anywhere: no member to nudge in any channel.
    nudges = active is None or active.preps
    wanted = [s.channel for s in channels if nudges and nudges_due(svc, s, now)]
    preps = await svc.store.preps_in_channels(wanted) if wanted else {}
    # Channels are handed to the adapter together, a bounded number at a time: a thousand
    # channels due in one minute are paced by the platform's rate limits (which the adapter
    # honours), not by one round trip after another. Each channel's claim row still makes
    # its post exactly-once, and each channel fails alone.
    turns = asyncio.Semaphore(max(1, svc.tuning.post_concurrency))
    # Each instance goes through the channels in an order of its own, so instances sharing
    # a database claim different channels first instead of racing for the same ones.
    order = list(channels)
    random.Random(svc.tuning.instance_id).shuffle(order)

    async def one(settings: ChannelSettings) -> None:
        async with turns:
            with about(settings.channel):
                try:
                    await post_due_slot(svc, settings, looked.get(settings.channel))
                    if nudges:
                        await nudge_members(svc, settings, preps.get(settings.channel))
                except DeliveryRefused as refused:  # recorded on the post; /status shows it
                    log.warning("posting refused: %s", refused)
                except Exception:  # one broken channel must not stop the others
                    log.exception("posting failed")

    await asyncio.gather(*(one(s) for s in order))
    if active is None or active.to_close:
        await close_due_windows(svc)


async def look(
    svc: Services, channels: list[ChannelSettings], now: datetime
) -> dict[ChannelRef, Looked]:
    """Each channel's latest slot as the database has it, for `post_due_slot`."""
    slots: dict[ChannelRef, str] = {}
    for s in channels:
        due = _due_slot(s, now)
        if due is not None:
            slots[s.channel] = due[0].isoformat()
    if not slots:
        return {}
    found = await svc.store.unsettled_slots(slots.items())
    fresh = [ref for ref, slot in slots.items() if found[(ref, slot)] == (False, None)]
    if fresh:  # their posts will ask whether answers are hidden: one query for all
        await svc.reviews.prime(fresh)
    return {ref: Looked(slot, *found[(ref, slot)]) for ref, slot in slots.items()}


async def next_slot_due(
    svc: Services, after: datetime, tick: Tick | None = None
) -> datetime | None:
    """The next channel's posting time, strictly after `after`. The posts' own due times
    (windows to close, leases to run out) the scheduler asks with the others at once
    (Store.next_post_event on its own)."""
    times = [
        t
        for s in await _own_channels(svc, tick)
        if (t := next_slot(s, after, any_day=True)) is not None
    ]
    return min(times, default=None)


async def _own_channels(svc: Services, tick: Tick | None = None) -> list[ChannelSettings]:
    if tick is not None:
        found = await tick.channels()
    else:
        found = await svc.store.list_channels(active_only=True)
    return [s for s in found if svc.tuning.owns_tenant(s.channel.tenant)]


def _due_slot(settings: ChannelSettings, now: datetime) -> tuple[date, datetime, bool] | None:
    """The channel's latest slot (its day and time, and whether it is the channel's first
    day), or None when there is none or the channel did not exist yet."""
    found = latest_slot(settings, now)
    if found is None:
        return None
    day, at = found
    if settings.created_at is None:
        return day, at, False
    created = local_date(settings.created_at, settings.timezone)
    if day < created:
        return None  # the channel did not exist yet
    return day, at, day == created


async def post_due_slot(
    svc: Services, settings: ChannelSettings, looked: Looked | None = None
) -> Post | None:
    """Post this channel's latest slot if nobody has; returns the post when this call made it.
    `looked`: what `look` read for this channel in the tick (else it is read here)."""
    now = svc.clock.now()
    due = _due_slot(settings, now)
    if due is None:
        return None
    day, at, first_day = due
    slot = day.isoformat()
    if looked is None or looked.slot != slot:  # a slot that began since the look
        settled, existing = await svc.store.unsettled_slot(settings.channel, slot)
    else:
        settled, existing = looked.settled, looked.existing
    if settled:
        return None
    if existing is not None:
        return await _retry_stale(svc, settings, existing, now)
    overdue = now - at
    allowed = (
        timedelta(minutes=settings.grace_minutes)
        if settings.catchup == "late"
        else svc.tuning.late_after
    )
    if not first_day and overdue > allowed:
        if await _skip(svc, settings, day, at, now):
            svc.store.note_settled(settings.channel, day.isoformat())
        return None
    late = not first_day and overdue > svc.tuning.late_after
    claimed = await _claim(svc, settings.channel, slot, day, now, late=late)
    if claimed is None:
        return None  # another instance got there first
    svc.metrics.scheduler_lag(overdue.total_seconds())
    post = await _send_post(svc, settings, *claimed)
    if post.status == "sent":
        svc.store.note_settled(settings.channel, slot)
    return post


async def _claim(
    svc: Services, ref: ChannelRef, slot: str, day: date, now: datetime, *, late: bool
) -> tuple[Post, History] | None:
    """Claim a slot for sending: the claimed row as the database now holds it, and the
    channel's question history (read with the claim); None when the slot was taken."""
    lease_until = now + svc.tuning.lease
    claimed = await svc.store.claim_post(
        ref, slot, day, claimer=svc.tuning.instance_id, now=now, lease_until=lease_until, late=late
    )
    if claimed is None:
        return None
    post_id, history = claimed
    post = Post(
        id=post_id,
        channel=ref,
        slot=slot,
        local_date=day,
        status="sending",
        late=late,
        question_id=None,
        claimed_by=svc.tuning.instance_id,
        lease_until=lease_until,
        posted_at=None,
        closes_at=None,
        closed_at=None,
        message_id=None,
        thread_id=None,
        error=None,
    )
    return post, history


async def post_now(svc: Services, settings: ChannelSettings) -> Post:
    """An admin's post-now: today's slot early if it is free, else an extra question."""
    now = svc.clock.now()
    today = local_date(now, settings.timezone)
    slot = today.isoformat()
    if not posting_day(settings, today) or await svc.store.get_slot(settings.channel, slot):
        slot = f"extra-{now:%Y%m%dT%H%M%S}"
    claimed = None
    for attempt in range(5):  # two admins in the same second get distinct extra slots
        name = slot if attempt == 0 else f"{slot}-{attempt}"
        claimed = await _claim(svc, settings.channel, name, today, now, late=False)
        if claimed is not None:
            break
    if claimed is None:
        raise RuntimeError("could not claim a slot for post-now")
    return await _send_post(svc, settings, *claimed)


async def retry_stale_claims(svc: Services, channels: dict[ChannelRef, ChannelSettings]) -> None:
    """Slots whose sender died mid-send, whatever day they were for: sent now if still
    within the catch-up window (with the same nonce, so a platform that saw the first
    attempt drops the second), else skipped with a notice. Never left silently."""
    now = svc.clock.now()
    for post in await svc.store.stale_claims(now):
        settings = channels.get(post.channel)
        if settings is None:
            continue  # paused or removed: it waits
        at = slot_for(settings, post.local_date)
        with about(post.channel, post=post.id):
            await _retry_or_skip(svc, settings, post, at, now)


async def _retry_or_skip(
    svc: Services, settings: ChannelSettings, post: Post, at: datetime, now: datetime
) -> None:
    """Send a dead sender's claim now, within the catch-up window, or skip it with a notice."""
    try:
        if post.slot.startswith("extra-") or now - at <= timedelta(minutes=settings.grace_minutes):
            await _retry_stale(svc, settings, post, now)
        elif await svc.store.take_over(
            post, claimer=svc.tuning.instance_id, now=now, lease_until=now
        ):
            await svc.store.set_post_status(
                post.channel.tenant, post.id, "skipped", error="sender died"
            )
            svc.metrics.post_skipped()
            log.info("post skipped: its sender died", extra={"slot": post.slot})
            await _announce_skip(svc, settings, at, now)
    except Exception:
        log.exception("retrying a stale claim failed")


async def _retry_stale(
    svc: Services, settings: ChannelSettings, post: Post, now: datetime
) -> Post | None:
    """A claim left 'sending' (its process died) or 'failed' past its lease is taken over."""
    if post.status not in ("sending", "failed") or post.lease_until > now:
        return None
    claimer, lease_until = svc.tuning.instance_id, now + svc.tuning.lease
    if not await svc.store.take_over(post, claimer=claimer, now=now, lease_until=lease_until):
        return None
    claim = dataclasses.replace(post, status="sending", claimed_by=claimer, lease_until=lease_until)
    history = (await svc.store.post_history([post.channel]))[post.channel]
    return await _send_post(svc, settings, claim, history)


async def _skip(
    svc: Services, settings: ChannelSettings, day: date, at: datetime, now: datetime
) -> bool:
    """Skip a slot missed while down, with a notice; False if another instance had it."""
    post_id = await svc.store.claim_slot(
        settings.channel,
        day.isoformat(),
        day,
        claimer=svc.tuning.instance_id,
        now=now,
        lease_until=now,
        late=True,
        status="skipped",
    )
    if post_id is None:
        return False
    svc.metrics.post_skipped()
    log.info("post skipped: missed while down", extra={"slot": day.isoformat(), "post": post_id})
    await _announce_skip(svc, settings, at, now)
    return True


async def _announce_skip(
    svc: Services, settings: ChannelSettings, at: datetime, now: datetime
) -> None:
    upcoming = next_slot(settings, now)
    when = f" The next question comes {describe(upcoming, settings.timezone)}." if upcoming else ""
    why = (
        f"it is now past the {settings.grace_minutes // 60}h catch-up window"
        if settings.catchup == "late"
        else "this channel skips missed questions instead of posting them late"
    )
    await svc.chat.send(
        Destination.to_channel(settings.channel),
        Outgoing(
            f"⏭️ The question for {describe(at, settings.timezone)} was skipped: the bot was offline and {why}.{when}"
        ),
    )


async def _send_post(
    svc: Services, settings: ChannelSettings, claim: Post, history: History
) -> Post:
    """Send a claimed post; `history`: the channel's question uses and sent posts."""
    post_id, day, late = claim.id, claim.local_date, claim.late
    pack = svc.pack(settings.pack_id)
    if pack is None:
        await svc.store.set_post_status(
            settings.channel.tenant,
            post_id,
            "failed",
            error=f"pack {settings.pack_id!r} is not installed",
        )
        raise LookupError(f"pack {settings.pack_id!r} is not installed")
    ref = settings.channel
    uses, posted = history
    phase, days_to_go = phase_on(pack, settings.cohort_date, day)
    question = choose_question(pack, uses, posted, phase, salt=f"{ref.tenant}/{ref.channel_id}")
    now = svc.clock.now()
    closes_at = now + timedelta(minutes=settings.window_minutes)
    hidden = await review.is_hidden(svc, ref)
    text = render_post(
        pack,
        question,
        day,
        phase,
        days_to_go,
        closes_at,
        settings.timezone,
        late=late,
        hidden=hidden,
    )
    refused_thread: DeliveryRefused | None = None
    faults.reached("post.claimed")
    try:
        sent = await svc.chat.send(
            Destination.to_channel(ref),
            Outgoing(
                text,
                buttons=(_answer_button(post_id),),
                thread_name=f"{day:%d %b}: {shorten(question.prompt, 60)}",
                nonce=f"studybot-{ref.channel_id}-{post_id}",
            ),
        )
    except DeliveryRefused as refused:
        if refused.partial is None:
            # Nothing went out and nothing will: no retry loop, the admins are told.
            why = notices.missing(refused)[:500]
            await svc.store.set_post_status(ref.tenant, post_id, REFUSED, error=why)
            log.warning("daily post refused", extra={"channel": ref.channel_id})
            raise
        # The message is out, its thread is not: a post without a thread is still a post.
        sent, refused_thread = refused.partial, refused
    except Exception as err:
        await svc.store.set_post_status(ref.tenant, post_id, "failed", error=repr(err)[:500])
        svc.metrics.post_failed()
        raise
    faults.reached("post.sent")
    error = None
    await svc.store.finish_post(
        ref.tenant,
        post_id,
        question_id=question.id,
        message_id=sent.message_id,
        thread_id=sent.thread_id,
        posted_at=now,
        closes_at=closes_at,
    )
    if refused_thread is not None:
        error = NO_THREAD + notices.missing(refused_thread)
        await svc.store.set_post_status(ref.tenant, post_id, "sent", error=error)
        # Once per outage: a channel that stays without the permission is not told daily.
        before = await svc.store.previous_sent_post(ref, post_id)
        if before is None or not (before.error or "").startswith(NO_THREAD):
            await _tell_admins(svc, ref, refused_thread)
    faults.reached("post.finished")
    svc.metrics.post_sent(late=late)
    log.info(
        "post sent",
        extra={
            "post": post_id,
            "question": question.id,
            "late": late,
            "message_id": sent.message_id,
        },
    )
    # The row as finish_post (and set_post_status) left it, without reading it back.
    return dataclasses.replace(
        claim,
        status="sent",
        question_id=question.id,
        message_id=sent.message_id,
        thread_id=sent.thread_id,
        posted_at=now,
        closes_at=closes_at,
        error=error,
    )


async def _tell_admins(svc: Services, ref: ChannelRef, refused: DeliveryRefused) -> None:
    """One notice in the channel, under the post that went out without its thread."""
    try:
        await svc.chat.send(Destination.to_channel(ref), Outgoing(notices.thread_notice(refused)))
    except Exception:
        log.exception("could not tell the admins about the missing thread")


def _answer_button(post_id: int) -> Button:
    return Button(f"{ANSWER_BUTTON}:{post_id}", "Answer")


def render_post(
    pack: Pack,
    q: Question,
    day: date,
    phase: Phase | None,
    days_to_go: int | None,
    closes_at: datetime,
    zone: str,
    *,
    late: bool,
    hidden: bool = False,
) -> str:
    head = f"📌 Question of the day · {day:%a} {day.day} {day:%b}"
    if phase is not None and days_to_go is not None:
        head += f" · {phase.name} ({countdown(days_to_go)})"
    tags = [q.kind.value.capitalize(), q.difficulty.value]
    tags += [(pr.name if (pr := pack.principle(p)) else p) for p in q.principles]
    tags += q.topics
    lines = [head]
    if late:
        lines.append("(posted late: the bot was offline at the posting time)")
    lines += [
        "",
        q.prompt.strip(),
        "",
        " · ".join(tags),
        (
            "Press Answer to answer privately: answers stay hidden until the close, then "
            "all are revealed together (a reply in the thread is seen by everyone). "
            if hidden
            else "Reply in the thread below with your answer, or press Answer. "
        )
        + f"Answers close {describe(closes_at, zone)}.",
    ]
    return "\n".join(lines)


async def close_due_windows(svc: Services) -> None:
    for post in await svc.store.posts_to_close(svc.clock.now()):
        if not svc.tuning.owns_tenant(post.channel.tenant):
            continue
        with about(post.channel, post=post.id):
            if not await svc.store.mark_closed(post.channel.tenant, post.id, svc.clock.now()):
                continue  # another instance closed it
            log.info("answers closed")
            try:
                await _send_summary(svc, post)
            except DeliveryRefused as refused:  # the reveal and peer review still go ahead
                log.warning("summary refused: %s", refused)
            try:
                await review.on_close(svc, post)
            except DeliveryRefused as refused:  # one channel's refusal must not stop the others
                log.warning("close refused: %s", refused)


async def _send_summary(svc: Services, post: Post) -> None:
    settings = await svc.store.get_channel(post.channel)
    pack = svc.pack(settings.pack_id) if settings else None
    question = pack.question(post.question_id) if pack and post.question_id else None
    answers = await svc.store.answers_for(post)
    on_time = _names(a.user_name for a in answers if not a.late)
    late = _names(a.user_name for a in answers if a.late)
    if not answers:
        lines = [
            "⏰ Answers are closed. Nobody answered this one; it comes round again once the pack is used up."
        ]
    else:
        count = len({a.user_id for a in answers})
        who = ", ".join(on_time) or "nobody on time"
        lines = [f"⏰ Answers are closed. {count} answered: {who}."]
        if late:
            lines.append(f"Late: {', '.join(late)}.")
        best = await _best_rated(svc, post, answers)
        if best:
            lines.append(f"Best rated: {best}.")
    if question is not None and question.model_answer:
        lines += ["", "Model answer outline:", *(f"• {b}" for b in question.model_answer)]
    if post.thread_id:
        dest = Destination.to_thread(post.channel, post.thread_id)
    else:
        dest = Destination.to_channel(post.channel)
    await svc.chat.send(dest, Outgoing("\n".join(lines)))


async def _best_rated(svc: Services, post: Post, answers: list[Answer]) -> str:
    """Up to three members whose answers scored best in their AI review, best first."""
    reviews = await svc.reviews.reviews_for_post(post)
    scored = [
        (mean(r.review.scores.values()), a.user_name)
        for a in answers
        if (r := reviews.get(a.id)) is not None and r.review.scores
    ]
    best: dict[str, float] = {}
    for score, name in sorted(scored, key=lambda s: -s[0]):
        best.setdefault(name, score)
    return ", ".join(f"{defang(n)} ({v:.1f}/4)" for n, v in list(best.items())[:3])


def _names(names: Iterable[str]) -> list[str]:
    """Distinct names in first-seen order, made safe to echo."""
    return [defang(n) for n in dict.fromkeys(names)]
