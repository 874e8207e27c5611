"""Figure 5 of the paper, its plot: the marginals of each coupling against the exact bridge, and Bures-W2
over t, from the tables of sibench.paper.fig5_bridge."""
from __future__ import annotations

from typing import Dict, Optional

import numpy as np
import pandas as pd

from ..figures.style import PAPER_WIDTH, apply_style, eps_tex, save_figure, tex_label
from ..io import write_csv
from .fig5_bridge import bridge_marginals, learned_bridge_rows

__all__ = ["draw_ellipse", "plot_bridge", "TABLES", "write_bridge_figure"]


def draw_ellipse(ax, row, color) -> None:
    """The 2-standard-deviation ellipse of N(mean, cov) from a row of sibench.paper.bridge_marginals' ellipses."""
    S = np.array([[row["cov_xx"], row["cov_xy"]], [row["cov_xy"], row["cov_yy"]]])
    w, V = np.linalg.eigh(S)
    th = np.linspace(0, 2 * np.pi, 100)
    pts = (V @ (2 * np.sqrt(np.maximum(w, 0))[:, None] * np.stack([np.cos(th), np.sin(th)])))
    ax.plot(row["mean_x"] + pts[0], row["mean_y"] + pts[1], color=color, linewidth=0.9)


def plot_bridge(curves: pd.DataFrame, samples: pd.DataFrame, info: pd.DataFrame, out,
                learned: Optional[pd.DataFrame] = None, ellipses: Optional[pd.DataFrame] = None) -> None:
    """Top: marginals at the shown times for each coupling (rows), with the 2-sigma ellipses of the exact
    bridge's marginal (black) and of the samples' moment fit (colour); bottom: Bures-W2 to the exact
    bridge over t."""
    import matplotlib.pyplot as plt
    sns = apply_style()
    couplings = ["independent", "entropic", "exact bridge"]
    times = sorted(samples["t"].unique()) if not samples.empty else []
    pal = sns.color_palette("colorblind")
    colors = {c: pal[i] for i, c in enumerate(couplings)}
    ncol = max(len(times), 1)
    fig = plt.figure(figsize=(PAPER_WIDTH, 1.5 * len(couplings) + 2.4))
    gs = fig.add_gridspec(len(couplings) + 1, ncol, height_ratios=[1.0] * len(couplings) + [1.6], hspace=0.35)
    if times:
        allxy = samples[["x", "y"]].to_numpy()
        lo, hi = np.percentile(allxy, 0.5, axis=0), np.percentile(allxy, 99.5, axis=0)
        mid, half = 0.5 * (lo + hi), 0.5 * float(np.max(hi - lo))
        lo, hi = mid - half, mid + half  # a square box, so that aspect 1 keeps these limits
        for i, c in enumerate(couplings):
            for j, t in enumerate(times):
                ax = fig.add_subplot(gs[i, j])
                d = samples[(samples["coupling"] == c) & np.isclose(samples["t"], t)]
                ax.scatter(d["x"], d["y"], s=0.5, color=colors[c], alpha=0.5, linewidths=0, rasterized=True)
                if ellipses is not None and not ellipses.empty:
                    for kind, color in (("exact", "k"), ("fit", colors[c])):
                        e = ellipses[np.isclose(ellipses["t"], t) & (ellipses["kind"] == kind)
                                     & ((ellipses["coupling"] == c) if kind == "fit" else True)]
                        if not e.empty:
                            draw_ellipse(ax, e.iloc[0], color)
                ax.set_xlim(lo[0], hi[0])
                ax.set_ylim(lo[1], hi[1])
                ax.set_aspect("equal")
                ax.set_xticks([])
                ax.set_yticks([])
                if i == 0:
                    ax.set_title(f"$t = {t:g}$")
                if j == 0:
                    ax.set_ylabel(c, fontsize=7)
    ax = fig.add_subplot(gs[-1, :])
    for c in couplings:
        for kind, ls in (("exact", "-"), ("samples", "--")):
            d = curves[(curves["coupling"] == c) & curves["kind"].str.startswith(kind)].sort_values("t")
            if d.empty:
                continue
            floor = c == "exact bridge" and kind == "samples"
            lab = f"{c}: {d['kind'].iloc[0]}" + (" (sampling floor)" if floor else "")
            ax.plot(d["t"], d["bures_w2"], color=colors[c], linestyle=ls, linewidth=1.1, label=lab)
    if learned is not None and not learned.empty:
        for k, (label, g) in enumerate(learned.groupby("label", sort=False)):
            g = g.sort_values("t")
            ax.plot(g["t"], g["bures_w2"], linestyle="none", marker="os^D"[k % 4], markersize=4,
                    color="0.2" if g["coupling"].iloc[0] == "independent" else pal[3],
                    label=f"trained: {tex_label(label)} (SDE, {eps_tex(g['eps'].iloc[0])})")
    r = info.iloc[0]
    ax.set_xlabel("$t$")
    ax.set_ylabel(r"Bures-$W_2$ to the exact" "\n" r"SB marginal $\rho_t$")
    ax.legend(fontsize=6, ncol=3, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.28))
    fig.suptitle(f"{r['benchmark']}: interpolant marginals ($\\gamma^2 = \\sigma^2 t(1-t)$, "
                 f"$\\sigma^2 = {r['sigma2']:g}$) "
                 f"against the exact Schrödinger bridge", fontsize=9)
    save_figure(fig, out)


TABLES = ("curves", "samples", "ellipses", "learned")


def write_bridge_figure(settings: dict, learned_evaluations, out_tables: Dict[str, str], out_png) -> None:
    """Rule paper_fig5_bridge: bridge_marginals(**settings), the rows of the sweep's trained models
    (learned_bridge_rows of their evaluation files), the tables (CSV, out_tables[name] for name in TABLES)
    and the figure."""
    tables = bridge_marginals(**settings)
    tables["learned"] = learned_bridge_rows(learned_evaluations, float(tables["info"]["sigma2"].iloc[0]))
    print(tables["curves"].pivot_table(index="t", columns=["coupling", "kind"], values="bures_w2").to_string())
    for name in TABLES:
        write_csv(out_tables[name], tables[name])
    plot_bridge(tables["curves"], tables["samples"], tables["info"], out_png, learned=tables["learned"],
                ellipses=tables["ellipses"])
