"""Slack-only settings from the environment / `.env` (the tokens and the signing secret stay
in bot.settings). SLACK_CLIENT_ID and SLACK_CLIENT_SECRET turn on the OAuth install flow:
one deployment then serves every workspace that installs the app."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The bot scopes the app asks for when a workspace installs it (as in manifest.yaml).
DEFAULT_SCOPES = (
    "commands,chat:write,im:write,files:write,channels:history,groups:history,users:read"
)


class SlackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    client_id: str | None = Field(
        None, alias="SLACK_CLIENT_ID", description="Basic Information > App Credentials"
    )
    client_secret: SecretStr | None = Field(None, alias="SLACK_CLIENT_SECRET")
    scopes: str = Field(
        DEFAULT_SCOPES, alias="SLACK_SCOPES", description="bot scopes asked for at install"
    )
    redirect_uri: str | None = Field(
        None,
        alias="SLACK_REDIRECT_URI",
        description="https://HOST/slack/oauth_redirect, as listed under OAuth & Permissions",
    )
    # Where the install page sends the browser; another address only for a proxy or a test.
    authorize_url: str | None = Field(None, alias="SLACK_AUTHORIZE_URL")
    # Several processes on one database: each schedules the workspaces whose share is its own.
    workers: int = Field(1, alias="STUDYBOT_SLACK_WORKERS", ge=1)
    worker: int = Field(0, alias="STUDYBOT_SLACK_WORKER", ge=0)

    @model_validator(mode="after")
    def _check(self) -> SlackSettings:
        if self.worker >= self.workers:
            raise ValueError(
                f"STUDYBOT_SLACK_WORKER {self.worker} must be below STUDYBOT_SLACK_WORKERS "
                f"{self.workers} (workers count from 0)"
            )
        if bool(self.client_id) != bool(self.client_secret):
            raise ValueError(
                "the OAuth install flow needs both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"
            )
        return self

    @property
    def oauth(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def scope_list(self) -> tuple[str, ...]:
        return tuple(s.strip() for s in self.scopes.split(",") if s.strip())
