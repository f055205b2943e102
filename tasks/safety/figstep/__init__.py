"""FigStep: harmful requests typeset into images (SafeBench), Gong et al., 2025."""
