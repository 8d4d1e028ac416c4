"""Where packs come from: the built-in ones inside the package, the organiser's own from
STUDYBOT_CONTENT; never a ./content that happens to be in the working folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.content import PackError, builtin_root, load_packs
from tests.harness import CONTENT

PACK = CONTENT / "amazon-backend-developer"


def copy_of_amazon(dest: Path, *, version: str, pack_id: str = "amazon-backend-developer") -> Path:
    shutil.copytree(PACK, dest)
    text = (dest / "pack.yaml").read_text(encoding="utf-8")
    lines = [
        f"version: '{version}'"
        if line.startswith("version:")
        else (f"id: {pack_id}" if line.startswith("id:") else line)
        for line in text.splitlines()
    ]
    (dest / "pack.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dest


def studybot(*args: str, cwd: Path, content: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYBOT_")}
    env["STUDYBOT_CONTENT"] = content
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_the_built_in_packs_are_found_through_the_package() -> None:
    root = builtin_root()
    assert root is not None and (root / "amazon-backend-developer" / "pack.yaml").is_file()


def test_a_content_folder_in_the_working_folder_is_not_loaded(tmp_path: Path) -> None:
    """An older checkout's content/ with the same pack id used to stop the bot from starting."""
    copy_of_amazon(tmp_path / "content" / "amazon-backend-developer", version="0.0-old")
    out = studybot("content", "list", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    [line] = out.stdout.splitlines()
    pack_id, version, _title, path = line.split("\t")
    assert pack_id == "amazon-backend-developer" and version != "0.0-old"
    assert not path.startswith(str(tmp_path))


def test_an_organisers_pack_of_the_same_id_replaces_the_built_in_one_with_a_warning(
    tmp_path: Path,
) -> None:
    mine = copy_of_amazon(tmp_path / "ours" / "amazon-backend-developer", version="9.9")
    out = studybot("content", "list", cwd=tmp_path, content=str(tmp_path / "ours"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        f"amazon-backend-developer\t9.9\tAmazon Backend Developer\t{mine}"
    ]
    assert "replaces" in out.stderr and str(mine) in out.stderr


def test_an_organisers_own_pack_is_listed_beside_the_built_in_one(tmp_path: Path) -> None:
    copy_of_amazon(tmp_path / "ours" / "mine", version="1.0", pack_id="mine")
    out = studybot("content", "list", cwd=tmp_path, content=str(tmp_path / "ours"))
    assert out.returncode == 0, out.stderr
    assert [line.split("\t")[0] for line in out.stdout.splitlines()] == [
        "amazon-backend-developer",
        "mine",
    ]


def test_two_packs_with_one_id_in_one_folder_are_still_an_error(tmp_path: Path) -> None:
    copy_of_amazon(tmp_path / "ours" / "a", version="1.0", pack_id="twin")
    copy_of_amazon(tmp_path / "ours" / "b", version="2.0", pack_id="twin")
    with pytest.raises(PackError) as err:
        load_packs([tmp_path / "ours"])
    assert "pack id 'twin' is already used" in str(err.value)
