"""Reasoning and general-knowledge benchmarks."""
