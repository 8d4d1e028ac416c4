"""Plain-text matching for the rubric reviewer: normalised, lightly stemmed words and
phrases, so "rate limits" matches "rate limiting" and "retry-after" matches "retry after"."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

_NON_WORD = re.compile(r"[^a-z0-9%$]+")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s")
STOPWORDS = frozenset(
    """a an the and or of to in on for with by at as is are was were be been it its
    this that these those from into than then so such not no do does did how what
    why when which who your you their them they our we i my me his her use using can
    could would should will about over under between each every any all some more
    most other e g ie eg etc per""".split(),  # noqa: SIM905
)


@cache
def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word.rstrip("e") if len(word) > 4 else word


def tokens(text: str) -> list[str]:
    return [t for t in _NON_WORD.split(text.lower()) if t]


@cache
def phrase(text: str) -> tuple[str, ...]:
    return tuple(stem(t) for t in tokens(text))


@cache
def content_words(text: str) -> frozenset[str]:
    return frozenset(stem(t) for t in tokens(text) if t not in STOPWORDS and len(t) > 2)


@dataclass(frozen=True)
class Doc:
    """An answer, prepared once for many lookups."""

    raw: str
    words: tuple[str, ...]
    stems: tuple[str, ...]
    stem_set: frozenset[str]
    joined: str  # " a b c " for phrase lookups

    @staticmethod
    def of(text: str) -> Doc:
        words = tuple(tokens(text))
        stems = tuple(stem(w) for w in words)
        return Doc(text, words, stems, frozenset(stems), f" {' '.join(stems)} ")

    def has_phrase(self, text: str) -> bool:
        p = phrase(text)
        return bool(p) and f" {' '.join(p)} " in self.joined

    def overlap(self, text: str) -> float:
        """The share of `text`'s content words that the answer uses."""
        want = content_words(text)
        return len(want & self.stem_set) / len(want) if want else 0.0

    def mentions(self, text: str) -> bool:
        """Loose match of a short description: at least half of its content words."""
        want = content_words(text)
        return bool(want) and len(want & self.stem_set) >= max(1, math.ceil(len(want) / 2))
