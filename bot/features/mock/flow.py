"""The /mock commands and the round's buttons and forms (F5).

Sign-up buttons are open to anyone in the tenant while a round signs up; every other
button of a round answers only its participants (a score only the interviewer who asked
that question, a veto only the Bar Raiser, a solo answer only its candidate)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from bot.commands import CommandContext, CommandError, CommandRegistry, CommandSpec, Option
from bot.commands import OptionType as T
from bot.content import Pack
from bot.domain import InteractionRef, Reply
from bot.events import ButtonPressed, FormSubmitted
from bot.features.drills import flow as drills
from bot.features.mock import lineup, render, scoring, solo, steps
from bot.features.mock.plan import FORMATS
from bot.features.mock.render import name
from bot.features.mock.steps import PREFIX, store_of
from bot.services import Services
from bot.storage.mock_store import Out, Round, Step
from bot.storage.records import ChannelSettings
from bot.timing import local_date, local_slot

MAX_QUESTIONS = 8
MIN_MINUTES, MAX_MINUTES = 2, 60
DEFAULT_IDLE = 120  # minutes without activity before a round is closed
GONE = "That mock round does not exist here."


NO_PACK = (
    "No study channel is set up here yet, so there is no question pack for a mock round. "
    "An admin can run /setup in the study channel (see /help setup); then run /mock again."
)


async def home(svc: Services, it: InteractionRef) -> tuple[Pack, ChannelSettings]:
    """The pack a round draws from: this channel's, else the tenant's first study channel."""
    try:
        return await drills.home(svc, it)
    except CommandError:
        raise CommandError(NO_PACK) from None


def check_shape(options: dict[str, Any]) -> tuple[str, int, int]:
    fmt = str(options.get("format") or "behavioral")
    n = int(options.get("questions", 3))
    minutes = int(options.get("minutes", 10))
    if not 1 <= n <= MAX_QUESTIONS:
        raise CommandError(f"questions: {n} is out of range; give 1 to {MAX_QUESTIONS}.")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise CommandError(
            f"minutes: {minutes} is out of range; give {MIN_MINUTES} to {MAX_MINUTES} "
            "(a warning comes one minute before the end)."
        )
    return fmt, n, minutes


def reserved_name(raw: object) -> str | None:
    """`@bo`, `bo` or a platform mention (`<@U123>`, `<@!123>`) -> who the seat is kept for."""
    if raw is None:
        return None
    text = str(raw).strip()
    m = re.fullmatch(r"<@!?([\w-]+)(\|[^>]*)?>", text)
    return (m.group(1) if m else text.lstrip("@")).strip() or None


def next_at(now: datetime, hhmm: str, zone: str) -> datetime:
    today = local_date(now, zone)
    when = local_slot(today, hhmm, zone)
    return when if when > now else local_slot(today + timedelta(days=1), hhmm, zone)


# -- the commands -----------------------------------------------------------------------


async def start_cmd(svc: Services, ctx: CommandContext) -> Reply:
    it = ctx.interaction
    if it.channel is None:
        raise CommandError("Run /mock start in a channel: the round runs in a thread there.")
    pack, settings = await home(svc, it)
    fmt, n, minutes = check_shape(dict(ctx.options))
    ms = store_of(svc)
    if (
        not it.user.is_admin
        and await ms.starters(it.user.tenant, it.channel.channel_id) == "admins"
    ):
        raise CommandError(
            "In this channel only admins start group mock rounds (an admin set "
            "/mock settings start:admins). /mock solo is open to everyone."
        )
    here = await ms.active_here(it.user.tenant, it.channel.channel_id)
    if here is not None:
        raise CommandError(
            f"Mock round #{here.id} is already under way here ({here.status}). One round at a "
            "time per channel and thread: finish it, or its organiser runs /mock cancel."
        )
    now = svc.clock.now()
    at = ctx.options.get("at")
    start_at = next_at(now, str(at), settings.timezone) if at else None
    reserved = reserved_name(ctx.options.get("candidate"))
    idle = int(ctx.options.get("idle", DEFAULT_IDLE))
    if not 10 <= idle <= 24 * 60:
        raise CommandError("idle: give 10m to 24h.")
    values = {
        "tenant": it.user.tenant,
        "channel_id": it.channel.channel_id,
        "pack_id": pack.id,
        "organiser_id": it.user.user_id,
        "organiser_name": it.user.name,
        "format": fmt,
        "questions": n,
        "minutes": minutes,
        "idle_minutes": idle,
        "solo": False,
        "reserved_candidate": reserved,
        "start_at": start_at,
        "status": "signup",
        "last_activity_at": now,
        "created_at": now,
    }

    def step_for(rid: int) -> Step:
        text = render.signup(rid, fmt, n, minutes, it.user.name, start_at, reserved)
        return Step(
            out=[
                Out(
                    "signup",
                    "channel",
                    text,
                    buttons=steps.signup_buttons(rid),
                    thread_name=f"Mock round #{rid}",
                )
            ]
        )

    rid = await ms.create(values, step_for)
    await steps.flush(svc, rid)
    return Reply(f"Mock round #{rid} is open for sign-ups: press a role on its message.")


async def solo_cmd(svc: Services, ctx: CommandContext) -> Reply:
    pack, _settings = await home(svc, ctx.interaction)
    fmt, n, minutes = check_shape(dict(ctx.options))
    return await solo.start(svc, ctx.interaction, pack, fmt, n, minutes)


async def next_cmd(svc: Services, ctx: CommandContext) -> Reply:
    it = ctx.interaction
    if it.channel is None:
        raise CommandError("Run /mock next in the channel of the last round.")
    ms = store_of(svc)
    prev = await ms.latest_here(it.user.tenant, it.channel.channel_id)
    if prev is None:
        raise CommandError("No mock round has run here yet. Start one with /mock start.")
    if prev.active:
        raise CommandError(
            f"Mock round #{prev.id} is still under way; /mock next starts the next one after it ends."
        )
    members = await ms.members(prev.tenant, prev.id)
    if not any(m.user_id == it.user.user_id for m in members) and not it.user.is_admin:
        raise CommandError(f"Only the line-up of round #{prev.id} can start the next one.")
    nxt = await steps.next_candidate(svc, prev, members)
    if nxt is None:
        names = ", ".join(name(m.user_name) for m in steps.present(members))
        raise CommandError(
            f"Everyone in round #{prev.id}'s line-up has been the candidate ({names}). "
            "/mock start begins a new series."
        )
    old = steps.candidate_of(members)
    roles = {m.user_id: m.role for m in steps.present(members)}
    if old is not None:
        roles[old.user_id] = nxt.role  # the last candidate takes the next one's seat
    roles[nxt.user_id] = "candidate"
    new_members = [
        {"user_id": m.user_id, "user_name": m.user_name, "role": roles[m.user_id], "seq": m.seq}
        for m in steps.present(members)
    ]
    if not any(v == "interviewer" for v in roles.values()):
        raise CommandError("The next round would have no interviewer; /mock start a new one.")
    now = svc.clock.now()
    values = {
        "tenant": prev.tenant,
        "channel_id": prev.channel_id,
        "pack_id": prev.pack_id,
        "organiser_id": it.user.user_id,
        "organiser_name": it.user.name,
        "format": prev.format,
        "questions": prev.questions,
        "minutes": prev.minutes,
        "idle_minutes": prev.idle_minutes,
        "solo": False,
        "status": "signup",
        "previous_id": prev.id,
        "last_activity_at": now,
        "created_at": now,
    }

    def step_for(rid: int) -> Step:
        text = (
            f"🔁 Mock round #{rid} · next in the rotation after #{prev.id} · {prev.format} · "
            f"{prev.questions} question(s) × {prev.minutes} min · candidate: {name(nxt.user_name)}.\n"
            "The round runs in this message's thread; Leave takes you out of it."
        )
        return Step(
            new_members=new_members,
            out=[
                Out(
                    "signup",
                    "channel",
                    text,
                    buttons=steps.signup_buttons(rid),
                    thread_name=f"Mock round #{rid}",
                )
            ],
        )

    rid = await ms.create(values, step_for)
    r = await ms.round(prev.tenant, rid)
    assert r is not None
    await steps.begin(svc, r)
    return Reply(f"Mock round #{rid} has started with {name(nxt.user_name)} as the candidate.")


async def leave_cmd(svc: Services, ctx: CommandContext) -> Reply:
    it = ctx.interaction
    mine = await store_of(svc).active_of(it.user.tenant, it.user.user_id)
    if it.channel is not None:
        here = [r for r in mine if it.channel.channel_id in (r.channel_id, r.thread_id)]
        mine = here or mine
    if not mine:
        raise CommandError("You are in no mock round that is under way.")
    return await lineup.leave(svc, it, mine[-1])


async def cancel_cmd(svc: Services, ctx: CommandContext) -> Reply:
    it = ctx.interaction
    if it.channel is None:
        raise CommandError("Run /mock cancel where the round is.")
    r = await store_of(svc).active_here(it.user.tenant, it.channel.channel_id)
    if r is None:
        raise CommandError("There is no mock round under way here.")
    if it.user.user_id != r.organiser_id and not it.user.is_admin:
        raise CommandError(
            f"Only the organiser ({name(r.organiser_name)}) or an admin can cancel round #{r.id}."
        )
    await steps.close(
        svc, r, "ended", f"🛑 Mock round #{r.id} was cancelled by {name(it.user.name)}."
    )
    return Reply(f"Mock round #{r.id} is cancelled.")


async def settings_cmd(svc: Services, ctx: CommandContext) -> Reply:
    it = ctx.interaction
    if it.channel is None:
        raise CommandError("Run /mock settings in the channel it is for.")
    ms = store_of(svc)
    who = ctx.options.get("start")
    if who is not None:
        await ms.set_starters(it.user.tenant, it.channel.channel_id, str(who), svc.clock.now())
    now = await ms.starters(it.user.tenant, it.channel.channel_id)
    return Reply(
        "Group mock rounds in this channel are started by "
        + ("admins only." if now == "admins" else "anyone.")
        + " (/mock solo is always open.)"
    )


async def status_cmd(svc: Services, ctx: CommandContext) -> Reply:
    """Where the round here (or the member's own) stands; never any score."""
    it = ctx.interaction
    ms = store_of(svc)
    r = await ms.active_here(it.user.tenant, it.channel.channel_id) if it.channel else None
    if r is None:
        mine = await ms.active_of(it.user.tenant, it.user.user_id)
        r = mine[-1] if mine else None
    if r is None:
        return Reply(
            "No mock round is under way here. /mock start opens one; /mock solo is private."
        )
    members = await ms.members(r.tenant, r.id)
    lines = [f"Mock round #{r.id} · {r.format}{' · solo' if r.solo else ''} · {r.status}"]
    if not r.solo:
        lines.append(render.lineup(members))
    if r.status == "running" and r.ends_at is not None:
        left = max(0, int((r.ends_at - svc.clock.now()).total_seconds() // 60))
        lines.append(f"Question {r.current + 1} of {r.questions}: about {left} min left.")
    elif r.status == "signup" and r.start_at is not None:
        lines.append(f"Starts at {render.hhmm(r.start_at)} if the roles are filled.")
    elif r.status in ("scoring", "decision"):
        done = sum(s.done for s in await ms.slots(r.tenant, r.id))
        lines.append(
            f"{done} of {r.questions} question(s) scored; the scorecard follows the debrief."
        )
    return Reply("\n".join(lines))


# -- routing ----------------------------------------------------------------------------


async def _round_of(svc: Services, it: InteractionRef, parts: list[str]) -> Round | None:
    r = None
    if len(parts) >= 3 and parts[2].isdigit():
        r = await store_of(svc).round(it.user.tenant, int(parts[2]))
    if r is None:
        await svc.chat.respond(it, Reply(GONE))
    return r


async def on_button(svc: Services, event: ButtonPressed) -> bool:
    parts = event.custom_id.split(":")
    if parts[0] != PREFIX:
        return False
    it = event.interaction
    r = await _round_of(svc, it, parts)
    if r is None:
        return True
    action, args = parts[1], parts[3:]
    if action in ("score", "answer") and not (len(args) == 2 and all(a.isdigit() for a in args)):
        await svc.chat.respond(it, Reply(GONE))
    elif action == "join":
        await svc.chat.respond(it, await lineup.join(svc, it, r, args[0] if args else ""))
    elif action == "leave":
        await svc.chat.respond(it, await lineup.leave(svc, it, r))
    elif action == "start":
        await svc.chat.respond(it, await lineup.start_button(svc, it, r))
    elif action == "score":
        await scoring.score(svc, it, r, int(args[0]), int(args[1]))
    elif action in ("veto", "agree"):
        await svc.chat.respond(it, await scoring.decide(svc, it, r, action == "veto"))
    elif action == "answer":
        await solo.on_answer_button(svc, it, r, int(args[0]), int(args[1]))
    else:
        await svc.chat.respond(it, Reply(GONE))
    return True


async def on_form(svc: Services, event: FormSubmitted) -> bool:
    parts = event.custom_id.split(":")
    if parts[0] != PREFIX:
        return False
    it = event.interaction
    r = await _round_of(svc, it, parts)
    if r is None:
        return True
    action, args = parts[1], parts[3:]
    if action == "comment" and len(args) == 1 and args[0].isdigit():
        await scoring.comment(svc, it, r, int(args[0]), event.values.get("comment", ""))
    elif action == "answer" and len(args) == 2 and all(a.isdigit() for a in args):
        await solo.on_answer_form(
            svc, it, r, int(args[0]), int(args[1]), event.values.get("answer", "")
        )
    else:
        await svc.chat.respond(it, Reply(GONE))
    return True


def register(reg: CommandRegistry, svc: Services) -> None:
    shape = (
        Option("format", T.string, "the kind of round (default behavioral)", choices=FORMATS),
        Option("questions", T.integer, f"how many questions, 1 to {MAX_QUESTIONS} (default 3)"),
        Option(
            "minutes",
            T.integer,
            f"minutes per question, {MIN_MINUTES} to {MAX_MINUTES} (default 10)",
        ),
    )

    async def start_(ctx: CommandContext) -> Reply:
        return await start_cmd(svc, ctx)

    async def solo_(ctx: CommandContext) -> Reply:
        return await solo_cmd(svc, ctx)

    async def next_(ctx: CommandContext) -> Reply:
        return await next_cmd(svc, ctx)

    async def leave_(ctx: CommandContext) -> Reply:
        return await leave_cmd(svc, ctx)

    async def cancel_(ctx: CommandContext) -> Reply:
        return await cancel_cmd(svc, ctx)

    async def settings_(ctx: CommandContext) -> Reply:
        return await settings_cmd(svc, ctx)

    async def status_(ctx: CommandContext) -> Reply:
        return await status_cmd(svc, ctx)

    reg.add(
        CommandSpec(
            ("mock", "start"),
            "A group mock round like an interview loop: roles, timed questions, debrief, scorecard.",
            (
                *shape,
                Option("candidate", T.string, "keep the candidate seat for this member (@name)"),
                Option(
                    "at",
                    T.time,
                    "HH:MM in the channel's time zone: start then if the roles are filled",
                ),
                Option(
                    "idle",
                    T.duration,
                    "close the round after this long without activity (default 2h)",
                ),
            ),
        ),
        start_,
    )
    reg.add(
        CommandSpec(
            ("mock", "solo"), "A private mock round with the bot as the interviewer.", shape
        ),
        solo_,
    )
    reg.add(
        CommandSpec(
            ("mock", "next"),
            "The next round of the rotation: the next candidate from the sign-ups.",
        ),
        next_,
    )
    reg.add(CommandSpec(("mock", "leave"), "Leave the mock round you are in."), leave_)
    reg.add(
        CommandSpec(
            ("mock", "cancel"), "Cancel the round under way here (its organiser or an admin)."
        ),
        cancel_,
    )
    reg.add(
        CommandSpec(("mock", "status"), "Where the mock round here, or yours, stands."), status_
    )
    reg.add(
        CommandSpec(
            ("mock", "settings"),
            "Who may start group mock rounds in this channel.",
            (Option("start", T.string, "anyone or admins", choices=("anyone", "admins")),),
            admin=True,
        ),
        settings_,
    )
    reg.default_sub("mock", "start")
