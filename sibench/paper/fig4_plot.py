"""Figure 4 of the paper, its plot: KL against eps per dimension and training level, from the tables of
sibench.paper.fig4_likelihood."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..figures.style import PAPER_WIDTH, apply_style, eps_axis, save_figure
from ..io import write_csv
from .fig4_likelihood import likelihood_verdict

__all__ = ["ESTIMATOR_STYLE", "KL_LABEL", "Z95", "plot_likelihood", "write_likelihood_figure"]


ESTIMATOR_STYLE = {"sde-score": ("-", "o", "SDE, estimator (a): score"),
                   "sde-feynman-kac": ("--", "s", "SDE, estimator (b): Feynman-Kac"),
                   "girsanov-bound": (":", None, "Girsanov bound (oracle)")}
Z95 = 1.959963984540054  # the two-sided 95% normal quantile: error bars are +- Z95 paired standard errors
KL_LABEL = r"KL$(\rho_1\,\|\,\hat\rho_1)$ (nats)"


def _y_range(ax, values: np.ndarray, core: np.ndarray) -> None:
    """Limits that hold every drawn value (bars and bounds included); a symmetric-log scale where the largest
    would flatten the core values (ODE and score estimator) more than fivefold."""
    v = values[np.isfinite(values)]
    c = np.abs(core[np.isfinite(core)])
    if not len(v):
        return
    lo, hi = min(0.0, float(v.min())), float(v.max())
    scale = float(c.max()) if len(c) else hi
    if scale > 0 and hi > 5 * scale:
        ax.set_yscale("symlog", linthresh=max(scale / 2, 1e-3), linscale=1.0)
        ax.set_ylim(lo - 0.05 * scale, hi * 1.3)
    else:
        ax.set_ylim(lo - 0.05 * (hi - lo), hi + 0.08 * (hi - lo))


def plot_likelihood(df: pd.DataFrame, verdict: pd.DataFrame, out) -> None:
    """One panel per dimension: KL against eps (every eps a tick) for each training level; the ODE (eps = 0) as a
    horizontal line, the SDE estimators as curves with 95% intervals of their paired difference to the ODE, the
    Girsanov bound dotted; each panel's verdict (ODE and best bound per level) below it."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    sns = apply_style()
    if "kl" not in df:  # only diverged trainings
        df = df.assign(kl=np.nan)
    if "kl_paired" in df:  # the paired estimate (exact log rho_1 at the test points) where there is one
        df = df.assign(kl=df["kl_paired"].fillna(df["kl"]))
    dims = sorted(df["dim"].unique())
    levels = [lv for lv in dict.fromkeys(df["level"]) if isinstance(lv, str)]
    pal = sns.color_palette("colorblind")
    fig, axes = plt.subplots(1, len(dims), figsize=(PAPER_WIDTH, 2.9), squeeze=False)
    eps_all = sorted(e for e in df["eps"].dropna().unique() if e > 0) if "eps" in df else []
    for j, d in enumerate(dims):
        ax = axes[0, j]
        dd = df[df["dim"] == d]
        ax.set_title(f"$d = {d}$")
        if not (dd["estimator"] == "ode").any():
            ax.text(0.5, 0.5, "training diverged", ha="center", va="center", transform=ax.transAxes)
            ax.set_xticks([])
            ax.set_yticks([])
            continue
        drawn, core = [], []
        for k, level in enumerate(levels):
            g = dd[dd["level"] == level]
            c = pal[k % len(pal)]
            ode = g[g["estimator"] == "ode"]
            if not ode.empty:
                ax.axhline(ode["kl"].iloc[0], color=c, linewidth=1.2, alpha=0.9)
                drawn.append(ode["kl"].iloc[0])
                core.append(ode["kl"].iloc[0])
            for est, (ls, marker, _) in ESTIMATOR_STYLE.items():
                s = g[g["estimator"] == est].sort_values("eps")
                if s.empty:
                    continue
                err = Z95 * s["diff_se"].astype(float) if "diff_se" in s and est != "girsanov-bound" else None
                ax.errorbar(s["eps"], s["kl"], yerr=err,
                            color=c, linestyle=ls, marker=marker, markersize=2.5, linewidth=0.9, capsize=1.5)
                e = 0 if err is None else err.fillna(0).to_numpy()
                drawn += list(s["kl"].to_numpy() + e) + list(s["kl"].to_numpy() - e)
                if est == "sde-score":
                    core += list(s["kl"])
        eps_axis(ax, eps_all or sorted(dd["eps"].dropna().unique()), label=r"$\varepsilon$")
        _y_range(ax, np.asarray(drawn, float), np.asarray(core, float))
        ax.set_ylabel(KL_LABEL)
        v = verdict[verdict["dim"] == d] if not verdict.empty else verdict
        lines = [f"{r['level']}: ODE {r['kl_ode']:.2f}, best bound {r.get('kl_bound', float('nan')):.2f}"
                 for _, r in v.iterrows()]
        ax.annotate("\n".join(lines), xy=(0.0, 0.0), xycoords="axes fraction", xytext=(0, -34),
                    textcoords="offset points", fontsize=5.5, va="top", ha="left")
    handles = [Line2D([], [], color=pal[k % len(pal)], linewidth=2, label=level) for k, level in enumerate(levels)]
    handles += [Line2D([], [], color="0.3", linewidth=1.2, label=r"ODE ($\varepsilon = 0$)")]
    handles += [Line2D([], [], color="0.3", linestyle=ls, marker=m, markersize=3, label=lab)
                for ls, m, lab in ESTIMATOR_STYLE.values()]
    handles += [Line2D([], [], color="none", label="bars: 95% interval of the\npaired difference to the ODE")]
    fig.suptitle(r"Likelihood control: KL of the learned model, ODE (horizontal) against SDE ($\varepsilon > 0$)",
                 fontsize=9)
    fig.tight_layout(pad=0.3, w_pad=1.0)
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.92), fontsize=6, frameon=False)
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
