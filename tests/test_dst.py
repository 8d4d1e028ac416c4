"""Posting days across 400 days of daylight-saving changes, on a fake clock (issue 5)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import ChannelRef
from bot.storage.records import WEEKDAYS, ChannelSettings
from tests.harness import Harness

# Each time sits on a DST edge of its zone: skipped on the spring-forward day, or repeated
# on the fall-back day (London's 01:30 is both).
CHANNELS = {
    "ny-gap": ("America/New_York", "02:30"),
    "ny-fold": ("America/New_York", "01:30"),
    "london": ("Europe/London", "01:30"),
    "lord-howe-gap": ("Australia/Lord_Howe", "02:15"),
    "lord-howe-fold": ("Australia/Lord_Howe", "01:45"),
    "kolkata": ("Asia/Kolkata", "09:00"),
    "chatham": ("Pacific/Chatham", "03:00"),
}
START = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
DAYS = 400


def expected_local(day: date, hhmm: str, zone: str) -> datetime:
    """What a person expects: the time on that day, or the next minute that exists."""
    tz = ZoneInfo(zone)
    h, m = map(int, hhmm.split(":"))
    wall = datetime(day.year, day.month, day.day, h, m)
    while wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
        wall += timedelta(minutes=1)
    return wall.replace(tzinfo=tz, fold=0)


async def test_every_posting_day_gets_exactly_one_post_at_local_time(h: Harness) -> None:
    h.clock.set(START)
    for cid, (zone, hhmm) in CHANNELS.items():
        await h.store.save_channel(
            ChannelSettings(
                ChannelRef("guild-1", cid),
                "amazon-backend-developer",
                hhmm,
                zone,
                WEEKDAYS,
                window_minutes=24 * 60,
                created_at=START,
            ),
            START - timedelta(days=1),
        )
    await h.advance(timedelta(days=DAYS))

    gaps = folds = 0
    for cid, (zone, hhmm) in CHANNELS.items():
        ref = ChannelRef("guild-1", cid)
        mine = await h.store.posts_of(ref)
        # The day the channel was set up posts at once (covered elsewhere); count from the next.
        mine = [r for r in mine if expected_local(r.local_date, hhmm, zone) >= START]
        days = Counter(r.local_date for r in mine)
        assert all(n == 1 for n in days.values()), (cid, [d for d, n in days.items() if n > 1])
        first = START.astimezone(ZoneInfo(zone)).date()
        last = (START + timedelta(days=DAYS)).astimezone(ZoneInfo(zone)).date()
        want = {first + timedelta(days=i) for i in range((last - first).days + 1)}
        want = {
            d
            for d in want
            if START <= expected_local(d, hhmm, zone) <= START + timedelta(days=DAYS)
        }
        assert set(days) == want, cid
        for r in mine:
            assert r.status == "sent" and not r.late, (cid, r.local_date)
            wanted = expected_local(r.local_date, hhmm, zone)
            assert r.posted_at == wanted.astimezone(UTC), (cid, r.local_date, r.posted_at, wanted)
            local = r.posted_at.astimezone(ZoneInfo(zone)) if r.posted_at else None
            assert local is not None
            gaps += local.strftime("%H:%M") != hhmm
            folds += (
                wanted.utcoffset()
                != expected_local(r.local_date, hhmm, zone).replace(fold=1).utcoffset()
            )
    # The year really crossed the edges: every gap channel met a missing time, and the
    # fold channels a repeated one.
    assert gaps >= 4 and folds >= 4
