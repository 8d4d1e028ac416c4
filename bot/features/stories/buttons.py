"""The story buttons other features put on their messages (kept free of imports, so the
review and drill modules can offer "Save as story" without importing the story flow)."""

from __future__ import annotations

from bot.domain import Button, ButtonStyle

FROM_DRILL = "story-from-drill"
FROM_ANSWER = "story-from-answer"
SAVE_LABEL = "Save as story"


def save_drill(session_id: int) -> Button:
    return Button(f"{FROM_DRILL}:{session_id}", SAVE_LABEL, ButtonStyle.secondary)


def save_answer(answer_id: int) -> Button:
    return Button(f"{FROM_ANSWER}:{answer_id}", SAVE_LABEL, ButtonStyle.secondary)
