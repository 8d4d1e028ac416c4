"""A member's /progress: the text (always complete on its own) and the chart's data."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.content import Pack
from bot.features.drills.pick import DRILLABLE
from bot.features.progress.chart import Series
from bot.features.progress.streaks import streaks
from bot.features.stories.coverage import coverage, gap_list, gaps
from bot.services import Services
from bot.storage.progress_store import Scored
from bot.storage.records import ChannelSettings
from bot.timing import local_date

RECENT = 3  # the latest answers of a topic, compared with the ones before
TREND = 0.3  # a change smaller than this is "steady"
CHART_LINES = 4


@dataclass
class Progress:
    text: str
    lines: list[Series] = field(default_factory=list)
    weekly: list[tuple[date, int]] = field(default_factory=list)

    @property
    def chartable(self) -> bool:
        return bool(self.weekly)


def week_of(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _label(pack: Pack, tag: str) -> str:
    p = pack.principle(tag)
    return p.name if p else tag


def by_tag(pack: Pack, scored: list[Scored]) -> dict[str, list[Scored]]:
    """Reviewed answers by the topics and principles of their question."""
    out: dict[str, list[Scored]] = defaultdict(list)
    for s in scored:
        q = pack.question(s.question_id)
        if q is None:
            continue
        for tag in [*q.topics, *q.principles]:
            out[tag].append(s)
    return out


def _trend(items: list[Scored]) -> str:
    if len(items) <= RECENT:
        return ""
    recent = sum(s.score for s in items[-RECENT:]) / RECENT
    before = sum(s.score for s in items[:-RECENT]) / (len(items) - RECENT)
    if recent - before >= TREND:
        return f", recently {recent:.1f} ↑"
    if before - recent >= TREND:
        return f", recently {recent:.1f} ↓"
    return ", steady"


async def build(
    svc: Services, pack: Pack, settings: ChannelSettings, tenant: str, user_id: str, zone: str
) -> Progress:
    now = svc.clock.now()
    today = local_date(now, zone)
    ref = settings.channel
    # The reads are independent: asked together, the reply waits for the slowest only.
    (posting, answered, answers, scored), (cards, stories, prep) = await asyncio.gather(
        asyncio.gather(
            svc.progress.posting_days(ref),
            svc.progress.answered_days(ref, user_id),
            svc.progress.answer_count(tenant, user_id),
            svc.progress.scored(tenant, user_id),
        ),
        asyncio.gather(
            svc.drills.all_cards(tenant, user_id),
            svc.stories.of_member(tenant, user_id),
            svc.store.get_prep(tenant, user_id),
        ),
    )
    current, best = streaks(posting, answered)
    drills = sum(1 for s in scored if s.source == "drill")
    lines = [
        f"📈 Your progress · streak {current} day(s), best {best}",
        f"Answers: {answers} daily, {drills} drill(s) reviewed.",
    ]
    tags = by_tag(pack, scored)
    if scored:
        mean = sum(s.score for s in scored) / len(scored)
        lines.append(f"Average review score: {mean:.1f}/4 over {len(scored)} reviewed answer(s).")
        ranked = sorted(tags.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        for tag, items in ranked[:8]:
            avg = sum(s.score for s in items) / len(items)
            lines.append(f"• {_label(pack, tag)}: {avg:.1f}/4 over {len(items)}{_trend(items)}")
    else:
        lines.append("No reviewed answers yet: answer the daily question or run /drill.")

    live = {q.id for q in pack.questions if q.kind in DRILLABLE and not q.retired}
    cards = [c for c in cards if c.question_id in live]
    if cards:
        due = sum(1 for c in cards if c.due <= now)
        lines.append(f"Drills: {len(cards)} learned, {due} due now.")

    cov = coverage(pack, stories)
    short = gaps(cov)
    at_target = sum(1 for c in cov if c.missing == 0 and c.target > 0)
    story_line = f"Stories: {len(stories)}, {at_target} of {len(cov)} principles at target"
    lines.append(story_line + (f"; gaps: {gap_list(short[:3])}." if short else "."))

    target = prep.interview_date if prep else settings.cohort_date
    if target is not None:
        days = (target - today).days
        phase = pack.phase_for(days)
        where = f"{phase.name}, " if phase else ""
        lines.append(f"Timeline: {where}{days} day(s) to the interview ({target:%a %d %b}).")
    else:
        lines.append("Timeline: no interview date yet; /prep set date:YYYY-MM-DD adds yours.")

    weekly: dict[date, int] = defaultdict(int)
    for s in scored:
        weekly[week_of(local_date(s.at, zone))] += 1
    series = []
    for tag, items in sorted(tags.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:CHART_LINES]:
        per: dict[date, list[float]] = defaultdict(list)
        for s in items:
            per[week_of(local_date(s.at, zone))].append(s.score)
        points = [(w, sum(v) / len(v)) for w, v in sorted(per.items())]
        series.append(Series(_label(pack, tag), points))
    return Progress("\n".join(lines), series, sorted(weekly.items()))


def since_of(period: str, now: datetime) -> datetime | None:
    return {"week": now - timedelta(days=7), "month": now - timedelta(days=30)}.get(period)
