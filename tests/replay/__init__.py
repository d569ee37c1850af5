"""Replay tests: every shipped tool against recorded HTTP (cassettes/), offline."""
