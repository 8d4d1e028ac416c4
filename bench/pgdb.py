"""A throwaway PostgreSQL database for a benchmark run (skipped with a note when the server
is not reachable): created fresh, dropped by the caller with `drop`."""

from __future__ import annotations

import os
import uuid
from typing import Any

PG_URL = os.environ.get("STUDYBOT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def pg_database() -> tuple[str, Any] | None:
    import asyncpg
    from sqlalchemy.engine import make_url

    base = make_url(PG_URL)
    try:
        admin = await asyncpg.connect(
            host=base.host, port=base.port or 5432, user=base.username, database=base.database
        )
    except Exception as err:
        print(f"PostgreSQL: skipped ({type(err).__name__} at {PG_URL})")
        return None
    name = f"studybot_bench_{uuid.uuid4().hex[:8]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = base.set(drivername="postgresql+asyncpg", database=name).render_as_string(False)
    return url, (admin, name)
