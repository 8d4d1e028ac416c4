"""Issue 13: the Amazon pack's coding/algorithms questions (`code-*`, coding.yaml) and its
object-oriented design questions (`lld-*`, low-level-design.yaml).

A coding answer is judged on its approach, its complexity, its edge cases and its tests, so
every coding question must have rubric key points for those, red flags that name the classic
wrong claims (with the words that give them away and what is true instead), and follow-ups
that push further. These checks fail with a message that names the question and what it lost.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import yaml

from bot.content import Pack
from bot.content.schema import Difficulty, Kind, Question
from bot.review.models import ReviewRequest
from bot.review.rubric import review_now
from bot.review.text import Doc
from tests.test_pack_depth import PACK_DIR, PACK_ID

CODING_FILE = PACK_DIR / "coding.yaml"
DESIGN_FILE = PACK_DIR / "low-level-design.yaml"
SUB_TOPICS = (
    "arrays-strings",
    "hashing",
    "two-pointers",
    "sliding-window",
    "trees",
    "graphs",
    "topological-sort",
    "heaps-top-k",
    "intervals",
    "binary-search",
    "dynamic-programming",
    "data-structure-design",
    "linked-lists",
    "stacks-queues",
    "backtracking",
)
# Well-known titles of practice-site problems: a prompt describes its task in its own words.
BORROWED_TITLES = (
    "two sum",
    "3sum",
    "trapping rain water",
    "longest substring without",
    "minimum window substring",
    "sliding window maximum",
    "course schedule",
    "alien dictionary",
    "number of islands",
    "merge k sorted",
    "median from data stream",
    "coin change",
    "word break",
    "edit distance",
    "house robber",
    "daily temperatures",
    "basic calculator",
    "word search",
    "combination sum",
    "min stack",
    "hit counter",
    "time based key-value",
    "reverse nodes in k-group",
    "linked list cycle",
    "valid parentheses",
    "capacity to ship",
    "rotated sorted array",
    "first bad version",
    "meeting rooms",
    "insert interval",
    "merge intervals",
    "top k frequent",
    "k closest points",
    "product of array except self",
    "group anagrams",
    "longest consecutive sequence",
    "valid palindrome",
    "lowest common ancestor",
    "serialize and deserialize",
)


@pytest.fixture(scope="module")
def pack(packs: dict[str, Pack]) -> Pack:
    return packs[PACK_ID]


def coding(pack: Pack) -> list[Question]:
    return [q for q in pack.questions if q.id.startswith("code-")]


def designs(pack: Pack) -> list[Question]:
    return [q for q in pack.questions if q.id.startswith("lld-")]


def raw(path: Any) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    return entries


# ------------------------------------------------------------------------ coding


def test_at_least_forty_coding_questions_in_their_own_file(pack: Pack) -> None:
    qs = coding(pack)
    assert len(qs) >= 40
    assert {e["id"] for e in raw(CODING_FILE)} == {q.id for q in qs}
    assert all(q.kind == Kind.technical and "coding" in q.topics for q in qs)


def test_every_sub_topic_has_at_least_two_coding_questions(pack: Pack) -> None:
    counts = Counter(t for q in coding(pack) for t in q.topics if t in SUB_TOPICS)
    assert {t: counts[t] for t in SUB_TOPICS if counts[t] < 2} == {}
    untagged = [q.id for q in coding(pack) if not set(q.topics) & set(SUB_TOPICS)]
    assert untagged == []


def test_difficulty_is_mixed_and_written_out(pack: Pack) -> None:
    levels = Counter(q.difficulty for q in coding(pack))
    assert {d: levels[d] for d in Difficulty if levels[d] < 8} == {}
    implicit = [e["id"] for e in raw(CODING_FILE) + raw(DESIGN_FILE) if "difficulty" not in e]
    assert implicit == []


def test_coding_questions_are_for_practice_and_mock_rounds(pack: Pack) -> None:
    qs = coding(pack)
    assert [q.id for q in qs if not {"practice", "mock"} <= set(q.phases)] == []
    early = [q for q in qs if "research" in q.phases]
    assert early and all(q.difficulty == Difficulty.easy for q in early)


def test_every_coding_question_asks_for_complexity_edge_cases_and_tests(pack: Pack) -> None:
    problems = []
    for q in coding(pack):
        points = [kp.point.lower() for kp in q.rubric]
        if not any("o(" in s for kp in q.rubric for s in kp.synonyms):
            problems.append(f"{q.id}: no complexity key point with an O(...) synonym")
        if not any("edge case" in p for p in points):
            problems.append(f"{q.id}: no edge-case key point")
        if not any("test case" in p for p in points):
            problems.append(f"{q.id}: no test-case key point")
        if not 4 <= len(q.rubric) <= 6:
            problems.append(f"{q.id}: {len(q.rubric)} key points, wants 4 to 6")
        if len(q.follow_ups) < 3:
            problems.append(f"{q.id}: {len(q.follow_ups)} follow-ups, needs 3")
        if not 4 <= len(q.model_answer) <= 7:
            problems.append(f"{q.id}: model answer has {len(q.model_answer)} bullets, wants 4 to 7")
        if not 2 <= len(q.strong_signals) <= 3:
            problems.append(f"{q.id}: {len(q.strong_signals)} strong signals, wants 2 or 3")
    assert problems == []


def red_flag_problems(entries: list[dict[str, Any]], pack: Pack) -> list[str]:
    problems = []
    for entry in entries:
        flags = entry.get("red_flags", [])
        if len(flags) < 2:
            problems.append(f"{entry['id']}: {len(flags)} red flags, needs 2")
        if any(not isinstance(f, dict) for f in flags):
            problems.append(f"{entry['id']}: a red flag is a plain string, not an object")
        for flag in pack.by_id[entry["id"]].red_flags:
            if not flag.phrasings or not flag.correction:
                problems.append(f"{entry['id']}: {flag.claim!r} lacks phrasings or a correction")
            if any(p != p.lower() for p in flag.phrasings):
                problems.append(f"{entry['id']}: {flag.claim!r} has a phrasing not in lowercase")
    return problems


def test_red_flags_are_objects_with_phrasings_and_a_correction(pack: Pack) -> None:
    assert red_flag_problems(raw(CODING_FILE) + raw(DESIGN_FILE), pack) == []


def test_the_model_answer_trips_no_red_flag_and_covers_the_rubric(pack: Pack) -> None:
    # Answering like the model answer must never read as a classic mistake, and must earn
    # full coverage from the offline reviewer: otherwise the synonyms are not what a good
    # answer really says.
    problems = []
    for q in coding(pack) + designs(pack):
        answer = "\n".join(q.model_answer)
        doc = Doc.of(answer)
        tripped = [p for f in q.red_flags for p in f.phrasings if doc.has_phrase(p)]
        if tripped:
            problems.append(f"{q.id}: the model answer contains red-flag phrasings {tripped}")
        coverage = review_now(ReviewRequest(q, answer)).scores["coverage"]
        if coverage < 4:
            problems.append(f"{q.id}: the model answer only reaches coverage {coverage} of 4")
    assert problems == []


def test_no_follow_up_is_reused_in_more_than_three_questions(pack: Pack) -> None:
    uses = Counter(f for q in coding(pack) + designs(pack) for f in set(q.follow_ups))
    assert {f: n for f, n in uses.items() if n > 3} == {}


def test_prompts_describe_problems_in_their_own_words(pack: Pack) -> None:
    borrowed = [
        (q.id, title)
        for q in coding(pack) + designs(pack)
        for title in BORROWED_TITLES
        if title in " ".join(q.prompt.lower().split())
    ]
    assert borrowed == []
    prompts = [" ".join(q.prompt.lower().split()) for q in coding(pack) + designs(pack)]
    assert len(set(prompts)) == len(prompts)


# ------------------------------------------------------------------------ object-oriented design


def test_at_least_eight_object_oriented_design_questions(pack: Pack) -> None:
    qs = designs(pack)
    assert len(qs) >= 8
    assert {e["id"] for e in raw(DESIGN_FILE)} == {q.id for q in qs}
    assert all(q.kind == Kind.technical and "low-level-design" in q.topics for q in qs)
    assert any("concurrency" in q.topics for q in qs)


def test_every_design_question_says_what_a_good_class_design_shows(pack: Pack) -> None:
    problems = []
    for q in designs(pack):
        points = " ".join(kp.point.lower() for kp in q.rubric)
        everything = points + " " + " ".join(s for kp in q.rubric for s in kp.synonyms)
        if len(q.design_dimensions) < 5:
            problems.append(f"{q.id}: {len(q.design_dimensions)} design dimensions, needs 5")
        if len(q.follow_ups) < 4:
            problems.append(f"{q.id}: {len(q.follow_ups)} follow-ups, needs 4")
        for aspect, words in {
            "entities": ("entities", "separates", "names the"),
            "interfaces": ("interface",),
            "state and invariants": ("invariant",),
            "tests": ("test",),
            "patterns": ("pattern", "strategy", "observer", "factory"),
        }.items():
            if not any(w in everything for w in words):
                problems.append(f"{q.id}: the rubric says nothing about {aspect}")
        if "concurrency" in q.topics and not any(
            w in everything for w in ("thread", "concurren", "atomic")
        ):
            problems.append(f"{q.id}: tagged concurrency but the rubric ignores it")
    assert problems == []
