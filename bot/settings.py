"""Configuration from the environment and `.env` (F12). Secrets are SecretStr: never logged."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.content.loader import builtin_root


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    data: Path = Field(
        Path("data"), alias="STUDYBOT_DATA", description="data folder (the SQLite file)"
    )
    db_url: str | None = Field(
        None, alias="STUDYBOT_DB_URL", description="SQLAlchemy URL or SQLite file path"
    )
    content: str = Field(
        "", alias="STUDYBOT_CONTENT", description="extra pack folders, separated by ':'"
    )
    default_pack: str = Field("amazon-backend-developer", alias="STUDYBOT_DEFAULT_PACK")
    instance_id: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}",
        alias="STUDYBOT_INSTANCE_ID",
    )
    # How many due channels one process posts at once (the adapter paces them to the
    # platform's rate limits).
    post_concurrency: int = Field(32, ge=1, le=1000, alias="STUDYBOT_POST_CONCURRENCY")
    log_level: str = Field("INFO", alias="STUDYBOT_LOG_LEVEL")
    log_format: Literal["json", "text"] = Field("json", alias="STUDYBOT_LOG_FORMAT")
    adapter: Literal["auto", "console", "discord", "slack"] = Field(
        "auto", alias="STUDYBOT_ADAPTER"
    )
    # /healthz and /metrics are served on this port when set (off by default).
    metrics_port: int | None = Field(None, ge=0, le=65535, alias="STUDYBOT_METRICS_PORT")

    # F3: the LLM reviewer, through any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM,
    # LM Studio, llama.cpp server). Without a base URL the rubric reviewer is used alone.
    llm_base_url: str | None = Field(None, alias="STUDYBOT_LLM_BASE_URL")
    llm_model: str = Field("gpt-4o-mini", alias="STUDYBOT_LLM_MODEL")
    llm_api_key: SecretStr | None = Field(None, alias="STUDYBOT_LLM_API_KEY")
    llm_timeout: float = Field(30.0, gt=0, alias="STUDYBOT_LLM_TIMEOUT", description="seconds")
    llm_concurrency: int = Field(4, ge=1, alias="STUDYBOT_LLM_CONCURRENCY")
    llm_retries: int = Field(3, ge=0, alias="STUDYBOT_LLM_RETRIES")

    discord_token: SecretStr | None = Field(None, alias="DISCORD_TOKEN")
    slack_bot_token: SecretStr | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, alias="SLACK_SIGNING_SECRET")

    def content_roots(self) -> list[Path]:
        """The built-in packs (inside the package), then the organizer's own folders from
        STUDYBOT_CONTENT, later ones overriding a pack id. The working folder is never
        searched: a stray ./content of another copy must not change what runs."""
        builtin = builtin_root()
        roots = [builtin] if builtin is not None else []
        roots += [Path(p) for p in self.content.split(os.pathsep) if p.strip()]
        return roots

    def pick_adapter(self) -> str:
        if self.adapter != "auto":
            return self.adapter
        if self.discord_token:
            return "discord"
        if self.slack_bot_token:
            return "slack"
        return "console"
