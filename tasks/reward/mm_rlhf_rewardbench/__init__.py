"""MM-RLHF-RewardBench: does a reward model prefer the human-chosen response?"""
