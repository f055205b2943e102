"""Reward-model benchmarks: does the model under test (a judge or a scalar reward model)
prefer the response humans preferred?"""
