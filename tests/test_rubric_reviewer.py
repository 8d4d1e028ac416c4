"""The rubric reviewer on the real pack: what it notices in behavioral and technical answers."""

from __future__ import annotations

from bot.content import Pack
from bot.content.schema import Kind, Question
from bot.review.models import ReviewRequest
from bot.review.rubric import review_now

STRONG_STAR = """Situation: at my last company our checkout service paged the on-call team every
night because a nightly batch job exhausted the database connection pool. It was owned by
another team who had no time for it.
Task: nobody asked me to, but I decided to own the fix because customers saw failed payments.
Action: I dug into the logs and traced the spikes to the batch job, wrote a proposal, paired with
the other team's lead, added a connection limit and a queue, and I set up an alarm and a runbook
so it could not silently come back.
Result: pages dropped from 12 a week to zero, failed payments fell by 30%, and the fix took
two weeks. I also ran a short review so both teams would prevent it from happening again."""

WEAK_WE = """We had some problems with our service and we worked on it as a team. We fixed the
database issues and things got better after that. Our manager was happy with us."""


def _behavioral(packs: dict[str, Pack], text: str) -> ReviewRequest:
    pack = packs["amazon-backend-developer"]
    principle = pack.principle("ownership")
    assert principle is not None
    question = next(
        (q for q in pack.questions if q.kind == Kind.behavioral and "ownership" in q.principles),
        Question(
            id="lp-ownership-test",
            kind=Kind.behavioral,
            phases=["practice"],
            principles=["ownership"],
            prompt="Tell me about a time you took on something outside your own area.",
        ),
    )
    return ReviewRequest(question, text, (principle,))


def test_behavioral_star_ownership_and_numbers_score_high(packs: dict[str, Pack]) -> None:
    review = review_now(_behavioral(packs, STRONG_STAR))
    assert set(review.scores) == {"structure", "ownership", "results", "principle"}
    assert review.scores["structure"] == 4
    assert review.scores["ownership"] >= 3
    assert review.scores["results"] == 4
    assert review.scores["principle"] >= 3
    assert any("Quantified" in s for s in review.strengths)


def test_behavioral_we_story_without_numbers_is_told_what_to_fix(packs: dict[str, Pack]) -> None:
    review = review_now(_behavioral(packs, WEAK_WE))
    assert review.scores["ownership"] == 1
    assert review.scores["results"] <= 2
    assert review.scores["structure"] <= 2
    assert any("Say “I”" in s for s in review.improvements)
    assert any("number" in s for s in review.improvements)
    assert review.follow_up  # a question aimed at the weakest part
    assert "?" in review.follow_up


def test_technical_coverage_uses_the_packs_synonyms_and_follows_up_on_the_gap(
    packs: dict[str, Pack],
) -> None:
    q = packs["amazon-backend-developer"].by_id["rate-limiting-design"]
    text = (
        "Per API key, a token bucket with counters in Redis, incremented atomically with a Lua "
        "script; when exceeded return 429 with Retry-After, enforced at the API gateway."
    )
    review = review_now(ReviewRequest(q, text))
    assert set(review.scores) == {"coverage", "trade_offs", "depth"}
    assert review.scores["coverage"] == 4  # five of six key points, by synonym
    assert any("fail open" in s for s in review.improvements)  # the point it left out
    assert (
        review.follow_up == "What happens to your limits if the Redis cluster becomes unavailable?"
    )
    vague = review_now(ReviewRequest(q, "I would limit the requests somehow so it is not abused."))
    assert vague.scores["coverage"] < review.scores["coverage"]
    assert vague.scores["depth"] == 1


def test_same_answer_same_review(packs: dict[str, Pack]) -> None:
    request = _behavioral(packs, STRONG_STAR)
    assert review_now(request) == review_now(request)
