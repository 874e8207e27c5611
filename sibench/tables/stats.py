"""The statistics of a table (docs/theory.md §7.8): each cell is a mean over seeds with its 95%
t-interval, and a column's best is marked only where a test over seeds separates it from every other
method.

The test. Methods of one benchmark share each seed's data (the same x0, the same fresh target points,
the same truth samples for the two-sample tests), so two methods are compared on their per-seed
differences d_s = m_A(s) - m_B(s) over the seeds both have: a two-sided paired t-test with S - 1
degrees of freedom. The method with the best mean is compared with each of the k - 1 others; the k - 1
p-values are Holm-corrected (family-wise error 5% over the comparisons of one column; Holm rather than
an uncorrected intersection-union test, so that no single comparison of a wide column carries the
claim). It is the best ("best") when every comparison rejects in its favour. Otherwise the methods not
separated from it form the top group, each marked as tied ("tie"), unless that group is the whole
column (then nothing is marked: no method stands out). A column with fewer than two methods marks
nothing.
"""
from __future__ import annotations

import math
from typing import Dict, Mapping, Optional, Tuple

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["CONFIDENCE", "ALPHA", "BEST", "TIE", "t_interval", "paired_p", "holm_rejects", "rank_column", "mc_stderr"]

CONFIDENCE = 0.95   # the cells' intervals
ALPHA = 0.05        # the level of the test that marks a best
BEST, TIE = "best", "tie"


def t_interval(values, confidence: float = CONFIDENCE) -> Tuple[float, float, float]:
    """(mean, lower, upper): the mean of the values and its Student-t interval, mean +- t_{S-1} sd / sqrt(S)
    (NaN bounds for a single value)."""
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return math.nan, math.nan, math.nan
    m = float(v.mean())
    if v.size < 2:
        return m, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + confidence / 2, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size))
    return m, m - half, m + half


def paired_p(a: pd.Series, b: pd.Series) -> float:
    """Two-sided paired t-test of a against b (Series indexed by seed) over the seeds both have; NaN
    with fewer than two such seeds. Identical differences give p = 0 (or 1 when they are all zero)."""
    common = a.index.intersection(b.index)
    if len(common) < 2:
        return math.nan
    d = a.loc[common].to_numpy(float) - b.loc[common].to_numpy(float)
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    if sd == 0:
        return 1.0 if mean == 0 else 0.0
    t = mean / (sd / math.sqrt(len(d)))
    return float(2 * stats.t.sf(abs(t), len(d) - 1))


def holm_rejects(pvalues: Mapping[str, float], alpha: float = ALPHA) -> Dict[str, bool]:
    """Holm's step-down procedure: the i-th smallest of m p-values is rejected when it and every smaller
    one satisfy p_(j) <= alpha / (m - j + 1). A NaN p-value (no test possible) is never rejected."""
    m = len(pvalues)
    order = sorted(pvalues, key=lambda k: (math.isnan(pvalues[k]), pvalues[k]))
    out, going = {}, True
    for i, k in enumerate(order):
        p = pvalues[k]
        going = going and not math.isnan(p) and p <= alpha / (m - i)
        out[k] = going
    return out


def rank_column(values: Mapping[str, pd.Series], better: str = "min", alpha: float = ALPHA) -> Dict[str, str]:
    """The marks of one column: {label: BEST or TIE} for the marked methods (module doc).

    values: per method, its finite values indexed by seed (methods with a non-finite, failed or
    withheld cell are left out by the caller); better: "min" or "max"."""
    if better not in ("min", "max"):
        raise ValueError(f"better must be 'min' or 'max', got {better!r}")
    vals = {k: v for k, v in values.items() if len(v)}
    if len(vals) < 2:
        return {}
    sign = 1.0 if better == "min" else -1.0
    means = {k: sign * float(v.mean()) for k, v in vals.items()}
    top = min(means, key=means.get)                       # the first of equal means
    others = [k for k in vals if k != top]
    p = {k: paired_p(vals[top], vals[k]) for k in others}
    rejected = holm_rejects(p, alpha)
    separated = {k for k in others if rejected[k] and _favours(vals[top], vals[k], sign)}
    if len(separated) == len(others):
        return {top: BEST}
    group = [top] + [k for k in others if k not in separated]
    return {} if len(group) == len(vals) else {k: TIE for k in group}


def _favours(a: pd.Series, b: pd.Series, sign: float) -> bool:
    """Whether the mean paired difference (on the common seeds) is in a's favour."""
    common = a.index.intersection(b.index)
    return sign * float((a.loc[common] - b.loc[common]).mean()) < 0


def mc_stderr(stderrs: pd.Series) -> Optional[float]:
    """Monte Carlo standard error of a mean over seeds, sqrt(sum se_s^2) / S (None when no se is known)."""
    se = pd.to_numeric(stderrs, errors="coerce").dropna()
    if se.empty:
        return None
    return float(math.sqrt(float((se ** 2).sum())) / len(se))
