"""Dataset helpers: locating, caching and synthesising benchmark data."""
