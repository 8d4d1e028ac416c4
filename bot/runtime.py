"""Assembling a running bot from settings: database, packs, services. Used by every adapter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.app import StudyBot
from bot.content import Pack, load_packs
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

    async def close(self) -> None:
        await self.bot.idle()  # reviews in flight finish (each is bounded by its time-out)
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
) -> Runtime:
    packs = packs_from(settings)
    store, url = await open_store(settings)
    services = Services(
        reviewer=reviewer_from(settings),
        chat=chat,
        store=store,
        clock=clock,
        packs=packs,
        tuning=Tuning(instance_id=settings.instance_id, owns_tenant=owns_tenant or _every_tenant),
    )
    return Runtime(StudyBot(services, default_pack=settings.default_pack), store, url)


def _every_tenant(_tenant: str) -> bool:
    return True


def reviewer_from(settings: Settings) -> Reviewer:
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
    return LLMReviewer(cfg)
