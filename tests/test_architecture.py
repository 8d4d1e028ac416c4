"""The core stays free of platform SDKs: arrows point adapters -> bot, never back."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "bot"
FORBIDDEN = ("discord", "slack_bolt", "slack_sdk", "adapters")
ALLOWED = {CORE / "cli.py"}  # the process entry point picks the adapter


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_module_under_bot_imports_a_platform_sdk() -> None:
    offenders = {
        str(path.relative_to(CORE.parent)): sorted(imported_roots(path) & set(FORBIDDEN))
        for path in CORE.rglob("*.py")
        if path not in ALLOWED
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_would_catch_an_offender(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from discord import Client\nimport slack_sdk.web\n")
    assert imported_roots(bad) & set(FORBIDDEN) == {"discord", "slack_sdk"}
