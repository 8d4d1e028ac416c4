"""Red flags that cost: claims a strong candidate would never make, found in an answer.

A question's `red_flags` (bot/content/schema.py) carry `phrasings`, the words that signal the
claim. A phrasing counts when it appears in one sentence of the answer and is not negated
just before it ("it is *not* pick any two") or disowned after it ("... is a myth"). A flag
with no phrasings yet falls back to the phrases quoted in its claim (`Describes CAP as "pick
any two"`), so packs work with whatever phrasings they have.

Behavioral answers also meet the red flags every story shares (`STORY_FLAGS`): blaming
others, giving in to avoid conflict (or keeping quiet), and ending with no result checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content.schema import RedFlag
from bot.review.text import Doc, concept_key, loose_key, near, stem, tokens

_QUOTED = re.compile(r"[\"“”']([^\"“”']{4,80})[\"“”']")
# Words that turn the phrasing that follows into its denial.
_NEGATORS = frozenset(
    """not no never nor cannot cant isn isnt aren arent wasn wasnt don dont doesn doesnt
    didn didnt won wont shouldn wouldn avoid avoids myth misleading wrong false rather
    instead unlike contrary misconception without t""".split()  # noqa: SIM905
)
_NEGATOR_STEMS = _NEGATORS | frozenset(stem(w) for w in _NEGATORS)
_DISOWNED = re.compile(
    r"^(\w+ ){0,2}((is|are|was|s|that s|thats|which is) (a )?(myth|misleading|wrong|false|"
    r"incorrect|not true|misconception|common mistake|oversimplified|not enough)|fails|"
    r"breaks|is not optimal|doesn t work|does not work)\b"
)
_WINDOW = 5  # words before a phrasing that may negate it


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
            "kept my concerns to myself",
            "kept my doubts to myself",
            "i kept quiet",
            "i stayed quiet",
            "i didn't speak up",
            "i did not speak up",
            "not worth the argument",
            "wasn't worth the argument",
            "not worth arguing",
            "i didn't push back",
            "i did not push back",
        ],
        correction="interviewers look for disagreement raised with evidence, then full "
        "commitment once decided; silent agreement shows neither",
    ),
    RedFlag(
        claim="Ends with no result, or none the candidate checked",
        phrasings=[
            "didn't measure",
            "did not measure",
            "never measured",
            "didn't really measure",
            "never found out",
            "not sure if it helped",
            "no idea if it helped",
            "don't know if it helped",
        ],
        correction="a strong story ends with what changed and how you know: a number before "
        "and after, or what the customer or team did differently",
    ),
)


def phrasings_of(flag: RedFlag) -> list[str]:
    """The flag's phrasings, or the phrases quoted in its claim when it has none yet."""
    if flag.phrasings:
        return list(flag.phrasings)
    return [m.group(1) for m in _QUOTED.finditer(flag.claim) if len(tokens(m.group(1))) >= 2]


def _key(phrasing: str) -> tuple[tuple[str, ...], bool]:
    """The stems the phrasing needs (see text.loose_key; "=" first when only the exact
    phrase will do), and whether the phrasing is itself negative ("no need to verify"), so
    a negator does not undo it."""
    words = tokens(phrasing)
    negative = bool(set(words) & _NEGATORS)
    key = loose_key(phrasing)
    if key is None:
        return ("=", *(stem(w) for w in words)), negative
    return key, negative


def _states(
    words: tuple[str, ...], stems: tuple[str, ...], key: tuple[str, ...], negative: bool
) -> bool:
    """All the key words in one sentence, in order and close together (up to two words may
    come between: "a JWT is an encrypted token" states "jwt is encrypted"), and not negated just before ("it is *not* pick any two") or disowned after
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
        return not _DISOWNED.search(" ".join(words[hi + 1 : hi + 9]))
    span = near(stems, key, ordered=True)
    if span is None:
        return False
    lo, hi = span
    if negative:
        return True
    if set(words[max(0, lo - _WINDOW) : hi + 1]) & _NEGATORS:
        return False
    return not _DISOWNED.search(" ".join(words[hi + 1 : hi + 9]))


def stated(doc: Doc, flags: list[RedFlag] | tuple[RedFlag, ...]) -> list[StatedFlag]:
    """The red flags the answer states, each with the sentence that states it: in the
    phrasing's own words (`_states`) or in other words (`_paraphrased`)."""
    found: list[StatedFlag] = []
    for flag in flags:
        phrasings = phrasings_of(flag)
        keys = [k for k in (_key(x) for x in phrasings) if k[0]]
        keys = [k for k in keys if set(k[0]) - {"="} <= doc.stem_set]
        said = next(
            (s for s, words, stems in doc.parts if any(_states(words, stems, *k) for k in keys)),
            None,
        )
        if said is None:
            said = next((s for p in phrasings if (s := _paraphrased(doc, p))), None)
        if said is not None:
            found.append(StatedFlag(flag, said))
    return found


def _paraphrased(doc: Doc, phrasing: str) -> str | None:
    """The sentence that says `phrasing` in other words, or None.

    The phrasing's concepts (text.concept_key: synonyms folded together, "sessions can stay
    in each server's memory" for "sessions can stay in memory", "we catch every exception and
    try again" for "we retry every error") must all be in one sentence, in order and close
    together; a phrasing of fewer than three concepts only counts in its own words (two
    concepts loosely matched say too little: "sticky sessions" is not "I would use sticky
    sessions"). A negator in or
    just before that span denies it ("the contents are *not* secret"), unless it belongs to
    the claim itself ("no auth", "no need to check": the concept key holds it), and a
    disowning tail ("... is a myth") does too."""
    key = set(concept_key(phrasing) or ())
    for n, lo, hi in doc.claims(phrasing, ordered=True, least=3):
        sentence, cs, at = doc.concept_parts[n]
        # Negators folded into a concept ("no need" is `optional`) are part of the claim;
        # any other in the span or just before it denies it ("never skip the signature").
        if (set(cs[max(0, lo - _WINDOW) : hi + 1]) - key) & _NEGATOR_STEMS:
            continue
        words = doc.parts[n][1]
        end = at[hi + 1] if hi + 1 < len(at) else len(words)
        if not _DISOWNED.search(" ".join(words[end : end + 8])):
            return sentence
    return None
