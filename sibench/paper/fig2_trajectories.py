"""Figure 2 of the paper: ODE and forward-SDE paths at every eps under the exact fields b, s of the 1-D pair
gmm-1d, and the terminal histograms against rho_1 (Kolmogorov-Smirnov, total variation). trajectories
computes the tables, plot_trajectories draws them."""
from __future__ import annotations

import math
from typing import Dict, Sequence

import numpy as np
import pandas as pd
import torch

from ..figures.style import PAPER_WIDTH, apply_style, save_figure
from ..io import write_csv
from ..pairs import get_benchmark
from ..samples import ode_sampler_name, sde_sampler_name
from ..seeds import figure_generator
from si import sampling
from si.interpolants import Interpolant

__all__ = ["mixture_cdf", "ks_distance", "ks_critical", "trajectories", "plot_trajectories", "TABLES", "write_trajectories_figure"]

F64 = torch.float64
Tensor = torch.Tensor

def mixture_cdf(gmm, x: Tensor) -> Tensor:
    """CDF of a one-dimensional Gaussian mixture at x (any shape), float64."""
    if gmm.dim != 1:
        raise ValueError(f"mixture_cdf needs a one-dimensional mixture, got dim {gmm.dim}")
    x = torch.as_tensor(x, dtype=F64)
    m, sd = gmm.means[:, 0].to(F64), gmm.covs[:, 0, 0].to(F64).sqrt()
    z = (x[..., None] - m) / sd
    return (gmm.weights.to(F64) * torch.special.ndtr(z)).sum(-1)


def ks_distance(samples: Tensor, cdf) -> float:
    """sup_x |F_n(x) - F(x)| for one-dimensional samples against the exact CDF (callable)."""
    xs = torch.sort(torch.as_tensor(samples, dtype=F64).flatten()).values
    n = xs.numel()
    F = cdf(xs)
    i = torch.arange(1, n + 1, dtype=F64)
    return float(torch.maximum((i / n - F).max(), (F - (i - 1) / n).max()))


def ks_critical(n: int, alpha: float = 1e-3) -> float:
    """Asymptotic critical value of the one-sample Kolmogorov-Smirnov test, sqrt(-log(alpha/2) / 2) / sqrt(n)."""
    return math.sqrt(-math.log(alpha / 2) / 2) / math.sqrt(n)


def trajectories(benchmark: str = "gmm-1d", path: str = "linear", gamma: str = "brownian", a: float = 1.0,
                 eps: Sequence[float] = (0.0, 0.5, 5.0), steps: int = 200, n: int = 5000, show: int = 40,
                 seed: int = 0, bins: int = 80, lo: float = -10.0, hi: float = 10.0, grid_t: int = 101,
                 grid_x: int = 321, ode_method: str = "heun",
                 sde_method: str = "euler-maruyama") -> Dict[str, pd.DataFrame]:
    """Sample paths of the probability-flow ODE (eps = 0) and of the forward SDE at each eps > 0 with the
    exact b and s (si.oracle), all from the same x0 ~ rho0, `steps` steps each (SDE window docs/theory.md §9).

    Returns DataFrames: density (t, x, density: exact rho_t for the background), paths (eps, path, t, x:
    the first `show` paths), terminal (eps, bin_lo, bin_hi, x, hist_density, exact_density,
    exact_prob: histogram of all n final points against rho_1), summary (eps, sampler, steps, nfe, n,
    ks, ks_critical, tv, tv_floor, mean, var, mean_exact, var_exact)."""
    pair = get_benchmark(benchmark)
    if pair.dim != 1 or not pair.has_oracle:
        raise ValueError(f"figure 2 needs a one-dimensional Gaussian-mixture pair, got {benchmark!r}")
    interp = Interpolant(path, gamma, a)
    oracle = pair.oracle(interp)
    g = figure_generator(seed, "trajectories")
    x0 = pair.rho0.sample(int(n), generator=g).to(F64)
    rho1 = pair.rho1.gmm
    cdf = lambda x: mixture_cdf(rho1, x)  # noqa: E731

    tt = torch.linspace(0, 1, int(grid_t), dtype=F64)
    xx = torch.linspace(lo, hi, int(grid_x), dtype=F64)[:, None]
    dens = [oracle.log_prob(torch.full((xx.shape[0],), float(t), dtype=F64), xx).exp() for t in tt]
    density = pd.DataFrame({"t": np.repeat(tt.numpy(), xx.shape[0]), "x": np.tile(xx[:, 0].numpy(), len(tt)),
                            "density": torch.cat(dens).numpy()})

    edges = torch.linspace(lo, hi, int(bins) + 1, dtype=F64)
    width = float(edges[1] - edges[0])
    probs = cdf(edges[1:]) - cdf(edges[:-1])
    centres = 0.5 * (edges[1:] + edges[:-1])
    mean1 = float(rho1.mean()[0])
    var1 = float(rho1.cov()[0, 0])
    paths, terminal, summary = [], [], []
    for e in eps:
        e = float(e)
        if e == 0:
            res = sampling.sample_ode(oracle.b, x0, steps=int(steps), method=ode_method, save_trajectory=True)
            name = ode_sampler_name(ode_method)
        else:
            res = sampling.sample_sde(oracle.b, oracle.s, x0, eps=e, steps=int(steps), method=sde_method,
                                      generator=figure_generator(seed, "sde", e), save_trajectory=True)
            name = sde_sampler_name(sde_method)
        traj = res.trajectory[:, : int(show), 0]
        T = res.times.to(F64)
        paths.append(pd.DataFrame({"eps": e, "path": np.tile(np.arange(traj.shape[1]), len(T)),
                                   "t": np.repeat(T.numpy(), traj.shape[1]), "x": traj.reshape(-1).numpy()}))
        x1 = res.x[:, 0].to(F64)
        counts = torch.histc(x1, bins=int(bins), min=lo, max=hi)
        freq = counts / x1.numel()
        outside = 1.0 - float(freq.sum())
        tv = 0.5 * (float((freq - probs).abs().sum()) + outside + (1.0 - float(probs.sum())))
        tv_floor = 0.5 * float(torch.sqrt(2 * probs * (1 - probs) / (math.pi * x1.numel())).sum())
        terminal.append(pd.DataFrame({"eps": e, "bin_lo": edges[:-1].numpy(), "bin_hi": edges[1:].numpy(),
                                      "x": centres.numpy(), "hist_density": (freq / width).numpy(),
                                      "exact_density": rho1.log_prob(centres[:, None]).exp().numpy(),
                                      "exact_prob": probs.numpy()}))
        summary.append({"eps": e, "sampler": name, "steps": int(steps), "nfe": int(res.nfe), "n": int(x1.numel()),
                        "ks": ks_distance(x1, cdf), "ks_critical": ks_critical(x1.numel()), "tv": tv,
                        "tv_floor": tv_floor, "mean": float(x1.mean()), "var": float(x1.var()),
                        "mean_exact": mean1, "var_exact": var1,
                        "finite_fraction": float(torch.isfinite(x1).double().mean())})
    return {"density": density, "paths": pd.concat(paths, ignore_index=True),
            "terminal": pd.concat(terminal, ignore_index=True), "summary": pd.DataFrame(summary)}


def plot_trajectories(tables: dict, out) -> None:
    """For each eps: paths over the exact rho_t (heat map), and the terminal histogram against rho_1."""
    import matplotlib.pyplot as plt
    sns = apply_style()
    dens, paths, term, summ = tables["density"], tables["paths"], tables["terminal"], tables["summary"]
    eps_all = list(summ["eps"])
    tt = np.sort(dens["t"].unique())
    xx = np.sort(dens["x"].unique())
    grid = dens.pivot(index="x", columns="t", values="density").loc[xx, tt].to_numpy()
    pal = sns.color_palette("colorblind")
    fig = plt.figure(figsize=(PAPER_WIDTH, 1.9 * len(eps_all) + 0.3))
    gs = fig.add_gridspec(len(eps_all), 2, width_ratios=[4.5, 1.2], wspace=0.05, hspace=0.45)
    for i, e in enumerate(eps_all):
        ax = fig.add_subplot(gs[i, 0])
        ax.imshow(np.sqrt(grid), origin="lower", aspect="auto", cmap="Greys",
                  extent=[tt[0], tt[-1], xx[0], xx[-1]], interpolation="bilinear")
        p = paths[paths["eps"] == e]
        for _, g in p.groupby("path"):
            ax.plot(g["t"], g["x"], color=pal[i % len(pal)], linewidth=0.5, alpha=0.8)
        s = summ[summ["eps"] == e].iloc[0]
        what = "ODE" if e == 0 else rf"SDE, $\varepsilon = {e:g}$"
        ax.set_title(f"{what} ({s['sampler']}, {int(s['steps'])} steps, NFE {int(s['nfe'])})", loc="left")
        ax.set_ylabel("$x$")
        ax.set_xlim(0, 1)
        ax.set_ylim(xx[0], xx[-1])
        if i == len(eps_all) - 1:
            ax.set_xlabel("$t$")
        h = fig.add_subplot(gs[i, 1], sharey=ax)
        d = term[term["eps"] == e]
        h.barh(d["x"], d["hist_density"], height=(d["bin_hi"] - d["bin_lo"]).iloc[0], color=pal[i % len(pal)],
               alpha=0.6, linewidth=0)
        h.plot(d["exact_density"], d["x"], color="k", linewidth=0.8)
        h.set_title(f"$t = 1$: KS {s['ks']:.3f} (crit. {s['ks_critical']:.3f})", fontsize=6.5)
        h.tick_params(labelleft=False)
        h.set_xticks([])
    fig.suptitle(r"Sample paths over the exact $\rho_t$; every $\varepsilon$ ends at $\rho_1$ (black: exact density)",
                 fontsize=9)
    save_figure(fig, out)


TABLES = ("summary", "terminal", "paths", "density")


def write_trajectories_figure(settings: dict, out_tables: Dict[str, str], out_png) -> None:
    """Rule paper_fig2_trajectories: the tables (CSV, out_tables[name] for name in TABLES) and the figure."""
    tables = trajectories(**settings)
    print(tables["summary"].to_string(index=False))
    for name in TABLES:
        write_csv(out_tables[name], tables[name])
    plot_trajectories(tables, out_png)
