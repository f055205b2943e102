"""MMHal-Bench: open questions judged 0-6 for hallucination (Sun et al., 2023, LLaVA-RLHF)."""
