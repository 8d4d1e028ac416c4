"""F4: private drills with spaced repetition.

`srs` schedules cards with FSRS, `pick` chooses the next question, `flow` answers the
/drill commands and buttons, `reminders` sends the opt-in daily "N drills due" message.
"""
