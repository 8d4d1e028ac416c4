"""The parts every feature works with, handed in by the composition root (no globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from bot.content import Pack
from bot.domain import ChannelRef
from bot.metrics import Metrics
from bot.ports import ChatPort, Clock, Reviewer
from bot.review.rubric import RubricReviewer
from bot.storage.drill_store import DrillStore
from bot.storage.progress_store import ProgressStore
from bot.storage.review_store import ReviewStore
from bot.storage.store import Store
from bot.storage.story_store import StoryStore
from bot.tasks import TaskRunner


@dataclass(frozen=True)
class Tuning:
    # Who this process is, in claim rows (several instances may share a database).
    instance_id: str = "studybot"
    # How long a claimed post may stay "sending" before another instance takes it over.
    lease: timedelta = timedelta(minutes=2)
    # A post sent this long after its slot is marked late.
    late_after: timedelta = timedelta(minutes=5)
    # Which tenants this process schedules for (a Discord shard owns a share of the guilds).
    owns_tenant: Callable[[str], bool] = lambda _tenant: True
    # How many due channels are posted at once; the adapter paces them to the platform's
    # rate limits, so this only bounds what waits in its queues.
    post_concurrency: int = 32


@dataclass
class Memo:
    """What this process remembers between ticks to spare the database; never the truth."""

    # channel -> the last day whose members' nudges this process went through
    nudged: dict[ChannelRef, date] = field(default_factory=dict)
    # when this process last looked for drill answers whose review died with a process
    drill_resume_at: datetime | None = None
    # when this process last looked for members to nudge about their story gaps
    story_nudge_at: datetime | None = None


@dataclass(frozen=True)
class Services:
    chat: ChatPort
    store: Store
    clock: Clock
    packs: dict[str, Pack]
    tuning: Tuning = Tuning()
    memo: Memo = field(default_factory=Memo)
    # The AI reviewer: the LLM one when configured (it falls back to the rubric itself).
    reviewer: Reviewer = field(default_factory=RubricReviewer)
    tasks: TaskRunner = field(default_factory=TaskRunner)
    # What happened, counted for /metrics (posts, answers, reviews, lag).
    metrics: Metrics = field(default_factory=Metrics)

    @cached_property
    def reviews(self) -> ReviewStore:
        # One per process: it caches each channel's review settings for a few seconds.
        return ReviewStore(self.store.engine)

    @cached_property
    def drills(self) -> DrillStore:
        return DrillStore(self.store.engine)

    @cached_property
    def stories(self) -> StoryStore:
        return StoryStore(self.store.engine)

    @cached_property
    def progress(self) -> ProgressStore:
        return ProgressStore(self.store.engine)

    def pack(self, pack_id: str) -> Pack | None:
        return self.packs.get(pack_id)
