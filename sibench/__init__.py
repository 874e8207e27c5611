"""sibench: the benchmark harness of si-bench (named densities and pairs with their ground truth,
config planning, the workflow's stages, tables, figures and the paper's figures), built on si."""
