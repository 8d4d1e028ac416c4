"""Assembling a running bot from settings: database, packs, services. Used by every adapter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.app import StudyBot
from bot.content import Pack, load_packs
from bot.metrics import Metrics, RateLimitLog
from bot.ops_http import Connected, OpsServer
from bot.ports import ChatPort, Clock, Reviewer
from bot.review.rubric import RubricReviewer
from bot.services import Services, Tuning
from bot.settings import Settings
from bot.storage.engine import create_engine, resolve_db_url, upgrade
from bot.storage.store import Store


@dataclass
class Runtime:
    bot: StudyBot
    store: Store
    db_url: str
    ops: OpsServer | None = None  # /healthz and /metrics, when --metrics-port is given
    _rate_limits: RateLimitLog | None = field(default=None, repr=False)

    def report_connection(self, connected: Connected) -> None:
        """The adapter says how to tell it is connected (for /healthz)."""
        if self.ops is not None:
            self.ops.connected = connected

    async def close(self) -> None:
        if self.ops is not None:
            await self.ops.stop()
        if self._rate_limits is not None:
            self._rate_limits.remove()
        await self.bot.idle()  # reviews in flight finish (each is bounded by its time-out)
        aclose = getattr(self.bot.svc.reviewer, "aclose", None)  # the LLM reviewer's client
        if aclose is not None:
            await aclose()
        await self.store.close()


async def open_store(settings: Settings) -> tuple[Store, str]:
    url = resolve_db_url(settings.db_url, settings.data)
    engine = create_engine(url)
    await upgrade(engine)
    return Store(engine), url


def packs_from(settings: Settings) -> dict[str, Pack]:
    packs = load_packs(settings.content_roots())
    if settings.default_pack not in packs:
        known = ", ".join(sorted(packs)) or "none"
        raise SystemExit(
            f"studybot: the default pack {settings.default_pack!r} is not installed (found: {known})."
        )
    return packs


async def start(
    settings: Settings,
    chat: ChatPort,
    clock: Clock,
    *,
    owns_tenant: Callable[[str], bool] | None = None,
    connected: Connected | None = None,
) -> Runtime:
    """`connected` tells /healthz whether the chat platform is connected (None: the adapter
    has no connection to lose); an adapter that learns it later calls report_connection."""
    packs = packs_from(settings)
    store, url = await open_store(settings)
    metrics = Metrics()
    services = Services(
        reviewer=reviewer_from(settings, metrics),
        chat=chat,
        store=store,
        clock=clock,
        packs=packs,
        tuning=Tuning(
            instance_id=settings.instance_id,
            owns_tenant=owns_tenant or _every_tenant,
            post_concurrency=settings.post_concurrency,
        ),
        metrics=metrics,
    )
    runtime = Runtime(StudyBot(services, default_pack=settings.default_pack), store, url)
    if settings.metrics_port is not None:
        runtime._rate_limits = RateLimitLog(metrics)
        runtime._rate_limits.install()
        runtime.ops = OpsServer(metrics, store, connected)
        try:
            await runtime.ops.start(settings.metrics_port)
        except OSError:
            await runtime.close()
            raise
    return runtime


def _every_tenant(_tenant: str) -> bool:
    return True


def reviewer_from(settings: Settings, metrics: Metrics | None = None) -> Reviewer:
    """The LLM reviewer when an endpoint is configured, else the rubric reviewer."""
    if not settings.llm_base_url:
        return RubricReviewer()
    from bot.review.llm import LLMConfig, LLMReviewer

    cfg = LLMConfig(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout,
        concurrency=settings.llm_concurrency,
        retries=settings.llm_retries,
    )
    return LLMReviewer(cfg, observe=metrics.llm_request if metrics else None)
