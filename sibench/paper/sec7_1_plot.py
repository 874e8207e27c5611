"""Figures 9 and 10 of the paper (section 7.1) from the per-model evaluations of sibench.paper.sec7_1_checkerboard:
the KDE densities of every sampler beside the exact checkerboard (figure 9), the mean and variance of
|log rho_1 - log rho^_1| by the paper's KDE measure and exactly (figure 10), and the findings table:

  * "the SDE is better than the ODE": per gamma, the paired gap mean|.|_ODE - mean|.|_SDE at the best eps,
    with its standard error, for both measures, and the same for the exact KL; confirmed where the gap exceeds
    twice its standard error;
  * "the gap is smallest for gamma = sqrt(t(1-t))": the gamma with the smallest gap, and whether its gap is
    below every other gamma's by more than twice the standard error of the difference (independent models).
"""
from __future__ import annotations

import math
from typing import Dict, List

import numpy as np
import pandas as pd

from ..figures.style import PAPER_WIDTH, apply_style, eps_tex, save_figure
from ..io import write_csv
from .sec7_1_checkerboard import GRID_BOX

__all__ = ["gamma_tex", "checkerboard_findings", "plot_sec7_1", "write_sec7_1_figure"]

MEASURES = {"kde": "KDE of the samples (paper)", "exact": "model likelihood (exact)"}


def gamma_tex(label: str) -> str:
    """A gamma label as mathtext: 'sqrt(t(1-t)/2)' -> '\\sqrt{t(1-t)/2}' (parentheses matched)."""
    out, i = "", 0
    while i < len(label):
        if label.startswith("sqrt(", i):
            depth, j = 1, i + 5
            while j < len(label) and depth:
                depth += {"(": 1, ")": -1}.get(label[j], 0)
                j += 1
            out += "\\sqrt{" + gamma_tex(label[i + 5:j - 1]) + "}"
            i = j
        else:
            out += label[i]
            i += 1
    return out


def _sampler_label(row) -> str:
    return "ODE" if row["sampler"] == "ode" else f"SDE {eps_tex(row['eps'], ode=False)}"


def checkerboard_findings(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (measure, gamma): the ODE's and the best SDE's value, the paired gap and the verdicts. Measures:
    kde (mean |.| with the KDE, the paper's), exact (mean |.| with the model's likelihood), exact_kl (the KL)."""
    out: List[Dict] = []
    for measure, value, gap_col in (("kde", "kde_mean_abs", "kde_gap_ode_minus_sde"),
                                    ("exact", "exact_mean_abs", "exact_gap_ode_minus_sde"),
                                    ("exact_kl", "exact_kl", "exact_kl_gap_ode_minus_sde")):
        gaps = {}
        for gamma, g in table[table["sampler"] != "exact"].groupby("gamma", sort=False):
            ode = g[g["sampler"] == "ode"].iloc[0]
            sde = g[g["sampler"] == "sde"]
            best = sde.loc[sde[value].idxmin()]
            gap, se = best[gap_col], best[f"{gap_col}_se"]
            gaps[gamma] = (gap, se)
            out.append({"finding": "SDE better than ODE", "measure": measure, "gamma": gamma,
                        "ode_value": ode[value], "ode_value_se": ode[f"{value}_se"], "best_sde_eps": best["eps"],
                        "sde_value": best[value], "sde_value_se": best[f"{value}_se"], "gap": gap, "gap_se": se,
                        "confirmed": bool(gap > 2 * se)})
        smallest = min(gaps, key=lambda k: gaps[k][0])
        clear = all(gaps[smallest][0] < v - 2 * math.hypot(s, gaps[smallest][1]) for k, (v, s) in gaps.items()
                    if k != smallest)
        for row in out[-len(gaps):]:
            row["smallest_gap_gamma"] = smallest
            row["smallest_gap_clear"] = bool(clear)
    return pd.DataFrame(out)


def plot_sec7_1(table: pd.DataFrame, grids: Dict[str, Dict[str, np.ndarray]], out, scale: str = "") -> None:
    """Density panels (rows: gamma; columns: exact, ODE, SDE at each eps) over three statistic panels."""
    import matplotlib.pyplot as plt
    from matplotlib.gridspec import GridSpec
    sns = apply_style()
    gammas = list(dict.fromkeys(table.loc[table["sampler"] != "exact", "gamma"]))
    samplers = table[(table["gamma"] == gammas[0]) & (table["sampler"] != "exact")]
    cols = ["exact"] + ["ode" if r["sampler"] == "ode" else f"sde_eps{r['eps']:g}" for _, r in samplers.iterrows()]
    titles = ["exact $\\rho_1$"] + [_sampler_label(r) for _, r in samplers.iterrows()]
    w = PAPER_WIDTH / len(cols)
    fig = plt.figure(figsize=(PAPER_WIDTH, w * len(gammas) + 2.3))
    gs = GridSpec(len(gammas) + 1, len(cols), figure=fig, height_ratios=[w] * len(gammas) + [2.0], hspace=0.35)
    vmax = 1.6 / 32
    g = np.linspace(*GRID_BOX, 200)
    X, Y = np.meshgrid(g, g)
    cell = np.floor((np.stack([X, Y]) + 4) / 2)
    exact = np.where(((cell >= 0) & (cell <= 3)).all(0) & (cell.sum(0) % 2 == 0), 1 / 32, 0.0)
    im = None
    for i, gamma in enumerate(gammas):
        for j, col in enumerate(cols):
            ax = fig.add_subplot(gs[i, j])
            dens = exact if col == "exact" else np.exp(grids[gamma][col])
            im = ax.imshow(dens, origin="lower", extent=(*GRID_BOX, *GRID_BOX), vmin=0, vmax=vmax, cmap="viridis")
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(titles[j], fontsize=7)
            if j == 0:
                ax.set_ylabel(f"$\\gamma = {gamma_tex(gamma)}$", fontsize=7)
            if col != "exact":
                keys = table["sampler"] + table["eps"].map(lambda e: f"_eps{e:g}")
                r = table[(table["gamma"] == gamma) & (keys == ("ode_eps0" if col == "ode" else col))]
                ax.text(0.03, 0.03, f"support {r['support_fraction'].iloc[0]:.2f}", transform=ax.transAxes,
                        fontsize=5.5, color="white")
    top, low = fig.axes[len(cols) - 1].get_position(), ax.get_position()  # the density rows' right column
    cax = fig.add_axes([top.x1 + 0.015, low.y0, 0.012, top.y1 - low.y0])
    fig.colorbar(im, cax=cax).set_label("density (KDE of the samples)", fontsize=6)
    pal = sns.color_palette("colorblind", len(gammas))
    stats = [("kde_mean_abs", "mean $|\\log\\rho_1-\\log\\hat\\rho_1|$\n(KDE, paper's measure; nats)"),
             ("exact_mean_abs", "mean $|\\log\\rho_1-\\log\\hat\\rho_1|$\n(exact model likelihood; nats)"),
             ("exact_var_abs", "variance of $|\\log\\rho_1-\\log\\hat\\rho_1|$\n(exact model likelihood; nats$^2$)"),
             ("exact_kl", "KL$(\\rho_1\\|\\hat\\rho_1)$\n(exact model likelihood; nats)")]
    bottom = GridSpec(len(gammas) + 1, 4, figure=fig, height_ratios=[w] * len(gammas) + [2.0], wspace=0.95)
    for k, (col, label) in enumerate(stats):
        ax = fig.add_subplot(bottom[len(gammas), k])
        for c, gamma in enumerate(gammas):
            d = table[(table["gamma"] == gamma) & (table["sampler"] != "exact")].reset_index(drop=True)
            xs = np.arange(len(d)) + (c - (len(gammas) - 1) / 2) * 0.18
            ax.errorbar(xs, d[col], yerr=2 * d[f"{col}_se"], fmt="o", ms=3, color=pal[c], capsize=1.5, lw=0.8,
                        label=f"$\\gamma={gamma_tex(gamma)}$")
            ax.set_xticks(np.arange(len(d)), [_sampler_label(r) for _, r in d.iterrows()], rotation=30, fontsize=6)
        if col == "kde_mean_abs":
            floor = table.loc[table["sampler"] == "exact", "kde_mean_abs"]
            ax.axhline(float(floor.iloc[0]), color="0.4", ls="--", lw=0.7, label="KDE of exact samples")
        ax.set_ylabel(label, fontsize=6.5)
        ax.tick_params(labelsize=6)
        if k == 0:
            handles = ax.get_legend_handles_labels()
    ax.legend(*handles, fontsize=5.5, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    fig.suptitle("Section 7.1: $N(0, I_2)\\to$ checkerboard, $\\{v, s\\}$ for several $\\gamma$; "
                 "error bars $\\pm 2$ s.e."
                 + (f"\n{scale}" if scale else ""), fontsize=8, y=1.0)
    save_figure(fig, out)


def write_sec7_1_figure(evaluations, grid_files, labels, out_png, out_csv, out_findings, scale: str = "") -> None:
    """Rule sec7_1_figure: the table of every model (CSV), the findings (CSV) and the figure."""
    table = pd.concat([pd.read_csv(f, dtype={"gamma": str}) for f in evaluations], ignore_index=True)
    table = table[~((table["sampler"] == "exact") & table.duplicated(subset=["sampler"], keep="first"))]
    table.loc[table["sampler"] == "exact", "gamma"] = "(exact samples)"
    grids = {}
    for label, f in zip(labels, grid_files):
        with np.load(f) as z:
            grids[str(label)] = {k: z[k] for k in z.files}
    findings = checkerboard_findings(table)
    print(findings.to_string(index=False), flush=True)
    write_csv(out_csv, table)
    write_csv(out_findings, findings)
    plot_sec7_1(table, grids, out_png, scale)
