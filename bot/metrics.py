"""The counters the core bumps, in Prometheus form. The one module that imports
prometheus_client: features call these small methods and know nothing of the exposition.

Each Metrics has its own registry (no process-wide default), so two bots in one test
process count apart."""

from __future__ import annotations

import logging
from typing import ClassVar

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST

_LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60)
_LAG_BUCKETS = (0.5, 1, 5, 15, 30, 60, 120, 300, 900, 3600, 43200)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self._posts = Counter(
            "studybot_posts",
            "Daily question posts by outcome: sent (on time), late, skipped, failed.",
            ["outcome"],
            registry=r,
        )
        self._answers = Counter("studybot_answers", "Answers stored.", registry=r)
        self._reviews = Counter(
            "studybot_reviews",
            "Reviews given, by reviewer and outcome (ok, fallback, failed, submitted).",
            ["reviewer", "outcome"],
            registry=r,
        )
        self._llm = Histogram(
            "studybot_llm_request_seconds",
            "Time the LLM endpoint took to answer one review request, by result.",
            ["result"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self._throttled = Counter(
            "studybot_platform_429",
            "Requests the chat platform refused with 429 (rate limited).",
            ["platform"],
            registry=r,
        )
        self._lag = Histogram(
            "studybot_scheduler_lag_seconds",
            "Time from a post's slot to the moment it was claimed for sending.",
            buckets=_LAG_BUCKETS,
            registry=r,
        )
        for outcome in ("sent", "late", "skipped", "failed"):
            self._posts.labels(outcome)  # present at 0 from the start

    # -- what the core reports ------------------------------------------------------

    def post_sent(self, *, late: bool) -> None:
        self._posts.labels("late" if late else "sent").inc()

    def post_skipped(self) -> None:
        self._posts.labels("skipped").inc()

    def post_failed(self) -> None:
        self._posts.labels("failed").inc()

    def answer_stored(self) -> None:
        self._answers.inc()

    def review_given(self, reviewer: str, outcome: str) -> None:
        self._reviews.labels(reviewer, outcome).inc()

    def llm_request(self, seconds: float, ok: bool) -> None:
        self._llm.labels("ok" if ok else "error").observe(seconds)

    def rate_limited(self, platform: str) -> None:
        self._throttled.labels(platform).inc()

    def scheduler_lag(self, seconds: float) -> None:
        self._lag.observe(max(0.0, seconds))

    # -- reading them ---------------------------------------------------------------

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def value(self, name: str, **labels: str) -> float:
        """One sample's value (0 when absent): tests and `studybot doctor`."""
        found = self.registry.get_sample_value(name, labels)
        return float(found) if found is not None else 0.0


class RateLimitLog(logging.Handler):
    """Counts the platforms' 429s from the SDKs' own log lines: discord.py and slack_sdk
    pace and retry a 429 themselves and say so in their logs, so the adapters need no hook."""

    LOGGERS: ClassVar[dict[str, str]] = {
        "discord.http": "discord",
        "slack_sdk.web.async_internal_utils": "slack",
    }

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(logging.INFO)
        self.metrics = metrics

    def emit(self, record: logging.LogRecord) -> None:
        platform = next(
            (p for name, p in self.LOGGERS.items() if record.name.startswith(name)), None
        )
        if platform is None:
            return
        text = record.getMessage()
        if platform == "discord":  # its WARNING lines are the 429s; debug ones follow them up
            hit = record.levelno >= logging.WARNING and ("429" in text or "rate limit" in text)
        else:
            hit = "RateLimitErrorRetryHandler" in text
        if hit:
            self.metrics.rate_limited(platform)

    def install(self) -> None:
        for name in self.LOGGERS:
            logger = logging.getLogger(name)
            logger.addHandler(self)
            if not logger.isEnabledFor(logging.INFO):
                # slack_sdk says "a retry handler found" at INFO; those lines are rare.
                logger.setLevel(logging.INFO)

    def remove(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)
