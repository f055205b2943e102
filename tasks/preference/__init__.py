"""Preference and conversation benchmarks (judged open-ended answers)."""
