"""A clock the console can move: real time plus an offset that only grows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class ShiftedClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._offset = timedelta(0)
        if start is not None:
            self.set(start)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("give the time with a zone, or let the console add the channel's")
        self._offset = when.astimezone(UTC) - datetime.now(UTC)
