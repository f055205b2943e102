"""Training of the tiny demo models (tiny-sft, tiny-dpo, tiny-rm) on synthetic shape scenes.

Everything here runs on the CPU in about a minute, seeded and single-threaded so that two
builds give bit-identical weights. Importing it needs torch and transformers (and TRL for
DPO); finding an already built model in the cache does not.
"""
