"""/progress (private, with a chart where the chat takes files), /leaderboard (opt-in, in
the channel) and /export (admin: the channel's answers and scores as CSV, privately)."""

from __future__ import annotations

import csv
import io
import logging

from bot.commands import CommandContext, CommandError, CommandRegistry, CommandSpec, Option
from bot.commands import OptionType as T
from bot.domain import ChannelRef, Reply
from bot.features.drills.flow import home, member_zone
from bot.features.progress import summary
from bot.features.progress.chart import draw
from bot.review.models import BEHAVIORAL, TECHNICAL
from bot.services import Services
from bot.storage.progress_store import ExportRow, Standing
from bot.text import defang

log = logging.getLogger(__name__)

PERIODS = ("week", "month", "all")
PERIOD_WORDS = {"week": "the last 7 days", "month": "the last 30 days", "all": "all time"}
TIES = (
    "Ranked by answers, then average review score, then drills. Members level on all three "
    "share a place and are listed alphabetically."
)
DIMENSIONS = [d.id for d in (*BEHAVIORAL, *TECHNICAL)]


# -- the leaderboard --------------------------------------------------------------------


def _key(s: Standing) -> tuple[int, float, int]:
    # Scores compared to the displayed precision, so a place is never decided by a
    # difference nobody can see.
    return (-s.answers, -round(s.average or 0.0, 1), -s.drills)


def rank(standings: list[Standing]) -> list[tuple[int, bool, Standing]]:
    """(place, tied, standing), best first. Equal keys share the place (1, 2, 2, 4)."""
    ordered = sorted(standings, key=lambda s: (_key(s), s.user_name.casefold(), s.user_id))
    out: list[tuple[int, bool, Standing]] = []
    counts: dict[tuple[int, float, int], int] = {}
    for s in ordered:
        counts[_key(s)] = counts.get(_key(s), 0) + 1
    place = 0
    for i, s in enumerate(ordered):
        if i == 0 or _key(s) != _key(ordered[i - 1]):
            place = i + 1
        out.append((place, counts[_key(s)] > 1, s))
    return out


def render_leaderboard(period: str, standings: list[Standing]) -> str:
    active = [s for s in standings if s.answers or s.drills]
    head = f"🏆 Leaderboard · {PERIOD_WORDS[period]}"
    if not active:
        who = f"{len(standings)} member(s) have joined" if standings else "Nobody has joined yet"
        return f"{head}\n{who}, with no answers in this period. /leaderboard join to take part."
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    lines = [head]
    for place, tied, s in rank(active):
        avg = f"{s.average:.1f}/4" if s.average is not None else "no score yet"
        tie = " (tie)" if tied else ""
        lines.append(
            f"{medals.get(place, f'{place}.')} {defang(s.user_name)}{tie}: {s.answers} answer(s), "
            f"average {avg}, {s.drills} drill(s)"
        )
    quiet = len(standings) - len(active)
    if quiet:
        lines.append(f"{quiet} more member(s) joined but have no answers in this period.")
    lines += [TIES, "Only members who ran /leaderboard join are ranked."]
    return "\n".join(lines)


# -- the export -------------------------------------------------------------------------


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(rows: list[ExportRow]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            "post_date",
            "question_id",
            "member_id",
            "member",
            "answered_at",
            "late",
            "words",
            "reviewer",
            "mean_score",
            *DIMENSIONS,
            "answer",
        ]
    )
    for r in rows:
        mean = sum(r.scores.values()) / len(r.scores) if r.scores else None
        w.writerow(
            [
                r.post_date.isoformat(),
                r.question_id or "",
                r.user_id,
                _safe(r.user_name),
                r.answered_at.isoformat(),
                "yes" if r.late else "no",
                len(r.text.split()),
                r.reviewer or "",
                f"{mean:.2f}" if mean is not None else "",
                *(r.scores.get(d, "") for d in DIMENSIONS),
                _safe(r.text),
            ]
        )
    return out.getvalue().encode("utf-8")


# -- the commands -----------------------------------------------------------------------


def register(reg: CommandRegistry, svc: Services) -> None:
    async def progress_cmd(ctx: CommandContext) -> Reply:
        it = ctx.interaction
        pack, settings = await home(svc, it)
        user = it.user
        zone = await member_zone(svc, user.tenant, user.user_id, settings)
        report = await summary.build(svc, pack, settings, user.tenant, user.user_id, zone)
        files: tuple[tuple[str, bytes], ...] = ()
        if report.chartable and svc.chat.capabilities.files:
            files = (("progress.png", draw(report.lines, report.weekly)),)
        return Reply(report.text, files=files)

    async def channel_of(ctx: CommandContext) -> ChannelRef:
        ref = ctx.interaction.channel
        if ref is None or await svc.store.get_channel(ref) is None:
            raise CommandError(
                f"Run /{ctx.spec.name} in the study channel (an admin sets it up with /setup)."
            )
        return ref

    async def board_cmd(ctx: CommandContext) -> Reply:
        ref = await channel_of(ctx)
        period = str(ctx.options.get("period", "week"))
        standings = await svc.progress.standings(ref, summary.since_of(period, svc.clock.now()))
        return Reply(render_leaderboard(period, standings), private=False)

    async def join_cmd(ctx: CommandContext) -> Reply:
        ref = await channel_of(ctx)
        user = ctx.interaction.user
        if not await svc.progress.join(ref, user.user_id, user.name, svc.clock.now()):
            return Reply(
                "You are on this channel's leaderboard already. /leaderboard leave takes you off."
            )
        return Reply(
            "🏆 You are on this channel's leaderboard now. /leaderboard leave takes you off."
        )

    async def leave_cmd(ctx: CommandContext) -> Reply:
        ref = await channel_of(ctx)
        gone = await svc.progress.leave(ref, ctx.interaction.user.user_id)
        return Reply("You are off the leaderboard." if gone else "You were not on the leaderboard.")

    async def export_cmd(ctx: CommandContext) -> Reply:
        ref = await channel_of(ctx)
        rows = await svc.progress.export_rows(ref)
        members = len({r.user_id for r in rows})
        text = f"📄 {len(rows)} answer(s) from {members} member(s) in #{ref.channel_id}"
        if not svc.chat.capabilities.files:
            raise CommandError(
                f"{text}, but this chat cannot attach files, so there is no export here."
            )
        name = f"studybot-{ref.channel_id}-{svc.clock.now():%Y-%m-%d}.csv"
        return Reply(f"{text}, as CSV: {name}.", files=((name, export_csv(rows)),))

    reg.add(
        CommandSpec(
            ("progress",),
            "Your progress: streak, scores over time, drills, stories, timeline (private).",
        ),
        progress_cmd,
    )
    reg.add(
        CommandSpec(
            ("leaderboard", "show"),
            "The channel's leaderboard of members who joined it.",
            (Option("period", T.string, "week, month or all (default week)", choices=PERIODS),),
        ),
        board_cmd,
    )
    reg.add(
        CommandSpec(
            ("leaderboard", "join"), "Be ranked on this channel's leaderboard (off until you join)."
        ),
        join_cmd,
    )
    reg.add(
        CommandSpec(("leaderboard", "leave"), "Stop being ranked on this channel's leaderboard."),
        leave_cmd,
    )
    reg.default_sub("leaderboard", "show")
    reg.add(CommandSpec(("export",), "The channel's answers and scores as a CSV file, sent privately.", admin=True), export_cmd)  # fmt: skip
