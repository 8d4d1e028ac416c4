"""Streaks count the channel's posting days on which the member answered. Only days the bot
posted count at all: a paused week, a skipped holiday or an outage skipped with a notice
is simply not a posting day, so it never breaks a streak."""

from __future__ import annotations

from datetime import date


def streaks(posting: dict[date, bool], answered: set[date]) -> tuple[int, int]:
    """(current, best). `posting` maps each posting day to whether its post is still open:
    an open day not yet answered does not break the current streak (there is time left)."""
    days = sorted(posting)
    best = run = 0
    for d in days:
        if d in answered:
            run += 1
            best = max(best, run)
        elif not posting[d]:
            run = 0
    current = 0
    for d in reversed(days):
        if d in answered:
            current += 1
        elif posting[d]:
            continue  # still open: the member can still answer it
        else:
            break
    return current, best
