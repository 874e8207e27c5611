"""sibench: the benchmark harness of si-bench, built on si (si never imports sibench).

  densities, pairs     named densities and benchmark pairs with their ground truth
  config               config checks, the plan of runs, the frozen stage specs
  stages               truth, train, evaluate (sampling, sample and likelihood metrics), aggregate
  samples              the samples-file codec
  io, seeds, devices   atomic output and job logs, stable seeds, the device of a run
  versioning           the code version of a stage (its module's import closure)
  tables, figures      the report's tables and figures
  paper                the paper's figures, one module per figure
"""

__all__ = ["densities", "pairs", "config", "stages", "samples", "io", "seeds", "devices", "versioning", "tables",
           "figures", "paper"]
