"""The parts every feature works with, handed in by the composition root (no globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.content import Pack
from bot.ports import ChatPort, Clock
from bot.storage.store import Store


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


@dataclass(frozen=True)
class Services:
    chat: ChatPort
    store: Store
    clock: Clock
    packs: dict[str, Pack]
    tuning: Tuning = Tuning()

    def pack(self, pack_id: str) -> Pack | None:
        return self.packs.get(pack_id)
