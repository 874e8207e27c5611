"""Which rows of results/metrics.csv describe "the generative model at eps" (sibench.tables)."""
from __future__ import annotations

from typing import List, Optional

import numpy as np
import pandas as pd

__all__ = ["is_ode", "model_rows", "method_order"]


def is_ode(sampler: pd.Series) -> pd.Series:
    """Whether each sampler name is an ODE sampler ("ode-...")."""
    return sampler.astype(str).str.startswith("ode-")


def model_rows(df: pd.DataFrame, metric: str, sde_sampler: Optional[str] = None,
               t: Optional[float] = None) -> pd.DataFrame:
    """Rows of `metric` for the generative model at each eps: the ODE at eps = 0, the SDE (any, or
    `sde_sampler`) at eps > 0, largest step count only; at marginal time t if given."""
    d = df[df["metric"] == metric]
    if t is not None:
        d = d[np.isclose(d["t"].astype(float), t)]
    if d.empty:
        return d
    ode = is_ode(d["sampler"])
    sde = d["sampler"].astype(str).str.startswith("sde-") if sde_sampler is None else d["sampler"] == sde_sampler
    keep = (ode & (d["eps"] == 0)) | (sde & (d["eps"] > 0))
    d = d[keep]
    if "steps" in d and d["steps"].notna().any():
        top = d.groupby(["method", "sampler"])["steps"].transform("max")
        d = d[(d["steps"] == top) | d["steps"].isna()]
    return d


def method_order(df: pd.DataFrame) -> List[str]:
    """Method labels in order of first appearance."""
    return list(dict.fromkeys(df["label"].astype(str)))
