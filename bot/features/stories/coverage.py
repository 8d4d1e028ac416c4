"""Which Leadership Principles a member's stories cover, against the pack's targets, and
the weekly private nudge about the largest gaps during the research and practice phases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.content import Pack
from bot.content.schema import Principle
from bot.domain import Destination, Outgoing, UserRef
from bot.services import Services
from bot.storage.activity import Tick
from bot.storage.story_store import Story
from bot.timing import local_date

# The phases of the personal timeline in which stories are still being gathered.
NUDGE_PHASES = ("research", "practice")
NUDGE_EVERY = timedelta(days=7)
# How often this process looks for members to nudge (the claim row decides who gets one).
CHECK_EVERY = timedelta(hours=6)
# A story whose review means less than this counts, but is called weak.
WEAK_BELOW = 2.5


@dataclass(frozen=True, slots=True)
class Coverage:
    principle: Principle
    target: int
    stories: int
    strength: float | None  # mean review score of its stories (1-4)

    @property
    def missing(self) -> int:
        return max(0, self.target - self.stories)


def resolve_principles(pack: Pack, text: str) -> tuple[str, ...]:
    """Principle names or ids, comma-separated, to ids; ValueError says what is valid."""
    wanted = [w.strip() for w in text.replace(";", ",").split(",") if w.strip()]
    if not 1 <= len(wanted) <= 3:
        raise ValueError(
            f"Give one to three principles (you gave {len(wanted)}). {valid_list(pack)}"
        )
    found: list[str] = []
    unknown: list[str] = []
    for w in wanted:
        key = w.lower()
        p = next(
            (
                p
                for p in pack.info.principles
                if key in (p.id, p.name.lower()) or key.replace(" ", "-") == p.id
            ),
            None,
        )
        if p is None:
            unknown.append(w)
        elif p.id not in found:
            found.append(p.id)
    if unknown:
        raise ValueError(f"Not a principle of this pack: {', '.join(unknown)}. {valid_list(pack)}")
    return tuple(found)


def valid_list(pack: Pack) -> str:
    return "Valid: " + ", ".join(f"{p.name} ({p.id})" for p in pack.info.principles) + "."


def coverage(pack: Pack, stories: list[Story]) -> list[Coverage]:
    out = []
    for p in pack.info.principles:
        mine = [s for s in stories if p.id in s.principles]
        scores = [s.score for s in mine if s.score is not None]
        out.append(
            Coverage(p, p.story_target, len(mine), sum(scores) / len(scores) if scores else None)
        )
    return out


def gaps(cov: list[Coverage]) -> list[Coverage]:
    """Principles short of their target, the largest shortfall first (pack order breaks ties)."""
    short = [c for c in cov if c.missing > 0]
    return sorted(short, key=lambda c: -c.missing)


def render_map(cov: list[Coverage], total: int) -> str:
    covered = sum(1 for c in cov if c.missing == 0 and c.target > 0)
    lines = [
        f"🗺️ Your story map: {total} stor{'y' if total == 1 else 'ies'}, "
        f"{covered} of {sum(1 for c in cov if c.target > 0)} principles at their target."
    ]
    for c in cov:
        mark = "✅" if c.missing == 0 else ("🟡" if c.stories else "❌")
        strength = ""
        if c.strength is not None:
            weak = " (weak: strengthen it)" if c.strength < WEAK_BELOW else ""
            strength = f" · strength {c.strength:.1f}/4{weak}"
        lines.append(f"{mark} {c.principle.name}: {c.stories}/{c.target}{strength}")
    short = gaps(cov)
    if short:
        lines.append("Largest gaps: " + gap_list(short[:3]) + ". /story add fills them.")
    else:
        lines.append("No gaps: every principle has the stories the pack asks for.")
    return "\n".join(lines)


def gap_list(short: list[Coverage]) -> str:
    return ", ".join(f"{c.principle.name} ({c.missing} more)" for c in short)


# -- the weekly nudge -------------------------------------------------------------------


async def run_due(svc: Services, tick: Tick | None = None) -> None:
    now = svc.clock.now()
    last = svc.memo.story_nudge_at
    if last is not None and now - last < CHECK_EVERY:
        return
    svc.memo.story_nudge_at = now
    if tick is not None and not (await tick.activity()).preps:
        return  # nobody has an interview date: nobody to nudge
    for channel in await svc.store.list_channels():
        if not svc.tuning.owns_tenant(channel.channel.tenant):
            continue
        pack = svc.pack(channel.pack_id)
        if pack is None:
            continue
        for prep in await svc.store.preps_in(channel.channel):
            days = (prep.interview_date - local_date(now, channel.timezone)).days
            phase = pack.phase_for(days)
            if phase is None or phase.id not in NUDGE_PHASES:
                continue
            stories = await svc.stories.of_member(prep.tenant, prep.user_id)
            short = gaps(coverage(pack, stories))
            if not short:
                continue
            if not await svc.stories.claim_nudge(
                prep.tenant,
                prep.user_id,
                now=now,
                not_since=now - NUDGE_EVERY,
                instance=svc.tuning.instance_id,
            ):
                continue
            user = UserRef(prep.tenant, prep.user_id, prep.user_name)
            await svc.chat.send(
                Destination.to_user(user),
                Outgoing(
                    f"🗺️ {phase.name}, {days} day(s) to your interview. Your story bank's "
                    f"largest gaps: {gap_list(short[:3])}. /story add to write one; "
                    "/story map shows them all. (At most once a week.)"
                ),
            )
