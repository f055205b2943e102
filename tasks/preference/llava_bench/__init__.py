"""LLaVA-Bench (In-the-Wild)."""
