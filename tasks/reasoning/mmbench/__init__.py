"""MMBench: multiple-choice abilities scored by CircularEval (Liu et al., 2023)."""
