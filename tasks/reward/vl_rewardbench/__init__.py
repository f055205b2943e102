"""VL-RewardBench: does a judge or reward model prefer the response humans preferred?"""
