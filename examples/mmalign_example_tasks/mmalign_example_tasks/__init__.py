"""Worked examples of benchmark modules built on mmalign-eval's public API."""
