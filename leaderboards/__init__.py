"""Shipped leaderboard files, installed as the package `mmalign_eval_leaderboards` (data only)."""
