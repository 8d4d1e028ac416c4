"""F8: a member's progress (streaks, scores over time, drills, stories, the timeline) with
a chart, the opt-in channel leaderboard, and the admin's CSV export."""
