"""MOSSBench: over-refusal of benign image+question pairs with sensitive-looking stimuli."""
