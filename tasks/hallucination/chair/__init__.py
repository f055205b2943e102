"""CHAIR: hallucinated COCO objects in image descriptions (Rohrbach et al., 2018)."""
