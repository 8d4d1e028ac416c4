"""A small key-value table for process-wide facts (not any tenant's data)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.engine import writing
from bot.storage.tables import app_state


class AppState:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def get(self, key: str) -> str | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(select(app_state.c.value).where(app_state.c.key == key))
            ).first()
        return str(row[0]) if row else None

    async def set(self, key: str, value: str, now: datetime) -> None:
        change = update(app_state).where(app_state.c.key == key).values(value=value, updated_at=now)
        async with writing(self.engine) as conn:
            if (await conn.execute(change)).rowcount:
                return
        try:
            async with writing(self.engine) as conn:
                await conn.execute(insert(app_state).values(key=key, value=value, updated_at=now))
        except IntegrityError:  # another process wrote it meanwhile: ours is as good
            async with writing(self.engine) as conn:
                await conn.execute(change)
