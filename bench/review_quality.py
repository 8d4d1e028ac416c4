"""How well the rubric reviewer orders answers, and how fast it is, per half of the set.

bench/data/review_labelled.yaml splits its questions into half A (the reviewer may be tuned
on it) and half B (held out). For each half:

- pairwise: for every question, each pair of answers with different labels (strong >
  adequate > weak) counts as ordered only when the stronger one gets the strictly higher
  mean score; a tie is a failure;
- adversarial: the share of answers marked `trap` that score strictly below every adequate
  answer to the same question, for the seven kinds of gaming (and per kind), and apart
  from them for the answers that state one of the question's red flags;
- speed: the median time of one review.

    .venv/bin/python bench/review_quality.py [--half A] [--misses A] [--content DIR]

`--half A` scores and prints only that half: while tuning, run with `--half A` so half B's
figures stay unseen until the final, held-out measurement.

`--misses A` lists the pairs out of order in half A (tune on A only; do not read B's).
`--content DIR` reviews with another packs folder, e.g. one exported from another branch
(`git archive main content | tar -x -C /tmp/main`) to see the effect of its phrasings.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content import Pack, load_packs  # noqa: E402
from bot.review.models import ReviewRequest  # noqa: E402
from bot.review.rubric import review_now  # noqa: E402

RANK = {"strong": 3, "adequate": 2, "weak": 1}
PACK = "amazon-backend-developer"
REPEAT = 20


@dataclass(frozen=True)
class Scored:
    question: str
    label: str
    trap: str | None
    mean: float
    text: str


def request_for(pack: Pack, entry: dict[str, Any]) -> ReviewRequest:
    question = pack.question(entry["question"])
    if question is None:
        raise SystemExit(f"{entry['question']}: not a question of the {PACK} pack")
    principles = tuple(p for pid in question.principles if (p := pack.principle(pid)))
    return ReviewRequest(question, entry["text"], principles, tuple(pack.info.principles))


def score_all(pack: Pack, entries: list[dict[str, Any]]) -> tuple[list[Scored], list[float]]:
    scored: list[Scored] = []
    timings: list[float] = []
    for entry in entries:
        request = request_for(pack, entry)
        review = review_now(request)
        for _ in range(REPEAT):
            start = time.perf_counter()
            review_now(request)
            timings.append(time.perf_counter() - start)
        mean = statistics.mean(review.scores.values())
        scored.append(Scored(entry["question"], entry["label"], entry.get("trap"), mean,
                             entry["text"]))  # fmt: skip
    return scored, timings


def report(name: str, scored: list[Scored], timings: list[float], show_misses: bool) -> None:
    by_q: dict[str, list[Scored]] = {}
    for s in scored:
        by_q.setdefault(s.question, []).append(s)
    pairs = ordered = ties = 0
    misses: list[str] = []
    for qid, items in by_q.items():
        for a, b in itertools.combinations(items, 2):
            if RANK[a.label] == RANK[b.label]:
                continue
            hi, lo = (a, b) if RANK[a.label] > RANK[b.label] else (b, a)
            pairs += 1
            if hi.mean > lo.mean:
                ordered += 1
                continue
            ties += hi.mean == lo.mean
            misses.append(
                f"  {qid}: {hi.label} {hi.mean:.2f} <= {lo.label}{f'/{lo.trap}' if lo.trap else ''}"
                f" {lo.mean:.2f}  [{lo.text[:60]!r}]"
            )
    traps = [s for s in scored if s.trap]
    below: dict[str, list[bool]] = {}
    for t in traps:
        adequate = [s.mean for s in by_q[t.question] if s.label == "adequate"]
        ok = bool(adequate) and all(t.mean < m for m in adequate)
        below.setdefault(t.trap or "", []).append(ok)
    gaming = [ok for k, v in below.items() if k != "red-flag" for ok in v]
    flags = below.get("red-flag", [])
    kinds = ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in sorted(below.items()) if k != "red-flag")
    labels = {k: sum(s.label == k for s in scored) for k in RANK}
    print(f"half {name}: {len(scored)} answers over {len(by_q)} questions "
          f"({labels['strong']} strong, {labels['adequate']} adequate, {labels['weak']} weak)")  # fmt: skip
    print(f"  pairwise ordering (strict, ties fail): {ordered / pairs:.3f}  "
          f"({ordered}/{pairs}, ties {ties})")  # fmt: skip
    print(f"  adversarial (seven kinds) below every adequate answer: "
          f"{sum(gaming) / max(1, len(gaming)):.3f}  ({sum(gaming)}/{len(gaming)}: {kinds})")  # fmt: skip
    print(f"  stated red flags below every adequate answer: "
          f"{sum(flags) / max(1, len(flags)):.3f}  ({sum(flags)}/{len(flags)})")  # fmt: skip
    print(f"  median time per review: {statistics.median(timings) * 1000:.3f} ms "
          f"(p95 {sorted(timings)[int(len(timings) * 0.95)] * 1000:.3f} ms)")  # fmt: skip
    if show_misses and misses:
        print("  not ordered:")
        print("\n".join(misses))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--misses", metavar="HALF", default="", help="list the pairs out of order in this half"
    )
    parser.add_argument(
        "--half", metavar="HALF", default="", help="score and print only this half (e.g. A)"
    )
    parser.add_argument(
        "--content", type=Path, default=ROOT / "content", help="the packs folder to review with"
    )
    args = parser.parse_args()
    pack = load_packs([args.content])[PACK]
    data = yaml.safe_load((ROOT / "bench/data/review_labelled.yaml").read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = data["answers"]
    for name, questions in data["halves"].items():
        if args.half and name != args.half:
            continue
        half = [e for e in entries if e["question"] in set(questions)]
        scored, timings = score_all(pack, half)
        report(name, scored, timings, name == args.misses)


if __name__ == "__main__":
    main()
