"""MIA-Bench: multimodal instruction following."""
