"""Issue 13: the Amazon pack's second edition, AWS and operations depth plus a second set of
system-design prompts (content/amazon-backend-developer/aws-operations.yaml and
system-design-2.yaml).

The counts are the issue's acceptance criteria. A file that shrinks, drops an area, loses its
red-flag corrections or its estimates fails here with a message that names what is missing.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
import yaml

from bot.content import Pack
from bot.content.schema import Difficulty, Kind, Question
from bot.review.models import ReviewRequest
from bot.review.rubric import review_now
from bot.review.text import Doc, phrase
from tests.harness import CONTENT

PACK_ID = "amazon-backend-developer"
PACK_DIR = CONTENT / PACK_ID
NEW_FILES = ("aws-operations.yaml", "system-design-2.yaml")
OPS_PREFIXES = ("aws-", "ops-")
DESIGN_PREFIX = "sd-"
# Each area of the issue and the topic tag that marks it.
AREAS = {
    "Lambda": "aws-lambda",
    "DynamoDB operations": "dynamodb",
    "SQS, SNS and Kinesis": "aws-messaging",
    "resilience": "resilience",
    "safe deployments": "deployments",
    "load balancing and partitioning": "load-balancing",
    "networking": "networking",
    "testing strategy": "testing",
}
# The systems the issue asks to be designed, and a phrase each prompt must name.
DESIGNS = {
    "sd-distributed-cache": "cache",
    "sd-news-feed": "news feed",
    "sd-chat-websockets": "websockets",
    "sd-leaderboard-top-k": "leaderboard",
    "sd-search-autocomplete": "autocomplete",
    "sd-metrics-pipeline": "metrics",
    "sd-file-storage-sync": "file storage",
    "sd-payment-system": "payment",
    "sd-notification-inbox": "notification",
}
# A key point counts as the estimation point when it asks for numbers like these.
ESTIMATE_WORDS = ("estimate", "back-of-envelope")
NUMBER = re.compile(r"\d")


@pytest.fixture(scope="module")
def pack(packs: dict[str, Pack]) -> Pack:
    return packs[PACK_ID]


def ops_questions(pack: Pack) -> list[Question]:
    return [q for q in pack.questions if q.id.startswith(OPS_PREFIXES)]


def design_questions(pack: Pack) -> list[Question]:
    return [q for q in pack.questions if q.id.startswith(DESIGN_PREFIX)]


def new_questions(pack: Pack) -> list[Question]:
    return ops_questions(pack) + design_questions(pack)


def raw_entries() -> list[tuple[str, dict[str, Any]]]:
    """The new files' entries as written, before the schema fills in defaults."""
    out = []
    for name in NEW_FILES:
        data = yaml.safe_load((PACK_DIR / name).read_text(encoding="utf-8"))
        out += [(name, entry) for entry in data["questions"]]
    return out


# ------------------------------------------------------------------------ AWS and operations


def test_at_least_forty_aws_and_operations_questions(pack: Pack) -> None:
    qs = ops_questions(pack)
    assert len(qs) >= 40, [q.id for q in qs]
    assert all(q.kind == Kind.technical for q in qs)


def test_every_area_is_covered_at_least_three_times(pack: Pack) -> None:
    qs = ops_questions(pack)
    counts = {area: sum(tag in q.topics for q in qs) for area, tag in AREAS.items()}
    assert {area: n for area, n in counts.items() if n < 3} == {}, counts


def test_each_difficulty_has_at_least_eight_questions(pack: Pack) -> None:
    levels = Counter(q.difficulty for q in ops_questions(pack))
    assert {d: levels[d] for d in Difficulty if levels[d] < 8} == {}, levels


def test_easy_questions_also_serve_the_research_phase(pack: Pack) -> None:
    problems = []
    for q in new_questions(pack):
        if not {"practice", "mock"} <= set(q.phases):
            problems.append(f"{q.id}: not tagged for both practice and mock ({q.phases})")
        if q.difficulty == Difficulty.easy and "research" not in q.phases:
            problems.append(f"{q.id}: an easy question should also be served in research")
    assert problems == []


def test_each_aws_question_has_the_house_shape(pack: Pack) -> None:
    problems = []
    for q in ops_questions(pack):
        if not 5 <= len(q.rubric) <= 6:
            problems.append(f"{q.id}: {len(q.rubric)} key points, wants 5 to 6")
        if not 4 <= len(q.model_answer) <= 7:
            problems.append(f"{q.id}: model answer has {len(q.model_answer)} bullets, wants 4 to 7")
        if not 2 <= len(q.strong_signals) <= 3:
            problems.append(f"{q.id}: {len(q.strong_signals)} strong signals, wants 2 to 3")
        if not 2 <= len(q.red_flags) <= 4:
            problems.append(f"{q.id}: {len(q.red_flags)} red flags, wants 2 to 4")
    assert problems == []


# ------------------------------------------------------------------------ system design


def test_the_second_set_of_system_design_prompts(pack: Pack) -> None:
    designs = design_questions(pack)
    assert len(designs) >= 8, [q.id for q in designs]
    missing = [qid for qid in DESIGNS if qid not in pack.by_id]
    assert missing == [], "these system-design prompts are gone"
    problems = []
    for q in designs:
        prompt = " ".join(q.prompt.lower().split())
        if not prompt.startswith("design "):
            problems.append(f"{q.id}: a system-design prompt asks the candidate to design")
        if q.id in DESIGNS and DESIGNS[q.id] not in prompt:
            problems.append(f"{q.id}: the prompt no longer names {DESIGNS[q.id]!r}")
        if "system-design" not in q.topics:
            problems.append(f"{q.id}: not tagged system-design")
        if len(q.design_dimensions) < 5:
            problems.append(f"{q.id}: {len(q.design_dimensions)} design dimensions, needs 5")
        if len(q.rubric) < 7 or not q.strong_signals:
            problems.append(f"{q.id}: needs 7 key points and strong signals")
        if len(q.follow_ups) < 4:
            problems.append(f"{q.id}: {len(q.follow_ups)} follow-ups, a Bar Raiser asks 4 or more")
    assert problems == []


def test_each_design_asks_for_requirements_and_a_worked_estimate(pack: Pack) -> None:
    problems = []
    for q in design_questions(pack):
        points = [kp for kp in q.rubric if any(w in kp.point.lower() for w in ESTIMATE_WORDS)]
        if not points:
            problems.append(f"{q.id}: no key point asks for estimates")
        elif not any("back-of-envelope" in kp.synonyms for kp in points):
            problems.append(f"{q.id}: the estimation point lacks the 'back-of-envelope' synonym")
        if not any(
            "requirement" in kp.point.lower() or "clarif" in kp.point.lower() for kp in q.rubric
        ):
            problems.append(f"{q.id}: no key point asks for requirements first")
        if not any("back-of-envelope" in line.lower() for line in q.model_answer):
            problems.append(f"{q.id}: the model answer does not show its back-of-envelope")
        worked = [line for line in q.model_answer if len(NUMBER.findall(line)) >= 3]
        if len(worked) < 2:
            problems.append(f"{q.id}: the model answer has no worked numbers ({len(worked)} lines)")
        if not q.model_answer[0].lower().startswith("requirements"):
            problems.append(f"{q.id}: the model answer should open with the requirements")
    assert problems == []


def test_design_follow_ups_probe_scale_failure_and_hot_spots(pack: Pack) -> None:
    probes = {
        "scale": ("ten times", "10x", "grows"),
        "failure": ("region", "fails", "dies", "crash", "down"),
    }
    problems = []
    for q in design_questions(pack):
        text = " ".join(q.follow_ups).lower()
        for what, words in probes.items():
            if not any(w in text for w in words):
                problems.append(f"{q.id}: no follow-up about {what}")
    assert problems == []


# ------------------------------------------------------------------------ red flags and follow-ups


def test_red_flags_are_objects_with_phrasings_and_corrections(pack: Pack) -> None:
    problems = []
    for name, entry in raw_entries():
        for flag in entry.get("red_flags", []):
            if not isinstance(flag, dict):
                problems.append(f"{name}: {entry['id']}: red flag {flag!r} is a plain string")
    for q in new_questions(pack):
        if len(q.red_flags) < 2:
            problems.append(f"{q.id}: {len(q.red_flags)} red flags, needs 2")
        for flag in q.red_flags:
            if not flag.phrasings:
                problems.append(f"{q.id}: red flag {flag.claim!r} has no phrasings")
            if len(flag.correction) < 20:
                problems.append(f"{q.id}: red flag {flag.claim!r} has no real correction")
            for p in flag.phrasings:
                if p != p.lower().strip() or not phrase(p) or len(p.split()) > 8:
                    problems.append(f"{q.id}: phrasing {p!r} is not a short lowercase phrase")
    assert problems == []


def test_a_model_answer_never_says_its_own_red_flag(pack: Pack) -> None:
    # The reviewer matches phrasings literally; the outline we show must not trip them.
    problems = []
    for q in new_questions(pack):
        shown = Doc.of(" ".join([*q.model_answer, *q.strong_signals]))
        for flag in q.red_flags:
            said = [p for p in flag.phrasings if shown.has_phrase(p)]
            if said:
                problems.append(f"{q.id}: its model answer says {said}")
    assert problems == []


def test_the_offline_reviewer_finds_the_rubric_in_the_model_answer(pack: Pack) -> None:
    # If the outline we show misses its own key points, members learn to miss them too, and
    # the synonyms are probably not words a good answer uses.
    problems = []
    for q in new_questions(pack):
        review = review_now(ReviewRequest(question=q, answer="\n".join(q.model_answer)))
        missed = [line for line in review.improvements if line.startswith("Not covered")]
        if review.scores["coverage"] < 4 or len(missed) > 1:
            problems.append(f"{q.id}: the model answer misses {missed}")
    assert problems == []


def test_follow_ups_and_difficulty_are_written_out() -> None:
    problems = []
    for name, entry in raw_entries():
        qid = entry.get("id")
        if "difficulty" not in entry:
            problems.append(f"{name}: {qid}: difficulty left to the default")
        if len(entry.get("follow_ups", [])) < 3:
            problems.append(f"{name}: {qid}: fewer than 3 follow-ups")
    assert problems == []


def test_no_technical_follow_up_is_repeated_in_more_than_three_questions(pack: Pack) -> None:
    uses = Counter(
        " ".join(f.lower().split())
        for q in pack.questions
        if q.kind == Kind.technical
        for f in set(q.follow_ups)
    )
    assert {f: n for f, n in uses.items() if n > 3} == {}


def test_the_new_files_hold_only_their_own_prefixes() -> None:
    prefixes = {"aws-operations.yaml": OPS_PREFIXES, "system-design-2.yaml": (DESIGN_PREFIX,)}
    wrong = [
        f"{name}: {e['id']}" for name, e in raw_entries() if not e["id"].startswith(prefixes[name])
    ]
    assert wrong == []


def test_a_plain_string_red_flag_loads_without_phrasings_or_correction() -> None:
    # The schema still loads the first edition's bare strings, so only the raw check sees them.
    entry = {"id": "aws-x", "red_flags": ["SQS is exactly once"]}
    plain = [f for f in entry["red_flags"] if not isinstance(f, dict)]
    assert plain == ["SQS is exactly once"]
    loaded = Question.model_validate(
        {"id": "aws-x", "kind": "technical", "prompt": "A question.", "phases": ["practice"]}
        | {"red_flags": entry["red_flags"]}
    )
    assert loaded.red_flags[0].phrasings == [] and loaded.red_flags[0].correction == ""
