"""Red flags that cost: claims a strong candidate would never make, found in an answer.

A question's `red_flags` (bot/content/schema.py) carry `phrasings`, the words that signal the
claim. A phrasing counts when it appears in one sentence of the answer and is not negated
just before it ("it is *not* pick any two") or disowned after it ("... is a myth"). A flag
with no phrasings yet falls back to the phrases quoted in its claim (`Describes CAP as "pick
any two"`), so packs work with whatever phrasings they have.

Behavioral answers also meet the red flags every story shares (`STORY_FLAGS`): blaming
others, and giving in to avoid conflict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content.schema import RedFlag
from bot.review.text import STOPWORDS, Doc, near, stem, tokens

_QUOTED = re.compile(r"[\"“”']([^\"“”']{4,80})[\"“”']")
# Words that turn the phrasing that follows into its denial.
_NEGATORS = frozenset(
    """not no never nor cannot cant isn isnt aren arent wasn wasnt don dont doesn doesnt
    didn didnt won wont shouldn wouldn avoid avoids myth misleading wrong false rather
    instead unlike contrary misconception without t""".split()  # noqa: SIM905
)
_DISOWNED = re.compile(
    r"\b(is|are|was|that's|thats|which is)\s+(a\s+)?(myth|misleading|wrong|false|incorrect|"
    r"not true|a misconception|a common mistake|oversimplified)\b",
    re.IGNORECASE,
)
_WINDOW = 5  # words before a phrasing that may negate it
# Stop words that carry a claim's meaning ("pick any two", "only have two", "all of it").
_KEEP = frozenset({"no", "not", "only", "any", "all", "every", "never", "most", "always"})


@dataclass(frozen=True)
class StatedFlag:
    flag: RedFlag
    said: str  # the sentence of the answer that states it

    def message(self) -> str:
        said = self.said if len(self.said) <= 110 else self.said[:107].rstrip() + "…"
        fix = self.flag.correction or f"that is a red flag: {self.flag.claim.rstrip('.')}"
        fix = fix.rstrip(".")
        return f"You said “{said}”; in fact {fix[0].lower()}{fix[1:]}."


# Red flags of every behavioral story, whatever the principle.
STORY_FLAGS: tuple[RedFlag, ...] = (
    RedFlag(
        claim="Blames others for the problem",
        phrasings=[
            "their fault",
            "not my fault",
            "wasn't my fault",
            "wasn't my decision",
            "was not my decision",
            "not my decision",
            "came from above",
            "never did their job",
            "didn't do their job",
            "did not do their job",
            "so lazy",
            "were lazy",
            "incompetent",
            "wasn't really anyone's fault",
            "not really anyone's fault",
            "nobody's fault",
        ],
        correction="a strong story owns your part of it; blaming others or the "
        "circumstances reads as a lack of ownership",
    ),
    RedFlag(
        claim="Gives in to avoid conflict",
        phrasings=[
            "didn't want to create conflict",
            "did not want to create conflict",
            "to avoid conflict",
            "keep the peace",
            "agreed with everything",
            "went along with it",
            "don't really disagree",
        ],
        correction="interviewers look for disagreement raised with evidence, then full "
        "commitment once decided; silent agreement shows neither",
    ),
)


def phrasings_of(flag: RedFlag) -> list[str]:
    """The flag's phrasings, or the phrases quoted in its claim when it has none yet."""
    if flag.phrasings:
        return list(flag.phrasings)
    return [m.group(1) for m in _QUOTED.finditer(flag.claim) if len(tokens(m.group(1))) >= 2]


def _key(phrasing: str) -> tuple[tuple[str, ...], bool]:
    """The words of a phrasing that must appear, and whether the phrasing is itself negative
    ("no need to verify"), so a negator does not undo it. With two or more content words the
    stems of the content words (stop words left out) are the key; with fewer, every word is,
    in order ("i read about it" must not match any "read")."""
    words = tokens(phrasing)
    negative = bool(set(words) & _NEGATORS)
    content = [w for w in words if w not in STOPWORDS]
    if len(content) < 2:
        return ("=", *(stem(w) for w in words)), negative
    keep = tuple(dict.fromkeys(stem(w) for w in words if w not in STOPWORDS or w in _KEEP))
    return keep, negative


def _states(
    words: tuple[str, ...], stems: tuple[str, ...], key: tuple[str, ...], negative: bool
) -> bool:
    """All the key words in one sentence, close together (a few words may come between or
    the order may change: "checking the signature is optional" states "signature check is
    optional"), and not negated just before ("it is *not* pick any two") or disowned after
    ("... is a myth")."""
    if key[0] == "=":  # the exact words, in order
        n = len(key) - 1
        hits = [i for i in range(len(stems) - n + 1) if tuple(stems[i : i + n]) == key[1:]]
        if not hits:
            return False
        lo, hi = hits[0], hits[0] + n - 1
        if negative:
            return True
        if set(words[max(0, lo - _WINDOW) : lo]) & _NEGATORS:
            return False
        return not _DISOWNED.search(" ".join(words[hi + 1 :]))
    span = near(stems, key)
    if span is None:
        return False
    lo, hi = span
    if negative:
        return True
    if set(words[max(0, lo - _WINDOW) : hi + 1]) & _NEGATORS:
        return False
    return not _DISOWNED.search(" ".join(words[hi + 1 :]))


def stated(doc: Doc, flags: list[RedFlag] | tuple[RedFlag, ...]) -> list[StatedFlag]:
    """The red flags the answer states, each with the sentence that states it."""
    found: list[StatedFlag] = []
    for flag in flags:
        keys = [k for k in (_key(x) for x in phrasings_of(flag)) if k[0]]
        keys = [k for k in keys if set(k[0]) - {"="} <= doc.stem_set]
        if not keys:
            continue  # the cheap check first: most answers state no flag
        said = next(
            (s for s, words, stems in doc.parts if any(_states(words, stems, *k) for k in keys)),
            None,
        )
        if said is not None:
            found.append(StatedFlag(flag, said))
    return found
