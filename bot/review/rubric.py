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
from bot.review.models import ReviewRequest
from bot.review.text import Doc, content_words, phrase
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
_FIRST = frozenset({"i", "my", "me", "myself", "mine"})
_WE = frozenset({"we", "our", "us", "ourselves", "ours"})

# -- technical cues -----------------------------------------------------------------

_TRADE_OFFS = (
    "trade off",
    "tradeoff",
    "downside",
    "drawback",
    "at the cost of",
    "cost of",
    "the cost",
    "in exchange",
    "the price",
    "give up",
    "gives up",
    "gave up",
    "however",
    "on the other hand",
    "instead of",
    "rather than",
    "versus",
    "vs",
    "pros and cons",
    "depends on",
    "it depends",
    "whereas",
    "unless",
    "overhead",
    "at the expense",
    "more complex",
    "complexity",
    "but",
    "the catch",
    "weaker",
    "stronger",
    "slower",
    "faster",
    "cheaper",
    "more expensive",
    "on the flip side",
    "choose between",
    "pick between",
    "choice between",
    "trade",
    "risk",
)
_NUMBER = re.compile(r"\d")


def _hits(doc: Doc, cues: tuple[str, ...]) -> list[str]:
    return [c for c in cues if doc.has_phrase(c)]


def _band(value: float, cuts: tuple[float, float, float]) -> int:
    """1 to 4: how many of the ascending `cuts` the value reaches."""
    return 1 + sum(value >= c for c in cuts)


@dataclass(frozen=True)
class RubricReviewer:
    """Implements the Reviewer port without any network."""

    name: str = NAME

    async def review(self, request: ReviewRequest) -> Review:
        return review_now(request)


def review_now(request: ReviewRequest) -> Review:
    """The synchronous core, for callers (the LLM fall-back, the benchmark) that need no await."""
    doc = Doc.of(request.answer)
    if request.question.kind == Kind.behavioral:
        return _behavioral(request, doc)
    return _technical(request, doc)


# -- behavioral ---------------------------------------------------------------------


def _behavioral(req: ReviewRequest, doc: Doc) -> Review:
    q = req.question
    strengths: list[str] = []
    improve: list[str] = []
    n_words = len(doc.raw.split())

    labelled = {_LABEL_PART[m.group(1).lower()] for m in _LABEL.finditer(doc.raw)}
    parts = set(labelled)
    if _hits(doc, _SITUATION):
        parts.add("S")
    if _hits(doc, _TASK):
        parts.add("T")
    # "I dug into the logs", "I then wrote", "I disagreed and explained": a verb of action
    # within three words of an "I".
    actions = sum(
        1
        for i, w in enumerate(doc.words)
        if w == "i" and any(s in _ACTION_VERBS for s in doc.stems[i + 1 : i + 4])
    )
    if actions:
        parts.add("A")
    metrics = {m.group(0).lower() for m in _METRIC.finditer(doc.raw)}
    if _hits(doc, _RESULT) or metrics:
        parts.add("R")
    structure = max(1, len(parts))
    if len(labelled) == 4 and actions:
        structure = 4
    if n_words < 60:
        structure = min(structure, 2)
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
    ownership = 1 if mine == 0 else _band(share, (0.35, 0.6, 2.0))
    if not actions:
        ownership = min(ownership, 2)  # "I" with nothing done is not ownership
    if ownership == 4 or (ownership == 3 and actions >= 3):
        ownership = min(4, ownership + (actions >= 3))
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
        results = 2 if "R" in parts else 1
    if metrics:
        shown = ", ".join(sorted(metrics)[:3])
        strengths.append(f"Quantified result ({shown}).")
    else:
        improve.append(
            "Put a number in the result: time, money, latency, error rate or customers, "
            "before and after."
        )

    signals = [s for p in req.principles for s in p.signals] + list(q.strong_signals)
    shown_signals = [s for s in signals if doc.mentions(s)]
    principle = _band(len(shown_signals), (1, 2, 3))
    names = ", ".join(p.name for p in req.principles) or "the principle"
    if shown_signals:
        strengths.append(f"Shows {names}: {'; '.join(shown_signals[:3])}.")
    if principle <= 2:
        unseen = [s for s in signals if s not in shown_signals][:3]
        if unseen:
            improve.append(f"Show more {names}, e.g. {'; '.join(unseen)}.")

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
    return Review(
        reviewer=NAME,
        scores=scores,
        strengths=tuple(strengths),
        improvements=tuple(improve),
        follow_up=_behavioral_follow_up(req, doc, scores),
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


# -- technical ----------------------------------------------------------------------


def _point_covered(doc: Doc, kp: KeyPoint) -> bool:
    if any(doc.has_phrase(s) for s in kp.synonyms):
        return True
    return doc.overlap(kp.point) >= 0.6


def _point_name(kp: KeyPoint) -> str:
    return shorten(kp.point, 70)


def _technical(req: ReviewRequest, doc: Doc) -> Review:
    q = req.question
    strengths: list[str] = []
    improve: list[str] = []
    n_words = len(doc.raw.split())

    covered = [kp for kp in q.rubric if _point_covered(doc, kp)]
    missed = [kp for kp in q.rubric if kp not in covered]
    share = len(covered) / len(q.rubric) if q.rubric else doc.overlap(" ".join(q.model_answer))
    coverage = _band(share, (0.2, 0.45, 0.7))
    if covered:
        strengths.append(
            f"Covers {len(covered)} of {len(q.rubric)} key points: "
            + "; ".join(_point_name(k) for k in covered[:3])
            + "."
        )
    for kp in missed[:3]:
        hint = f" (e.g. {', '.join(kp.synonyms[:3])})" if kp.synonyms else ""
        improve.append(f"Not covered: {_point_name(kp)}{hint}.")

    cues = _hits(doc, _TRADE_OFFS)
    weight = len(cues) - (0.5 if "but" in cues else 0)
    trade_offs = _band(weight, (1, 2, 3.5))
    if trade_offs >= 3:
        strengths.append("Names trade-offs rather than only a choice.")
    else:
        improve.append("Say what each choice costs and which alternative you rejected, and why.")

    specifics = len(_NUMBER.findall(doc.raw)) + len(
        content_words(" ".join(q.model_answer)) & doc.stem_set
    )
    depth = _band(n_words, (50, 110, 190))
    if specifics < 4:
        depth = max(1, depth - 1)
    if depth >= 3:
        strengths.append("Goes beyond naming things: mechanisms and specifics.")
    elif n_words < 110:
        improve.append(
            f"At {n_words} words this stays at the surface; explain how it works and what fails."
        )

    scores = {"coverage": coverage, "trade_offs": trade_offs, "depth": depth}
    return Review(
        reviewer=NAME,
        scores=scores,
        strengths=tuple(strengths),
        improvements=tuple(improve),
        follow_up=_technical_follow_up(q, doc, missed),
    )


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
