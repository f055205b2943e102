"""MathVista: mathematical reasoning in visual contexts (Lu et al., ICLR 2024)."""
