"""Figure 5 of the paper, its numbers: marginals of the Brownian interpolant with the independent and the
entropic coupling against the exact Gaussian Schroedinger bridge (Bures-W2 over t), and the sweep's trained
models of those interpolants. The plot is sibench.paper.fig5_plot."""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Dict, List, Optional, Sequence

import numpy as np
import pandas as pd
import torch

from ..config.plan import results_dir
from ..config.resolve import train_spec
from ..pairs import get_benchmark
from ..seeds import figure_generator
from si.bridges import GaussianBridge
from si.couplings import EntropicCoupling
from si.metrics import bures_w2, gaussian_fit

__all__ = ["bridge_marginals", "moments_row", "bridge_evaluations", "learned_bridge_rows"]

F64 = torch.float64

def bridge_marginals(benchmark: str = "sb-gauss-d2-s1", times: Optional[Sequence[float]] = None, n_times: int = 21,
                     n: int = 4000, batch: int = 512, seed: int = 0,
                     show_times: Sequence[float] = (0.25, 0.5, 0.75), show: int = 1000) -> Dict[str, pd.DataFrame]:
    """Marginals x_t = (1-t) x0 + t x1 + sigma sqrt(t(1-t)) z of the Brownian interpolant (gamma^2 = sigma^2
    t(1-t), the reference noise of the bridge) over three couplings, against the exact Schroedinger bridge:

      independent   x0, x1 independent: exact Gaussian marginals in closed form, and samples
      entropic      minibatch entropic OT (reg = 2 sigma^2, batches of `batch`, pairs drawn per row),
                    as the sb-bs method trains with
      exact bridge  samples of the exact bridge (plan, then Brownian bridge): the sampling floor

    at `times` (default n_times equally spaced times in [0, 1]).

    Returns curves (coupling, kind, t, bures_w2: Bures-W2 between the marginal's moments, or its
    samples' moment fit, and the exact bridge's N(mu_t, Sigma_t)), samples (coupling, t, x, y: the
    first `show` samples at each of show_times, first two coordinates), ellipses (the exact bridge's
    moments and each coupling's moment fit at show_times) and info (pair, sigma^2, reg, batch, n)."""
    pair = get_benchmark(benchmark)
    sb = pair.bridge
    if not isinstance(sb, GaussianBridge):
        raise ValueError(f"figure 5 needs a Gaussian Schroedinger-bridge pair (sb-gauss-*), got {benchmark!r}")
    sigma = sb.sigma
    indep = GaussianBridge(sb.mean0, sb.cov0, sb.mean1, sb.cov1, sigma, coupling="independent")
    g = figure_generator(seed, "bridge", benchmark)
    n = int(n)
    times = [float(t) for t in (np.linspace(0, 1, int(n_times)) if times is None else times)]
    # independent pairs, entropic pairs (minibatches), exact plan pairs
    x0 = pair.rho0.sample(n, generator=g).to(F64)
    x1 = pair.rho1.sample(n, generator=g).to(F64)
    coupling = EntropicCoupling(reg=2 * sigma ** 2)
    e0, e1 = [], []
    for i in range(0, n, int(batch)):
        a0 = pair.rho0.sample(min(int(batch), n - i), generator=g).to(F64)
        a1 = pair.rho1.sample(a0.shape[0], generator=g).to(F64)
        c0, c1 = coupling(a0, a1, generator=g)
        e0.append(c0)
        e1.append(c1)
    pairs = {"independent": (x0, x1), "entropic": (torch.cat(e0), torch.cat(e1)), "exact bridge": sb.sample_plan(n, g)}
    z = torch.randn(n, pair.dim, generator=g, dtype=F64)
    curves, samples, ellipses = [], [], []
    for t in [float(t) for t in times]:
        mt, St = sb.marginal_moments(t)
        mi, Si = indep.marginal_moments(t)
        curves.append({"coupling": "independent", "kind": "exact", "t": t, "bures_w2": bures_w2(mi, Si, mt, St)})
        shown = any(abs(t - s) < 1e-9 for s in show_times)
        if shown:
            ellipses.append(moments_row("exact bridge", "exact", t, mt, St))
        for name, (p0, p1) in pairs.items():
            xt = (1 - t) * p0 + t * p1 + sigma * math.sqrt(t * (1 - t)) * z
            m_fit, S_fit = gaussian_fit(xt)
            curves.append({"coupling": name, "kind": f"samples (n={n})", "t": t,
                           "bures_w2": bures_w2(m_fit, S_fit, mt, St)})
            if shown:
                k = min(int(show), n)
                samples.append(pd.DataFrame({"coupling": name, "t": t, "x": xt[:k, 0].numpy(),
                                             "y": xt[:k, 1 if pair.dim > 1 else 0].numpy()}))
                ellipses.append(moments_row(name, "fit", t, m_fit, S_fit))
    missing = [s for s in show_times if not any(abs(float(s) - float(t)) < 1e-9 for t in times)]
    if missing:
        raise ValueError(f"show_times {missing} are not among times")
    out = {"curves": pd.DataFrame(curves),
           "samples": pd.concat(samples, ignore_index=True) if samples else pd.DataFrame(),
           "ellipses": pd.DataFrame(ellipses)}
    out["info"] = pd.DataFrame([{"benchmark": benchmark, "dim": pair.dim, "sigma2": sigma ** 2, "reg": 2 * sigma ** 2,
                                 "batch": int(batch), "n": n}])
    return out


def moments_row(coupling: str, kind: str, t: float, mean, cov) -> dict:
    """Mean and covariance of the first two coordinates (for the 2-sigma ellipses of the figure)."""
    m = np.asarray(mean, dtype=np.float64).reshape(-1)
    S = np.asarray(cov, dtype=np.float64)
    j = 1 if m.size > 1 else 0
    return {"coupling": coupling, "kind": kind, "t": t, "mean_x": m[0], "mean_y": m[j],
            "cov_xx": S[0, 0], "cov_xy": S[0, j], "cov_yy": S[j, j]}


def bridge_evaluations(config: dict, runs, benchmark: str) -> List[str]:
    """Evaluation files of the sweep's models that learn the interpolants of figure 5 on `benchmark`:
    linear path, Brownian gamma with a = sigma^2, objective {b,s}, independent or entropic coupling (first
    seed; a model listed under two names is taken once)."""
    pair = get_benchmark(benchmark)
    mine = [r for r in runs if r.benchmark == benchmark]
    if not mine or pair.sigma2 is None:
        return []
    seed = min(r.seed for r in mine)
    out, seen = [], []
    for r in mine:
        if r.seed != seed:
            continue
        s = replace(train_spec(config, r.benchmark, r.method, r.seed), method="")
        m = s.model
        if (m.path == "linear" and m.gamma == "brownian" and abs(m.a - pair.sigma2) < 1e-12
                and m.objective == "b,s" and m.coupling in ("independent", "entropic") and s not in seen):
            seen.append(s)  # two names for one model (e.g. linear-bs and bridge-bs at sigma^2 = 1): once
            out.append(f"{results_dir(config)}/evaluations/{r.stem}.csv")
    return out


def learned_bridge_rows(evaluation_csvs: Sequence[str], sigma2: float) -> pd.DataFrame:
    """Bures-W2 rows of trained models from the sweep's evaluations (results/evaluations/...csv): the
    SDE at the eps closest to sigma^2 / 2 (the bridge's own noise), its largest step count."""
    frames = [pd.read_csv(f) for f in evaluation_csvs]
    if not frames:
        return pd.DataFrame(columns=["label", "method", "coupling", "t", "bures_w2", "eps", "sampler"])
    df = pd.concat(frames, ignore_index=True)
    df = df[(df["metric"] == "bures_w2") & df["sampler"].astype(str).str.startswith("sde")]
    if df.empty:
        return pd.DataFrame(columns=["label", "method", "coupling", "t", "bures_w2", "eps", "sampler"])
    eps = df["eps"].unique()
    e = eps[np.argmin(np.abs(eps - sigma2 / 2))]
    df = df[df["eps"] == e]
    df = df[df["steps"] == df.groupby("method")["steps"].transform("max")]
    cols = ["label", "method", "coupling", "t", "bures_w2", "eps", "sampler"]
    return df.rename(columns={"value": "bures_w2"})[cols].reset_index(drop=True)
