"""MM-SafetyBench: query-relevant images (SD, SD+TYPO, TYPO) that carry a harmful request."""
