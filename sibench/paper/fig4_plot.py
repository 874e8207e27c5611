"""Figure 4 of the paper, its plot: KL against eps per dimension and training level, from the tables of
sibench.paper.fig4_likelihood."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..figures.style import PAPER_WIDTH, apply_style, save_figure
from ..io import write_csv
from .fig4_likelihood import likelihood_verdict

__all__ = ["ESTIMATOR_STYLE", "plot_likelihood", "write_likelihood_figure"]


ESTIMATOR_STYLE = {"sde-score": ("-", "o", "SDE, estimator (a) score"),
              "sde-feynman-kac": ("--", "s", "SDE, estimator (b) Feynman-Kac"),
              "girsanov-bound": (":", None, "Girsanov bound (oracle)")}


def plot_likelihood(df: pd.DataFrame, verdict: pd.DataFrame, out) -> None:
    """One panel per dimension: KL against eps (log scale) for each training level; the ODE (eps = 0) as a
    horizontal line, the SDE estimators as curves, the Girsanov bound dotted."""
    import matplotlib.pyplot as plt
    sns = apply_style()
    if "kl" not in df:  # only diverged trainings
        df = df.assign(kl=np.nan)
    if "kl_paired" in df:  # the paired estimate (exact log rho_1 at the test points) where there is one
        df = df.assign(kl=df["kl_paired"].fillna(df["kl"]))
    dims = sorted(df["dim"].unique())
    levels = list(dict.fromkeys(df["level"]))
    pal = sns.color_palette("colorblind")
    fig, axes = plt.subplots(1, len(dims), figsize=(PAPER_WIDTH, 2.9), squeeze=False)
    for j, d in enumerate(dims):
        ax = axes[0, j]
        dd = df[df["dim"] == d]
        top = 0.0
        if not (dd["estimator"] == "ode").any():
            ax.text(0.5, 0.5, "training diverged", ha="center", va="center", transform=ax.transAxes)
            ax.set_title(f"d = {d}")
            continue
        for k, level in enumerate(levels):
            g = dd[dd["level"] == level]
            c = pal[k % len(pal)]
            ode = g[g["estimator"] == "ode"]
            if not ode.empty:
                ax.axhline(ode["kl"].iloc[0], color=c, linewidth=1.2, alpha=0.9)
                top = max(top, ode["kl"].iloc[0])
            for est, (ls, marker, _) in ESTIMATOR_STYLE.items():
                s = g[g["estimator"] == est].sort_values("eps")
                if s.empty:
                    continue
                err = s["diff_se"] if "diff_se" in s and est != "girsanov-bound" else None
                ax.errorbar(s["eps"], s["kl"], yerr=err,
                            color=c, linestyle=ls, marker=marker, markersize=2.5, linewidth=0.9, capsize=1.5)
                top = max(top, float(s["kl"].min()))
        ax.set_xscale("log")
        ax.set_ylim(bottom=min(0.0, float(dd[dd.estimator.isin(["ode", "sde-score"])]["kl"].min()) - 0.05),
                    top=2.2 * top + 0.05)
        ax.set_xlabel("eps")
        ax.set_title(f"d = {d}")
        if j == 0:
            ax.set_ylabel("KL(rho_1 || model) [nats]")
        v = verdict[verdict["dim"] == d] if not verdict.empty else verdict
        lines = [f"{r['level']}: ODE {r['kl_ode']:.2f}, bound {r.get('kl_bound', float('nan')):.2f}"
                 for _, r in v.iterrows()]
        ax.text(0.02, 0.98, "\n".join(lines), transform=ax.transAxes, fontsize=5.5, va="top", ha="left",
                bbox={"facecolor": "white", "alpha": 0.8, "linewidth": 0, "pad": 1})
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=pal[k % len(pal)], linewidth=2, label=level) for k, level in enumerate(levels)]
    handles += [Line2D([], [], color="0.3", linewidth=1.2, label="ODE (eps = 0)")]
    handles += [Line2D([], [], color="0.3", linestyle=ls, marker=m, markersize=3, label=lab)
                for ls, m, lab in ESTIMATOR_STYLE.values()]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=6, frameon=False, bbox_to_anchor=(0.5, -0.08))
    fig.suptitle("Likelihood control: KL of the learned model, ODE (horizontal) against SDE (eps > 0)", fontsize=9)
    fig.tight_layout(pad=0.3, rect=(0, 0.06, 1, 1))
    save_figure(fig, out)


def write_likelihood_figure(kl_tables, out_csv, out_verdict, out_png) -> None:
    """Rule paper_fig4_likelihood: the per-dimension tables (CSV files of write_kl_table) as one table, its
    verdict (likelihood_verdict) and the figure."""
    df = pd.concat([pd.read_csv(f) for f in kl_tables], ignore_index=True)
    verdict = likelihood_verdict(df)
    print(verdict.to_string(index=False))
    write_csv(out_csv, df)
    write_csv(out_verdict, verdict)
    plot_likelihood(df, verdict, out_png)
