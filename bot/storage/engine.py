"""Where the database is, and bringing its schema up to date."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Table, event, insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def resolve_db_url(db: str | None, data_dir: Path) -> str:
    """A SQLAlchemy URL from `--db` / STUDYBOT_DB_URL: a URL, a plain file path, or nothing
    (then `studybot.db` in the data folder). Sync driver names become their async twins."""
    if not db:
        data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{(data_dir / 'studybot.db').resolve()}"
    if "://" not in db:
        path = Path(db).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{path.resolve()}"
    url = make_url(db)
    backend = url.get_backend_name()
    if backend not in ASYNC_DRIVERS:
        raise ValueError(f"unsupported database {backend!r}: use a SQLite file or PostgreSQL")
    if url.drivername in ("postgres", "postgresql", "postgresql+psycopg2", "sqlite"):
        url = url.set(drivername=ASYNC_DRIVERS[backend])
    return url.render_as_string(hide_password=False)


def redact(url: str) -> str:
    """The URL without its password, for logs and status lines."""
    return make_url(url).render_as_string(hide_password=True)


def create_engine(url: str) -> AsyncEngine:
    kwargs: dict[str, Any] = {}
    if url.startswith("postgresql"):
        kwargs["pool_pre_ping"] = True
    else:
        # Every unit of work here ends in a commit or is a plain read (which pysqlite runs
        # outside a transaction), so the pool's rollback-on-return is a wasted round trip.
        kwargs["pool_reset_on_return"] = None
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        _skip_idle_rollbacks(engine)
    return engine


def _skip_idle_rollbacks(engine: AsyncEngine) -> None:
    """A read ends in a rollback that SQLite need not do (pysqlite opens no transaction for
    a SELECT), yet each costs a round trip to aiosqlite's thread: skip it when idle."""
    dialect = engine.sync_engine.dialect
    rollback = dialect.do_rollback

    def do_rollback(dbapi_connection: Any) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        if driver is not None and not driver.in_transaction:
            return
        rollback(dbapi_connection)

    dialect.do_rollback = do_rollback  # type: ignore[method-assign]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the console read while a job writes; busy_timeout rides out short locks.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


_WRITE_LOCKS: WeakKeyDictionary[AsyncEngine, asyncio.Lock] = WeakKeyDictionary()
_WRITES: WeakKeyDictionary[AsyncEngine, int] = WeakKeyDictionary()


def writes(engine: AsyncEngine) -> int:
    """How many write transactions this process has ended on `engine` so far: the
    scheduler's tick looks again at what is due once this changes (bot/storage/activity.py)."""
    return _WRITES.get(engine, 0)


@asynccontextmanager
async def writing(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A write transaction. On SQLite the process's writers take turns on an asyncio lock:
    SQLite allows one writer at a time, and without the lock concurrent writers (an answer
    and a background review, say) wait in SQLite's busy handler, which sleeps in
    milliseconds. PostgreSQL needs no such thing."""
    try:
        if engine.dialect.name != "sqlite":
            async with engine.begin() as conn:
                yield conn
            return
        lock = _WRITE_LOCKS.setdefault(engine, asyncio.Lock())
        async with lock, engine.begin() as conn:
            yield conn
    finally:
        _WRITES[engine] = _WRITES.get(engine, 0) + 1


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations up to `revision` (run at start-up and by `studybot db upgrade`)."""

    def run(conn: Connection) -> None:
        if conn.dialect.name == "postgresql":
            # Several instances may start at once: one migrates, the others wait.
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727001)")
        command.upgrade(alembic_config(conn), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def insert_id(conn: AsyncConnection, table: Table, values: dict[str, Any]) -> int:
    """Insert one row in the open transaction and return its new id (lastrowid on SQLite,
    implicit RETURNING on PostgreSQL: no extra fetch)."""
    result = await conn.execute(insert(table).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])
