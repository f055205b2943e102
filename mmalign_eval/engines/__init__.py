"""Inference engines: turn requests into responses, batched."""
