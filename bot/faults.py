"""Fault injection for crash tests: the process kills itself at a chosen point.

`STUDYBOT_FAULT=post.sent:7` makes the process SIGKILL itself the 7th time it reaches the
point `post.sent`; several plans are separated by commas. A crash test picks points and
counts at random, so kills land where the work is, however fast the machine is that minute,
instead of on a timer. Unset (always, outside tests) a point costs one dict lookup.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

ENV = "STUDYBOT_FAULT"

# The points the core marks: a daily post's, in the order it passes them, then an AI
# review's (recorded as owed; the reviewer's answer kept, not yet delivered).
POST_POINTS = ("post.claimed", "post.sent", "post.finished")
REVIEW_POINTS = ("review.pending", "review.given")
POINTS = POST_POINTS + REVIEW_POINTS

_plan: dict[str, int] | None = None
_seen: Counter[str] = Counter()


def parse(value: str) -> dict[str, int]:
    plan: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        point, _, count = item.partition(":")
        if point not in POINTS or not count.isdigit() or int(count) < 1:
            raise ValueError(
                f"{ENV}: {item!r} is not POINT:N with N >= 1 and POINT one of {', '.join(POINTS)}"
            )
        plan[point] = int(count)
    return plan


def reached(point: str) -> None:
    """Mark `point`; dies here when the plan says this is the time."""
    global _plan
    if _plan is None:
        _plan = parse(os.environ.get(ENV, ""))
    if point not in _plan:
        return
    _seen[point] += 1
    if _seen[point] == _plan[point]:
        os.kill(os.getpid(), signal.SIGKILL)
