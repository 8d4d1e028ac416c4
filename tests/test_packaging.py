"""What the Docker image does, checked without a Docker engine: the compose file's shape, and
the image's own commands run against the built package outside a container."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def test_compose_runs_the_bot_against_its_postgres() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"bot", "db"}
    bot, db = services["bot"], services["db"]
    assert bot["build"] == "."
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    url = bot["environment"]["STUDYBOT_DB_URL"]
    assert url.startswith("postgresql+asyncpg://") and "@db:5432/" in url
    assert db["image"].startswith("postgres:") and "healthcheck" in db
    assert set(compose["volumes"]) >= {"pgdata", "botdata"}


def test_dockerfile_copies_what_the_package_needs_and_runs_the_bot() -> None:
    lines = (REPO / "Dockerfile").read_text().splitlines()
    copied = {line.split()[1] for line in lines if line.startswith("COPY")}
    assert {"bot", "adapters", "content"} <= copied
    assert lines[-1] == 'CMD ["studybot", "run"]'
    for path in copied:
        assert (REPO / path).exists(), path


def test_the_built_package_migrates_and_validates_like_the_image(tmp_path: Path) -> None:
    """`pip install .` then the image's commands, from a wheel in a folder of its own."""
    wheel_dir, site, src = tmp_path / "wheel", tmp_path / "site", tmp_path / "src"
    # Build from a copy of what the image's COPY lines take, so no stale build/ leaks in.
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info")
    for name in ("bot", "adapters"):
        shutil.copytree(REPO / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheel_dir),
            str(src),
        ],
        check=True,
        timeout=300,
    )
    [wheel] = wheel_dir.glob("studybot-*.whl")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    app = tmp_path / "app"
    shutil.copytree(REPO / "content", app / "content")  # the image's COPY content
    env = {**os.environ, "PYTHONPATH": str(site), "STUDYBOT_DATA": str(tmp_path / "data")}
    for args in (["content", "validate"], ["db", "upgrade"]):
        out = subprocess.run(
            [sys.executable, "-m", "bot.cli", *args],
            cwd=app,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        assert (
            str(site)
            in subprocess.run(
                [sys.executable, "-c", "import bot; print(bot.__file__)"],
                cwd=app,
                env=env,
                capture_output=True,
                text=True,
            ).stdout
        )
    assert (tmp_path / "data" / "studybot.db").exists()
