"""Judges: the cached, budgeted, failure-accounted LLM-as-judge stage."""
