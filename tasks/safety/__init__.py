"""Safety benchmarks: attack success, refusal and over-refusal."""
