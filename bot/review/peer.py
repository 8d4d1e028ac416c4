"""Who reviews whose answer: pure functions, so their guarantees can be tested as properties.

`assign_round` (the window closed): every answerer reviews `k` others (fewer when fewer
answered), never their own, and every answer gets the same number of reviews. It is a
circulant over an ordering of the authors (reviewer i takes the answers i+1 .. i+k),
which is balanced by construction; among a few deterministic orderings it picks the one
that repeats fewest pairs from the channel's previous round, then swaps authors between
pairs (which keeps the balance) to remove the repeats that are left.

`assign_incremental` (the channel reviews "now"): a newcomer takes the least-reviewed
answers, and earlier answerers who are still short of `k` take the newcomer's; when all
are at full load, the least busy takes one more, so no answer goes unreviewed.
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
    return sorted(_repair(best, avoid_set) if best_repeats > 0 else best)


def _repair(pairs: list[Pair], avoid: set[Pair]) -> list[Pair]:
    """Swap the authors of two pairs while that repeats fewer of last round's pairs.

    A swap keeps every reviewer's load and every answer's review count, so the round
    stays balanced; it is refused when it would create a self-review or a duplicate."""
    pairs = list(pairs)
    improved = True
    while improved:
        improved = False
        current = set(pairs)
        for i, (r1, a1) in enumerate(pairs):
            if (r1, a1) not in avoid:
                continue
            for j, (r2, a2) in enumerate(pairs):
                one, two = (r1, a2), (r2, a1)
                if i == j or r1 == a2 or r2 == a1 or one in current or two in current:
                    continue
                if (one in avoid) + (two in avoid) < 1 + ((r2, a2) in avoid):
                    pairs[i], pairs[j] = one, two
                    improved = True
                    break
            if improved:
                break
    return pairs


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
    # Everyone is at full load: one reviewer takes one extra so no answer goes unreviewed.
    if received[newcomer] == 0:
        spare = sorted(
            (given[r], r) for r in people if r != newcomer and (r, newcomer) not in taken
        )
        if spare:
            add((spare[0][1], newcomer))
    return new
