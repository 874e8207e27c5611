"""The rows of results/metrics.csv: one evaluation of one run per row, a column for every factor.

`t` is the time of a marginal (bridge comparisons), `floor` the value a perfect model gets (W2
between two truth sample sets at the same n; the target entropy for the cross-entropy), `stderr` a
Monte Carlo standard error where one is known.
"""
from __future__ import annotations

from ..config.specs import EvaluateSpec

__all__ = ["COLUMNS", "make_row"]

COLUMNS = ["benchmark", "method", "label", "path", "gamma", "a", "objective", "coupling", "seed",
           "eps", "sampler", "steps", "nfe", "metric", "t", "value", "floor", "stderr"]


def make_row(spec: EvaluateSpec, **values) -> dict:
    """A row of the run `spec` (its factors filled in) with `values` (metric, value, ...); None elsewhere."""
    row = {c: None for c in COLUMNS}
    row.update(spec.factors())
    row.update(values)
    return row
