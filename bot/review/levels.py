"""The score levels of content/README.md ("Scores"), as the rubric reviewer's thresholds.

Every dimension scores 1 to 4: 1 missing or wrong, 2 present but thin, 3 solid (an
interviewer leans to hire), 4 strong (a Bar Raiser would call it strong). A cut tuple
(c2, c3, c4) gives the least measure for 2, 3 and 4. Change the README and this file together.
"""

from __future__ import annotations

# Technical ------------------------------------------------------------------------------
# coverage: the share of the question's key points covered in the answer's own words.
COVERAGE_CUTS = (0.25, 0.5, 0.75)
# A stated red flag: coverage at most 1, depth at most 2.
RED_FLAG_COVERAGE = 1
RED_FLAG_OTHERS = 2
# trade_offs: arguments (one sentence) naming both an alternative and a cost.
TRADE_OFF_CUTS = (1, 2, 3)
# depth: points for mechanisms (on-topic terms beyond the prompt, causal links, numbers).
DEPTH_CUTS = (10, 20, 34)

# Behavioral -----------------------------------------------------------------------------
# structure: STAR parts present (S, T, A, R); 3 or more need specifics, 4 needs all four.
SHORT_STORY_WORDS = 60  # under this, structure is at most 2
# ownership: the share of I/my among I/my/we/our, with things the candidate did.
OWNERSHIP_CUTS = (0.35, 0.6, 2.0)  # 4 comes from three or more own actions at level 3
# results: 4 two distinct measured results, 3 one, 2 a stated result without a number.
# principle: pieces of evidence: the question's key points shown, plus up to two of the
# principle's signals and up to two of its general cues (bot/review/principles.py).
PRINCIPLE_CUTS = (1, 3, 5)
# A story with fewer past-tense events than this shows no principle above 2.
MIN_EVENTS = 3
# A long story (rambling rule) needs this many things the candidate did per 100 words, or
# three measured results; otherwise its length counts for nothing.
STORY_ACTION_DENSITY = 4.5
# A stated red flag (the question's or a story flag): principle 1, the rest at most 2.
RED_FLAG_STORY_CAP = 2


def band(value: float, cuts: tuple[float, float, float]) -> int:
    """1 to 4: how many of the ascending `cuts` the value reaches."""
    return 1 + sum(value >= c for c in cuts)
