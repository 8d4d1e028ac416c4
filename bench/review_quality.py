"""How well the rubric reviewer orders answers, and how fast it is.

For every question in bench/data/review_labelled.yaml, each pair of answers with different
labels (strong > adequate > weak) counts as ordered when the stronger one gets the higher
mean score. Ties count as half (and are reported). Speed: the median time of one review.

    .venv/bin/python bench/review_quality.py
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content import Pack, load_packs  # noqa: E402
from bot.content.schema import Kind, Question  # noqa: E402
from bot.review.models import ReviewRequest  # noqa: E402
from bot.review.rubric import review_now  # noqa: E402

RANK = {"strong": 3, "adequate": 2, "weak": 1}
PACK = "amazon-backend-developer"


def request_for(pack: Pack, entry: dict[str, str]) -> ReviewRequest:
    question = pack.question(entry["question"])
    if question is None:
        pid = entry.get("principle")
        principle = pack.principle(pid) if pid else None
        if principle is None:
            raise SystemExit(f"{entry['question']}: not in the pack and no known principle given")
        # The pack does not have this behavioral question (yet): ask the generic one.
        question = Question(
            id=entry["question"],
            kind=Kind.behavioral,
            prompt=f"Tell me about a time that shows {principle.name}.",
            phases=[pack.info.phases[0].id],
            principles=[principle.id],
        )
    principles = tuple(p for pid in question.principles if (p := pack.principle(pid)))
    return ReviewRequest(question, entry["text"], principles)


def main() -> None:
    pack = load_packs([ROOT / "content"])[PACK]
    data = yaml.safe_load((ROOT / "bench/data/review_labelled.yaml").read_text(encoding="utf-8"))
    entries = data["answers"]
    scored: dict[str, list[tuple[int, float]]] = {}
    timings: list[float] = []
    for entry in entries:
        request = request_for(pack, entry)
        review = review_now(request)
        for _ in range(20):
            start = time.perf_counter()
            review_now(request)
            timings.append(time.perf_counter() - start)
        mean = statistics.mean(review.scores.values())
        scored.setdefault(entry["question"], []).append((RANK[entry["label"]], mean))

    pairs = ordered = ties = 0
    misses: list[str] = []
    for qid, items in scored.items():
        for (ra, sa), (rb, sb) in itertools.combinations(items, 2):
            if ra == rb:
                continue
            pairs += 1
            hi, lo = (sa, sb) if ra > rb else (sb, sa)
            if hi > lo:
                ordered += 1
            elif hi == lo:
                ties += 1
                misses.append(f"  tie   {qid}: {hi:.2f} = {lo:.2f}")
            else:
                misses.append(f"  wrong {qid}: stronger {hi:.2f} < weaker {lo:.2f}")
    kinds = {request_for(pack, e).question.kind for e in entries}
    print(f"labelled answers: {len(entries)} over {len(scored)} questions "
          f"({', '.join(sorted(k.value for k in kinds))})")  # fmt: skip
    print(f"pairs compared: {pairs}")
    print(f"ordering accuracy (ties count half): {(ordered + ties / 2) / pairs:.3f}")
    print(f"ordering accuracy (strict, ties fail): {ordered / pairs:.3f}  (ties: {ties})")
    print(f"median time per review: {statistics.median(timings) * 1000:.3f} ms "
          f"(p95 {sorted(timings)[int(len(timings) * 0.95)] * 1000:.3f} ms)")  # fmt: skip
    if misses:
        print("not ordered:")
        print("\n".join(misses))


if __name__ == "__main__":
    main()
