"""Which Leadership Principle a story shows: cue phrases per principle, for the offline
reviewer's "story shows a different principle" rule.

The cues are written from the principles' published definitions (what a story of that
principle is about), not from any answer. A story's affinity to a principle is the number
of distinct cues it uses; for the principle asked about, the question's own key points and
synonyms and the pack's signals count too, so the rule only fires when another principle
is clearly the better fit.
"""

from __future__ import annotations

from bot.content.schema import Principle, Question
from bot.review.text import Doc

CUES: dict[str, tuple[str, ...]] = {
    "customer-obsession": (
        "customer", "client", "end user", "user feedback", "complaint", "complained",
        "support ticket", "customer call", "on a call with", "churn", "renewed", "renewal",
        "satisfaction", "nps", "their need", "working backwards", "worked backwards",
        "customer trust", "refund", "for the customer", "customer's", "their tickets", "their team", "called them", "merchant", "merchants", "their workflow", "on a call",
    ),
    "ownership": (
        "not my job", "outside my area", "nobody owned", "no one owned", "nobody else",
        "took ownership", "took responsibility", "without being asked", "on my own",
        "long term", "long-term", "orphaned", "followed through", "my responsibility",
        "nobody asked", "no one asked", "decided to own", "took it on", "i owned",
    ),
    "invent-and-simplify": (
        "simplified", "simpler", "simplify", "automated", "manual steps", "removed steps",
        "new approach", "invented", "reused", "prototype", "replaced the", "consolidated",
        "fewer steps", "checklist", "manual", "by hand", "one command", "single script", "collapsed", "deleted the step", "removed the step", "nobody knew why", "questioned why",
    ),
    "are-right-a-lot": (
        "incomplete data", "decision", "decided between", "judgment", "judgement",
        "opposing view", "assumption", "tested my assumption", "weighed", "the call",
        "turned out right", "proved right", "changed my mind",
    ),
    "learn-and-be-curious": (
        "learned", "learnt", "taught myself", "new technology", "course", "tutorial",
        "documentation", "read the", "curious", "new language", "never used", "study",
        "studied", "picked up", "never used", "never worked with", "had never", "first time", "only knew", "ramp up", "ramped up", "the docs", "official docs", "toy", "experimented", "brown bag", "knew nothing",
    ),
    "hire-and-develop-the-best": (
        "mentored", "mentor", "mentoring", "coached", "coaching", "junior", "pairing",
        "paired with", "gave feedback", "direct feedback", "promoted", "promotion",
        "interviewed", "hiring", "onboarded", "grow into", "career",
    ),
    "insist-on-the-highest-standards": (
        "quality", "quality bar", "defect", "known bug", "not ready", "refused to ship",
        "code review", "test coverage", "added tests", "standard", "root cause",
        "regression", "high bar",
    ),
    "think-big": (
        "vision", "bold", "long-term plan", "roadmap", "company-wide", "across the company",
        "platform", "scale it", "ten times", "10x", "north star", "every team",
    ),
    "bias-for-action": (
        "quickly", "right away", "immediately", "could not wait", "couldn't wait",
        "without waiting", "two-way door", "reversible", "calculated risk", "rolled back",
        "same day", "that afternoon", "within hours", "roll back", "rollback", "undo", "didn't wait", "did not wait", "without approval", "in minutes", "on call", "two way door",
    ),
    "frugality": (
        "budget", "cost", "costs", "bill", "saved", "savings", "cheaper", "spend",
        "spending", "with less", "no budget", "small team", "right-sized", "reused existing",
        "per month", "a month",
    ),
    "earn-trust": (
        "my mistake", "admitted", "apologized", "apologised", "owned up", "my fault",
        "candid", "candidly", "trust", "transparent", "listened", "rebuilt",
        "kept my word", "i should have",
    ),
    "dive-deep": (
        "root cause", "logs", "metrics", "traces", "dug into", "digging", "heap dump",
        "profiled", "reproduced", "hypothesis", "narrowed", "ruled out", "the data showed",
        "query", "dashboard", "traced", "tcpdump", "read the source", "reproduce", "bisected", "proved it", "my hypothesis", "narrowed it down",
    ),
    "have-backbone-disagree-and-commit": (
        "disagreed", "disagree", "pushed back", "push back", "objected", "challenged",
        "held my position", "stood firm", "commit", "committed", "disagree and commit",
        "argued", "i thought it was wrong", "senior", "architect", "one-on-one", "one on one", "my concerns", "raised it", "convince", "evidence", "despite my", "once it was decided", "the decision",
    ),
    "deliver-results": (
        "deadline", "on time", "launch", "launched", "delivered", "shipped", "cut scope",
        "critical path", "milestone", "target", "setback", "behind schedule", "weeks", "blockers", "unblock", "end of the quarter", "by the deadline", "on track", "prioritised", "prioritized", "scope", "finished",
    ),
    "strive-to-be-earths-best-employer": (
        "wellbeing", "well-being", "burnout", "inclusive", "inclusion", "psychological safety",
        "morale", "workload", "empathy", "team health", "parental leave",
    ),
    "success-and-scale-bring-broad-responsibility": (
        "privacy", "safety", "environment", "carbon", "energy", "community", "accessibility",
        "second-order", "society", "ethical", "public",
    ),
}  # fmt: skip


def affinity(
    doc: Doc,
    question: Question,
    principles: tuple[Principle, ...],
    every: tuple[Principle, ...] = (),
) -> dict[str, int]:
    """Distinct cues of each known principle that the story uses, plus the pack's signals of
    every principle (`every`) that the story states, in its own words or others (see
    text.Doc.claims): the story is weighed against all the principles, not only the asked one."""
    asked = {p.id for p in principles}
    signals = {p.id: p.signals for p in every}
    scores: dict[str, int] = {}
    for pid in dict.fromkeys([*CUES, *signals]):
        hits = {c for c in CUES.get(pid, ()) if doc.has_phrase(c)}
        hits |= {s for s in signals.get(pid, ()) if doc.claims(s)}
        if pid in asked:
            own = [s for kp in question.rubric for s in kp.synonyms]
            own += [s for p in principles for s in p.signals if len(s.split()) <= 2]
            hits |= {s for s in own if doc.has_phrase(s)}
        scores[pid] = len(hits)
    for p in principles:
        scores.setdefault(p.id, 0)
    return scores


def names(principles: tuple[Principle, ...]) -> dict[str, str]:
    """Display names: the pack's for the asked principles, else the id made readable."""
    out = {pid: pid.replace("-", " ").title() for pid in CUES}
    out["have-backbone-disagree-and-commit"] = "Have Backbone; Disagree and Commit"
    out.update({p.id: p.name for p in principles})
    return out


def cues_shown(doc: Doc, principles: tuple[Principle, ...]) -> int:
    """Distinct general cues of the asked principles that the story uses."""
    return len({c for p in principles for c in CUES.get(p.id, ()) if doc.has_phrase(c)})
