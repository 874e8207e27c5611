"""Figures 12-14 of the paper (section 7.2) from the per-model evaluations of sibench.paper.sec7_2_gmm128, with
the findings:

  * "every objective has an interior optimal eps > 0": sibench.paper.sec7_stats.locate_optimum on the KDE KL
    against eps (the paper's metric) and on the mean per-mode Bures-W2^2 (exact, full dimension), seeds averaged,
    bootstrap replicates paired across eps;
  * "learning b beats v" ({b,s} vs {v,s}, {b,eta} vs {v,eta}) and "eta beats s" ({b,eta} vs {b,s}, {v,eta} vs
    {v,s}): the difference of the minimum over eps of each metric, with a 95% bootstrap interval; confirmed where
    the interval lies below 0. Beside it the exact comparison the paper could not make: the relative MSE of the
    assembled b (b vs v) or s (eta vs s) against the oracle, with standard errors.
Figure 14: both metrics against eps per objective; energy distance in full dimension; the exact field errors.
Figures 12 and 13: the 2-D marginal density (exact, KDE of target samples, of the model's samples at the best
eps and with the ODE) and the error of the model's log density.
"""
from __future__ import annotations

import math
from typing import Dict, List

import numpy as np
import pandas as pd

from ..densities import paper_mixture
from ..densities.paper_mixture import marginal
from ..figures.style import PAPER_WIDTH, apply_style, eps_axis, eps_tex, objective_tex, palette, save_figure
from ..io import write_csv
from .sec7_stats import locate_optimum
from si.metrics import GaussianKDE

__all__ = ["OBJECTIVES", "COMPARISONS", "METRICS", "optimum_table", "comparison_table", "plot_sec7_2",
           "plot_sec7_2_density", "write_sec7_2_figure"]

OBJECTIVES = ("b,s", "b,eta", "v,s", "v,eta")
COMPARISONS = (("b beats v", "b,s", "v,s", "b"), ("b beats v", "b,eta", "v,eta", "b"),
               ("eta beats s", "b,eta", "b,s", "s"), ("eta beats s", "v,eta", "v,s", "s"))


METRICS = {"kde_kl": "KL of 2-D KDEs (nats)\n(the paper's metric)",
           "mode_w2": "mean per-mode Bures-$W_2^2$\n(exact, full $d$)"}


def _replicates(reps: Dict, metric: str, obj: str) -> np.ndarray:
    """(B, E) replicates of a metric for an objective, averaged over its seeds (replicate b of every seed together)."""
    return np.mean(np.stack(reps[metric][obj]), axis=0)


def _curve(table: pd.DataFrame, metric: str, obj: str) -> pd.Series:
    """The metric against eps for an objective, averaged over its seeds."""
    return table[table["objective"] == obj].groupby("eps")[metric].mean()


def optimum_table(table: pd.DataFrame, reps: Dict) -> pd.DataFrame:
    """Per metric and objective: the optimal eps with its bootstrap uncertainty (sec7_stats.locate_optimum)."""
    rows = []
    for metric in METRICS:
        for obj in [o for o in OBJECTIVES if o in reps[metric]]:
            mean = _curve(table, metric, obj)
            opt = locate_optimum(mean.index.to_numpy(), mean.to_numpy(), _replicates(reps, metric, obj))
            rows.append({"metric": metric, "objective": obj, "seeds": len(reps[metric][obj]),
                         "best_eps": opt["best_eps"], "best_value": opt["best_value"],
                         "interior_optimum": opt["interior"],
                         "eps_not_significantly_worse": " ".join(f"{e:g}" for e in opt["not_worse"]),
                         "fitted_eps": opt["fitted_eps"], "fitted_eps_lo95": opt["fitted_eps_lo"],
                         "fitted_eps_hi95": opt["fitted_eps_hi"], "fitted_share": opt["fitted_share"],
                         "argmin_frequency": " ".join(f"{e:g}:{f:.2f}" for e, f in opt["argmin_frequency"].items()),
                         "worse_share_at_ends": f"{opt['worse_share'][min(mean.index)]:.2f} / "
                                                f"{opt['worse_share'][max(mean.index)]:.2f}"})
    return pd.DataFrame(rows)


def comparison_table(table: pd.DataFrame, reps: Dict) -> pd.DataFrame:
    """The two claims per metric (minimum over eps, 95% bootstrap interval of the difference), and by the exact
    field error of the field that differs (b for b vs v, s for eta vs s) and the ODE's full-dimension KL."""
    rows = []
    for metric in METRICS:
        for claim, better, worse, field in COMPARISONS:
            if better not in reps[metric] or worse not in reps[metric]:
                continue
            a, b = _replicates(reps, metric, better).min(1), _replicates(reps, metric, worse).min(1)
            k = min(len(a), len(b))
            lo, hi = np.percentile(a[:k] - b[:k], [2.5, 97.5])
            fa = table[table["objective"] == better].iloc[0]
            fb = table[table["objective"] == worse].iloc[0]
            ferr = f"field_{field}_rel_mse"
            fd, fse = fa[ferr] - fb[ferr], math.hypot(fa[f"{ferr}_se"], fb[f"{ferr}_se"])
            rows.append({"metric": metric, "claim": claim, "better": better, "worse": worse,
                         "min_better": float(_curve(table, metric, better).min()),
                         "min_worse": float(_curve(table, metric, worse).min()),
                         "difference_lo95": lo, "difference_hi95": hi, "confirmed": bool(hi < 0),
                         "exact_field": field, "field_rel_mse_better": fa[ferr], "field_rel_mse_worse": fb[ferr],
                         "field_difference": fd, "field_difference_se": fse,
                         "confirmed_exact_field": bool(fd < -2 * fse),
                         "ode_kl_full_better": fa.get("ode_kl_full", math.nan),
                         "ode_kl_full_better_se": fa.get("ode_kl_full_se", math.nan),
                         "ode_kl_full_worse": fb.get("ode_kl_full", math.nan),
                         "ode_kl_full_worse_se": fb.get("ode_kl_full_se", math.nan)})
    return pd.DataFrame(rows)


def plot_sec7_2(table: pd.DataFrame, optimum: pd.DataFrame, out, scale: str = "") -> None:
    """Figure 14: both metrics against eps (optimum intervals shaded), the energy distance, the exact field errors."""
    import matplotlib.pyplot as plt
    apply_style()
    objs = [o for o in OBJECTIVES if o in set(table["objective"])]
    col = palette(objs)
    fig, axes = plt.subplots(2, 2, figsize=(PAPER_WIDTH, 4.6))
    ax = axes.ravel()
    eps = sorted(set(table["eps"]))
    panels = list(METRICS.items()) + [("energy", "energy distance\nto the target, full $d$")]
    for k, (metric, label) in enumerate(panels):
        sd = "energy_null_sd" if metric == "energy" else f"{metric}_boot_sd"
        for obj in objs:
            d = table[table["objective"] == obj].groupby("eps").agg(v=(metric, "mean"), sd=(sd, "mean"))
            ax[k].errorbar(d.index, d["v"], yerr=2 * d["sd"], fmt="o-", ms=3, lw=0.9, capsize=1.5, color=col[obj],
                           label=objective_tex(obj))
            o = optimum[(optimum["objective"] == obj) & (optimum["metric"] == metric)] if metric in METRICS else []
            if len(o) and np.isfinite(o["fitted_eps"].iloc[0]):
                ax[k].axvspan(o["fitted_eps_lo95"].iloc[0], o["fitted_eps_hi95"].iloc[0], color=col[obj], alpha=0.12,
                              lw=0)
        if metric == "mode_w2":
            ax[k].axhline(float(table["mode_w2_floor"].iloc[0]), color="0.4", ls="--", lw=0.7, label="exact samples")
        shown = pd.concat([table[metric], table["mode_w2_floor"] if metric == "mode_w2" else table[metric]])
        if shown.max() > 20 * shown.min() > 0:
            ax[k].set_yscale("log")
        eps_axis(ax[k], eps)
        ax[k].set_ylabel(label, fontsize=7)
    ax[1].legend(fontsize=6)
    f = table.groupby("objective").first().reindex(objs)
    x = np.arange(len(objs))
    for k, (name, off) in enumerate((("b", -0.18), ("s", 0.18))):
        ax[3].bar(x + off, f[f"field_{name}_rel_mse"], 0.34, yerr=2 * f[f"field_{name}_rel_mse_se"],
                  label=f"${name}$", color=["0.35", "0.7"][k], capsize=1.5)
    ax[3].set_xticks(x, [objective_tex(o) for o in objs], fontsize=6)
    ax[3].set_yscale("log")
    from matplotlib.ticker import FuncFormatter, LogLocator
    ax[3].yaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
    ax[3].yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax[3].yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    ax[3].set_ylabel("relative MSE against the exact field", fontsize=7)
    ax[3].legend(fontsize=6)
    fig.suptitle("Section 7.2: $N(0, I)\\to$ 5-mode mixture, $d = %d$; error bars $\\pm2$ s.d. (bootstrap / null); "
                 "shaded: 95%% interval of the fitted optimal $\\varepsilon$" % int(table["dim"].iloc[0])
                 + (f"\n{scale}" if scale else ""), fontsize=7.5)
    fig.tight_layout(pad=0.4, rect=(0, 0, 1, 1 - (0.42 if scale else 0.25) / fig.get_size_inches()[1]))
    save_figure(fig, out)


def plot_sec7_2_density(table: pd.DataFrame, optimum: pd.DataFrame, marg: Dict, out, dim: int, n_target: int,
                        seed_samples) -> None:
    """Figures 12-13: 2-D marginal densities (log) and the model's log-density error at its best eps."""
    import matplotlib.pyplot as plt
    apply_style()
    objs = [o for o in OBJECTIVES if o in marg]
    exact = marginal(paper_mixture(dim).gmm)
    lo, hi = -30, 30
    g = np.linspace(lo, hi, 160)
    X, Y = np.meshgrid(g, g)
    pts = np.stack([X.ravel(), Y.ravel()], 1)
    import torch
    log_exact = exact.log_prob(torch.from_numpy(pts)).numpy().reshape(X.shape)
    log_target = GaussianKDE(seed_samples).log_prob(pts).numpy().reshape(X.shape)
    from matplotlib.gridspec import GridSpec
    fig = plt.figure(figsize=(PAPER_WIDTH, 1.4 * len(objs) + 0.4))
    gs = GridSpec(len(objs), 6, figure=fig, width_ratios=[1, 1, 1, 1, 1, 0.06], wspace=0.08, hspace=0.12)
    ax = np.array([[fig.add_subplot(gs[i, j]) for j in range(5)] for i in range(len(objs))])
    vmin = float(log_exact.max()) - 12
    for i, obj in enumerate(objs):
        best = float(optimum.loc[(optimum["objective"] == obj) & (optimum["metric"] == "kde_kl"), "best_eps"].iloc[0])
        lq_best = GaussianKDE(marg[obj][best]).log_prob(pts).numpy().reshape(X.shape)
        lq_ode = GaussianKDE(marg[obj][0.0]).log_prob(pts).numpy().reshape(X.shape) if 0.0 in marg[obj] else None
        panels = [("exact marginal", log_exact), (f"target KDE ($n={n_target}$)", log_target),
                  (f"model, {eps_tex(best, ode=False)}", lq_best), ("model, ODE", lq_ode)]
        for j, (title, z) in enumerate(panels):
            a = ax[i, j]
            if z is not None:
                dens = a.imshow(np.maximum(z, vmin), origin="lower", extent=(lo, hi, lo, hi), cmap="viridis",
                                vmin=vmin, vmax=float(log_exact.max()))
            a.grid(False)
            a.set_xticks([])
            a.set_yticks([])
            if i == 0:
                a.set_title(title, fontsize=6.5)
        err = lq_best - log_exact
        a = ax[i, 4]
        a.grid(False)
        im = a.imshow(np.clip(err, -5, 5), origin="lower", extent=(lo, hi, lo, hi), cmap="RdBu_r", vmin=-5, vmax=5)
        a.set_xticks([])
        a.set_yticks([])
        if i == 0:
            a.set_title("$\\log\\hat\\rho-\\log\\rho$ (best $\\varepsilon$)", fontsize=6.5)
        ax[i, 0].set_ylabel(objective_tex(obj), fontsize=7)
    ax[-1, 0].set_xticks([lo, 0, hi])
    ax[-1, 0].set_yticks([lo, 0, hi])
    ax[-1, 0].tick_params(labelsize=5.5)
    ax[-1, 0].set_xlabel("$x_1$", fontsize=6)
    ax[-1, 0].set_ylabel(f"{objective_tex(objs[-1])}\n$x_2$", fontsize=7)
    p1, p3 = ax[-1, 1].get_position(), ax[-1, 3].get_position()
    cbar = fig.colorbar(dens, cax=fig.add_axes([p1.x0, p1.y0 - 0.06, p3.x1 - p1.x0, 0.012]), orientation="horizontal")
    cbar.set_label("log density (columns 1-4; floor: max $-$ 12)", fontsize=6)
    cbar.ax.tick_params(labelsize=5.5)
    fig.colorbar(im, cax=fig.add_subplot(gs[:, 5])).set_label("log-density error (clipped to $\\pm5$)", fontsize=6)
    fig.suptitle("Figures 12-13: 2-D marginal (coordinates 1, 2) on $[-30, 30]^2$, log density (floor: max $-$ 12)",
                 fontsize=7.5, y=0.93)
    save_figure(fig, out)


def write_sec7_2_figure(evaluations, npz_files, out_png, out_density_png, out_csv, out_optimum, out_comparisons,
                        scale: str = "") -> None:
    """Rule sec7_2_figure: the table (CSV), the optimum and comparison tables (CSV) and the two figures."""
    import torch
    table = pd.concat([pd.read_csv(f) for f in evaluations], ignore_index=True)
    reps: Dict[str, Dict[str, List[np.ndarray]]] = {m: {} for m in METRICS}
    marg: Dict[str, Dict[float, np.ndarray]] = {}
    for f, frame in zip(npz_files, evaluations):
        obj = pd.read_csv(frame)["objective"].iloc[0]
        with np.load(f) as z:
            for metric in METRICS:
                reps[metric].setdefault(obj, []).append(z[f"replicates_{metric}"])
            if obj not in marg:
                marg[obj] = {float(e): z[f"eps{float(e):g}"] for e in z["replicate_eps"]}
    optimum, comparisons = optimum_table(table, reps), comparison_table(table, reps)
    print(optimum.to_string(index=False), comparisons.to_string(index=False), sep="\n", flush=True)
    write_csv(out_csv, table)
    write_csv(out_optimum, optimum)
    write_csv(out_comparisons, comparisons)
    plot_sec7_2(table, optimum, out_png, scale)
    dim, n = int(table["dim"].iloc[0]), int(table["n"].iloc[0])
    from ..seeds import figure_generator
    target = paper_mixture(dim).sample(n, generator=figure_generator(0, "sec7_2", "target")).double()[:, :2]
    plot_sec7_2_density(table, optimum, marg, out_density_png, dim, n, target)
    del torch
