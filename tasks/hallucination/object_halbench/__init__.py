"""Object HalBench: object hallucination in detailed descriptions (RLHF-V, Yu et al., 2024)."""
