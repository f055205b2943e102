"""Leaderboards: runs and published rows side by side, with the settings that make them comparable.

Schema in `schema.py`, documented in leaderboards/README.md; commands in `cli/leaderboard.py`.
"""
