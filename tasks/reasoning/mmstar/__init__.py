"""MMStar: vision-indispensable multiple-choice questions (Chen et al., 2024)."""
