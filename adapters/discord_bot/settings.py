"""Discord-only settings from the environment / `.env` (DISCORD_TOKEN stays in bot.settings)."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API = "https://discord.com/api/v10"


class DiscordSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    client_id: str | None = Field(
        None, alias="DISCORD_CLIENT_ID", description="the application id, for invite-url"
    )
    shard_count: int | None = Field(None, alias="DISCORD_SHARD_COUNT", ge=1)
    shard_ids: str = Field(
        "", alias="DISCORD_SHARD_IDS", description="this process's shards: 0,1 or 0-3"
    )
    api_url: str | None = Field(
        None, alias="DISCORD_API_URL", description="REST base URL, e.g. a proxy"
    )
    gateway_url: str | None = Field(
        None, alias="DISCORD_GATEWAY_URL", description="gateway address, wss://..."
    )
    # The privileged intent that lets thread replies be read; off -> only the Answer button.
    message_content: bool = Field(True, alias="DISCORD_MESSAGE_CONTENT")
    # Requests per second this process may send: Discord allows a bot token 50; processes
    # sharing the token (shards run apart) each take their part, e.g. 24 for two.
    global_rate: float = Field(48.0, alias="DISCORD_GLOBAL_RATE", gt=0, le=50)

    @field_validator("shard_ids")
    @classmethod
    def _check_ids(cls, value: str) -> str:
        parse_shard_ids(value)
        return value

    def shards(self) -> tuple[int | None, list[int] | None]:
        """(shard_count, shard_ids) for AutoShardedClient; ids need a count."""
        ids = parse_shard_ids(self.shard_ids)
        if ids is not None and self.shard_count is None:
            raise ValueError(
                "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the total across all processes)"
            )
        if ids is not None and self.shard_count is not None and max(ids) >= self.shard_count:
            raise ValueError(
                f"DISCORD_SHARD_IDS {ids} must be below DISCORD_SHARD_COUNT {self.shard_count}"
            )
        return self.shard_count, ids

    def rest_base(self) -> str | None:
        """DISCORD_API_URL with the API version path discord.py's routes expect."""
        if not self.api_url:
            return None
        base = self.api_url.rstrip("/")
        return base if "/api/v" in base else f"{base}/api/v10"


def parse_shard_ids(value: str) -> list[int] | None:
    """'0,2' -> [0, 2]; '0-3' -> [0, 1, 2, 3]; '' -> None (all shards)."""
    value = value.strip()
    if not value:
        return None
    ids: set[int] = set()
    for part in value.split(","):
        lo, sep, hi = part.strip().partition("-")
        if not lo.isdigit() or (sep and not hi.isdigit()):
            raise ValueError(
                f"DISCORD_SHARD_IDS: {part.strip()!r} is not a shard number or a range like 0-3"
            )
        ids.update(range(int(lo), int(hi) + 1) if sep else {int(lo)})
    return sorted(ids)
