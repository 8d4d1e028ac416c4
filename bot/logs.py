"""Structured logs: one JSON object a line (or plain text), to stderr.

Every line logged while the core works on a channel carries its `tenant` and `channel` ids
(`about(channel)` sets them for a block of work; tasks started inside inherit them), so a line
about a post, an answer or a review can be traced to where it happened. Message text is never
logged at INFO or above.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from bot.domain import ChannelRef

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

_WHERE: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "studybot_log_where", default=None
)


@contextmanager
def about(channel: ChannelRef | None, **ids: Any) -> Iterator[None]:
    """Log lines inside this block carry the channel's tenant and channel ids (and `ids`)."""
    where = dict(_WHERE.get() or {})
    if channel is not None:
        where.update(tenant=channel.tenant, channel=channel.channel_id)
    where.update({k: str(v) for k, v in ids.items()})
    token = _WHERE.set(where)
    try:
        yield
    finally:
        _WHERE.reset(token)


# The attribute the ids travel in: one name of our own, so a caller's extra={"channel": ...}
# never collides with it (logging refuses an extra that overwrites an attribute).
WHERE = "studybot_where"


def where(record: logging.LogRecord) -> dict[str, str]:
    """The ids a record was logged with."""
    return dict(getattr(record, WHERE, None) or {})


def _with_where(factory: Any) -> Any:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = factory(*args, **kwargs)
        ids = _WHERE.get()
        if ids:
            setattr(record, WHERE, ids)
        return record

    make.studybot = True  # type: ignore[attr-defined]
    return make


def install_context() -> None:
    """Put the ids into every record, whichever handler gets it (idempotent)."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "studybot", False):
        logging.setLogRecordFactory(_with_where(factory))


install_context()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update(where(record))
        out.update({k: v for k, v in vars(record).items() if k not in _STANDARD and k != WHERE})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(f"{k}={v}" for k, v in where(record).items())
        return f"{super().format(record)}{' [' + ids + ']' if ids else ''}"


def setup_logging(level: str, fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Third-party chatter stays at warnings unless asked for.
    for noisy in ("apscheduler", "aiosqlite", "sqlalchemy", "alembic", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
