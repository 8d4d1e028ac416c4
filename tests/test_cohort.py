"""Issue 6: a four-week cohort through the real core gets a fresh daily question every
posting day, of the kinds its phase serves and tagged for that phase.

The simulation runs the whole bot (set-up command, scheduler steps, SQLite store) over 28
days before an interview and checks the posts it made. A static check beside it says why
that works: for every phase, the pack holds at least as many questions of each served kind,
tagged for the phase, as the phase has posting days, without any question serving twice.
Both are shown to fail on a pack that is too small.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from datetime import date, timedelta
from itertools import combinations

import pytest

from bot.content import Pack
from bot.content.schema import Kind, Question
from bot.features.questions import phase_on
from bot.storage.records import Post
from tests.harness import Harness, build

PACK_ID = "amazon-backend-developer"
START = date(2026, 11, 30)  # the `clock` fixture: Monday 07:00 UTC, before the 09:00 post
INTERVIEW = START + timedelta(days=28)  # so the first post falls four weeks out
WEEKDAYS = {"daily": range(7), "mon-fri": range(5)}


def posting_days(weekdays: str) -> list[date]:
    """The cohort's posting days, from four weeks out to the interview day itself."""
    days = (START + timedelta(days=n) for n in range(29))
    return [d for d in days if d.weekday() in WEEKDAYS[weekdays]]


def demand(pack: Pack, days: Iterable[date]) -> dict[tuple[str, Kind], int]:
    """How many questions of each kind each phase needs at most: its days, split in turn
    over the kinds it serves (the rotation may start on either kind)."""
    per_phase: dict[str, int] = {}
    for day in days:
        phase, _ = phase_on(pack, INTERVIEW, day)
        assert phase is not None, f"{day} is in no phase"
        per_phase[phase.id] = per_phase.get(phase.id, 0) + 1
    out = {}
    for phase in pack.info.phases:
        n = per_phase.get(phase.id, 0)
        for kind in phase.serves:
            out[(phase.id, kind)] = math.ceil(n / len(phase.serves)) if n else 0
    return out


def shortfalls(pack: Pack, days: Iterable[date]) -> list[str]:
    """Why a cohort could get a question outside its phase, or an empty list.

    Questions tagged for several phases can only be posted once, so this is Hall's
    condition: for every set of phases, the questions of a kind tagged for any of them
    must cover the days those phases need of that kind.
    """
    need = {key: n for key, n in demand(pack, days).items() if n}
    problems = []
    for kind in Kind:
        phases = [p for (p, k) in need if k == kind]
        for size in range(1, len(phases) + 1):
            for group in combinations(phases, size):
                wanted = sum(need[(p, kind)] for p in group)
                have = {
                    q.id for q in pack.questions if q.kind == kind and set(group) & set(q.phases)
                }
                if len(have) < wanted:
                    problems.append(
                        f"phases {', '.join(group)} need {wanted} {kind.value} questions "
                        f"tagged for them, the pack has {len(have)}"
                    )
    return problems


def violations(pack: Pack, posts: list[Post]) -> list[str]:
    """What is wrong with a cohort's daily posts: repeats, wrong kinds, wrong phase tags."""
    problems = []
    seen: dict[str, date] = {}
    for post in posts:
        assert post.question_id is not None, post
        q = pack.by_id[post.question_id]
        phase, days = phase_on(pack, INTERVIEW, post.local_date)
        assert phase is not None, post.local_date
        where = f"{post.local_date} ({phase.id}, {days} days out): {q.id}"
        if q.id in seen:
            problems.append(f"{where} repeats the question of {seen[q.id]}")
        seen.setdefault(q.id, post.local_date)
        if q.kind not in phase.serves:
            problems.append(f"{where} is {q.kind.value}, the phase serves {phase.serves}")
        if phase.id not in q.phases:
            problems.append(f"{where} is not tagged for the phase ({q.phases})")
    # The phase's kinds are taken in turn, so each gets its share of the phase's days.
    for phase in pack.info.phases:
        kinds = [
            pack.by_id[p.question_id].kind
            for p in posts
            if p.question_id and phase_on(pack, INTERVIEW, p.local_date)[0] == phase
        ]
        for kind in phase.serves:
            share = len(kinds) // len(phase.serves)
            if kinds.count(kind) < share:
                problems.append(
                    f"{phase.id}: {kinds.count(kind)} {kind.value} questions in "
                    f"{len(kinds)} posts, its share is {share}"
                )
    return problems


async def run_cohort(h: Harness, weekdays: str) -> list[Post]:
    await h.admin.runs(
        f"/setup time:09:00 timezone:UTC weekdays:{weekdays} interview_date:{INTERVIEW}"
    )
    # Four weeks, plus the morning of the interview day (its post is the last one).
    await h.advance(timedelta(days=28, hours=3))
    posts = await h.store.posts_of(h.driver.channel)
    assert {p.status for p in posts} == {"sent"}, [(p.local_date, p.status) for p in posts]
    return posts


@pytest.fixture(scope="module")
def pack(packs: dict[str, Pack]) -> Pack:
    return packs[PACK_ID]


@pytest.mark.parametrize("weekdays", ["mon-fri", "daily"])
async def test_a_four_week_cohort_never_repeats_and_stays_in_phase(
    h: Harness, pack: Pack, weekdays: str
) -> None:
    posts = await run_cohort(h, weekdays)
    expected = posting_days(weekdays)
    assert [p.local_date for p in posts] == expected
    assert len(posts) == (29 if weekdays == "daily" else 21)
    assert violations(pack, posts) == []
    # Every phase of the guide's timeline was served, with each kind it serves.
    kinds: dict[str, set[Kind]] = {}
    for post in posts:
        phase, _ = phase_on(pack, INTERVIEW, post.local_date)
        assert phase is not None and post.question_id is not None
        kinds.setdefault(phase.id, set()).add(pack.by_id[post.question_id].kind)
    assert kinds == {
        "research": {Kind.research, Kind.behavioral},
        "practice": {Kind.technical, Kind.behavioral},
        "mock": {Kind.technical, Kind.behavioral},
        "review": {Kind.review},
    }


@pytest.mark.parametrize("weekdays", ["mon-fri", "daily"])
def test_each_phase_has_enough_questions_for_its_days(pack: Pack, weekdays: str) -> None:
    need = demand(pack, posting_days(weekdays))
    assert shortfalls(pack, posting_days(weekdays)) == []
    if weekdays == "daily":  # 7 research days, 14 practice, 6 mock, 2 review
        assert need == {
            ("research", Kind.research): 4,
            ("research", Kind.behavioral): 4,
            ("practice", Kind.technical): 7,
            ("practice", Kind.behavioral): 7,
            ("mock", Kind.behavioral): 3,
            ("mock", Kind.technical): 3,
            ("review", Kind.review): 2,
            ("debrief", Kind.review): 0,
        }


def shrunk(pack: Pack, keep: int) -> Pack:
    """The pack with only `keep` research tasks: too few for the research week."""
    research = [q for q in pack.questions if q.kind == Kind.research][:keep]
    questions: tuple[Question, ...] = tuple(
        q for q in pack.questions if q.kind != Kind.research or q in research
    )
    return dataclasses.replace(pack, questions=questions, by_id={q.id: q for q in questions})


def test_the_static_check_names_a_phase_that_is_too_thin(pack: Pack) -> None:
    assert shortfalls(shrunk(pack, 2), posting_days("daily")) == [
        "phases research need 4 research questions tagged for them, the pack has 2"
    ]


async def test_the_simulation_catches_a_pack_that_is_too_small(h: Harness, pack: Pack) -> None:
    small = shrunk(pack, 2)
    thin = build(h.store, h.chat, h.clock, {PACK_ID: small})
    posts = await run_cohort(thin, "daily")
    # From the third research slot on, no research task is left: behavioral prompts fill
    # the research week, so it falls short of its research tasks.
    assert violations(small, posts) == ["research: 2 research questions in 7 posts, its share is 3"]


async def test_a_twelve_week_daily_cohort_never_repeats(h: Harness, pack: Pack) -> None:
    """The second edition is deep enough for twelve weeks of daily posts without a repeat:
    eight weeks before the timeline's phases start (technical and behavioral in turn), then
    the four phased weeks."""
    interview = h.clock.now().date() + timedelta(days=84)
    await h.admin.runs(f"/setup time:09:00 timezone:UTC weekdays:daily interview_date:{interview}")
    await h.advance(timedelta(days=84, hours=3))
    posts = await h.store.posts_of(h.driver.channel)
    assert len(posts) == 85 and {p.status for p in posts} == {"sent"}
    ids = [p.question_id for p in posts]
    assert len(set(ids)) == len(ids), [i for i in ids if ids.count(i) > 1]
    early = [pack.by_id[str(i)].kind for i in ids[:56]]
    assert set(early) == {Kind.technical, Kind.behavioral}
