"""The content pack format (F9): one folder a pack, YAML files validated by these models.

A pack folder holds `pack.yaml` (the pack's identity, principles, phases, tips) and any
number of other `*.yaml` files, each with a top-level `questions:` list. Unknown keys are
errors, so a typo in a field name is caught instead of silently ignored.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Kind(StrEnum):
    technical = "technical"
    behavioral = "behavioral"
    research = "research"
    review = "review"


class Difficulty(StrEnum):
    easy = "easy"
    medium = "medium"
    hard = "hard"


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError("must be lowercase letters, digits and dashes, like 'cap-theorem-1'")
    return value


class KeyPoint(Strict):
    """One thing a good answer covers; synonyms are other phrasings a reviewer may match."""

    point: str = Field(min_length=3)
    synonyms: list[str] = Field(default_factory=list)


class RedFlag(Strict):
    """A claim a strong candidate would never make. `phrasings` are the words that signal it
    in an answer (matched by the offline reviewer); `correction` is what is true instead,
    quoted back in a review as "You said X; in fact Y"."""

    claim: str = Field(min_length=3)
    phrasings: list[str] = Field(default_factory=list)
    correction: str = ""


def _red_flag(value: object) -> object:
    # A bare string is a red flag with no phrasings yet (the first edition's form).
    return {"claim": value} if isinstance(value, str) else value


class Question(Strict):
    id: str
    kind: Kind
    prompt: str = Field(min_length=10)
    difficulty: Difficulty = Difficulty.medium
    phases: list[str] = Field(min_length=1, description="phase ids this question suits")
    topics: list[str] = Field(default_factory=list)
    principles: list[str] = Field(default_factory=list, description="principle ids")
    rubric: list[KeyPoint] = Field(default_factory=list)
    follow_ups: list[str] = Field(default_factory=list)
    model_answer: list[str] = Field(default_factory=list, description="outline, one bullet a line")
    strong_signals: list[str] = Field(default_factory=list)
    red_flags: list[RedFlag] = Field(default_factory=list)
    design_dimensions: list[str] = Field(
        default_factory=list, description="for system-design prompts: what a design is judged on"
    )
    # A retired question stays in the pack so members' history still names it, but is never
    # posted or drilled again.
    retired: bool = False

    _check_id = field_validator("id")(_slug)

    @field_validator("red_flags", mode="before")
    @classmethod
    def _red_flags(cls, value: object) -> object:
        return [_red_flag(v) for v in value] if isinstance(value, list) else value


class Principle(Strict):
    id: str
    name: str
    summary: str = Field(min_length=10)
    signals: list[str] = Field(default_factory=list, description="what a strong story shows")
    story_target: int = Field(default=1, ge=0, description="stories a member should bank")

    _check_id = field_validator("id")(_slug)


class Phase(Strict):
    """A stretch of days counted back from the interview date (inclusive on both ends).

    `days_before_max` >= `days_before_min`; the day of the interview is 0 and a phase
    after the interview has negative numbers.
    """

    id: str
    name: str
    days_before_max: int
    days_before_min: int
    serves: list[Kind] = Field(min_length=1, description="question kinds, in posting rotation")
    goal: str = Field(min_length=5)
    checklist: list[str] = Field(default_factory=list)

    _check_id = field_validator("id")(_slug)


class PackInfo(Strict):
    """The contents of `pack.yaml`."""

    id: str
    title: str
    version: str = Field(pattern=r"^\d+\.\d+(\.\d+)?$")
    description: str
    language: str = "en"
    principles: list[Principle] = Field(default_factory=list)
    phases: list[Phase] = Field(min_length=1)
    tips: list[str] = Field(default_factory=list)
    interviewer_questions: list[str] = Field(
        default_factory=list, description="good questions for a member to ask the interviewer"
    )

    _check_id = field_validator("id")(_slug)


class QuestionFile(Strict):
    """Any pack file other than `pack.yaml`."""

    questions: list[Question]
