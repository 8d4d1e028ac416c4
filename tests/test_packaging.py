"""What the Docker image does, checked without a Docker engine: the compose file's shape, and
the image's own commands run against the built package outside a container."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
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
    # The bot's health check asks its own /healthz on the metrics port (urlopen fails on 503).
    port = bot["environment"]["STUDYBOT_METRICS_PORT"]
    probe = bot["healthcheck"]["test"]
    assert probe[:3] == ["CMD", "python", "-c"]
    assert f"http://127.0.0.1:{port}/healthz" in probe[3]


def test_dockerfile_copies_what_the_package_needs_and_runs_the_bot() -> None:
    lines = (REPO / "Dockerfile").read_text().splitlines()
    copied = {src for line in lines if line.startswith("COPY") for src in line.split()[1:-1]}
    assert {"bot", "adapters", "content", "setup.py"} <= copied
    assert lines[-1] == 'CMD ["studybot", "run"]'
    for path in copied:
        assert (REPO / path).exists(), path


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from what the image's COPY lines take, installed into a fresh venv
    offline. Returns the venv's bin folder. The dependencies come from this test's own
    environment through a .pth line (no index is asked)."""
    tmp = tmp_path_factory.mktemp("wheel")
    wheel_dir, src, venv_dir = tmp / "wheel", tmp / "src", tmp / "venv"
    # Build from a copy, so no stale build/ or egg-info of the checkout leaks in.
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info")
    for name in ("bot", "adapters", "content"):
        shutil.copytree(REPO / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(REPO / name, src / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    subprocess.run(
        [
            *pip,
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
    venv.create(venv_dir, with_pip=False)
    python = venv_dir / "bin" / "python"
    subprocess.run(
        [
            *pip,
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    deps = sysconfig.get_paths()["purelib"]  # this environment's packages, after the wheel's
    (site / "studybot-test-deps.pth").write_text(deps + "\n")
    return venv_dir / "bin"


def in_empty_folder(
    bin_dir: Path, tmp_path: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    work = tmp_path / "empty"
    work.mkdir(exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("STUDYBOT_", "DISCORD_", "SLACK_", "PYTHON"))
    }
    env.update({"STUDYBOT_DATA": str(tmp_path / "data"), "TZ": "UTC"})
    return subprocess.run(
        [str(bin_dir / "studybot"), *args],
        cwd=work,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_wheel_carries_the_built_in_packs(installed: Path, tmp_path: Path) -> None:
    out = in_empty_folder(installed, tmp_path, "content", "list")
    assert out.returncode == 0, out.stderr
    [line] = out.stdout.splitlines()
    pack_id, _version, title, path = line.split("\t")
    assert (pack_id, title) == ("amazon-backend-developer", "Amazon Backend Developer")
    assert str(installed.parent) in path  # inside the venv, not the checkout
    # Every question file of the checkout's pack is in the wheel.
    shipped = {p.name for p in Path(path).iterdir()}
    assert {
        p.name for p in (REPO / "content" / "amazon-backend-developer").glob("*.y*ml")
    } <= shipped
    out = in_empty_folder(installed, tmp_path, "content", "validate")
    assert out.returncode == 0, out.stderr


def test_the_wheel_runs_a_console_session_from_an_empty_folder(
    installed: Path, tmp_path: Path
) -> None:
    script = "> I would use a token bucket per API key, kept in Redis.\n/clock +1d\n"
    out = in_empty_folder(
        installed, tmp_path, "run", "--now", "2026-11-30T10:00:00+00:00", stdin=script
    )
    assert out.returncode == 0, out.stderr
    assert "Question of the day" in out.stdout
    assert "Answer from you saved" in out.stdout
    assert "Answers are closed. 1 answered: you." in out.stdout
    assert (tmp_path / "data" / "studybot.db").exists()
    assert not (tmp_path / "empty" / "data").exists()  # nothing written where it ran
    upgrade = in_empty_folder(installed, tmp_path, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
