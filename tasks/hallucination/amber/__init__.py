"""AMBER: generative and discriminative hallucination (Wang et al., 2023)."""
