"""Peer assignment as properties: no self-review, balanced within one, everyone covered."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from bot.review.peer import assign_incremental, assign_round

people = st.lists(
    st.text("abcdefghij", min_size=1, max_size=4), min_size=0, max_size=14, unique=True
)
ks = st.integers(min_value=1, max_value=5)


@given(people, ks, st.text(max_size=5))
def test_round_never_self_balanced_and_covers_everyone(
    authors: list[str], k: int, salt: str
) -> None:
    pairs = assign_round(authors, k, salt=salt)
    assert all(r != a for r, a in pairs)
    assert len(pairs) == len(set(pairs))
    if len(authors) < 2:
        assert pairs == []
        return
    per = min(k, len(authors) - 1)
    received = Counter(a for _, a in pairs)
    given_ = Counter(r for r, _ in pairs)
    assert set(received) == set(authors)  # every answer is reviewed
    assert max(received.values()) - min(received.values()) <= 1
    assert all(given_[p] == per for p in authors)  # each answerer reviews k (or all others)


@given(people, ks)
def test_next_round_is_still_balanced_and_never_a_rerun(authors: list[str], k: int) -> None:
    first = assign_round(authors, k, salt="day-1")
    second = assign_round(authors, k, avoid=first, salt="day-2")
    received = Counter(a for _, a in second)
    assert not received or max(received.values()) - min(received.values()) <= 1
    assert all(r != a for r, a in second)
    if len(authors) >= 2 * k + 1:  # room for k fresh reviewers each
        assert set(first) != set(second)


def test_same_pair_not_twice_in_a_row_for_usual_group_sizes() -> None:
    # Up to 40 people and 3 reviews each; only near-complete rounds (n = 2k + 1) may have
    # to repeat a pair, because nearly every possible pair is used every day.
    for n in range(4, 41):
        authors = [f"member{i}" for i in range(n)]
        for k in (1, 2, 3):
            if n < 2 * k + 2:
                continue
            day1 = assign_round(authors, k, salt="c/1")
            day2 = assign_round(authors, k, avoid=day1, salt="c/2")
            assert not set(day1) & set(day2), (n, k)


@given(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=20), ks)
def test_incremental_never_self_never_twice_covers_everyone(arrivals: list[str], k: int) -> None:
    pairs: list[tuple[str, str]] = []
    seen: list[str] = []
    for who in arrivals:
        seen.append(who)
        pairs += assign_incremental(who, seen, pairs, k)
    assert all(r != a for r, a in pairs)
    assert len(pairs) == len(set(pairs))
    # At most one extra review, taken on only so that a late answer is not left out.
    assert all(n <= k + 1 for n in Counter(r for r, _ in pairs).values())
    distinct = set(seen)
    if len(distinct) >= 2:
        # Everyone who answered reviews someone and is reviewed by someone.
        assert {r for r, _ in pairs} == distinct
        assert {a for _, a in pairs} == distinct
