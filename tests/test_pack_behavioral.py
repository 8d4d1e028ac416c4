"""Issue 13: the Amazon pack's behavioral prompts, second edition.

Five prompts a principle, each with Bar-Raiser follow-ups that dig into one story, red flags
the reviewer can spot by their phrasings, and rubric synonyms that only a real answer would
contain. The seven first-edition prompts that measured the wrong thing are pinned to their
rewrite, so a revert to the old wording fails here with the prompt's id in the message.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content import Pack
from bot.content.schema import Kind, Question
from bot.review.text import STOPWORDS, Doc, phrase, tokens
from tests.test_pack_depth import GENERIC, PACK_DIR, PACK_ID

BEHAVIORAL_FILE = PACK_DIR / "behavioral.yaml"
PER_PRINCIPLE = 5
IN_ALL = 80
FOLLOW_UPS = 4
MAX_PROMPTS_PER_FOLLOW_UP = 3
# Everyday words any story contains. A synonym that is one of these, or whose only content
# word is one ("went from", "in the end"), matches almost every answer and gives its key
# point away for free.
EVERYDAY = GENERIC | frozenset(
    """customer customers client user users feedback beyond extra realized realised result
    results outcome impact improved improve reduced reduce saved save problem team teams
    changed decided helped help risk quality delivered deliver shipped ship process learned
    learn fixed fix trust growth vision adopted proposed propose alternative business
    informed communicated stakeholders stakeholder went got get hit reached wanted want end
    later week weeks month months year years day days used work worked took made make kept
    keep gave give let front bar new way thing things people someone nobody something
    told said asked showed started tried found looked needed project goal manager company
    product feature issue plan role job task effort supported committed raised cut broke
    failed missed ended effect example private date percent per just really well still back
    out off""".split()  # noqa: SIM905
)
# Prompts whose first edition rewarded the wrong thing, by id.
REWRITTEN = (
    "lp-are-right-a-lot-1",
    "lp-think-big-3",
    "lp-success-and-scale-bring-broad-responsibility-3",
    "lp-strive-to-be-earths-best-employer-2",
    "lp-invent-and-simplify-2",
    "lp-customer-obsession-1",
    "lp-deliver-results-3",
)


@pytest.fixture(scope="module")
def pack(packs: dict[str, Pack]) -> Pack:
    return packs[PACK_ID]


@pytest.fixture(scope="module")
def behavioral(pack: Pack) -> list[Question]:
    return [q for q in pack.questions if q.kind == Kind.behavioral]


def raw_behavioral() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = yaml.safe_load(BEHAVIORAL_FILE.read_text("utf-8"))["questions"]
    return entries


def rubric_text(q: Question) -> str:
    return " ".join(f"{kp.point} {' '.join(kp.synonyms)}" for kp in q.rubric).lower()


def synonyms(q: Question) -> set[str]:
    return {s for kp in q.rubric for s in kp.synonyms}


# ------------------------------------------------------------------------ counts


def test_five_prompts_for_every_principle_and_eighty_in_all(
    pack: Pack, behavioral: list[Question]
) -> None:
    counts = Counter(p for q in behavioral for p in q.principles)
    thin = {p.id: counts[p.id] for p in pack.info.principles if counts[p.id] < PER_PRINCIPLE}
    assert thin == {}, f"principles with fewer than {PER_PRINCIPLE} prompts"
    assert len(behavioral) >= IN_ALL


def test_ids_follow_the_principle_pattern(behavioral: list[Question]) -> None:
    wrong = [
        q.id for q in behavioral if not re.fullmatch(rf"lp-{re.escape(q.principles[0])}-\d+", q.id)
    ]
    assert wrong == []


def test_every_principle_can_be_started_in_research_and_drilled_in_practice_and_mock(
    pack: Pack, behavioral: list[Question]
) -> None:
    for principle in pack.info.principles:
        mine = [q for q in behavioral if principle.id in q.principles]
        assert any("research" in q.phases for q in mine), principle.id
        assert sum("practice" in q.phases for q in mine) >= PER_PRINCIPLE, principle.id
        assert sum("mock" in q.phases for q in mine) >= PER_PRINCIPLE, principle.id


def test_difficulty_and_phases_are_written_on_every_prompt_and_mixed() -> None:
    entries = raw_behavioral()
    missing = [e["id"] for e in entries if "difficulty" not in e or not e.get("phases")]
    assert missing == []
    levels = Counter(e["difficulty"] for e in entries)
    assert set(levels) == {"easy", "medium", "hard"}
    assert levels["hard"] >= 16, "roughly one hard prompt a principle for the mock loops"


# ------------------------------------------------------------------------ follow-ups


def test_every_prompt_has_at_least_four_bar_raiser_follow_ups(
    behavioral: list[Question],
) -> None:
    short = {q.id: len(q.follow_ups) for q in behavioral if len(q.follow_ups) < FOLLOW_UPS}
    assert short == {}


def test_no_follow_up_is_repeated_word_for_word_across_more_than_three_prompts(
    behavioral: list[Question],
) -> None:
    used = Counter(f for q in behavioral for f in set(q.follow_ups))
    assert {f: n for f, n in used.items() if n > MAX_PROMPTS_PER_FOLLOW_UP} == {}


def test_follow_ups_dig_into_the_candidate_s_part_the_evidence_and_the_disagreement(
    behavioral: list[Question],
) -> None:
    # The layers a Bar Raiser peels: what YOU did, what data, what it cost, who disagreed,
    # what you would change, how you know it worked. Each prompt reaches at least four.
    layers = {
        "you": r"\b(you|your own|yourself|personally)\b",
        "evidence": r"\b(data|numbers?|logs?|graph|chart|dashboard|tickets?|traces?|quer(y|ies)"
        r"|raw|arithmetic|evidence|metrics?|measur\w*|signals?|looked at|read|show\w*|see|saw"
        r"|notic\w*|spot\w*|found|find|check\w*|test\w*|come from|came from|look at|compute"
        r"|what told you|find out|how likely)\b",
        "cost": r"\b(costs?|risk\w*|give up|gave up|set aside|put aside|put off|stop doing"
        r"|deprioriti[sz]\w*|lose|lost|losing|paid|pay|slow\w* down|cheaper|expensive)\b",
        "disagreement": r"\b(disagree\w*|object\w*|resist\w*|push\w* back|doubt\w*|argu\w*"
        r"|sceptic\w*|skeptic\w*|insist\w*|unhappy|react\w*|worr\w*|challeng\w*|settled"
        r"|convinc\w*|wanted to keep|question\w*|unrealistic|too early|who thought|who wanted"
        r"|sided|agree with|agree the|friction|welcome|how was (it|that) (settled|decided))\b",
        "proof": r"\b(how do you know|how did you know|how did you (check|verify)|turned out"
        r"|in numbers|by how much|how many|how far|how close|measurable|since|afterwards"
        r"|later|final|ended|compare\w*|in production|today|what happened|how did it (go|end)"
        r"|which number|really solved|come back|in the end)\b",
    }
    shallow = {}
    for q in behavioral:
        text = " ".join(q.follow_ups).lower()
        reached = {name for name, pattern in layers.items() if re.search(pattern, text)}
        if len(reached) < 4:
            shallow[q.id] = sorted(reached)
    assert shallow == {}


# ------------------------------------------------------------------------ red flags


def test_red_flags_are_written_as_objects_with_phrasings_and_corrections() -> None:
    problems = []
    for entry in raw_behavioral():
        flags = entry.get("red_flags", [])
        if any(not isinstance(f, dict) for f in flags):
            problems.append(f"{entry['id']}: a red flag is still a plain string")
        if len(flags) < 3:
            problems.append(f"{entry['id']}: {len(flags)} red flags, needs 3")
        if sum(bool(f.get("phrasings")) for f in flags if isinstance(f, dict)) < 2:
            problems.append(f"{entry['id']}: fewer than two red flags have phrasings")
        for f in flags:
            if isinstance(f, dict) and not f.get("correction"):
                problems.append(f"{entry['id']}: red flag {f.get('claim')!r} has no correction")
    assert problems == []


def test_red_flag_phrasings_are_lowercase_phrases_the_reviewer_can_match(
    behavioral: list[Question],
) -> None:
    bad = [
        (q.id, p)
        for q in behavioral
        for flag in q.red_flags
        for p in flag.phrasings
        if p != p.lower().strip() or not phrase(p) or len(p.split()) > 8
    ]
    assert bad == []


def test_every_prompt_flags_blame_a_story_without_i_and_an_ending_without_a_result(
    behavioral: list[Question],
) -> None:
    problems = []
    for q in behavioral:
        claims = [f.claim for f in q.red_flags]
        blame = [f for f in q.red_flags if "blame" in f.claim.lower()]
        if not blame or not blame[0].phrasings:
            problems.append(f"{q.id}: no blame flag with phrasings")
        we = [f for f in q.red_flags if '"we"' in f.claim]
        if not we or not we[0].correction:
            problems.append(f'{q.id}: no flag for a story told with "we" and no "I"')
        if not any(c.startswith("Ends with no") for c in claims):
            problems.append(f"{q.id}: no flag for a story that ends without a result")
    assert problems == []


def test_the_blame_flag_catches_the_phrases_people_really_use(behavioral: list[Question]) -> None:
    answer = Doc.of(
        "Honestly it was their fault. The other team dropped the ball and I had to clean up."
    )
    caught = {
        q.id
        for q in behavioral
        if any(
            answer.has_phrase(p)
            for f in q.red_flags
            if "blame" in f.claim.lower()
            for p in f.phrasings
        )
    }
    assert {"lp-ownership-3", "lp-ownership-4", "lp-dive-deep-1"} <= caught
    assert len(caught) >= 30


def test_have_backbone_flags_a_story_of_going_along(pack: Pack) -> None:
    q = pack.by_id["lp-have-backbone-disagree-and-commit-1"]
    meek = Doc.of("I agreed with everything my manager said, so I went along with it.")
    flagged = [f.claim for f in q.red_flags if any(meek.has_phrase(p) for p in f.phrasings)]
    assert flagged, "a story showing the opposite of backbone goes unflagged"


# ------------------------------------------------------------------------ synonyms


def test_synonyms_are_phrases_a_real_answer_would_contain(behavioral: list[Question]) -> None:
    problems = []
    for q in behavioral:
        for kp in q.rubric:
            seen: set[tuple[str, ...]] = set()
            if not 2 <= len(kp.synonyms) <= 6:
                problems.append(f"{q.id}: {kp.point[:40]!r} has {len(kp.synonyms)} synonyms")
            for s in kp.synonyms:
                where = f"{q.id}: {kp.point[:40]!r}: synonym {s!r}"
                words = [t for t in tokens(s) if t not in STOPWORDS and len(t) > 2]
                if s != s.lower() or s != s.strip():
                    problems.append(f"{where} is not lowercase and trimmed")
                if s in EVERYDAY:
                    problems.append(f"{where} is an everyday word")
                elif len(words) < 2 and all(w in EVERYDAY for w in words):
                    problems.append(f"{where} has no word that only a real answer would use")
                if len(s.split()) > 6:
                    problems.append(f"{where} is too long to appear literally in an answer")
                if phrase(s) in seen:
                    problems.append(f"{where} repeats another synonym of the same point")
                seen.add(phrase(s))
    assert problems == []


def test_repeating_the_question_earns_no_key_point(behavioral: list[Question]) -> None:
    echoed = [
        (q.id, s)
        for q in behavioral
        for kp in q.rubric
        for s in kp.synonyms
        if Doc.of(q.prompt).has_phrase(s)
    ]
    assert echoed == []


def test_a_bland_answer_made_of_everyday_words_covers_no_key_point(
    behavioral: list[Question],
) -> None:
    bland = Doc.of(
        "The customer had a problem and the user gave feedback. I realized we had to go "
        "beyond, so I did extra work and the team delivered a better result with good "
        "impact. It improved quality, reduced cost, saved time and we learned a lot."
    )
    given_away = [
        (q.id, s) for q in behavioral for kp in q.rubric for s in kp.synonyms if bland.has_phrase(s)
    ]
    assert given_away == []


# ------------------------------------------------------------------------ the rewrites


def test_customer_obsession_1_needs_a_named_customer_not_the_word(pack: Pack) -> None:
    q = pack.by_id["lp-customer-obsession-1"]
    first = q.rubric[0]
    assert not {"customer", "user", "client", "their problem"} & set(first.synonyms)
    assert not any(Doc.of("The customer had a problem.").has_phrase(s) for s in first.synonyms)
    told = Doc.of("I read their tickets and called the customer, whose support ticket said")
    assert any(told.has_phrase(s) for kp in q.rubric[:2] for s in kp.synonyms)


def test_are_right_a_lot_1_rewards_disconfirming_not_speed(pack: Pack) -> None:
    q = pack.by_id["lp-are-right-a-lot-1"]
    text = rubric_text(q)
    assert "disprove" in text and "views" in text, "seeking other views and disconfirming"
    assert "data" in text
    assert not re.search(r"reversib|two-way|quickly|pilot|checkpoint", text), (
        "speed and reversibility are Bias for Action"
    )
    assert "wrong" in q.prompt.lower()


def test_think_big_3_is_about_the_size_of_the_ambition_not_persuasion(pack: Pack) -> None:
    q = pack.by_id["lp-think-big-3"]
    assert "ambitious" in q.prompt.lower() and "convince" not in q.prompt.lower()
    points = " ".join(kp.point.lower() for kp in q.rubric)
    assert "order of magnitude" in points or "ambiti" in points
    assert not re.search(r"persua|narrative|buy-in", rubric_text(q))


def test_success_and_scale_3_is_about_second_order_effects_not_ownership(pack: Pack) -> None:
    q = pack.by_id["lp-success-and-scale-bring-broad-responsibility-3"]
    assert re.search(r"other than the customers|community|environment", q.prompt.lower())
    assert "second-order" in rubric_text(q)
    ownership = set().union(*(synonyms(o) for o in pack.questions if "ownership" in o.principles))
    assert not synonyms(q) & ownership
    assert not {"left it better", "beyond my task", "cleaned up"} & synonyms(q)


def test_best_employer_2_asks_about_growth_not_private_lives(pack: Pack) -> None:
    q = pack.by_id["lp-strive-to-be-earths-best-employer-2"]
    prompt = q.prompt.lower()
    assert not re.search(r"struggl|outside it|outside work|personal|health|family", prompt)
    assert "grow" in prompt
    private = [f for f in q.red_flags if "private" in f.claim.lower()]
    assert private and private[0].phrasings, "disclosing a colleague's private life is flagged"


def test_invent_and_simplify_2_rewards_simplicity_not_self_labels(pack: Pack) -> None:
    q = pack.by_id["lp-invent-and-simplify-2"]
    labels = {"innovative", "novel", "first of its kind", "nobody had", "never been done"}
    assert not labels & synonyms(q)
    assert any("simpl" in kp.point.lower() for kp in q.rubric)
    assert "simplest" in q.prompt.lower()
    boast = Doc.of("It was really innovative, a game changer.")
    assert any(boast.has_phrase(p) for f in q.red_flags for p in f.phrasings)


def test_deliver_results_3_no_longer_duplicates_deliver_results_1(pack: Pack) -> None:
    one, three = pack.by_id["lp-deliver-results-1"], pack.by_id["lp-deliver-results-3"]
    assert not synonyms(one) & synonyms(three)
    words_one = set(tokens(one.prompt)) - STOPWORDS
    words_three = set(tokens(three.prompt)) - STOPWORDS
    assert len(words_one & words_three) / len(words_one | words_three) < 0.2
    assert "decide what not to do" not in three.prompt.lower()


def test_no_two_prompts_of_a_principle_share_most_of_their_rubric(
    pack: Pack, behavioral: list[Question]
) -> None:
    close = []
    for principle in pack.info.principles:
        mine = [q for q in behavioral if principle.id in q.principles]
        for i, a in enumerate(mine):
            for b in mine[i + 1 :]:
                shared = synonyms(a) & synonyms(b)
                if len(shared) > 2:
                    close.append((a.id, b.id, sorted(shared)))
    assert close == []


@pytest.mark.parametrize("qid", REWRITTEN)
def test_the_rewrites_keep_their_ids_and_are_complete(pack: Pack, qid: str) -> None:
    q = pack.by_id[qid]
    assert q.kind == Kind.behavioral and q.prompt.startswith("Tell me about")
    assert len(q.rubric) >= 4 and len(q.follow_ups) >= FOLLOW_UPS
    assert {"Situation", "Task", "Action", "Result"} <= {
        line.split(":")[0] for line in q.model_answer
    }


def test_the_file_is_the_one_the_pack_loads() -> None:
    assert Path(BEHAVIORAL_FILE).exists()
    assert {e["id"] for e in raw_behavioral()} >= set(REWRITTEN)
