"""Hallucination benchmarks."""
