"""Text processing shared by generative metrics (object extraction from captions)."""
