"""`studybot doctor` against a loopback LLM server, a real database and a bad configuration:
it says what is wrong and how to fix it, and never prints a secret."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.harness import open_store
from tests.llm_server import Step, good_content, serve

LLM_KEY = "sk-test-0123456789abcdef0123456789"
DB_PASSWORD = "hunter2-very-secret"
DISCORD_TOKEN = "Bot MTAxMjM0NTY3ODkwMTIzNDU2.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789"
SLACK_TOKEN = "xoxp-1234-5678-secretsecret"


def _head() -> str:
    from alembic.script import ScriptDirectory

    from bot.storage.engine import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


HEAD = _head()


async def doctor(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("STUDYBOT_", "DISCORD_", "SLACK_"))
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "doctor",
        cwd=cwd,
        env={**base, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, out.decode()


async def test_a_good_configuration_passes_with_the_llm_answering(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    store = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'studybot.db'}")
    await store.close()
    async with serve(Step(good_content())) as llm:
        code, out = await doctor(
            {
                "STUDYBOT_DATA": str(tmp_path / "data"),
                "STUDYBOT_LLM_BASE_URL": llm.url,
                "STUDYBOT_LLM_MODEL": "tiny",
                "STUDYBOT_LLM_API_KEY": LLM_KEY,
            },
            tmp_path,
        )
        assert len(llm.requests) == 1  # it really asked the endpoint
    assert code == 0, out
    assert "ok     database: sqlite+aiosqlite" in out and f"schema at {HEAD} (the newest)" in out
    assert "ok     content packs: amazon-backend-developer" in out
    assert f"ok     LLM reviewer: tiny at {llm.url} answered in" in out
    assert out.rstrip().endswith("All good.")
    assert LLM_KEY not in out


async def test_a_bad_configuration_names_each_problem_and_its_fix_without_secrets(
    tmp_path: Path,
) -> None:
    async with serve(Step(status=401)) as llm:
        code, out = await doctor(
            {
                "STUDYBOT_DB_URL": f"postgresql://studybot:{DB_PASSWORD}@127.0.0.1:9/studybot",
                "STUDYBOT_LLM_BASE_URL": llm.url,
                "STUDYBOT_LLM_API_KEY": LLM_KEY,
                "STUDYBOT_DEFAULT_PACK": "no-such-pack",
                "DISCORD_TOKEN": DISCORD_TOKEN,
                "SLACK_BOT_TOKEN": SLACK_TOKEN,
            },
            tmp_path,
        )
    assert code == 1, out
    for secret in (LLM_KEY, DB_PASSWORD, DISCORD_TOKEN.removeprefix("Bot "), SLACK_TOKEN):
        assert secret not in out
    problems = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert [line.split(":")[0].removeprefix("FAIL").strip() for line in problems] == [
        "DISCORD_TOKEN",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "database",
        "STUDYBOT_DEFAULT_PACK",
        "STUDYBOT_LLM_API_KEY",
    ]
    assert "remove the 'Bot ' prefix" in out
    assert "cannot connect to postgresql+asyncpg://studybot:***@127.0.0.1:9/studybot" in out
    assert "'no-such-pack' is not installed (found: amazon-backend-developer)" in out
    assert "refused the key (HTTP 401)" in out
    assert out.count("fix: ") == len(problems)
    assert out.rstrip().endswith("6 problem(s) to fix.")


async def test_an_unmigrated_database_and_a_missing_model_are_reported(tmp_path: Path) -> None:
    (tmp_path / "old.db").write_bytes(b"")  # an empty SQLite file: no schema at all
    async with serve(Step(status=404)) as llm:
        code, out = await doctor(
            {
                "STUDYBOT_DB_URL": str(tmp_path / "old.db"),
                "STUDYBOT_LLM_BASE_URL": llm.url,
                "STUDYBOT_LLM_MODEL": "llama9",
            },
            tmp_path,
        )
    assert code == 1, out
    assert f"schema is at nothing; the newest is {HEAD}" in out
    assert "fix: run `studybot db upgrade`" in out
    assert "FAIL   STUDYBOT_LLM_MODEL:" in out and "no model 'llama9'" in out


async def test_a_setting_that_does_not_parse_is_named_without_its_value(tmp_path: Path) -> None:
    code, out = await doctor({"STUDYBOT_LLM_TIMEOUT": "soon-ish"}, tmp_path)
    assert code == 1
    assert "STUDYBOT_LLM_TIMEOUT" in out and "soon-ish" not in out


async def test_it_asks_discord_about_the_token_and_the_message_content_intent(
    tmp_path: Path,
) -> None:
    from tests.discord.fake_discord import FakeDiscord

    fake = FakeDiscord()
    url = await fake.start()
    try:
        env = {
            "STUDYBOT_DATA": str(tmp_path),
            "DISCORD_TOKEN": DISCORD_TOKEN.removeprefix("Bot "),
            "DISCORD_API_URL": url,
        }
        code, out = await doctor(env, tmp_path)
        # The fake application's flags are 0: the privileged intent was never switched on.
        assert code == 1, out
        assert "ok     Discord: logged in as" in out
        assert "FAIL   Discord intents: the Message Content intent is off" in out
        assert "DISCORD_MESSAGE_CONTENT=false" in out
        code, out = await doctor({**env, "DISCORD_MESSAGE_CONTENT": "false"}, tmp_path)
        assert code == 0, out
    finally:
        await fake.stop()


async def test_it_asks_slack_whether_the_token_works(tmp_path: Path) -> None:
    from tests.slack.fake_slack import BOT_TOKEN, FakeSlack

    fake = FakeSlack()
    await fake.start()
    try:
        env = {
            "STUDYBOT_DATA": str(tmp_path),
            "SLACK_API_URL": fake.api_url,
            "SLACK_APP_TOKEN": "xapp-1-A1-1-abcdef",
        }
        code, out = await doctor({**env, "SLACK_BOT_TOKEN": BOT_TOKEN}, tmp_path)
        assert code == 0, out
        assert "ok     Slack: authenticated in team Study" in out
        code, out = await doctor({**env, "SLACK_BOT_TOKEN": "xoxb-revoked-0000"}, tmp_path)
        assert code == 1
        assert "FAIL   SLACK_BOT_TOKEN: Slack refused it (invalid_auth)" in out
        assert "xoxb-revoked-0000" not in out
    finally:
        await fake.stop()
