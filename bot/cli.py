"""The `studybot` command: run the bot, migrate the database, check content packs."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.content import PackError, load_pack, load_packs
from bot.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except PackError as err:
        print("studybot: the content packs have problems:", file=sys.stderr)
        print("\n".join(f"  {p}" for p in err.problems), file=sys.stderr)
        return 1
    except ValueError as err:  # a bad database URL or setting, said plainly
        print(f"studybot: {err}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="studybot", description="A study bot for interview preparation."
    )
    sub = p.add_subparsers(metavar="COMMAND")

    run = sub.add_parser(
        "run", help="start the bot (console by default; Discord or Slack from the environment)"
    )
    run.add_argument(
        "--adapter", choices=["auto", "console", "discord", "slack"], help="force an adapter"
    )
    _db_args(run)
    run.add_argument("--now", help="console only: start the simulated clock at this ISO time")
    run.add_argument(
        "--transcript",
        type=Path,
        help="console only: append every message sent, as JSON lines, to this file",
    )
    run.add_argument("--http-port", type=int, help="Slack only: serve HTTP mode on this port")
    run.add_argument(
        "--metrics-port",
        type=int,
        help="serve /healthz and /metrics on this port (default: $STUDYBOT_METRICS_PORT, else off)",
    )
    run.set_defaults(func=_run)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(metavar="ACTION")
    up = db_sub.add_parser("upgrade", help="apply migrations up to the newest")
    _db_args(up)
    up.set_defaults(func=_db_upgrade)

    discord = sub.add_parser("discord", help="Discord set-up helpers")
    d_sub = discord.add_subparsers(metavar="ACTION")
    inv = d_sub.add_parser("invite-url", help="print the link that adds the bot to a server")
    inv.add_argument("--client-id", help="the application id (default: $DISCORD_CLIENT_ID)")
    inv.set_defaults(func=_discord_invite_url)
    sync = d_sub.add_parser(
        "sync", help="register the slash commands now (start-up syncs only when they changed)"
    )
    _db_args(sync)
    sync.set_defaults(func=_discord_sync)

    doctor = sub.add_parser(
        "doctor", help="check the configuration and say what is wrong and how to fix it"
    )
    _db_args(doctor)
    doctor.set_defaults(func=_doctor)

    content = sub.add_parser("content", help="content packs")
    c_sub = content.add_subparsers(metavar="ACTION")
    val = c_sub.add_parser("validate", help="check packs; exits non-zero with every problem found")
    val.add_argument(
        "paths", nargs="*", type=Path, help="pack folders or content roots (default: all installed)"
    )
    val.set_defaults(func=_content_validate)
    lst = c_sub.add_parser("list", help="list installed packs")
    lst.set_defaults(func=_content_list)
    return p


def _db_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        help="a SQLAlchemy URL or a SQLite file path (default: $STUDYBOT_DB_URL or data/studybot.db)",
    )
    p.add_argument("--data", type=Path, help="the data folder (default: $STUDYBOT_DATA or ./data)")


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "db", None):
        overrides["STUDYBOT_DB_URL"] = args.db
    if getattr(args, "data", None):
        overrides["STUDYBOT_DATA"] = args.data
    if getattr(args, "adapter", None):
        overrides["STUDYBOT_ADAPTER"] = args.adapter
    if getattr(args, "metrics_port", None) is not None:
        overrides["STUDYBOT_METRICS_PORT"] = args.metrics_port
    return Settings(**overrides)  # type: ignore[arg-type]


def _content_validate(args: argparse.Namespace) -> int:
    roots = args.paths or Settings.model_validate({}).content_roots()
    ok = True
    for root in roots:
        try:
            if (root / "pack.yaml").exists():
                print(f"ok: {load_pack(root).summary()}")
            else:
                packs = load_packs([root])
                if not packs:
                    print(
                        f"{root}: no pack found (a pack is a folder with a pack.yaml)",
                        file=sys.stderr,
                    )
                    ok = False
                for pack in packs.values():
                    print(f"ok: {pack.summary()}")
        except PackError as err:
            ok = False
            for problem in err.problems:
                print(f"error: {problem}", file=sys.stderr)
    return 0 if ok else 1


def _content_list(args: argparse.Namespace) -> int:
    try:
        packs = load_packs(Settings.model_validate({}).content_roots())
    except PackError as err:
        print("\n".join(f"error: {p}" for p in err.problems), file=sys.stderr)
        return 1
    for pack in packs.values():
        print(f"{pack.id}\t{pack.info.version}\t{pack.info.title}\t{pack.path}")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    import os

    from pydantic import ValidationError

    from bot.doctor import Level, diagnose, render

    try:
        settings = _settings(args)
    except ValidationError as err:
        # Each bad setting by name and reason, never the value it was given.
        for e in err.errors():
            name = ".".join(str(p) for p in e["loc"])
            print(f"FAIL   {name}: {e['msg']}", file=sys.stderr)
        return 1
    findings = asyncio.run(diagnose(settings, os.environ))
    print(render(findings))
    return 1 if any(f.level is Level.fail for f in findings) else 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from bot.runtime import open_store
    from bot.storage.engine import redact

    async def go() -> str:
        store, url = await open_store(_settings(args))
        await store.close()
        return url

    url = asyncio.run(go())
    print(f"database is up to date: {redact(url)}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from bot.logs import setup_logging

    settings = _settings(args)
    adapter = settings.pick_adapter()
    setup_logging(settings.log_level if adapter != "console" else "WARNING", settings.log_format)
    if adapter == "console":
        start = _parse_now(args.now) if args.now else None
        return asyncio.run(_run_console(settings, start, args.transcript))
    if adapter == "slack":
        from adapters.slack.runner import run as run_slack

        return asyncio.run(run_slack(settings, http_port=args.http_port))
    if args.http_port is not None:
        print("studybot: --http-port is for the Slack adapter only.", file=sys.stderr)
        return 2
    from adapters.discord_bot.runner import run as run_discord

    return asyncio.run(run_discord(settings))


def _discord_sync(args: argparse.Namespace) -> int:
    from adapters.discord_bot.runner import sync

    return asyncio.run(sync(_settings(args)))


def _discord_invite_url(args: argparse.Namespace) -> int:
    from adapters.discord_bot.invite import invite_url
    from adapters.discord_bot.settings import DiscordSettings

    client_id = args.client_id or DiscordSettings().client_id
    if not client_id:
        print(
            "studybot: give --client-id or set DISCORD_CLIENT_ID (the application id).",
            file=sys.stderr,
        )
        return 2
    try:
        print(invite_url(client_id))
    except ValueError as err:
        print(f"studybot: {err}", file=sys.stderr)
        return 2
    return 0


def _parse_now(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise SystemExit(
            f"studybot: --now {value!r} is not an ISO time like 2026-12-01T08:00+00:00"
        ) from None
    if when.tzinfo is None:
        raise SystemExit("studybot: --now needs a zone offset, e.g. 2026-12-01T08:00+00:00 or ...Z")
    return when


async def _run_console(settings: Settings, start: datetime | None, transcript: Path | None) -> int:
    from adapters.console import Console, default_zone
    from adapters.memory import MemoryChat
    from bot.clock import ShiftedClock
    from bot.runtime import start as start_runtime

    chat = MemoryChat(id_prefix=f"{settings.instance_id}-")
    clock = ShiftedClock(start)
    runtime = await start_runtime(settings, chat, clock)
    record = transcript.open("a", encoding="utf-8") if transcript else None
    console = Console(runtime.bot, chat, clock, transcript=record, files_dir=settings.data)
    interactive = sys.stdin.isatty()
    try:
        if interactive:
            console.say(
                "studybot console: #study. /help lists commands; '> text' answers in the thread; "
                "/clock +1d moves time; Ctrl-D quits."
            )
        await console.ensure_channel(default_zone())
        await console.run(sys.stdin, interactive=interactive)
    finally:
        await runtime.close()
        if record is not None:
            record.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
