"""Local posting times, time zones and weekdays: parsing them and turning them into slots."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
from zoneinfo import available_timezones as _available_timezones

from bot.storage.records import WEEKDAYS


@cache
def available_timezones() -> frozenset[str]:
    return frozenset(_available_timezones())


class BadValue(ValueError):
    """A value a user typed that we cannot take; the message says what is accepted."""


_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_time(value: str) -> str:
    m = _TIME.match(value.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise BadValue(f"{value!r} is not a time of day: use 24-hour HH:MM, from 00:00 to 23:59 (e.g. 09:30)")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_zone(value: str) -> str:
    name = value.strip()
    try:
        if (name and name in available_timezones()) or name == "UTC":
            ZoneInfo(name)
            return name
    except (ZoneInfoNotFoundError, ValueError):
        pass
    hint = _zone_hint(name)
    raise BadValue(
        f"{value!r} is not an IANA time zone: use a name like Europe/London, America/New_York, "
        f"Asia/Kolkata or UTC{hint}"
    )


def _zone_hint(name: str) -> str:
    tail = name.split("/")[-1].lower().replace(" ", "_")
    if not tail:
        return ""
    close = sorted(z for z in available_timezones() if z.split("/")[-1].lower() == tail)
    return f" (did you mean {close[0]}?)" if close else ""


_WEEKDAY_WORDS = {
    "daily": WEEKDAYS,
    "everyday": WEEKDAYS,
    "weekdays": WEEKDAYS[:5],
    "weekends": WEEKDAYS[5:],
}


def parse_weekdays(value: str) -> tuple[str, ...]:
    text = value.strip().lower()
    if text in _WEEKDAY_WORDS:
        return _WEEKDAY_WORDS[text]
    days: set[str] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        if "-" in part:
            start, _, end = part.partition("-")
            a, b = _day(start, value), _day(end, value)
            i = WEEKDAYS.index(a)
            while True:
                days.add(WEEKDAYS[i])
                if WEEKDAYS[i] == b:
                    break
                i = (i + 1) % 7
        else:
            days.add(_day(part, value))
    if not days:
        raise BadValue(f"{value!r} names no weekday: use e.g. mon-fri, mon,wed,fri, daily or weekends")
    return tuple(d for d in WEEKDAYS if d in days)


def _day(word: str, whole: str) -> str:
    key = word.strip()[:3]
    if key not in WEEKDAYS:
        raise BadValue(
            f"{whole!r}: {word!r} is not a weekday: use mon, tue, wed, thu, fri, sat, sun, "
            "ranges like mon-fri, or daily / weekdays / weekends"
        )
    return key


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadValue(f"{value!r} is not a date: use YYYY-MM-DD (e.g. 2026-12-15)") from None


_DURATION = re.compile(r"^(\d+)\s*([mhd])$")


def parse_duration_minutes(value: str) -> int:
    m = _DURATION.match(value.strip().lower())
    if not m:
        raise BadValue(f"{value!r} is not a duration: use minutes, hours or days like 90m, 24h or 2d")
    n = int(m.group(1)) * {"m": 1, "h": 60, "d": 1440}[m.group(2)]
    if not 15 <= n <= 7 * 1440:
        raise BadValue(f"{value!r} is out of range: an answer window lasts from 15m to 7d")
    return n


def local_slot(day: date, hhmm: str, zone: str) -> datetime:
    """The UTC instant of `hhmm` on `day` in `zone`.

    A time that does not exist (clocks spring forward over it) becomes the next valid
    minute; a time that happens twice (clocks fall back) is its first occurrence.
    """
    tz = ZoneInfo(zone)
    h, m = map(int, hhmm.split(":"))
    naive = datetime.combine(day, time(h, m))
    first = naive.replace(tzinfo=tz, fold=0)
    # Round-tripping through UTC exposes a gap: a nonexistent wall time comes back changed.
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        probe = naive
        while True:
            probe += timedelta(minutes=1)
            cand = probe.replace(tzinfo=tz)
            if cand.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == probe:
                return cand.astimezone(UTC)
    return first.astimezone(UTC)


def local_date(when: datetime, zone: str) -> date:
    return when.astimezone(ZoneInfo(zone)).date()


def is_posting_day(day: date, weekdays: tuple[str, ...]) -> bool:
    return WEEKDAYS[day.weekday()] in weekdays


def describe(when: datetime, zone: str) -> str:
    """'Tue 1 Dec 09:00 (Europe/London)'."""
    local = when.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %H:%M} ({zone})"
