"""F10: the organizer's commands for a channel: setup, status, pause, resume, post-now."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.commands import CommandContext, CommandError, CommandRegistry, CommandSpec, Option, OptionType
from bot.domain import ChannelRef, Reply
from bot.features import daily
from bot.services import Services
from bot.storage.records import ChannelSettings
from bot.timing import describe, local_date

NOT_SET_UP = "This channel is not set up yet. An admin can run /setup here (try /help setup)."


def register(reg: CommandRegistry, svc: Services, default_pack: str) -> None:
    packs = tuple(sorted(svc.packs))

    async def setup(ctx: CommandContext) -> Reply:
        ref = _channel(ctx)
        now = svc.clock.now()
        old = await svc.store.get_channel(ref)
        opts: dict[str, Any] = dict(ctx.options)
        if "pack" in opts and opts["pack"] not in svc.packs:
            raise CommandError(f"pack: {opts['pack']!r} is not installed; installed packs: {', '.join(packs)}.")
        if "interview_date" in opts and opts["interview_date"] < local_date(
            now, opts.get("timezone", old.timezone if old else "UTC")
        ):
            raise CommandError(f"interview_date: {opts['interview_date']} is in the past; give a date from today on.")
        base = old or ChannelSettings(channel=ref, pack_id=default_pack)
        changes = {
            "post_time": opts.get("time"),
            "timezone": opts.get("timezone"),
            "weekdays": opts.get("weekdays"),
            "window_minutes": opts.get("window"),
            "pack_id": opts.get("pack"),
            "cohort_date": opts.get("interview_date"),
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
        return Reply("Paused: no daily questions here until /resume. Answers and drills still work.")

    async def resume(ctx: CommandContext) -> Reply:
        settings = await _settings(svc, ctx)
        resumed = dataclasses.replace(settings, paused=False)
        await svc.store.save_channel(resumed, svc.clock.now())
        upcoming = daily.next_slot(resumed, svc.clock.now())
        when = f" The next question comes {describe(upcoming, resumed.timezone)}." if upcoming else ""
        return Reply(f"Resumed.{when}")

    async def post_now(ctx: CommandContext) -> Reply:
        settings = await _settings(svc, ctx)
        post = await daily.post_now(svc, settings)
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
                Option("weekdays", OptionType.weekdays, "posting days: mon-fri (default), daily, mon,wed,fri"),
                Option("window", OptionType.duration, "how long answers are open, e.g. 24h (default), 90m, 2d"),
                Option("pack", OptionType.string, "the content pack", choices=packs),
                Option("interview_date", OptionType.date, "the cohort's interview date, YYYY-MM-DD (sets the phase)"),
            ),
            admin=True,
        ),
        setup,
    )
    reg.add(CommandSpec(("status",), "Show this channel's settings, next post and last post.", admin=True), status)
    reg.add(CommandSpec(("pause",), "Stop the daily question in this channel.", admin=True), pause)
    reg.add(CommandSpec(("resume",), "Start the daily question again.", admin=True), resume)
    reg.add(CommandSpec(("post-now",), "Post a question in this channel now.", admin=True), post_now)


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
        f"Posts at {s.post_time} {s.timezone} on {','.join(s.weekdays)}; answers open for {window}.",
    ]
    if s.cohort_date:
        lines.append(f"Interview date: {s.cohort_date.isoformat()}")
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
        }
        when = describe(last.posted_at, s.timezone) if last.posted_at else last.local_date.isoformat()
        late = ", late" if last.late and last.status == "sent" else ""
        lines.append(
            f"Last question: {outcome.get(last.status, last.status)}{late}, {when} ({last.question_id or '-'})."
        )
        if last.status == "failed" and last.error:
            lines.append(f"Last error: {last.error[:200]}")
    return "\n".join(lines)
