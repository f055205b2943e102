"""Built-in benchmark adapters (installed as the package `mmalign_eval_tasks`)."""
