"""F10: the organizer's commands for a channel: setup, status, pause, resume, post-now."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from bot.commands import (
    CommandContext,
    CommandError,
    CommandRegistry,
    CommandSpec,
    Option,
    OptionType,
)
from bot.domain import ChannelRef, DeliveryRefused, Reply
from bot.features import daily, notices, review
from bot.services import Services
from bot.storage.records import ChannelSettings
from bot.timing import BadValue, describe, local_date, parse_date

NOT_SET_UP = "This channel is not set up yet. An admin can run /setup here (try /help setup)."


def register(reg: CommandRegistry, svc: Services, default_pack: str) -> None:
    packs = tuple(sorted(svc.packs))

    async def setup(ctx: CommandContext) -> Reply:
        ref = _channel(ctx)
        if ctx.interaction.missing:
            raise CommandError(
                "The bot cannot run the daily question here yet: it is missing "
                f"{', '.join(ctx.interaction.missing)} in this channel. Give the bot "
                "these permissions in the channel's settings (or its role), then run "
                f"/{ctx.spec.name} again. Nothing was changed."
            )
        now = svc.clock.now()
        old = await svc.store.get_channel(ref)
        opts: dict[str, Any] = dict(ctx.options)
        if "pack" in opts and opts["pack"] not in svc.packs:
            raise CommandError(
                f"pack: {opts['pack']!r} is not installed; installed packs: {', '.join(packs)}."
            )
        if "interview_date" in opts and opts["interview_date"] < local_date(
            now, opts.get("timezone", old.timezone if old else "UTC")
        ):
            raise CommandError(
                f"interview_date: {opts['interview_date']} is in the past; give a date from today on."
            )
        base = old or ChannelSettings(channel=ref, pack_id=default_pack)
        changes: dict[str, Any] = {
            "post_time": opts.get("time"),
            "timezone": opts.get("timezone"),
            "weekdays": opts.get("weekdays"),
            "window_minutes": opts.get("window"),
            "pack_id": opts.get("pack"),
            "cohort_date": opts.get("interview_date"),
            "catchup": opts.get("catchup"),
            "skip_dates": _skip_dates(opts["skip_dates"]) if "skip_dates" in opts else None,
        }
        settings = dataclasses.replace(base, **{k: v for k, v in changes.items() if v is not None})
        await svc.store.save_channel(settings, now)
        verb = "Updated" if old else "Set up"
        text = f"{verb} this channel.\n{_describe(svc, settings)}"
        if old is None:
            fresh = await svc.store.get_channel(ref)
            assert fresh is not None
            if await daily.post_due_slot(svc, fresh):
                text += "\nToday's first question is posted."
        return Reply(text)

    async def status(ctx: CommandContext) -> Reply:
        settings = await _settings(svc, ctx)
        return Reply(await _status(svc, settings))

    async def pause(ctx: CommandContext) -> Reply:
        settings = await _settings(svc, ctx)
        await svc.store.save_channel(dataclasses.replace(settings, paused=True), svc.clock.now())
        return Reply(
            "Paused: no daily questions here until /resume. Answers and drills still work."
        )

    async def resume(ctx: CommandContext) -> Reply:
        settings = await _settings(svc, ctx)
        resumed = dataclasses.replace(settings, paused=False)
        await svc.store.save_channel(resumed, svc.clock.now())
        upcoming = daily.next_slot(resumed, svc.clock.now())
        when = (
            f" The next question comes {describe(upcoming, resumed.timezone)}." if upcoming else ""
        )
        return Reply(f"Resumed.{when}")

    async def post_now(ctx: CommandContext) -> Reply:
        settings = await _settings(svc, ctx)
        try:
            post = await daily.post_now(svc, settings)
        except DeliveryRefused as refused:
            raise CommandError(notices.explain(refused)) from None
        if post.error and post.error.startswith(daily.NO_THREAD):
            return Reply(
                f"Posted question {post.question_id}, without a thread: "
                f"{post.error.removeprefix(daily.NO_THREAD)}. "
                "Members answer with the Answer button until the permission is given."
            )
        return Reply(f"Posted question {post.question_id}.")

    reg.add(
        CommandSpec(
            ("setup",),
            "Set up (or change) the daily question in this channel.",
            (
                Option("time", OptionType.time, "local posting time, HH:MM (default 09:00)"),
                Option(
                    "timezone",
                    OptionType.timezone,
                    "IANA time zone, e.g. Europe/London (default UTC)",
                    suggestions=("UTC", "Europe/London", "America/New_York", "Asia/Kolkata"),
                ),
                Option(
                    "weekdays",
                    OptionType.weekdays,
                    "posting days: mon-fri (default), daily, mon,wed,fri",
                ),
                Option(
                    "window",
                    OptionType.duration,
                    "how long answers are open, e.g. 24h (default), 90m, 2d",
                ),
                Option("pack", OptionType.string, "the content pack", choices=packs),
                Option(
                    "catchup",
                    OptionType.string,
                    "a post missed while down: late (default) or skip",
                    choices=("late", "skip"),
                ),
                Option(
                    "skip_dates",
                    OptionType.string,
                    "dates with no post, e.g. 2026-12-24,2026-12-25 (or none)",
                ),
                Option(
                    "interview_date",
                    OptionType.date,
                    "the cohort's interview date, YYYY-MM-DD (sets the phase)",
                ),
            ),
            admin=True,
        ),
        setup,
    )
    reg.add(
        CommandSpec(
            ("status",), "Show this channel's settings, next post and last post.", admin=True
        ),
        status,
    )
    reg.add(CommandSpec(("pause",), "Stop the daily question in this channel.", admin=True), pause)
    reg.add(CommandSpec(("resume",), "Start the daily question again.", admin=True), resume)
    reg.add(
        CommandSpec(("post-now",), "Post a question in this channel now.", admin=True), post_now
    )


def _skip_dates(value: str) -> tuple[date, ...]:
    if value.strip().lower() in ("", "none", "-"):
        return ()
    try:
        return tuple(sorted({parse_date(part) for part in value.split(",") if part.strip()}))
    except BadValue as err:
        raise CommandError(f"skip_dates: {err}; separate several with commas") from None


def _channel(ctx: CommandContext) -> ChannelRef:
    if ctx.interaction.channel is None:
        raise CommandError(f"Run /{ctx.spec.name} in the study channel, not in a private message.")
    return ctx.interaction.channel


async def _settings(svc: Services, ctx: CommandContext) -> ChannelSettings:
    settings = await svc.store.get_channel(_channel(ctx))
    if settings is None:
        raise CommandError(NOT_SET_UP)
    return settings


def _describe(svc: Services, s: ChannelSettings) -> str:
    pack = svc.pack(s.pack_id)
    hours, minutes = divmod(s.window_minutes, 60)
    window = f"{hours}h" + (f"{minutes:02d}m" if minutes else "")
    lines = [
        f"Pack: {pack.info.title if pack else s.pack_id} ({s.pack_id})",
        f"Posts at {s.post_time} {s.timezone} on "
        f"{','.join(s.weekdays)}; answers open for {window}.",
    ]
    if s.cohort_date:
        lines.append(f"Interview date: {s.cohort_date.isoformat()}")
    catchup = (
        f"posted late within {s.grace_minutes // 60}h"
        if s.catchup == "late"
        else "skipped with a notice"
    )
    lines.append(f"A question missed while the bot is down is {catchup}.")
    if s.skip_dates:
        lines.append(f"No post on: {', '.join(d.isoformat() for d in s.skip_dates)}")
    return "\n".join(lines)


async def _status(svc: Services, s: ChannelSettings) -> str:
    now = svc.clock.now()
    lines = [("⏸️ Paused." if s.paused else "▶️ Active."), _describe(svc, s)]
    upcoming = None if s.paused else daily.next_slot(s, now)
    if upcoming:
        lines.append(f"Next question: {describe(upcoming, s.timezone)}")
    last = await svc.store.last_post(s.channel)
    if last is None:
        lines.append("No question posted yet.")
    else:
        outcome = {
            "sent": "posted",
            "skipped": "skipped (missed while offline)",
            "failed": "failed",
            "sending": "being sent",
            "refused": "refused by the platform (not retried)",
        }
        when = (
            describe(last.posted_at, s.timezone) if last.posted_at else last.local_date.isoformat()
        )
        late = ", late" if last.late and last.status == "sent" else ""
        lines.append(
            f"Last question: {outcome.get(last.status, last.status)}{late}, {when} ({last.question_id or '-'})."
        )
        error = last.error or ""
        if last.status == "sent" and error.startswith(daily.NO_THREAD):
            lines.append(f"Posted without a thread: {error.removeprefix(daily.NO_THREAD)}.")
        if last.status in ("failed", daily.REFUSED) and last.error:
            lines.append(f"Last error: {last.error[:200]}")
    lines += await review.status_lines(svc, s.channel)
    return "\n".join(lines)
