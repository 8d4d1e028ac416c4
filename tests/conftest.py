from __future__ import annotations

import asyncio
import os
import shutil
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from adapters.memory import MemoryChat
from bot.content import Pack
from bot.ports import FakeClock
from bot.storage.store import Store
from tests.harness import Harness, build, idle_all, open_store, real_packs

PG_URL = os.environ.get("STUDYBOT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_HELP = (
    "PostgreSQL is not reachable at {url} ({err}). These tests need it: start it with "
    "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, or point "
    "STUDYBOT_TEST_PG_URL at a server you can create databases on."
)


@pytest.fixture(autouse=True)
def no_database_connection_left_open() -> Iterator[None]:
    """Every SQLite connection a test opens is closed by its end. One left open is closed by
    the garbage collector later, after its event loop has gone, and its worker thread fails
    ("Event loop is closed") in whichever test runs then: fail the test that left it."""
    before = set(threading.enumerate())
    yield
    left = [t for t in set(threading.enumerate()) - before if "_connection_worker_thread" in t.name]
    for t in left:
        t.join(timeout=5)  # a closed connection's thread is already on its way out
    still = [t.name for t in left if t.is_alive()]
    assert not still, f"{len(still)} database connection(s) left open: close the store or engine"


@pytest.fixture(scope="session")
def packs() -> dict[str, Pack]:
    return real_packs()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'studybot.db'}"


async def _pg_admin() -> object:
    import asyncpg

    url = make_url(PG_URL)
    return await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database,
        timeout=3,
    )


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    try:
        admin = await _pg_admin()
    except Exception as err:  # unreachable server: skip, unless CI says it must be there
        message = PG_HELP.format(url=PG_URL, err=type(err).__name__)
        if os.environ.get("STUDYBOT_REQUIRE_PG") == "1":
            pytest.fail(message)
        pytest.skip(message)
    name = f"studybot_t_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[attr-defined]
    try:
        yield (
            make_url(PG_URL)
            .set(drivername="postgresql+asyncpg", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
        await admin.close()  # type: ignore[attr-defined]


@pytest.fixture(params=["sqlite", "postgres"])
def any_db_url(request: pytest.FixtureRequest) -> str:
    """Each storage test runs on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file brought up to the head revision once per test process: a test's
    store starts from a copy instead of running every migration again."""
    path = tmp_path_factory.mktemp("migrated") / "studybot.db"

    async def make() -> None:
        s = await open_store(f"sqlite+aiosqlite:///{path}")
        await s.close()

    asyncio.run(make())
    return path


@pytest.fixture
async def store(sqlite_url: str, tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[Store]:
    # sqlite_url is this file: a test that opens it again (a restart) finds the same data.
    shutil.copyfile(migrated_sqlite, tmp_path / "studybot.db")
    s = await open_store(sqlite_url)  # still checks the schema is at the head
    yield s
    await idle_all(s)  # every bot a test built on it, not only the `h` fixture's
    await s.close()


@pytest.fixture
def clock() -> FakeClock:
    # A Monday morning, before the default 09:00 posting time.
    return FakeClock(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))


@pytest.fixture
def chat() -> MemoryChat:
    return MemoryChat()


@pytest.fixture
async def h(
    store: Store, chat: MemoryChat, clock: FakeClock, packs: dict[str, Pack]
) -> AsyncIterator[Harness]:
    harness = build(store, chat, clock, packs)
    yield harness
    # Background reviews hold database connections: they finish before the store closes,
    # in the restarted bots too.
    await harness.idle()
