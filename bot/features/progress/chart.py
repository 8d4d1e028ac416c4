"""The /progress chart: weekly average score per topic or principle, and answers a week.

matplotlib is imported here, inside the function, and nowhere else: start-up and idle
memory stay as they were for every process that never draws a chart.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

WIDTH_IN, HEIGHT_IN, DPI = 9.0, 4.5, 100  # 900 x 450 pixels


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    points: list[tuple[date, float]]  # week start, mean score 1-4


def draw(lines: list[Series], answers_per_week: list[tuple[date, int]]) -> bytes:
    """A PNG: score lines on the left, reviewed answers a week as bars on the right."""
    import matplotlib

    matplotlib.use("Agg")  # no display: render to memory only
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    scores, volume = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    for s in lines:
        xs = [d for d, _ in s.points]
        ys = [v for _, v in s.points]
        scores.plot(xs, ys, marker="o", label=s.label)
    scores.set_ylim(0.8, 4.2)
    scores.set_yticks([1, 2, 3, 4])
    scores.set_title("Average review score a week")
    scores.grid(alpha=0.3)
    if lines:
        scores.legend(fontsize="small", loc="lower right")
    weeks = [d for d, _ in answers_per_week]
    counts = [n for _, n in answers_per_week]
    volume.bar(weeks, counts, width=5)
    volume.set_title("Reviewed answers a week")
    for ax in (scores, volume):
        ax.tick_params(axis="x", labelrotation=45, labelsize="small")
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
