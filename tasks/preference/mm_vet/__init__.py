"""MM-Vet: open questions on six integrated capabilities, graded 0-1 by a GPT-4 few-shot judge."""
