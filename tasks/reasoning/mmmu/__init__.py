"""MMMU (Yue et al., CVPR 2024): college-level multiple-choice and open questions."""
