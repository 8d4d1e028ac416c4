"""`studybot doctor`: checks the configuration and says what is wrong and how to fix it.

Every check names the setting it looked at, never its value: tokens, keys and passwords are
not printed (an error text that might echo one is scrubbed first)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import aiohttp
from sqlalchemy.engine import make_url

from bot.content import PackError, load_packs
from bot.settings import Settings
from bot.storage.engine import create_engine, redact, resolve_db_url

DISCORD_API = "https://discord.com/api/v10"
SLACK_API = "https://slack.com/api/"
# Discord application flags: the Message Content intent, granted or limited (under 100 servers).
MESSAGE_CONTENT_FLAGS = (1 << 18) | (1 << 19)
# The bot scopes of adapters/slack/manifest.yaml.
SLACK_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "channels:history",
    "groups:history",
    "users:read",
)
_DISCORD_TOKEN = re.compile(r"^[A-Za-z0-9_-]{18,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
_SIGNING_SECRET = re.compile(r"^[0-9a-f]{32}$")
_TIMEOUT = aiohttp.ClientTimeout(total=10)


class Level(Enum):
    ok = "ok"
    warn = "warn"
    fail = "FAIL"


@dataclass(frozen=True)
class Finding:
    level: Level
    what: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        fix = f"\n       fix: {self.fix}" if self.fix else ""
        return f"{self.level.value:<5}  {self.what}: {self.detail}{fix}"


def ok(what: str, detail: str) -> Finding:
    return Finding(Level.ok, what, detail)


def warn(what: str, detail: str, fix: str = "") -> Finding:
    return Finding(Level.warn, what, detail, fix)


def fail(what: str, detail: str, fix: str = "") -> Finding:
    return Finding(Level.fail, what, detail, fix)


def secrets_of(settings: Settings) -> list[str]:
    values = [
        s.get_secret_value()
        for s in (
            settings.discord_token,
            settings.slack_bot_token,
            settings.slack_app_token,
            settings.slack_signing_secret,
            settings.llm_api_key,
        )
        if s is not None and s.get_secret_value()
    ]
    if settings.db_url and "://" in settings.db_url:
        password = make_url(settings.db_url).password
        if password:
            values.append(str(password))
    return values


def scrub(text: str, secrets: Iterable[str]) -> str:
    for s in secrets:
        text = text.replace(s, "***")
    return text


async def diagnose(settings: Settings, env: Mapping[str, str]) -> list[Finding]:
    secrets = secrets_of(settings)
    found = [ok("adapter", f"{settings.pick_adapter()} (from the environment)")]
    found += check_tokens(settings)
    found += await check_database(settings, secrets)
    found += check_packs(settings)
    found += await check_llm(settings, secrets)
    if settings.discord_token is not None and not any(
        f.level is Level.fail and f.what == "DISCORD_TOKEN" for f in found
    ):
        found += await check_discord(settings, env)
    if settings.slack_bot_token is not None and not any(
        f.level is Level.fail and f.what == "SLACK_BOT_TOKEN" for f in found
    ):
        found += await check_slack(settings, env)
    return [Finding(f.level, f.what, scrub(f.detail, secrets), f.fix) for f in found]


def check_tokens(settings: Settings) -> list[Finding]:
    out: list[Finding] = []
    if settings.discord_token is not None:
        token = settings.discord_token.get_secret_value().strip()
        if token.lower().startswith("bot "):
            out.append(
                fail(
                    "DISCORD_TOKEN",
                    "starts with 'Bot ': give the token alone",
                    "remove the 'Bot ' prefix",
                )
            )
        elif not _DISCORD_TOKEN.match(token):
            out.append(
                fail(
                    "DISCORD_TOKEN",
                    "does not look like a bot token (three dot-separated parts)",
                    "copy it again from the Developer Portal: your application > Bot > Reset Token",
                )
            )
        else:
            out.append(ok("DISCORD_TOKEN", "well-formed"))
    if settings.slack_bot_token is not None:
        bot = settings.slack_bot_token.get_secret_value().strip()
        if not bot.startswith("xoxb-"):
            kind = "a user token (xoxp-)" if bot.startswith("xoxp-") else "not a bot token"
            out.append(
                fail(
                    "SLACK_BOT_TOKEN",
                    f"is {kind}; it must start with xoxb-",
                    "use the Bot User OAuth Token from OAuth & Permissions (docs/slack.md)",
                )
            )
        else:
            out.append(ok("SLACK_BOT_TOKEN", "well-formed (xoxb-)"))
        app = settings.slack_app_token
        secret = settings.slack_signing_secret
        if app is not None and not app.get_secret_value().startswith("xapp-"):
            out.append(
                fail(
                    "SLACK_APP_TOKEN",
                    "must start with xapp- (an app-level token)",
                    "Basic Information > App-Level Tokens, with the connections:write scope",
                )
            )
        elif app is not None:
            out.append(ok("SLACK_APP_TOKEN", "well-formed (xapp-): Socket Mode"))
        if secret is not None and not _SIGNING_SECRET.match(secret.get_secret_value().strip()):
            out.append(
                fail(
                    "SLACK_SIGNING_SECRET",
                    "is not 32 hexadecimal characters",
                    "copy the Signing Secret from Basic Information > App Credentials",
                )
            )
        if app is None and secret is None:
            out.append(
                fail(
                    "SLACK_APP_TOKEN",
                    "missing, and no SLACK_SIGNING_SECRET either: the bot cannot hear Slack",
                    "set SLACK_APP_TOKEN (xapp-..., Socket Mode), or SLACK_SIGNING_SECRET and "
                    "run with --http-port",
                )
            )
    elif settings.slack_app_token is not None:
        out.append(
            warn(
                "SLACK_APP_TOKEN",
                "set, but SLACK_BOT_TOKEN is not, so Slack is not used",
                "set SLACK_BOT_TOKEN (xoxb-...) too",
            )
        )
    return out


async def check_database(settings: Settings, secrets: list[str]) -> list[Finding]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from bot.storage.engine import alembic_config

    try:
        if not settings.db_url:
            path = (settings.data / "studybot.db").resolve()
            if not path.exists():
                return [
                    warn(
                        "database",
                        f"no SQLite file yet at {path}",
                        "nothing to do: `studybot run` creates and migrates it at start",
                    )
                ]
        url = resolve_db_url(settings.db_url, settings.data)
    except ValueError as err:
        return [
            fail(
                "STUDYBOT_DB_URL",
                scrub(str(err), secrets),
                "use a SQLite file path or postgresql://...",
            )
        ]
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            current = await conn.run_sync(
                lambda c: MigrationContext.configure(c).get_current_revision()
            )
    except Exception as err:
        reason = scrub(f"{type(err).__name__}: {err}", secrets).splitlines()[0][:200]
        return [
            fail(
                "database",
                f"cannot connect to {redact(url)} ({reason})",
                "check STUDYBOT_DB_URL: host, port, database name, user and password; is the server up?",
            )
        ]
    finally:
        await engine.dispose()
    if current != head:
        return [
            warn(
                "database",
                f"{redact(url)} answers, but its schema is at {current or 'nothing'}; the newest is {head}",
                "run `studybot db upgrade` (or `studybot run`, which migrates at start)",
            )
        ]
    return [ok("database", f"{redact(url)} answers, schema at {head} (the newest)")]


def check_packs(settings: Settings) -> list[Finding]:
    roots = settings.content_roots()
    try:
        packs = load_packs(roots)
    except PackError as err:
        shown = "; ".join(err.problems[:3]) + (
            f" (and {len(err.problems) - 3} more)" if len(err.problems) > 3 else ""
        )
        return [fail("content packs", shown, "`studybot content validate` lists every problem")]
    missing = [r for r in roots if not Path(r).is_dir()]
    out = [
        warn("STUDYBOT_CONTENT", f"{r} is not a folder", "fix the path or remove it")
        for r in missing
    ]
    if settings.default_pack not in packs:
        out.append(
            fail(
                "STUDYBOT_DEFAULT_PACK",
                f"{settings.default_pack!r} is not installed (found: {', '.join(sorted(packs)) or 'none'})",
                "set STUDYBOT_DEFAULT_PACK to one of those, or add the pack's folder to STUDYBOT_CONTENT",
            )
        )
    else:
        out.append(
            ok("content packs", ", ".join(f"{p.id} {p.info.version}" for p in packs.values()))
        )
    return out


async def check_llm(settings: Settings, secrets: list[str]) -> list[Finding]:
    if not settings.llm_base_url:
        return [ok("LLM reviewer", "not configured: the rubric reviewer reviews every answer")]
    import openai

    from bot.review.llm import LLMConfig, make_client

    base = settings.llm_base_url
    if not base.startswith(("http://", "https://")):
        return [
            fail(
                "STUDYBOT_LLM_BASE_URL",
                "must be an http(s) URL",
                "e.g. http://localhost:11434/v1 (Ollama) or https://api.openai.com/v1",
            )
        ]
    cfg = LLMConfig(
        base_url=base,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        timeout=min(settings.llm_timeout, 15.0),
    )
    client = make_client(cfg)
    started = time.perf_counter()
    try:
        await client.chat.completions.create(
            model=cfg.model,
            messages=[{"role": "user", "content": "Reply with {}"}],
            max_tokens=5,
            timeout=cfg.timeout,
        )
    except openai.AuthenticationError:
        return [
            fail(
                "STUDYBOT_LLM_API_KEY",
                f"the endpoint {base} refused the key (HTTP 401)",
                "set STUDYBOT_LLM_API_KEY to a valid key for this endpoint",
            )
        ]
    except openai.NotFoundError:
        return [
            fail(
                "STUDYBOT_LLM_MODEL",
                f"{base} has no model {cfg.model!r} (HTTP 404)",
                "set STUDYBOT_LLM_MODEL to a model the server serves (e.g. `ollama list`)",
            )
        ]
    except openai.APITimeoutError:
        return [
            fail(
                "STUDYBOT_LLM_BASE_URL",
                f"{base} did not answer within {cfg.timeout:g}s",
                "is the server up and the model loaded? raise STUDYBOT_LLM_TIMEOUT for slow models",
            )
        ]
    except openai.APIConnectionError:
        return [
            fail(
                "STUDYBOT_LLM_BASE_URL",
                f"cannot connect to {base}",
                "is the server running, and is the URL's host and port right (with /v1)?",
            )
        ]
    except openai.APIStatusError as err:
        return [
            fail(
                "LLM reviewer",
                f"{base} answered HTTP {err.status_code}",
                "check the server's log; the bot falls back to the rubric reviewer meanwhile",
            )
        ]
    finally:
        await client.close()
    ms = (time.perf_counter() - started) * 1000
    return [ok("LLM reviewer", f"{cfg.model} at {base} answered in {ms:.0f} ms")]


async def check_discord(settings: Settings, env: Mapping[str, str]) -> list[Finding]:
    assert settings.discord_token is not None
    base = (env.get("DISCORD_API_URL") or DISCORD_API).rstrip("/")
    if "/api/v" not in base:
        base += "/api/v10"
    headers = {"Authorization": f"Bot {settings.discord_token.get_secret_value().strip()}"}
    try:
        async with aiohttp.ClientSession(timeout=_TIMEOUT, headers=headers) as s:
            async with s.get(f"{base}/users/@me") as r:
                if r.status == 401:
                    return [
                        fail(
                            "DISCORD_TOKEN",
                            "Discord refused it (HTTP 401)",
                            "reset the token in the Developer Portal (Bot > Reset Token) and copy it again",
                        )
                    ]
                me = await r.json() if r.status == 200 else {}
            async with s.get(f"{base}/oauth2/applications/@me") as r:
                app = await r.json() if r.status == 200 else None
    except (aiohttp.ClientError, TimeoutError) as err:
        return [fail("Discord", f"cannot reach {base} ({type(err).__name__})", "check the network")]
    out = [ok("Discord", f"logged in as {me.get('username', '?')}")]
    wants_content = env.get("DISCORD_MESSAGE_CONTENT", "true").strip().lower() not in (
        "0",
        "false",
        "no",
        "off",
    )
    if app is not None and wants_content:
        if int(app.get("flags", 0)) & MESSAGE_CONTENT_FLAGS:
            out.append(ok("Discord intents", "Message Content is enabled"))
        else:
            out.append(
                fail(
                    "Discord intents",
                    "the Message Content intent is off, so thread replies cannot be read",
                    "Developer Portal > Bot > Privileged Gateway Intents: enable Message Content; "
                    "or set DISCORD_MESSAGE_CONTENT=false to take answers through the Answer button",
                )
            )
    return out


async def check_slack(settings: Settings, env: Mapping[str, str]) -> list[Finding]:
    assert settings.slack_bot_token is not None
    base = env.get("SLACK_API_URL") or SLACK_API
    base = base if base.endswith("/") else base + "/"
    headers = {"Authorization": f"Bearer {settings.slack_bot_token.get_secret_value().strip()}"}
    try:
        async with (
            aiohttp.ClientSession(timeout=_TIMEOUT, headers=headers) as s,
            s.post(f"{base}auth.test") as r,
        ):
            body = await r.json(content_type=None)
            granted = r.headers.get("x-oauth-scopes")
    except (aiohttp.ClientError, TimeoutError, ValueError) as err:
        return [fail("Slack", f"cannot reach {base} ({type(err).__name__})", "check the network")]
    if not body.get("ok"):
        code = str(body.get("error", "unknown"))
        return [
            fail(
                "SLACK_BOT_TOKEN",
                f"Slack refused it ({code})",
                "reinstall the app to the workspace and copy the Bot User OAuth Token again",
            )
        ]
    out = [ok("Slack", f"authenticated in team {body.get('team', '?')}")]
    if granted is not None:
        have = {s.strip() for s in granted.split(",")}
        missing = [s for s in SLACK_SCOPES if s not in have]
        if missing:
            out.append(
                fail(
                    "Slack scopes",
                    f"missing {', '.join(missing)}",
                    "add them under OAuth & Permissions (or from adapters/slack/manifest.yaml) and reinstall the app",
                )
            )
        else:
            out.append(ok("Slack scopes", "all the bot needs"))
    return out


def render(findings: list[Finding]) -> str:
    lines = [f.line() for f in findings]
    fails = sum(f.level is Level.fail for f in findings)
    warns = sum(f.level is Level.warn for f in findings)
    if fails:
        lines.append(
            f"{fails} problem(s) to fix" + (f", {warns} warning(s)" if warns else "") + "."
        )
    else:
        lines.append("All good." if not warns else f"No problems; {warns} warning(s).")
    return "\n".join(lines)
