"""What a review is judged on, and what a reviewer is handed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.content.schema import Kind, Principle, Question

SCORES = (1, 2, 3, 4)


@dataclass(frozen=True, slots=True)
class Dimension:
    id: str
    label: str
    # What a 4 looks like; shown to peer reviewers and put in the LLM prompt.
    meaning: str


BEHAVIORAL = (
    Dimension("structure", "Structure", "a clear Situation, Task, Action and Result, in order"),
    Dimension("ownership", "Ownership", "says what *I* did and decided, not only what *we* did"),
    Dimension("results", "Results", "a measurable result: numbers, before and after, for whom"),
    Dimension(
        "principle", "Principle", "shows the signals of the Leadership Principle asked about"
    ),
)
TECHNICAL = (
    Dimension("coverage", "Coverage", "covers the key points of the rubric"),
    Dimension("trade_offs", "Trade-offs", "names what each choice costs and the alternatives"),
    Dimension("depth", "Depth", "concrete mechanisms, numbers and failure cases, not only names"),
)


def dimensions_for(question: Question) -> tuple[Dimension, ...]:
    return BEHAVIORAL if question.kind == Kind.behavioral else TECHNICAL


@dataclass(frozen=True, slots=True)
class ReviewRequest:
    question: Question
    answer: str
    # The principles the question is about, resolved from the pack.
    principles: tuple[Principle, ...] = ()
    # Every principle of the pack, so a story can be weighed against all of them (which
    # principle it shows best); empty when the caller has no pack at hand.
    every_principle: tuple[Principle, ...] = ()

    @property
    def dimensions(self) -> tuple[Dimension, ...]:
        return dimensions_for(self.question)


class ReviewMode(StrEnum):
    ai = "ai"
    peer = "peer"
    both = "both"
    none = "none"

    @property
    def ai_on(self) -> bool:
        return self in (ReviewMode.ai, ReviewMode.both)

    @property
    def peer_on(self) -> bool:
        return self in (ReviewMode.peer, ReviewMode.both)


class Delivery(StrEnum):
    thread = "thread"
    private = "private"


class Visibility(StrEnum):
    open = "open"
    hidden = "hidden"


class PeerStart(StrEnum):
    close = "close"  # when the answer window closes
    now = "now"  # as answers come in
