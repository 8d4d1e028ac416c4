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

    @cached_property
    def concept_parts(self) -> tuple[tuple[str, tuple[str, ...], tuple[int, ...]], ...]:
        """Each sentence with its words as concepts (see `concepts_at`)."""
        return tuple((s, *concepts_at(stems)) for s, _, stems in self.parts)

    @cached_property
    def concept_set(self) -> frozenset[str]:
        return frozenset(c for _, cs, _ in self.concept_parts for c in cs)

    def claims(
        self, text: str, *, ordered: bool = False, least: int = 2
    ) -> list[tuple[int, int, int]]:
        """Where the answer says `text` in other words: every concept of the phrase (see
        `concept_key`) in one sentence, close together. Each hit is the sentence's index in
        `parts` and the span of concepts it covers (first, last; see `concept_parts`), for a
        caller to look for negation around it. `ordered`: in the phrase's order, at most
        three content words between neighbours (for claims, where order carries meaning: "write the
        cache, then the database"); `least`: the fewest concepts a phrase needs to be
        matched this loosely at all."""
        key = concept_key(text)
        if key is None or len(key) < least or not set(key) <= self.concept_set:
            return []
        hits = []
        for n, (_, cs, _) in enumerate(self.concept_parts):
            # Distances count content only: "write the new value to the cache" is close.
            kept = [i for i, c in enumerate(cs) if c not in _WEAK_STEMS]
            span = near([cs[i] for i in kept], key, ordered=ordered, gap=4, window=3 * len(key))
            if span is not None and self._in_one_clause(n, key):
                hits.append((n, kept[span[0]], kept[span[1]]))
        return hits

    def _in_one_clause(self, n: int, key: tuple[str, ...]) -> bool:
        """Whether one clause of sentence `n` (split at ";" and ":") holds all of `key`: "X is
        the current list; the 2021 edition was the previous one" does not say "2021 is the
        current list"."""
        sentence = self.parts[n][0]
        if not _CLAUSE_BREAK.search(sentence):
            return True
        return any(
            set(key) <= set(concepts(tuple(stem(t) for t in tokens(c))))
            for c in _CLAUSE_BREAK.split(sentence)
        )

    def mentions(self, text: str) -> bool:
        """Loose match of a short description: at least half of its content words."""
        want = content_words(text)
        return bool(want) and len(want & self.stem_set) >= max(1, math.ceil(len(want) / 2))


# -- sentences and the shape of prose ----------------------------------------------------

_CLAUSE_BREAK = re.compile(r"[;:]")
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
    stems: tuple[str, ...] | list[str],
    key: tuple[str, ...],
    *,
    ordered: bool = False,
    gap: int = 3,
    window: int | None = None,
) -> tuple[int, int] | None:
    """Where all of `key` occurs close together in `stems` (first and last index), or None.
    `ordered`: in the key's order with fewer than `gap` words between neighbours (for short
    keys, where any order matches too much). Unordered, all of them within `window` words
    (by default twice the key's length plus three)."""
    if ordered:
        for start in (i for i, s in enumerate(stems) if s == key[0]):
            at = start
            for k in key[1:]:
                nxt = next(
                    (j for j in range(at + 1, min(len(stems), at + 1 + gap)) if stems[j] == k),
                    None,
                )
                if nxt is None:
                    break
                at = nxt
            else:
                return start, at
        return None
    limit = 2 * len(key) + 3 if window is None else window
    firsts = [i for i, s in enumerate(stems) if s == key[0]]
    for first in firsts:  # any occurrence of the first word may anchor the match
        where = [first]
        for k in key[1:]:
            spots = [i for i, s in enumerate(stems) if s == k]
            if not spots:
                return None
            where.append(min(spots, key=lambda i: abs(i - first)))
        lo, hi = min(where), max(where)
        if hi - lo <= limit:
            return lo, hi
    return None


# -- concepts: the same idea in other words ----------------------------------------------

# Groups of words (or short phrases) that say the same thing in an interview answer, each
# group named by its first member. General English and general engineering vocabulary only:
# nothing here comes from a particular answer or question. A red flag or a key point said in
# other words ("the token is scrambled so nobody can see inside" for "the payload is
# encrypted") is matched on these concepts (see `Doc.claims`).
_CONCEPT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("encrypt", "encrypted", "encryption", "encrypts", "scramble", "scrambled", "scrambles",
     "secret", "confidential", "unreadable", "ciphertext"),
    ("key", "secret key", "private key", "signing key", "shared secret", "public key"),
    ("payload", "contents", "content", "claims", "body"),
    ("read", "see", "view", "decode", "decoded", "decodes", "inspect", "readable", "visible"),
    ("verify", "verifies", "verified", "verification", "validate", "validates", "validated",
     "validation", "validating", "check", "checks", "checked", "checking"),
    ("optional", "unnecessary", "needless", "skip", "skipped", "skipping", "skips",
     "no need", "not needed", "not necessary", "don't need", "do not need", "doesn't need",
     "does not need", "don't bother", "not bother", "without checking", "without verifying",
     "without validating"),
    ("server", "servers", "instance", "instances", "node", "nodes", "box", "boxes", "machine",
     "machines", "host", "hosts", "pod", "pods", "process"),
    ("memory", "in-memory", "ram", "local", "locally", "dictionary", "hashmap", "hash map",
     "heap"),
    ("own", "owns", "owner", "ownership", "belong", "belongs", "belonging"),
    ("error", "errors", "exception", "exceptions", "failure", "failures", "fault"),
    ("all", "every", "any", "whatever"),
    ("forever", "indefinitely", "endlessly", "infinite", "infinitely", "unlimited",
     "until it succeeds", "until it works", "until success", "until we succeed",
     "until successful", "until it passes", "until we get a successful", "no limit",
     "never give up", "never gives up", "keeps retrying", "keep retrying"),
    ("retry", "retries", "retried", "retrying", "try again", "tries again", "reattempt",
     "resend", "resends", "call again"),
    ("database", "databases", "db", "dbs", "datastore", "data store"),
    ("guess", "guessed", "guessable", "guessing", "predict", "predictable", "enumerate",
     "work out", "figure out", "brute force"),
    ("hide", "hides", "hidden", "hiding", "don't show", "doesn't show", "not show",
     "don't render", "doesn't render", "not render", "don't display", "not display", "grey out",
     "disable the button"),
    ("500", "internal server error", "server error"),
    ("expensive", "costly", "pricey", "pricier", "cost more", "costs more",
     "disproportionately", "premium"),
    ("big", "bigger", "biggest", "large", "larger", "largest", "huge"),
    ("internal", "private", "inside", "intranet", "in-house", "behind the firewall"),
    ("trust", "trusted", "trusts", "trusting", "accept", "accepts", "accepted"),
    ("drop", "drops", "dropped", "discard", "discards", "discarded", "ignore", "ignored",
     "reject", "rejects", "rejected"),
    ("quick", "quickly", "fast", "faster", "immediately", "straight away", "right away",
     "instantly", "at once"),
    ("delete", "deleted", "deletes", "remove", "removed", "removes", "wipe", "wiped", "purge",
     "purged", "truncate", "truncated"),
    ("backup", "backups", "snapshot", "snapshots", "copy first"),
    ("revoke", "revoked", "revokes", "revocation", "invalidate", "invalidates", "invalidated",
     "kill", "killed", "no longer valid", "no longer be used", "can no longer be used",
     "stops working", "stop working", "becomes useless", "becomes invalid"),
    ("logout", "log out", "logs out", "logged out", "sign out", "signs out", "signed out"),
    ("password", "passwords", "credential", "credentials", "card number", "credit card",
     "card details", "ssn"),
    ("uptime", "sla", "nines", "availability percentage"),
    ("two", "2", "both"),
    ("choose", "chooses", "chose", "pick", "picks", "picked", "select", "selects", "satisfy",
     "satisfies", "guarantee", "guarantees", "get", "gets", "have", "has"),
    ("manager", "boss", "lead", "director", "senior", "superior"),
    ("agree", "agreed", "agrees", "go along", "went along", "goes along", "said yes",
     "said it sounded good", "did what", "did as"),
    ("argue", "argued", "argument", "conflict", "confrontation", "fight", "rock the boat",
     "make waves", "push back", "pushed back"),
    ("video", "videos", "conference talk", "conference talks", "podcast", "podcasts", "blog", "blogs", "article",
     "articles", "tutorial", "tutorials", "youtube"),
    ("enough", "sufficient", "suffices", "suffice", "all you need", "good enough", "is fine"),
    ("count", "counts", "counter", "counters", "tally", "track", "tracks", "tracking", "tracked"),
    ("same", "identical", "just like", "likewise", "similarly"),
    ("someone else", "another team", "other team", "somebody else", "sre team", "the experts",
     "handed it", "handed over", "passed it"),
)  # fmt: skip
# Words a concept match ignores: function words other than quantifiers and negators, which
# change what a claim says ("every error", "no auth").
_WEAK = STOPWORDS - {"all", "any", "each", "every", "no", "not", "only", "without", "never"}
# What is left of a contraction's tail once apostrophes split it ("don't": "don", "t").
_CONTRACTED = frozenset({"t", "s", "d", "ll", "re", "ve", "m"})
_WEAK_STEMS = frozenset(stem(w) for w in _WEAK | FILLER | _CONTRACTED)


def _build_concepts() -> tuple[dict[str, str], tuple[tuple[tuple[str, ...], str], ...]]:
    single: dict[str, str] = {}
    multi: list[tuple[tuple[str, ...], str]] = []
    for group in _CONCEPT_GROUPS:
        name = stem(group[0])
        for member in group:
            stems = tuple(stem(t) for t in tokens(member))
            if len(stems) == 1:
                single.setdefault(stems[0], name)
            elif stems:
                multi.append((stems, name))
    multi.sort(key=lambda m: -len(m[0]))  # the longest phrase wins
    return single, tuple(multi)


_SINGLE, _MULTI = _build_concepts()
_MULTI_FIRST = frozenset(m[0][0] for m in _MULTI)


def concepts(stems: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The stems with each known phrase or word replaced by its concept's name."""
    return concepts_at(stems)[0]


def concepts_at(
    stems: tuple[str, ...] | list[str],
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """`concepts(stems)` and, for each concept, the index of the word it starts at."""
    out: list[str] = []
    at: list[int] = []
    i = 0
    while i < len(stems):
        at.append(i)
        if stems[i] in _MULTI_FIRST:
            hit = next(((p, c) for p, c in _MULTI if tuple(stems[i : i + len(p)]) == p), None)
            if hit is not None:
                out.append(hit[1])
                i += len(hit[0])
                continue
        out.append(_SINGLE.get(stems[i], stems[i]))
        i += 1
    return tuple(out), tuple(at)


@cache
def concept_key(text: str) -> tuple[str, ...] | None:
    """The concepts a paraphrase of `text` must hold, or None when it has fewer than two
    or holds notation (which must match exactly)."""
    words = tokens(text)
    content = [w for w in words if w not in STOPWORDS and w not in FILLER | _CONTRACTED]
    if not all((w.isalpha() and len(w) > 2) or (w.isdigit() and len(w) >= 3) for w in content):
        return None  # notation ("o(1) space") matches only exactly
    cs = concepts(tuple(stem(t) for t in words))
    key = tuple(dict.fromkeys(c for c in cs if c not in _WEAK_STEMS))
    return key if len(key) >= 2 else None
