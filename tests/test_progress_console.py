"""/progress and /export in the console: the text in the terminal, the files written under
the data folder with their paths printed."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.test_console import numbered, run


def test_progress_and_export_write_their_files_under_the_data_folder(tmp_path: Path) -> None:
    out = run(
        tmp_path, "> I would use a token bucket keyed by API key, in Redis.\n/progress\n/export\n"
    )
    assert out.returncode == 0, out.stderr
    lines = numbered(out.stdout)
    assert any("📈 Your progress · streak 1 day(s), best 1" in line for line in lines)
    paths = [
        Path(line.split("📎", 1)[1].strip()) for line in out.stdout.splitlines() if "📎" in line
    ]
    png = [p for p in paths if p.name.endswith("progress.png")]
    exported = [p for p in paths if p.suffix == ".csv"]
    assert len(png) == 1 and png[0].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert png[0].resolve().is_relative_to(tmp_path.resolve())
    [export] = exported
    rows = list(csv.DictReader(export.open(encoding="utf-8")))
    assert [r["member"] for r in rows] == ["you"]
