"""The workflow's stages, one module each (one rule each in workflow/rules):

  truth       benchmark -> reference samples of rho1 and test points, W2 floor, entropy
  train       run -> checkpoint (state dict + JSON spec), once per benchmark x method x seed
  evaluate    checkpoint, truth -> samples for every (sampler, eps, steps) (sampling: one sample_model
              for the stage and the paper's figures), then rows: sample metrics (W2 and floor, support
              fraction, bridge distances, field errors) and likelihood metrics (ODE and SDE
              cross-entropies, KL against the known target entropy), each with its NFE
  aggregate   all rows -> results/metrics.csv (tidy, long format: one row per evaluation, columns
              sibench.stages.rows.COLUMNS), checkpoints' losses -> results/training.csv

Each stage function takes its spec (sibench.config.specs) and file paths, computes with si, and writes
its outputs atomically (sibench.io). A stage's code version is the import closure of its module
(sibench.versioning.stage_version).
"""

__all__ = ["truth", "train", "evaluate", "aggregate"]
