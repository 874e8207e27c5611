"""The rows of results/metrics.csv: one evaluation of one run per row, a column for every factor.

`t` is the time of a marginal (bridge comparisons); `floor` the value a perfect model gets (W2 between
two truth sample sets at the same n; the target entropy for the cross-entropy; 0 for a KL, a field
error, a two-sample statistic or a distance from the floor in floor standard deviations); `stderr` a
Monte Carlo standard error where one is known; `n` the number of points the value is estimated from
(test points, samples, field points); `ess` the median effective sample size of a Feynman-Kac
likelihood; `p_value` the permutation p-value of a two-sample statistic; `status` empty for a value,
"non-finite" for one that is not a number (value inf or NaN), "withheld: <reason>" for one the
evaluation refuses to report (value NaN; the tables never rank it).
"""
from __future__ import annotations

from ..config.specs import EvaluateSpec

__all__ = ["COLUMNS", "NON_FINITE", "WITHHELD", "make_row", "withheld"]

COLUMNS = ["benchmark", "method", "label", "path", "gamma", "a", "objective", "coupling", "seed",
           "eps", "sampler", "steps", "nfe", "metric", "t", "value", "floor", "stderr", "n", "ess", "p_value",
           "status"]
NON_FINITE, WITHHELD = "non-finite", "withheld"


def withheld(reason: str) -> str:
    """The status of a withheld value: "withheld: <reason>"."""
    return f"{WITHHELD}: {reason}"


def make_row(spec: EvaluateSpec, **values) -> dict:
    """A row of the run `spec` (its factors filled in) with `values` (metric, value, ...); None elsewhere."""
    row = {c: None for c in COLUMNS}
    row.update(spec.factors())
    unknown = set(values) - set(COLUMNS)
    if unknown:
        raise ValueError(f"unknown column(s) {sorted(unknown)}; valid: {COLUMNS}")
    row.update(values)
    return row
