"""POPE: yes/no object-existence questions (Li et al., 2023)."""
