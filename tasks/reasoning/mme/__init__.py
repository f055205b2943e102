"""MME: yes/no perception and cognition questions, two per image (Fu et al., 2023)."""
