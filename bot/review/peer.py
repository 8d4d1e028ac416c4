"""Who reviews whose answer: pure functions, so their guarantees can be tested as properties.

`assign_round` (the window closed): every answerer reviews `k` others (fewer when fewer
answered), never their own, and every answer gets the same number of reviews. It is a
circulant over an ordering of the authors (reviewer i takes the answers i+1 .. i+k),
which is balanced by construction; among a few deterministic orderings it picks the one
that repeats fewest pairs from the channel's previous round.

`assign_incremental` (the channel reviews "now"): a newcomer takes the least-reviewed
answers, and earlier answerers who are still short of `k` take the newcomer's.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence

Pair = tuple[str, str]  # (reviewer, author)

TRIES = 24


def _order(authors: Sequence[str], salt: str, attempt: int) -> list[str]:
    return sorted(authors, key=lambda a: hashlib.sha1(f"{salt}:{attempt}:{a}".encode()).digest())


def assign_round(
    authors: Iterable[str], k: int = 2, *, avoid: Iterable[Pair] = (), salt: str = ""
) -> list[Pair]:
    """Pairs for a whole round. `avoid` holds last round's pairs, not repeated if possible."""
    people = sorted(set(authors))
    n = len(people)
    per = min(k, n - 1)
    if per <= 0:
        return []
    avoid_set = set(avoid)
    best: list[Pair] = []
    best_repeats = -1
    for attempt in range(TRIES):
        ring = _order(people, salt, attempt)
        pairs = [(ring[i], ring[(i + step) % n]) for i in range(n) for step in range(1, per + 1)]
        repeats = sum(p in avoid_set for p in pairs)
        if best_repeats < 0 or repeats < best_repeats:
            best, best_repeats = pairs, repeats
        if repeats == 0:
            break
    return sorted(best)


def assign_incremental(
    newcomer: str,
    authors: Iterable[str],
    existing: Iterable[Pair],
    k: int = 2,
    *,
    avoid: Iterable[Pair] = (),
) -> list[Pair]:
    """New pairs when `newcomer`'s answer arrives; `authors` are everyone who answered so far."""
    people = sorted(set(authors) | {newcomer})
    taken = set(existing)
    avoid_set = set(avoid)
    received = Counter(author for _, author in taken)
    given = Counter(reviewer for reviewer, _ in taken)
    new: list[Pair] = []

    def add(pair: Pair) -> None:
        new.append(pair)
        taken.add(pair)
        received[pair[1]] += 1
        given[pair[0]] += 1

    # The newcomer reviews the least-reviewed answers first.
    candidates = [a for a in people if a != newcomer and (newcomer, a) not in taken]
    candidates.sort(key=lambda a: ((newcomer, a) in avoid_set, received[a], a))
    for author in candidates[: max(0, k - given[newcomer])]:
        add((newcomer, author))
    # Earlier answerers still short of k review the newcomer, the least-busy first.
    short = [r for r in people if r != newcomer and given[r] < k and (r, newcomer) not in taken]
    short.sort(key=lambda r: ((r, newcomer) in avoid_set, given[r], r))
    for reviewer in short:
        if received[newcomer] >= k:
            break
        add((reviewer, newcomer))
    return new
