"""The rubric reviewer: offline, deterministic and always there.

Behavioral answers are judged on STAR structure (labelled or inferred), first-person
ownership, a quantified result, length, and the signals the pack lists for the
principle. Technical answers on coverage of the question's rubric key points (with the
pack's synonyms), named trade-offs and depth; the follow-up targets what was left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content.schema import KeyPoint, Kind, Question
from bot.domain import Review
from bot.review import levels, principles
from bot.review.gaming import (
    ALL,
    Finding,
    apply_caps,
    different_principle,
    echoed_question,
    injected_sentences,
    is_past,
    keyword_list,
    past_events,
    prompt_injection,
    rambling,
    signals_without_events,
    specifics,
    star_skeleton,
)
from bot.review.models import ReviewRequest
from bot.review.red_flags import STORY_FLAGS, StatedFlag, stated
from bot.review.text import Doc, content_words, needle, phrase, sentences
from bot.text import shorten

NAME = "rubric"

# -- behavioral cues ----------------------------------------------------------------

_LABEL = re.compile(r"(?im)^\W*(situation|task|action|actions|result|results|s|t|a|r)\s*[:\-–—)]")
_LABEL_PART = {
    "situation": "S",
    "s": "S",
    "task": "T",
    "t": "T",
    "action": "A",
    "actions": "A",
    "a": "A",
    "result": "R",
    "results": "R",
    "r": "R",
}
_SITUATION = (
    "at my last",
    "at my previous",
    "at my current",
    "in my last",
    "in my previous",
    "when i was",
    "we had",
    "our team",
    "my team",
    "there was",
    "last year",
    "a few years ago",
    "i was working",
    "i worked",
    "was working on",
    "situation",
    "context",
    "background",
    "our service",
    "our system",
    "a customer",
    "one of our",
)
_TASK = (
    "my task",
    "my goal",
    "i was responsible",
    "responsible for",
    "i was asked",
    "asked me",
    "i needed to",
    "i had to",
    "my job was",
    "the goal was",
    "we needed to",
    "i owned",
    "my role",
    "objective",
    "i wanted to",
    "i decided to",
    "i set out",
    "i volunteered",
    "the task",
    "was to",
)
_ACTION_VERBS = frozenset(
    phrase(
        " ".join(
            """decided built wrote proposed led created designed analyzed analysed investigated
            added implemented talked met called organized organised automated rewrote
            refactored introduced negotiated convinced drafted ran measured migrated fixed
            changed moved spent started pushed escalated asked scheduled paired shipped
            deployed set reached dug traced profiled benchmarked interviewed mentored
            coached reviewed owned took cut removed replaced split rolled tested prototyped
            presented documented volunteered gathered compared chose suggested explained
            persuaded built interviewed""".split(),  # noqa: SIM905
        )
    )
)
_RESULT = (
    "as a result",
    "the result",
    "result was",
    "in the end",
    "ended up",
    "outcome",
    "reduced",
    "increased",
    "improved",
    "cut",
    "saved",
    "dropped",
    "went from",
    "grew",
    "launched",
    "since then",
    "afterwards",
    "which meant",
    "so that",
    "led to",
    "fell",
    "rose",
    "halved",
    "doubled",
    "no longer",
    "zero",
    "stopped",
    "went away",
    "was fixed",
    "were fixed",
    "resolved",
    "shipped",
    "released",
    "delivered",
    "on time",
    "after that",
    "since then",
    "it worked",
    "it works",
    "turned out",
    "they started",
    "saved",
    "dropped",
    "fewer",
    "faster",
)
_METRIC = re.compile(
    r"(\$\s?\d[\d,.]*\s*[kmb]?)|(\d[\d,.]*\s*(%|percent|x\b|×|ms\b|milliseconds|seconds|secs?\b"
    r"|minutes|mins?\b|hours?|hrs?\b|days?|weeks?|months?|years?|k\b|m\b|million|thousand"
    r"|users|customers|requests|rps|qps|tickets|incidents|engineers|people|teams|services"
    r"|pages|alerts|errors|orders|dollars|points|bugs|calls|deploys|releases|tps))"
    r"|\b(halved|doubled|tripled|by half|tenfold|ten times)\b"
    r"|\bfrom\s+\$?\d[\d,.]*[^.;\n]{0,30}?\bto\s+(\$?\d|zero|none|nothing)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"^(19|20)\d\d$")
# Past tenses that describe a state, not something done.
_STATES = frozenset({"was", "were", "had", "felt", "thought", "knew", "wanted", "liked", "loved"})
# A key point about measuring the outcome is covered by any measured result.
_MEASURED = re.compile(r"\b(quantif|measur|metric|number)", re.IGNORECASE)
_FIRST = frozenset({"i", "my", "me", "myself", "mine"})
_WE = frozenset({"we", "our", "us", "ourselves", "ours"})

_NUMBER = re.compile(r"\d")


def _hits(doc: Doc, cues: tuple[str, ...]) -> list[str]:
    return [c for c in cues if doc.has_phrase(c)]


@dataclass(frozen=True)
class RubricReviewer:
    """Implements the Reviewer port without any network."""

    name: str = NAME

    async def review(self, request: ReviewRequest) -> Review:
        return review_now(request)


def review_now(request: ReviewRequest) -> Review:
    """The synchronous core, for callers (the LLM fall-back, the benchmark) that need no await."""
    return assess(request).review


@dataclass(frozen=True)
class Assessment:
    """A review plus what the gaming rules and red flags found: the LLM reviewer caps its
    own scores with `findings` so a model cannot be talked above what the rubric allows."""

    review: Review
    findings: tuple[Finding, ...]
    red_flags: tuple[StatedFlag, ...]


def assess(request: ReviewRequest) -> Assessment:
    doc = Doc.of(request.answer)
    injection = prompt_injection(doc)
    if injection is not None:
        # Score only what answers the question: the injected sentences count for nothing.
        injected = set(injected_sentences(request.answer))
        doc = Doc.of(" ".join(s for s in sentences(request.answer) if s not in injected))
    if request.question.kind == Kind.behavioral:
        return _behavioral(request, doc, injection)
    return _technical(request, doc, injection)


def _finish(
    scores: dict[str, int],
    findings: list[Finding],
    flags: list[StatedFlag],
    strengths: list[str],
    improve: list[str],
    follow_up: str,
) -> Assessment:
    capped = apply_caps(scores, findings)
    if findings or flags:
        # The reasons for a cap come first; praise for a gamed dimension goes.
        lead = [f.message() for f in flags] + [f.message for f in findings if f.message]
        improve = lead + [i for i in improve if i not in lead]
        strengths = strengths if capped == scores else []
    review = Review(
        reviewer=NAME,
        scores=capped,
        strengths=tuple(strengths),
        improvements=tuple(improve[:6]),
        follow_up=follow_up,
    )
    return Assessment(review, tuple(findings), tuple(flags))


def _material(req: ReviewRequest) -> frozenset[str]:
    """The question's vocabulary: what an on-topic answer talks about."""
    q = req.question
    parts = [q.prompt, *q.model_answer, *q.follow_ups, *q.strong_signals]
    parts += [t for kp in q.rubric for t in (kp.point, *kp.synonyms)]
    parts += [t for p in req.principles for t in (p.summary, *p.signals)]
    return content_words(" ".join(parts))


def _point_covered(doc: Doc, kp: KeyPoint, asked: frozenset[str]) -> bool:
    """A key point is covered by one of its synonyms (the pack's chosen phrasings), or by
    most of its own content words including at least one the prompt does not hold: giving
    the question back covers nothing this way (and echoed_question caps it anyway)."""
    if any(doc.says(s) for s in kp.synonyms):
        return True
    want = content_words(kp.point)
    own = want - asked
    if not want or (own and not own & doc.stem_set):
        return False
    return len(want & doc.stem_set) / len(want) >= 0.6


# -- behavioral ---------------------------------------------------------------------


def _behavioral(req: ReviewRequest, doc: Doc, injection: Finding | None) -> Assessment:
    q = req.question
    strengths: list[str] = []
    improve: list[str] = []
    n_words = len(doc.words)
    asked = content_words(q.prompt)
    signals = [s for p in req.principles for s in p.signals] + list(q.strong_signals)
    generic = asked | content_words(
        " ".join([*signals, *(t for kp in q.rubric for t in (kp.point, *kp.synonyms))])
    )
    numbers, names, concrete = specifics(doc, generic)
    specific = numbers + names > 0 or concrete >= 10
    events = past_events(doc)

    labelled = {_LABEL_PART[m.group(1).lower()] for m in _LABEL.finditer(doc.raw)}
    parts = set(labelled)
    if _hits(doc, _SITUATION):
        parts.add("S")
    if _hits(doc, _TASK):
        parts.add("T")
    actions = own_actions(doc)
    if actions:
        parts.add("A")
    metrics = measured_results(doc)
    if _hits(doc, _RESULT) or metrics:
        parts.add("R")
    structure = max(1, len(parts))
    if len(labelled) == 4 and actions:
        structure = 4
    if n_words < levels.SHORT_STORY_WORDS or not specific:
        structure = min(structure, 2)
    if n_words < 30:
        structure = 1
    missing = [
        name
        for key, name in (("S", "Situation"), ("T", "Task"), ("A", "Action"), ("R", "Result"))
        if key not in parts
    ]
    if structure >= 3 and not missing:
        strengths.append("Complete STAR arc: situation, task, your actions and the result.")
    elif missing:
        improve.append(f"Make the STAR parts explicit; missing or unclear: {', '.join(missing)}.")

    mine = sum(w in _FIRST for w in doc.words)
    ours = sum(w in _WE for w in doc.words)
    share = mine / (mine + ours) if mine + ours else 0.0
    ownership = 1 if mine == 0 else levels.band(share, levels.OWNERSHIP_CUTS)
    if actions >= 2 and share >= levels.OWNERSHIP_CUTS[0]:
        ownership = max(ownership, 3)
    if actions >= 4 and share >= levels.OWNERSHIP_CUTS[1]:
        ownership = 4
    if not actions:
        ownership = min(ownership, 2)  # "I" with nothing done is not ownership
    if ownership >= 3:
        strengths.append(f"Clear ownership: {actions} things you did yourself, told with “I”.")
    elif ownership <= 2:
        improve.append(
            f"Say “I” for your part: “we/our” appears {ours} times, “I/my” {mine}. "
            "The interviewer is assessing you, not the team."
        )

    if len(metrics) >= 2:
        results = 4
    elif metrics:
        results = 3
    else:
        results = 2 if "R" in parts and events else 1
    if metrics:
        shown = ", ".join(sorted(metrics)[:3])
        strengths.append(f"Quantified result ({shown}).")
    else:
        improve.append(
            "Put a number in the result: time, money, latency, error rate or customers, "
            "before and after."
        )

    # A story may use the prompt's words ("I disagreed"): the echo rule deals with parrots.
    covered = [
        kp
        for kp in q.rubric
        if _point_covered(doc, kp, frozenset()) or (metrics and _MEASURED.search(kp.point))
    ]
    shown_signals = [s for s in signals if _signal_shown(doc, s)]
    cues = principles.cues_shown(doc, req.principles)
    # Evidence of the principle: the question's key points, then the principle's signals
    # and its general cues, each of the last two counting at most twice.
    evidence = len(covered) + min(2, len(shown_signals)) + min(2, cues)
    principle = levels.band(evidence, levels.PRINCIPLE_CUTS)
    if events < levels.MIN_EVENTS:
        principle = min(principle, 2)
    names_ = ", ".join(p.name for p in req.principles) or "the principle"
    if principle >= 3:
        what = [_point_name(k) for k in covered[:2]] + shown_signals[:1]
        strengths.append(f"Shows {names_}: {'; '.join(what)}.")
    else:
        unseen = [_point_name(k) for k in q.rubric if k not in covered][:2] or [
            s for s in signals if s not in shown_signals
        ][:2]
        if unseen:
            improve.append(f"Show more {names_}, e.g. {'; '.join(unseen)}.")

    if n_words < 120:
        improve.append(
            f"At {n_words} words this is too short to show much; aim for 250–450 "
            "(about two to three minutes spoken)."
        )
    elif n_words > 650:
        improve.append(
            f"At {n_words} words this runs long; trim the situation and keep the actions."
        )

    scores = {
        "structure": structure,
        "ownership": ownership,
        "results": results,
        "principle": principle,
    }
    findings = [
        f
        for f in (
            injection,
            keyword_list(doc),
            echoed_question(doc, q.prompt),
            star_skeleton(doc, generic),
            signals_without_events(doc, signals, generic),
            _different_principle(req, doc),
            rambling(doc, _material(req), _story_substance(n_words, actions, metrics)),
        )
        if f is not None
    ]
    flags = stated(doc, [*q.red_flags, *STORY_FLAGS])
    if flags:
        findings.append(Finding("red_flag", "", {ALL: levels.RED_FLAG_STORY_CAP, "principle": 1}))
    follow_up = _behavioral_follow_up(req, doc, apply_caps(scores, findings))
    return _finish(scores, findings, flags, strengths, improve, follow_up)


def _story_substance(n_words: int, actions: int, metrics: set[str]) -> bool:
    """Whether a story carries its length: enough things the candidate did per hundred
    words (levels.STORY_ACTION_DENSITY), or several measured results. Numbers alone ("two
    or three years", "one course a year") are not substance, and neither are sentences
    where things merely happened ("there were many meetings")."""
    density = 100 * actions / max(1, n_words)
    return density >= levels.STORY_ACTION_DENSITY or len(metrics) >= 3


def own_actions(doc: Doc) -> int:
    """Things the candidate did: verbs of action or in the past tense after an "I" in the
    same sentence, at most three a sentence ("I read the logs, traced the spikes and rewrote
    the query": three)."""
    count = 0
    for _, words, stems in doc.parts:
        if "i" not in words:
            continue
        start = words.index("i") + 1
        verbs = sum(
            1
            for w, st in zip(words[start:], stems[start:], strict=True)
            if st in _ACTION_VERBS or (is_past(w) and w not in _STATES)
        )
        count += min(3, verbs)
    return count


def measured_results(doc: Doc) -> set[str]:
    """Numbers said where the story reports a result ("went from 48 minutes to 6", "zero
    failed runs"), plus the quantities `_METRIC` recognises anywhere."""
    found = {m.group(0).lower() for m in _METRIC.finditer(doc.raw)}
    for _, words, stems in doc.parts:
        joined = f" {' '.join(stems)} "
        if words[:1] in (("result",), ("results",)) or any(
            f" {' '.join(phrase(c))} " in joined for c in _RESULT
        ):
            found |= {w for w in words if (w[:1].isdigit() and not _YEAR.match(w)) or w == "zero"}
    return found


def _signal_shown(doc: Doc, signal: str) -> bool:
    """A signal counts when all its content words appear together in one sentence: "data"
    alone does not show "dug into the data"."""
    want = content_words(signal)
    if not want or not want <= doc.stem_set:
        return False
    return any(want <= set(stems) for _, _, stems in doc.parts)


def _different_principle(req: ReviewRequest, doc: Doc) -> Finding | None:
    if len(req.principles) != 1 or len(doc.words) < 40:
        return None
    scores = principles.affinity(doc, req.question, req.principles, req.every_principle)
    return different_principle(req.principles[0].id, scores, principles.names(req.principles))


# -- technical ----------------------------------------------------------------------

# A trade-off is argued when one sentence weighs a choice: it names an alternative and a
# cost (or turns to one: "simpler than X, but ..."), or what the choice gains against what
# it costs. "but", "vs" or "faster" alone is not.
_ALTERNATIVE = (
    "instead of",
    "rather than",
    "whereas",
    "versus",
    "vs",
    "compared to",
    "compared with",
    "alternative",
    "other option",
    "on the other hand",
    "unlike",
    "as opposed to",
    "than",
    "prefer",
    "either",
    "the opposite",
    "choose between",
    "pick between",
    "against",
)
_CONTRAST = ("but", "however", "although", "though", "while", "whereas", "yet")
_GAIN = (
    "scale",
    "scales",
    "scalable",
    "simple",
    "simpler",
    "easy",
    "easier",
    "fast",
    "faster",
    "cheap",
    "cheaper",
    "flexible",
    "flexibility",
    "available",
    "availability",
    "consistent",
    "consistency",
    "safe",
    "safer",
    "secure",
    "reliable",
    "elastic",
    "elasticity",
    "isolation",
    "independent",
    "independently",
    "fewer",
    "no lookup",
    "no code changes",
    "better",
    "helps",
    "protects",
    "avoids",
    "saves",
    "improves",
    "gives",
    "gets",
    "allows",
)
_COST = (
    "cost",
    "costs",
    "expensive",
    "price",
    "downside",
    "drawback",
    "overhead",
    "penalty",
    "slower",
    "slow",
    "latency",
    "complexity",
    "complex",
    "harder",
    "hard",
    "difficult",
    "risk",
    "risky",
    "lose",
    "loses",
    "give up",
    "gives up",
    "stale",
    "lag",
    "extra",
    "ceiling",
    "limit",
    "can t",
    "cannot",
    "more work",
    "burden",
    "hurt",
    "fragile",
    "single point of failure",
    "downtime",
    "duplicates",
    "inconsistent",
    "worse",
    "weaker",
)
# Phrases that state an exchange by themselves ("the trade-off is an extra hop").
_EXCHANGE = (
    "trade off is", "trade off of", "tradeoff is", "trade offs are", "in exchange",
    "at the cost of", "at the expense of", "flip side", "the price is", "the cost is",
    "the downside is", "the drawback is", "we pay", "you pay", "trade latency", "trade off between",
    # A named downside or upside, or the cost of something, weighs the choice by itself
    # ("Downside: you cannot revoke it", "the cost of all this is a network hop").
    "downside", "drawback", "upside", "the catch is", "cost of", "comes at",
)  # fmt: skip
_CAUSAL = re.compile(
    r"\b(because|so that|which means|that means|otherwise|since|so a|so the|so it|so we|"
    r"so you|if|unless|until|when|which is why|in order to|to avoid|to prevent)\b",
    re.IGNORECASE,
)


def trade_off_arguments(text: str | Doc) -> list[str]:
    """The sentences that name both an alternative and a cost: a connective alone
    ("but", "vs", "faster") is not a trade-off."""
    doc = text if isinstance(text, Doc) else Doc.of(text)
    found = []
    for sentence, words, stems in doc.parts:
        if len(words) < 6:
            continue
        joined = f" {' '.join(stems)} "
        cost = _first(joined, _COST)
        alternative = _first(joined, _ALTERNATIVE)
        contrast = _first(joined, _CONTRAST)
        if (
            _first(joined, _EXCHANGE)
            or (alternative and (cost or contrast))
            or (cost and contrast and _first(joined, _GAIN))
        ):
            found.append(sentence)
    return found


def _first(joined: str, cues: tuple[str, ...]) -> bool:
    return any(needle(c) in joined for c in cues)


def _technical(req: ReviewRequest, doc: Doc, injection: Finding | None) -> Assessment:
    q = req.question
    strengths: list[str] = []
    improve: list[str] = []
    n_words = len(doc.words)
    asked = content_words(q.prompt)

    covered = [kp for kp in q.rubric if _point_covered(doc, kp, asked)]
    missed = [kp for kp in q.rubric if kp not in covered]
    share = len(covered) / len(q.rubric) if q.rubric else doc.overlap(" ".join(q.model_answer))
    coverage = levels.band(share, levels.COVERAGE_CUTS)
    if covered:
        strengths.append(
            f"Covers {len(covered)} of {len(q.rubric)} key points: "
            + "; ".join(_point_name(k) for k in covered[:3])
            + "."
        )
    for kp in missed[:3]:
        hint = f" (e.g. {', '.join(kp.synonyms[:3])})" if kp.synonyms else ""
        improve.append(f"Not covered: {_point_name(kp)}{hint}.")

    arguments = trade_off_arguments(doc)
    trade_offs = levels.band(len(arguments), levels.TRADE_OFF_CUTS)
    if trade_offs >= 3:
        strengths.append("Argues trade-offs: names the alternative and what each choice costs.")
    else:
        improve.append(
            "Argue a trade-off: name the alternative you rejected and what your choice costs."
        )

    material = _material(req)
    on_topic = len((doc.stem_set & material) - asked)
    numbers = len(_NUMBER.findall(doc.raw))
    causal = len(_CAUSAL.findall(doc.raw))
    points = on_topic + 2 * min(numbers, 3) + 2 * min(causal, 4)
    depth = levels.band(points, levels.DEPTH_CUTS)
    if depth >= 3:
        strengths.append("Goes beyond naming things: mechanisms and specifics.")
    elif n_words < 110:
        improve.append(
            f"At {n_words} words this stays at the surface; explain how it works and what fails."
        )

    scores = {"coverage": coverage, "trade_offs": trade_offs, "depth": depth}
    findings = [
        f
        for f in (
            injection,
            keyword_list(doc),
            echoed_question(doc, q.prompt),
            rambling(doc, material, len(covered) * 100 >= 1.5 * max(1, n_words)),
        )
        if f is not None
    ]
    flags = stated(doc, q.red_flags)
    if flags:
        findings.append(
            Finding(
                "red_flag",
                "",
                {ALL: levels.RED_FLAG_OTHERS, "coverage": levels.RED_FLAG_COVERAGE},
            )
        )
    return _finish(
        scores, findings, flags, strengths, improve, _technical_follow_up(q, doc, missed)
    )


def _behavioral_follow_up(req: ReviewRequest, doc: Doc, scores: dict[str, int]) -> str:
    weakest = min(scores, key=lambda k: (scores[k], list(scores).index(k)))
    if scores[weakest] <= 2:
        if weakest == "results":
            return "What was the measurable result, and how do you know your work is what moved it?"
        if weakest == "ownership":
            return (
                "Which part of that was yours alone: what did you decide, "
                "and what would have happened without you?"
            )
        if weakest == "structure":
            return (
                "Take me back to the start: what was the situation, "
                "and what exactly were you asked to do?"
            )
    if req.question.follow_ups:
        return _least_covered(doc, req.question.follow_ups)
    principle = req.principles[0] if req.principles else None
    if principle is not None and scores["principle"] <= 2:
        return f"Tell me about another time that shows {principle.name} more directly."
    return "Looking back, what would you do differently, and why?"


def _point_name(kp: KeyPoint) -> str:
    return shorten(kp.point, 70)


def _technical_follow_up(q: Question, doc: Doc, missed: list[KeyPoint]) -> str:
    if not q.follow_ups:
        if missed:
            point = missed[0].point
            return f"How would your design handle this: {point[0].lower()}{point[1:]}?"
        return "What would break first at ten times the load, and what would you change?"
    if missed:
        gap = set().union(*(content_words(" ".join([k.point, *k.synonyms])) for k in missed))
        best = max(
            q.follow_ups, key=lambda f: (len(content_words(f) & gap), -q.follow_ups.index(f))
        )
        if content_words(best) & gap:
            return best
    return _least_covered(doc, q.follow_ups)


def _least_covered(doc: Doc, options: list[str]) -> str:
    """The option whose words the answer uses least (first wins a tie)."""
    return min(options, key=lambda f: (doc.overlap(f), options.index(f)))
