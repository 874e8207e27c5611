"""Figure 1 of the paper: the density evolution rho_t, exact (oracle, docs/theory.md §6), of the 1-D pair
gmm-1d (modes +-3 -> -6, 0, 6) for the linear, trig and encoding-decoding paths, with gamma = 0 and
gamma > 0. density_evolution computes the table (written as CSV beside the figure), plot_density_evolution
draws it."""
from __future__ import annotations

import re

from typing import List, Sequence

import numpy as np
import pandas as pd
import torch

from ..figures.style import PAPER_WIDTH, apply_style, save_figure
from ..io import write_csv
from ..pairs import get_benchmark
from si.interpolants import PATHS, Interpolant

__all__ = ["gamma_label", "density_variants", "density_evolution", "density_masses", "plot_density_evolution", "write_density_figure"]

F64 = torch.float64

def gamma_label(gamma: str, a: float = 1.0) -> str:
    """A short plain-text name of gamma(t) for legends and captions."""
    if gamma == "zero":
        return "gamma = 0"
    if gamma == "brownian":
        return "gamma = sqrt(t(1-t))" if a == 1 else f"gamma = sqrt({a:g} t(1-t))"
    return {"sinesquared": "gamma = sin^2(pi t)", "bsquared": "gamma = t(1-t)",
            "sigmoid": "gamma = sigmoid bump"}.get(gamma, f"gamma = {gamma}")


def density_variants(paths: Sequence[str], gamma: str = "brownian", a: float = 1.0) -> List[dict]:
    """For each path: gamma = 0 where the path admits it, and a nonzero gamma (`gamma`, `a` for paths that
    take any gamma; the path's own gamma otherwise, e.g. sin^2(pi t) for encoding-decoding). The
    encoding-decoding path has no gamma = 0 variant: alpha(1/2) = beta(1/2) = 0, so without gamma
    x_{1/2} = 0 is a point mass and rho_{1/2} does not exist."""
    out = []
    for path in paths:
        if path not in PATHS:
            raise ValueError(f"unknown path {path!r}; valid: {sorted(PATHS)}")
        info = PATHS[path]
        if info.one_sided or info.mirror:
            raise ValueError(f"figure 1 compares two-sided paths; {path!r} is one-sided or mirror")
        allowed = info.allowed_gammas
        if allowed is None or "zero" in allowed:
            out.append({"path": path, "gamma": "zero", "a": 1.0})
        if allowed is None:
            out.append({"path": path, "gamma": gamma, "a": float(a)})
        else:
            out.extend({"path": path, "gamma": g, "a": 1.0} for g in allowed if g != "zero")
    for v in out:
        v["variant"] = f"{v['path']}, {gamma_label(v['gamma'], v['a'])}"
    return out


def density_evolution(benchmark: str = "gmm-1d", paths: Sequence[str] = ("linear", "trig", "encoding-decoding"),
                      gamma: str = "brownian", a: float = 1.0, times: Sequence[float] = (0, 0.25, 0.5, 0.75, 1),
                      lo: float = -10.0, hi: float = 10.0, n: int = 801) -> pd.DataFrame:
    """rho_t(x) on a grid of x in [lo, hi], exact (si.oracle), for every variant of `density_variants`.

    Columns: variant, path, gamma, a, t, x, density. Float64 throughout."""
    pair = get_benchmark(benchmark)
    if pair.dim != 1 or not pair.has_oracle:
        raise ValueError(f"figure 1 needs a one-dimensional Gaussian-mixture pair, got {benchmark!r}")
    x = torch.linspace(lo, hi, int(n), dtype=F64)[:, None]
    frames = []
    for v in density_variants(paths, gamma, a):
        oracle = pair.oracle(Interpolant(v["path"], v["gamma"], v["a"]))
        for t in times:
            dens = oracle.log_prob(torch.full((x.shape[0],), float(t), dtype=F64), x).exp()
            frames.append(pd.DataFrame({"variant": v["variant"], "path": v["path"], "gamma": v["gamma"],
                                        "a": v["a"], "t": float(t), "x": x[:, 0].numpy(),
                                        "density": dens.numpy()}))
    return pd.concat(frames, ignore_index=True)


def density_masses(df: pd.DataFrame) -> pd.DataFrame:
    """Trapezoidal integral of each plotted rho_t over its grid (columns variant, t, mass)."""
    rows = []
    for (variant, t), g in df.groupby(["variant", "t"], sort=False):
        g = g.sort_values("x")
        rows.append({"variant": variant, "t": t, "mass": float(np.trapezoid(g["density"], g["x"]))})
    return pd.DataFrame(rows)


def _variant_tex(variant: str) -> str:
    """A variant label ("path, gamma = sqrt(t(1-t))") as two lines with gamma in mathtext."""
    path, _, gamma = variant.partition(", ")
    g = gamma.replace("gamma = ", "").replace("sin^2(pi t)", r"\sin^2(\pi t)")
    g = re.sub(r"sqrt\((.*)\)$", r"\\sqrt{\1}", g)
    return f"{path},\n$\\gamma = {g}$" if gamma else path


def plot_density_evolution(df: pd.DataFrame, out) -> None:
    """Rows: interpolant variants; columns: times; each panel rho_t(x)."""
    import matplotlib.pyplot as plt
    sns = apply_style()
    variants = list(dict.fromkeys(df["variant"]))
    times = sorted(df["t"].unique())
    pal = sns.color_palette("colorblind")
    fig, axes = plt.subplots(len(variants), len(times), figsize=(PAPER_WIDTH, 1.05 * len(variants) + 0.4),
                             sharex=True, sharey="row", squeeze=False)
    paths = list(dict.fromkeys(df["path"]))
    for i, v in enumerate(variants):
        dv = df[df["variant"] == v]
        color = pal[paths.index(dv["path"].iloc[0]) % len(pal)]
        for j, t in enumerate(times):
            d = dv[dv["t"] == t].sort_values("x")
            ax = axes[i, j]
            ax.fill_between(d["x"], d["density"], color=color, alpha=0.35, linewidth=0)
            ax.plot(d["x"], d["density"], color=color, linewidth=1.0)
            ax.set_yticks([])
            if i == 0:
                ax.set_title(f"$t = {t:g}$")
        axes[i, 0].set_ylabel(_variant_tex(v), fontsize=6.5, rotation=0, ha="right", va="center")
    lim = float(df["x"].abs().max())
    for ax in axes[-1]:
        ax.set_xlabel("$x$")
        ax.set_xticks([-lim / 2, 0, lim / 2])  # no tick on the shared edges, where neighbouring labels would touch
    fig.suptitle(r"Density evolution $\rho_t(x)$ (exact): $\frac{1}{2}\,\mathcal{N}(\pm 3, 0.25) \to "
                 r"\frac{1}{3}\,\mathcal{N}(\{-6, 0, 6\}, 0.25)$", fontsize=9)
    fig.tight_layout(pad=0.3, h_pad=0.2, w_pad=0.2, rect=(0, 0, 1, 0.96))
    save_figure(fig, out)


def write_density_figure(settings: dict, out_csv, out_png) -> None:
    """Rule paper_fig1_density: the table (CSV) and the figure (PNG); prints each rho_t's mass."""
    df = density_evolution(**settings)
    print(density_masses(df).to_string(index=False))
    write_csv(out_csv, df)
    plot_density_evolution(df, out_png)
