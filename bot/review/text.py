"""Plain-text matching for the rubric reviewer: normalised, lightly stemmed words and
phrases, so "rate limits" matches "rate limiting" and "retry-after" matches "retry after"."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache, cached_property

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
    # "verify", "verifies" and "verified" meet at "verifi"; "policy" and "policies" too.
    if word.endswith(("ies", "ied")) and len(word) >= 6:
        return word[:-3] + "i"
    if word.endswith("y") and len(word) >= 5:
        return word[:-1] + "i"
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    # One final "e" goes, so "case" meets "cases" ("cas") and "time" meets "times".
    return word[:-1] if len(word) >= 4 and word.endswith("e") and not word.endswith("ee") else word


def tokens(text: str) -> list[str]:
    return [t for t in _NON_WORD.split(text.lower()) if t]


@cache
def phrase(text: str) -> tuple[str, ...]:
    return tuple(stem(t) for t in tokens(text))


@cache
def needle(text: str) -> str:
    """`text` as it is looked up in `Doc.joined`: " stem stem ", or "" for no words."""
    p = phrase(text)
    return f" {' '.join(p)} " if p else ""


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
        n = needle(text)
        return bool(n) and n in self.joined

    def overlap(self, text: str) -> float:
        """The share of `text`'s content words that the answer uses."""
        want = content_words(text)
        return len(want & self.stem_set) / len(want) if want else 0.0

    @cached_property
    def parts(self) -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
        """Each sentence with its words and their stems, for matching within a sentence."""
        out = []
        for s in sentences(self.raw):
            words = tuple(tokens(s))
            out.append((s, words, tuple(stem(w) for w in words)))
        return tuple(out)

    def says(self, text: str) -> bool:
        """`text` as a phrase, or loosely: its content words (two or more, no notation) in
        order in one sentence, at most two words apart ("verifies the signature" says
        "verify signature")."""
        if self.has_phrase(text):
            return True
        key = loose_key(text)
        if key is None or not set(key) <= self.stem_set:
            return False
        return any(near(stems, key, ordered=True) is not None for _, _, stems in self.parts)

    def mentions(self, text: str) -> bool:
        """Loose match of a short description: at least half of its content words."""
        want = content_words(text)
        return bool(want) and len(want & self.stem_set) >= max(1, math.ceil(len(want) / 2))


# -- sentences and the shape of prose ----------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
# Clause breaks inside a sentence: what separates the items of a list.
_SEGMENT_BREAK = re.compile(r"[,;•·|]|\s[-–—]\s|\n|(?<=[a-z0-9])\.(?:\s|$)")
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Words that hold a sentence together: a clause almost always has one, a keyword never.
GLUE = frozenset(
    """i we you he she it they this that there me us him her them my our your their its
    is are was were be been being am has have had do does did will would can could should
    may might must shall the a an to of in on at by with from for into about as and or but
    so because if when while which who what how why then than not no never also just
    only very""".split(),  # noqa: SIM905
)
NUMBER_WORDS = frozenset(
    """two three four five six seven eight nine ten eleven twelve fifteen twenty thirty
    forty fifty sixty hundred hundreds thousand thousands million millions billion half
    twice double doubled halved tripled dozen""".split(),  # noqa: SIM905
)
_DIGIT = re.compile(r"\d")


def sentences(text: str) -> list[str]:
    """The sentences (and lines) of `text`, without empties."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def segments(text: str) -> list[list[str]]:
    """The word lists between punctuation breaks: the items, if the text is a list."""
    # A parenthesised list belongs to the piece it explains: "a key (user, IP, tenant)".
    text = _BRACKETED.sub(lambda m: m.group(0).replace(",", " ").replace(";", " "), text)
    return [ws for part in _SEGMENT_BREAK.split(text) if (ws := tokens(part))]


def glue_share(words: tuple[str, ...] | list[str]) -> float:
    """The share of words that are glue words; prose runs at 0.35 to 0.55."""
    return sum(w in GLUE for w in words) / len(words) if words else 0.0


def has_number(words: tuple[str, ...] | list[str]) -> bool:
    return any(_DIGIT.search(w) or w in NUMBER_WORDS for w in words)


# Words a paraphrase adds or drops freely; every other word of a phrase must be there.
FILLER = frozenset("a an the is are was were be been it its this that these those".split())  # noqa: SIM905


@cache
def loose_key(text: str) -> tuple[str, ...] | None:
    """The stems a loose match needs, in order: the phrase without filler words. None when
    the phrase is too short or holds notation ("o(1) space"), which must match exactly."""
    words = [w for w in tokens(text) if w not in FILLER]
    content = [w for w in words if w not in STOPWORDS]
    if len(content) < 2 or not all(w.isalpha() and len(w) > 2 for w in content):
        return None
    return tuple(stem(w) for w in words)


def near(
    stems: tuple[str, ...] | list[str], key: tuple[str, ...], *, ordered: bool = False
) -> tuple[int, int] | None:
    """Where all of `key` occurs close together in `stems` (first and last index), or None.
    `ordered`: in the key's order with at most two words between neighbours (for short keys,
    where any order matches too much)."""
    if ordered:
        for start in (i for i, s in enumerate(stems) if s == key[0]):
            at = start
            for k in key[1:]:
                nxt = next(
                    (j for j in range(at + 1, min(len(stems), at + 4)) if stems[j] == k), None
                )
                if nxt is None:
                    break
                at = nxt
            else:
                return start, at
        return None
    where: list[int] = []
    for k in key:
        spots = [i for i, s in enumerate(stems) if s == k]
        if not spots:
            return None
        where.append(spots[0] if not where else min(spots, key=lambda i: abs(i - where[0])))
    lo, hi = min(where), max(where)
    return (lo, hi) if hi - lo <= 2 * len(key) + 3 else None
