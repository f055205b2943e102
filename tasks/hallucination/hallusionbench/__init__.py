"""HallusionBench: yes/no questions on original and edited figures (Guan et al., CVPR 2024)."""
