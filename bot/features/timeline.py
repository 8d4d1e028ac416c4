"""F6: the preparation timeline. Phases come from the pack; a member's own interview date
(`/prep`) brings a private nudge with the phase's checklist at each phase change, sent at
the channel's posting time."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.commands import (
    CommandContext,
    CommandError,
    CommandRegistry,
    CommandSpec,
    Option,
    OptionType,
)
from bot.content import Pack
from bot.content.schema import Phase
from bot.domain import ChannelRef, Destination, Outgoing, Reply, UserRef
from bot.services import Services
from bot.storage.records import ChannelSettings, Prep
from bot.timing import local_date, local_slot

MAX_AHEAD = timedelta(days=366)


def countdown(days: int) -> str:
    if days > 1:
        return f"{days} days to go"
    if days == 1:
        return "the interview is tomorrow"
    if days == 0:
        return "the interview is today"
    return f"the interview was {-days} day{'s' if days < -1 else ''} ago"


def checklist(phase: Phase, checked: frozenset[str] = frozenset()) -> list[str]:
    return [
        f"{'☑' if f'{phase.id}:{i}' in checked else '☐'} {i}. {item}"
        for i, item in enumerate(phase.checklist, start=1)
    ]


def phase_message(
    pack: Pack, phase: Phase, days: int, checked: frozenset[str] = frozenset()
) -> str:
    lines = [f"🗓️ {phase.name}: {countdown(days)}.", phase.goal, "", *checklist(phase, checked)]
    if phase.checklist:
        lines += ["", "Tick an item off with /prep check item:<number>."]
    return "\n".join(lines)


def nudge_day(settings: ChannelSettings, now: datetime) -> date:
    """The day whose nudges are due: today once the posting time has passed, else yesterday."""
    today = local_date(now, settings.timezone)
    return (
        today
        if now >= local_slot(today, settings.post_time, settings.timezone)
        else today - timedelta(days=1)
    )


async def nudge_members(
    svc: Services, settings: ChannelSettings, preps: list[Prep] | None = None
) -> None:
    """A private message to each member of this channel whose phase changed. `preps`: the
    channel's members' dates when the caller read them already (with other channels')."""
    pack = svc.pack(settings.pack_id)
    if pack is None:
        return
    now = svc.clock.now()
    day = nudge_day(settings, now)
    if svc.memo.nudged.get(settings.channel) == day:
        return  # phases change by the day: this day's nudges are done
    if preps is None:
        preps = await svc.store.preps_in(settings.channel)
    for p in preps:
        days = (p.interview_date - day).days
        phase = pack.phase_for(days)
        if phase is None or phase.id == p.last_phase:
            continue
        # The conditional update makes the nudge once-only across restarts and instances.
        if await svc.store.advance_prep_phase(p, phase.id, now):
            user = UserRef(p.tenant, p.user_id, p.user_name)
            await svc.chat.send(
                Destination.to_user(user), Outgoing(phase_message(pack, phase, days))
            )
    svc.memo.nudged[settings.channel] = day


def nudges_due(svc: Services, settings: ChannelSettings, now: datetime) -> bool:
    """Whether `nudge_members` would look at this channel's members now."""
    return svc.memo.nudged.get(settings.channel) != nudge_day(settings, now)


def register(reg: CommandRegistry, svc: Services) -> None:
    async def channel_settings(ctx: CommandContext) -> ChannelSettings:
        if ctx.interaction.channel is None:
            raise CommandError(
                "Run /prep in your study channel, so the bot knows which pack and time apply."
            )
        settings = await svc.store.get_channel(ctx.interaction.channel)
        if settings is None:
            raise CommandError(
                "This channel has no daily question set up yet; ask an admin to run /setup here."
            )
        return settings

    async def prep_set(ctx: CommandContext) -> Reply:
        settings = await channel_settings(ctx)
        pack = svc.pack(settings.pack_id)
        assert pack is not None
        when: date = ctx.options["date"]
        today = local_date(svc.clock.now(), settings.timezone)
        if when < today:
            raise CommandError(
                f"date: {when.isoformat()} is in the past; give your interview date, from today on."
            )
        if when - today > MAX_AHEAD:
            raise CommandError(
                f"date: {when.isoformat()} is more than a year away; set a date within the next 12 months."
            )
        user = ctx.interaction.user
        days = (when - nudge_day(settings, svc.clock.now())).days
        phase = pack.phase_for(days)
        await svc.store.save_prep(
            user.tenant,
            user.user_id,
            user.name,
            settings.channel.channel_id,
            when,
            phase.id if phase else None,
            svc.clock.now(),
        )
        text = f"Your interview date is {when:%a %d %b %Y} ({countdown((when - today).days)})."
        if phase:
            text += "\n\n" + phase_message(pack, phase, (when - today).days)
        else:
            first = max(pack.info.phases, key=lambda p: p.days_before_max)
            text += f"\nPreparation starts {first.days_before_max} days before, with {first.name}; you will get a message then."
        return Reply(text)

    async def prep_clear(ctx: CommandContext) -> Reply:
        user = ctx.interaction.user
        if await svc.store.clear_prep(user.tenant, user.user_id):
            return Reply("Your interview date is cleared; no more personal nudges.")
        return Reply("You had no interview date set. Set one with /prep set date:YYYY-MM-DD.")

    async def prep_status(ctx: CommandContext) -> Reply:
        p, pack, settings = await mine(ctx)
        today = local_date(svc.clock.now(), settings.timezone)
        days = (p.interview_date - today).days
        phase = pack.phase_for(days)
        lines = [f"Interview: {p.interview_date:%a %d %b %Y}, {countdown(days)}."]
        if phase is None:
            lines.append("No preparation phase covers today.")
        else:
            done = sum(f"{phase.id}:{i}" in p.checked for i in range(1, len(phase.checklist) + 1))
            lines += [
                f"Phase: {phase.name} ({done} of {len(phase.checklist)} done)",
                phase.goal,
                *checklist(phase, p.checked),
            ]
        return Reply("\n".join(lines))

    async def prep_check(ctx: CommandContext) -> Reply:
        p, pack, settings = await mine(ctx)
        days = (p.interview_date - local_date(svc.clock.now(), settings.timezone)).days
        phase = pack.phase_for(days)
        if phase is None or not phase.checklist:
            raise CommandError("There is no checklist for today's phase.")
        n: int = ctx.options["item"]
        if not 1 <= n <= len(phase.checklist):
            raise CommandError(
                f"item: give a number from 1 to {len(phase.checklist)} (see /prep status)."
            )
        await svc.store.check_prep_item(p.tenant, p.user_id, f"{phase.id}:{n}", svc.clock.now())
        return Reply(f"☑ {phase.checklist[n - 1]}")

    async def mine(ctx: CommandContext) -> tuple[Prep, Pack, ChannelSettings]:
        user = ctx.interaction.user
        p = await svc.store.get_prep(user.tenant, user.user_id)
        if p is None:
            raise CommandError(
                "You have no interview date set. Set one with /prep set date:YYYY-MM-DD."
            )
        settings = await svc.store.get_channel(ChannelRef(user.tenant, p.channel_id))
        pack = svc.pack(settings.pack_id) if settings else None
        if settings is None or pack is None:
            raise CommandError(
                "The channel your date belongs to is no longer set up; set your date again there."
            )
        return p, pack, settings

    reg.add(
        CommandSpec(
            ("prep", "set"),
            "Set your own interview date; you get a checklist at each phase.",
            (Option("date", OptionType.date, "your interview date, YYYY-MM-DD", required=True),),
        ),
        prep_set,
    )
    reg.add(CommandSpec(("prep", "clear"), "Forget your interview date."), prep_clear)
    reg.add(CommandSpec(("prep", "status"), "Your countdown, phase and checklist."), prep_status)
    reg.add(
        CommandSpec(
            ("prep", "check"),
            "Tick off an item of your phase's checklist.",
            (
                Option(
                    "item", OptionType.integer, "the item's number in /prep status", required=True
                ),
            ),
        ),
        prep_check,
    )
