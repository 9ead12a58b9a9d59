"""统一考核 (assessment): the three rates and every figure built on them, who may see them,
the exports, and the ranking API. Read-only over evaluate's callbacks and exclusions."""
