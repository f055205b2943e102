"""Multimodal RewardBench: does a judge or a reward model prefer the human-preferred response?"""
