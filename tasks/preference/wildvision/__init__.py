"""WildVision-Bench: real-world image instructions judged against a baseline (Arena-Hard)."""
