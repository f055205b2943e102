"""VLGuard: safety of vision-language models on unsafe and safe images (Zong et al., 2024)."""
