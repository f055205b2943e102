"""mmalign-eval: an evaluation harness for aligned multimodal LLMs."""

__version__ = "0.1.0"
