"""Statistics: paired comparisons, non-inferiority gates, subsets and power."""
