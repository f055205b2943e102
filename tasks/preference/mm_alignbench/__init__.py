"""MM-AlignBench: open questions on images judged against Claude-3-Sonnet (Arena-style)."""
