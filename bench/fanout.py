"""Fan-out: one scheduled minute in which 1,000 channels (50 guilds / workspaces) are due.

Each bot runs in its own OS process: the real core (bot.features.daily.run_due, its claim
rows on a real database) and the real adapter (discord.py's REST client with its bucket
handling, or slack_sdk's AsyncWebClient with its 429 retry handler and the adapter's
per-channel pacer), against the loopback fakes of tests/discord and tests/slack with the
platforms' rate limits enforced around them (bench/limits.py).

Real: processes, HTTP over loopback, the databases, every wait (rate-limit windows run on
the machine's monotonic clock, so a limit cannot be met by skipping time). Simulated: the
calendar, only (the core's clock says it is 09:00:05 on a Monday, when all are due).

Printed per platform: the time from the start of the minute's work until the last post
arrived, the floor the limits allow (requests needed / allowed rate), their ratio,
duplicates and losses (messages per channel at the fake, posts at the database), and the
429s the fake answered, with how many the bot could have avoided. Then the same on
PostgreSQL with one process and with two processes sharing the channels through claim rows.

    python bench/fanout.py [--channels 1000] [--guilds 50] [--platform discord|slack|both]
                           [--pg postgresql://postgres@127.0.0.1:5432/test] [--no-pg]
                           [--cases sqlite:1,postgresql:1,postgresql:2]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import re
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench.limits import DISCORD_GLOBAL, LimitedDiscord, LimitedSlack
from bot.domain import ChannelRef
from bot.storage.engine import create_engine, upgrade
from bot.storage.records import ChannelSettings
from bot.storage.store import Store
from bot.storage.tables import posts
from tests.discord import payloads as p
from tests.harness import DEFAULT_PACK

# The scheduled minute: a Monday, 5 seconds after every channel's 09:00 UTC slot.
NOW = datetime(2026, 11, 30, 9, 0, 5, tzinfo=UTC)
ALL_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TOKEN = "fake-bot-token"
SLACK_CHANNEL_RATE = 1.0  # chat.postMessage per channel per second (documented)
SLACK_WORKSPACE_RATE = 5.0  # "several hundred per minute" per workspace, taken as 300/min
POST_PATHS = re.compile(r"/channels/\d+/messages(/\d+/threads)?")


@dataclass
class Figures:
    platform: str
    db: str
    processes: int
    channels: int
    last_post: float  # seconds from the go signal to the last post's arrival
    floor: float
    requests: int
    duplicates: int
    lost: int
    sent_rows: int
    limited: int
    avoidable: int
    per_process: dict[str, int]
    bot_cpu: float = 0.0  # CPU seconds the bot processes used for the minute's work, together
    fake_cpu: float = 0.0  # and the fake (this process) meanwhile

    def show(self) -> None:
        ratio = self.last_post / self.floor if self.floor else float("inf")
        print(
            f"{self.platform:8} {self.db:10} {self.processes} proc  "
            f"last post {self.last_post:6.2f} s  floor {self.floor:6.2f} s  "
            f"ratio {ratio:4.2f}  requests {self.requests}  "
            f"duplicates {self.duplicates}  lost {self.lost}  sent rows {self.sent_rows}  "
            f"429s {self.limited} (avoidable {self.avoidable})  "
            f"cpu: bots {self.bot_cpu:.1f} s, fake {self.fake_cpu:.1f} s"
        )
        if self.processes > 1:
            print(f"{'':8} posts per process: {dict(sorted(self.per_process.items()))}")


# -- the database ----------------------------------------------------------------------


async def fresh_database(kind: str, pg: str, tmp: Path) -> tuple[str, str]:
    """(url, name to drop) for an empty database of `kind`."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{tmp / f'fanout-{uuid.uuid4().hex[:8]}.db'}", ""
    import asyncpg

    base = make_url(pg)
    name = f"studybot_fanout_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(
        host=base.host, port=base.port or 5432, user=base.username,
        password=base.password, database=base.database,
    )  # fmt: skip
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = base.set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False), name


async def drop_database(pg: str, name: str) -> None:
    if not name:
        return
    import asyncpg

    base = make_url(pg)
    admin = await asyncpg.connect(
        host=base.host, port=base.port or 5432, user=base.username,
        password=base.password, database=base.database,
    )  # fmt: skip
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def add_channels(url: str, refs: list[ChannelRef]) -> None:
    """Every channel set up a week ago to post at 09:00 UTC every day."""
    engine = create_engine(url)
    await upgrade(engine)
    store = Store(engine)
    try:
        for ref in refs:
            await store.save_channel(
                ChannelSettings(
                    ref, DEFAULT_PACK, "09:00", "UTC", ALL_DAYS, created_at=NOW - timedelta(days=7)
                ),
                NOW - timedelta(days=7),
            )
    finally:
        await store.close()


async def sent_rows(url: str) -> tuple[int, dict[str, int]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(posts.c.claimed_by, func.count())
                    .where(posts.c.status == "sent")
                    .group_by(posts.c.claimed_by)
                )
            ).all()
    finally:
        await engine.dispose()
    per = {str(r[0]): int(r[1]) for r in rows}
    return sum(per.values()), per


# -- the bot processes -----------------------------------------------------------------


def bot_process(platform: str, kw: dict[str, Any], ready: Any, go: Any, done: Any) -> None:
    """One bot process: start, say ready, wait for go, run the minute's work, report."""
    try:
        asyncio.run(_bot(platform, kw, ready, go, done))
    except BaseException as err:  # the parent must not wait forever for a dead child
        done.put(("error", f"{type(err).__name__}: {err}"))
        raise


async def _bot(platform: str, kw: dict[str, Any], ready: Any, go: Any, done: Any) -> None:
    from bot.features import daily
    from bot.ports import FakeClock
    from bot.services import Services, Tuning
    from tests.harness import real_packs

    engine = create_engine(kw["db_url"])
    store = Store(engine)
    clock = FakeClock(NOW)
    tuning_kw = {"instance_id": kw["instance"], "post_concurrency": kw["concurrency"]}
    close: list[Any] = []
    if platform == "discord":
        import discord

        from adapters.discord_bot.chat import DiscordChat
        from adapters.discord_bot.client import ClientOptions, StudyClient
        from bot.app import StudyBot

        discord.http.Route.BASE = kw["url"]
        client = StudyClient(ClientOptions(guild_ready_timeout=0.01, global_rate=kw["global_rate"]))
        chat: Any = DiscordChat(client)
        svc = Services(
            chat=chat, store=store, clock=clock, packs=real_packs(),
            tuning=Tuning(owns_tenant=client.owns_tenant, **tuning_kw),
        )  # fmt: skip
        client.attach(StudyBot(svc, default_pack=DEFAULT_PACK), chat, None)
        await client.login(TOKEN)  # REST: who am I, the application, the command sync
        state = client._connection
        state.shard_count, state.shard_ids = 1, [0]
        for guild in kw["guilds"]:  # what the gateway sends after IDENTIFY
            state.parsers["GUILD_CREATE"](guild)
        close.append(client.close)
    else:
        from adapters.slack.chat import SlackChat
        from adapters.slack.journal import SqlSendJournal
        from adapters.slack.runner import SlackOptions, web_client, web_session

        options = SlackOptions(bot_token="", api_url=kw["url"])
        session = web_session()  # one per process, as SlackService has
        clients = {
            team: web_client(options, token, session=session)
            for team, token in kw["tokens"].items()
        }
        close.append(session.close)

        class Tokens:
            async def client(self, tenant: str) -> Any:
                return clients[tenant]

        chat = SlackChat(Tokens(), journal=SqlSendJournal(engine))
        svc = Services(
            chat=chat, store=store, clock=clock, packs=real_packs(), tuning=Tuning(**tuning_kw)
        )
    ready.put(kw["instance"])
    await asyncio.to_thread(go.wait)
    started, cpu = time.monotonic(), time.process_time()
    profile = os.environ.get("FANOUT_PROFILE")
    if profile:  # where the bot's own time goes: FANOUT_PROFILE=/tmp/x.prof
        import cProfile

        with cProfile.Profile() as prof:
            await daily.run_due(svc)
        prof.dump_stats(f"{profile}.{kw['instance']}")
    else:
        await daily.run_due(svc)
    done.put(("done", kw["instance"], started, time.monotonic(), time.process_time() - cpu))
    for c in close:
        await c()
    await store.close()


async def run_bots(platform: str, processes: int, common: dict[str, Any]) -> list[Any]:
    ctx = mp.get_context("spawn")
    ready, done, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = []
    for i in range(processes):
        kw = {**common, "instance": f"{platform}-{i + 1}"}
        if platform == "discord":
            # The processes share the channels and one token's global rate, so as many posts
            # under way in all as one process would have: one that claimed far ahead would
            # finish last. On Slack each process keeps the configured post_concurrency, as
            # each instance of a real deployment does: halving it halves its batches.
            kw["concurrency"] = max(1, common["concurrency"] // processes)
            # Discord's global limit is per bot token: processes sharing it share the rate.
            kw["global_rate"] = common["global_rate"] / processes
        procs.append(ctx.Process(target=bot_process, args=(platform, kw, ready, go, done)))
    for proc in procs:
        proc.start()
    for _ in procs:
        await asyncio.to_thread(ready.get, True, 120)
    go_at, cpu = time.monotonic(), time.process_time()
    go.set()
    results = [await asyncio.to_thread(done.get, True, 600) for _ in procs]
    for proc in procs:
        await asyncio.to_thread(proc.join, 30)
    errors = [r[1] for r in results if r[0] == "error"]
    if errors:
        raise RuntimeError("a bot process failed: " + "; ".join(errors))
    bot_cpu = sum(r[4] for r in results)
    return [go_at, bot_cpu, time.process_time() - cpu]


# -- Discord ---------------------------------------------------------------------------


async def discord_case(
    db: str, url: str, processes: int, channels: int, guilds: int, concurrency: int, rate: float
) -> Figures:
    fake = LimitedDiscord()
    api = await fake.start()
    try:
        payloads, refs = [], []
        per = channels // guilds
        for g in range(guilds):
            gid = p.snowflake()
            chans = [
                fake.add_channel(p.text_channel(p.snowflake(), gid, f"study-{i}"))
                for i in range(per)
            ]
            payloads.append(p.guild_create(gid, f"Guild {g}", chans, []))
            refs += [ChannelRef(str(gid), c["id"]) for c in chans]
        await add_channels(url, refs)
        common = {
            "db_url": url, "url": api, "guilds": payloads, "concurrency": concurrency,
            "global_rate": rate,
        }  # fmt: skip
        fake_start = len(fake.arrived)
        go_at, bot_cpu, fake_cpu = await run_bots("discord", processes, common)
        fake.events.clear()  # the gateway echoes no bot is listening to here
        after = [a for a in fake.arrived[fake_start:] if a[0] >= go_at]
        posted = [a for a in after if a[1] == "POST" and POST_PATHS.fullmatch(a[2])]
        last = max((a[0] for a in posted if a[3] < 300), default=go_at) - go_at
        limited = [x for x in fake.limited if x.at >= go_at]
        study = {int(r.channel_id) for r in refs}
        per_channel = Counter(
            int(m["channel_id"])
            for m in fake.messages.values()
            if int(m["channel_id"]) in study and m["content"].startswith("📌")
        )
        sent, per_process = await sent_rows(url)
        needed = len([a for a in after if a[3] < 300])
        return Figures(
            "discord", db, processes, channels, last, needed / DISCORD_GLOBAL, needed,
            sum(n - 1 for n in per_channel.values() if n > 1),
            len(study - set(per_channel)), sent, len(limited),
            sum(1 for x in limited if x.avoidable), per_process, bot_cpu, fake_cpu,
        )  # fmt: skip
    finally:
        await fake.stop()


# -- Slack -----------------------------------------------------------------------------


async def slack_case(
    db: str, url: str, processes: int, channels: int, guilds: int, concurrency: int
) -> Figures:
    fake = LimitedSlack()
    await fake.start()
    try:
        tokens, refs = {}, []
        per = channels // guilds
        for g in range(guilds):
            team = f"T{g:08d}"
            ws = fake.add_workspace(team, f"Workspace {g}")
            ws.token = f"xoxb-{team}"
            tokens[team] = ws.token
            refs += [ChannelRef(team, f"C{g:04d}{i:05d}") for i in range(per)]
        await add_channels(url, refs)
        common = {"db_url": url, "url": fake.api_url, "tokens": tokens, "concurrency": concurrency}
        go_at, bot_cpu, fake_cpu = await run_bots("slack", processes, common)
        arrived = [a for a in fake.arrived if a[0] >= go_at]
        last = max((a[0] for a in arrived), default=go_at) - go_at
        limited = [x for x in fake.limited if x.at >= go_at]
        per_channel = Counter(
            (m.team, m.channel)
            for m in fake.messages
            if m.kind == "message" and not m.thread_ts and m.buttons()
        )
        wanted = {(r.tenant, r.channel_id) for r in refs}
        sent, per_process = await sent_rows(url)
        in_ws = Counter(team for team, _ in per_channel.elements())
        in_ch = max(per_channel.values(), default=0)
        # Without the bursts Slack grants: each workspace's posts at its rate, each channel's
        # at 1 a second, whichever takes longer.
        floor = max(
            max(in_ws.values(), default=0) / SLACK_WORKSPACE_RATE, in_ch / SLACK_CHANNEL_RATE
        )
        return Figures(
            "slack", db, processes, channels, last, floor, len(arrived),
            sum(n - 1 for n in per_channel.values() if n > 1), len(wanted - set(per_channel)),
            sent, len(limited), sum(1 for x in limited if x.avoidable), per_process,
            bot_cpu, fake_cpu,
        )  # fmt: skip
    finally:
        await fake.stop()


# -- main ------------------------------------------------------------------------------


async def case(args: argparse.Namespace, platform: str, db: str, processes: int) -> Figures:
    with tempfile.TemporaryDirectory() as tmp:
        url, name = await fresh_database(db, args.pg, Path(tmp))
        try:
            if platform == "discord":
                return await discord_case(
                    db, url, processes, args.channels, args.guilds, args.concurrency, args.rate
                )
            return await slack_case(
                db, url, processes, args.channels, args.guilds, args.concurrency
            )
        finally:
            await drop_database(args.pg, name)


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--channels", type=int, default=1000)
    ap.add_argument("--guilds", type=int, default=50)
    ap.add_argument("--platform", choices=("discord", "slack", "both"), default="both")
    ap.add_argument("--concurrency", type=int, default=32, help="Tuning.post_concurrency")
    ap.add_argument("--rate", type=float, default=48.0, help="Discord requests/s, all processes")
    ap.add_argument(
        "--pg",
        default=os.environ.get("STUDYBOT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    ap.add_argument("--no-pg", action="store_true", help="SQLite only (no PostgreSQL runs)")
    ap.add_argument(
        "--cases",
        default="sqlite:1,postgresql:1,postgresql:2",
        help="database:processes, comma-separated",
    )
    args = ap.parse_args()
    platforms = ("discord", "slack") if args.platform == "both" else (args.platform,)
    print(
        f"{args.channels} channels in {args.guilds} guilds/workspaces due at once; "
        f"post_concurrency {args.concurrency}"
    )
    for platform in platforms:
        plan = [(db, int(n)) for db, n in (c.split(":") for c in args.cases.split(","))]
        plan = [(db, n) for db, n in plan if not (args.no_pg and db == "postgresql")]
        for db, processes in plan:
            (await case(args, platform, db, processes)).show()


if __name__ == "__main__":
    asyncio.run(main())
