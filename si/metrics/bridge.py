"""The Schroedinger-bridge benchmark's evaluations in one call (docs/theory.md §6, §7).
The bridge as the limit of interpolants over a coupling: Albergo, Boffi & Vanden-Eijnden,
arXiv:2303.08797.
"""
from __future__ import annotations

from typing import Dict, Mapping, Optional

import torch

from ..couplings import NUM_ITERMAX
from .gaussian import bures_w2, gaussian_fit
from .paths import coupling_w2
from .samples import ArrayLike, as_sample_pair, w2

__all__ = ["bridge_metrics"]


def bridge_metrics(bridge, x0: ArrayLike, x1: ArrayLike, marginals: Optional[Mapping[float, ArrayLike]] = None,
                   generator: Optional[torch.Generator] = None, num_itermax: int = NUM_ITERMAX) -> Dict[str, float]:
    """Evaluations of a model of a known bridge (si.bridges.GaussianBridge or MixturePotentialBridge).

    x0, x1 (n, d): start and end points of the *same* model paths; marginals: {t: samples of X_t}.
    Returns a flat dict:
      w2_terminal, w2_terminal_floor    W2(x1, rho1 samples) and truth-vs-truth at the same n
      w2_coupling, w2_coupling_floor    W2 on (x0, x1) against exact plan samples, and its floor
      bures_w2_t{t}                     Bures-W2 between the moment fit of marginals[t] and the exact
                                        moments of rho_t (for t in marginals)
      bures_w2_terminal                 the same at t = 1
    """
    a0, a1 = as_sample_pair(x0, x1)
    n = len(a1)
    y0, y1 = bridge.sample_plan(n, generator)
    z0, z1 = bridge.sample_plan(n, generator)
    out = {
        "w2_terminal": w2(a1, y1, num_itermax),
        "w2_terminal_floor": w2(z1, y1, num_itermax),
        "w2_coupling": coupling_w2(a0, a1, y0, y1, num_itermax),
        "w2_coupling_floor": coupling_w2(z0, z1, y0, y1, num_itermax),
    }
    m1, S1 = bridge.marginal_moments(1.0)
    out["bures_w2_terminal"] = bures_w2(*gaussian_fit(a1), m1, S1)
    for t, xt in (marginals or {}).items():
        mt, St = bridge.marginal_moments(float(t))
        out[f"bures_w2_t{float(t):g}"] = bures_w2(*gaussian_fit(xt), mt, St)
    return out
