"""Metric math: pure functions over per-item column totals, plus bootstrap intervals."""
