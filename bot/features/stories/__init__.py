"""F7: the STAR story bank, its review, the Leadership Principle coverage map and the
weekly private nudge about the largest gaps."""
