"""Figures of the paper (issue 6) from the tables of sibench.paper: one function per figure, table(s) in,
PNG out (written atomically). Same look as sibench.plotting: seaborn paper context, colorblind palette,
at most 7 inches wide."""
from __future__ import annotations

import textwrap
from typing import Optional

import numpy as np
import pandas as pd

from .plotting import PAPER_WIDTH as WIDTH, _save, _style  # one look for every figure


# ----------------------------------------------------------------------------------------
def plot_density_evolution(df: pd.DataFrame, out) -> None:
    """Rows: interpolant variants; columns: times; each panel rho_t(x)."""
    import matplotlib.pyplot as plt
    sns = _style()
    variants = list(dict.fromkeys(df["variant"]))
    times = sorted(df["t"].unique())
    pal = sns.color_palette("colorblind")
    fig, axes = plt.subplots(len(variants), len(times), figsize=(WIDTH, 1.05 * len(variants) + 0.4),
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
                ax.set_title(f"t = {t:g}")
        axes[i, 0].set_ylabel(v.replace(", ", ",\n"), fontsize=6.5, rotation=0, ha="right", va="center")
    for ax in axes[-1]:
        ax.set_xlabel("x")
    fig.suptitle("Density evolution rho_t (exact): 1/2 N(+-3, 0.25) -> 1/3 N({-6, 0, 6}, 0.25)", fontsize=9)
    fig.tight_layout(pad=0.3, h_pad=0.2, w_pad=0.2, rect=(0, 0, 1, 0.96))
    _save(fig, out)


# ----------------------------------------------------------------------------------------
def plot_trajectories(tables: dict, out) -> None:
    """For each eps: paths over the exact rho_t (heat map), and the terminal histogram against rho_1."""
    import matplotlib.pyplot as plt
    sns = _style()
    dens, paths, term, summ = tables["density"], tables["paths"], tables["terminal"], tables["summary"]
    eps_all = list(summ["eps"])
    tt = np.sort(dens["t"].unique())
    xx = np.sort(dens["x"].unique())
    grid = dens.pivot(index="x", columns="t", values="density").loc[xx, tt].to_numpy()
    pal = sns.color_palette("colorblind")
    fig = plt.figure(figsize=(WIDTH, 1.9 * len(eps_all) + 0.3))
    gs = fig.add_gridspec(len(eps_all), 2, width_ratios=[4.5, 1.2], wspace=0.05, hspace=0.45)
    for i, e in enumerate(eps_all):
        ax = fig.add_subplot(gs[i, 0])
        ax.imshow(np.sqrt(grid), origin="lower", aspect="auto", cmap="Greys",
                  extent=[tt[0], tt[-1], xx[0], xx[-1]], interpolation="bilinear")
        p = paths[paths["eps"] == e]
        for _, g in p.groupby("path"):
            ax.plot(g["t"], g["x"], color=pal[i % len(pal)], linewidth=0.5, alpha=0.8)
        s = summ[summ["eps"] == e].iloc[0]
        what = "ODE" if e == 0 else f"SDE, eps = {e:g}"
        ax.set_title(f"{what} ({s['sampler']}, {int(s['steps'])} steps, NFE {int(s['nfe'])})", loc="left")
        ax.set_ylabel("x")
        ax.set_xlim(0, 1)
        ax.set_ylim(xx[0], xx[-1])
        if i == len(eps_all) - 1:
            ax.set_xlabel("t")
        h = fig.add_subplot(gs[i, 1], sharey=ax)
        d = term[term["eps"] == e]
        h.barh(d["x"], d["hist_density"], height=(d["bin_hi"] - d["bin_lo"]).iloc[0], color=pal[i % len(pal)],
               alpha=0.6, linewidth=0)
        h.plot(d["exact_density"], d["x"], color="k", linewidth=0.8)
        h.set_title(f"t = 1: KS {s['ks']:.3f} (crit. {s['ks_critical']:.3f})", fontsize=6.5)
        h.tick_params(labelleft=False)
        h.set_xticks([])
    fig.suptitle("Sample paths over the exact rho_t; every eps ends at rho_1 (black: exact density)", fontsize=9)
    _save(fig, out)


# ----------------------------------------------------------------------------------------
def plot_checkerboard(samples: pd.DataFrame, summary: pd.DataFrame, out) -> None:
    """Columns: panels (models); rows: ODE and SDE samples."""
    import matplotlib.pyplot as plt
    sns = _style()
    panels = list(dict.fromkeys(summary["panel"]))
    samplers = ["ode", "sde"]
    pal = sns.color_palette("colorblind")
    w = WIDTH / max(len(panels), 1)
    fig, axes = plt.subplots(2, len(panels), figsize=(WIDTH, 2 * w + 0.6), squeeze=False)
    for j, p in enumerate(panels):
        for i, kind in enumerate(samplers):
            ax = axes[i, j]
            d = samples[(samples["panel"] == p) & samples["sampler"].str.startswith(kind)]
            mine = summary["sampler"].str.startswith(kind) | (summary["sampler"] == "none")
            s = summary[(summary["panel"] == p) & mine]
            ax.set_xlim(-4.5, 4.5)
            ax.set_ylim(-4.5, 4.5)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            if d.empty:
                why = "training diverged" if "train_failed" in s and s["train_failed"].notna().any() else "no score"
                ax.text(0.5, 0.5, why, ha="center", va="center", transform=ax.transAxes)
                continue
            ax.scatter(d["x"], d["y"], s=0.6, color=pal[i], alpha=0.6, linewidths=0, rasterized=True)
            row = s.iloc[0]
            eps = "" if kind == "ode" else f", eps={row['eps']:g}"
            ax.text(0.02, 0.02, f"{kind.upper()}{eps}\nsupport {row['support_fraction']:.3f}", fontsize=6,
                    transform=ax.transAxes, va="bottom", ha="left",
                    bbox={"facecolor": "white", "alpha": 0.7, "linewidth": 0, "pad": 1})
        label = summary[summary["panel"] == p]["label"].iloc[0]
        axes[0, j].set_title(textwrap.fill(label, 30), fontsize=6.5)
    fig.suptitle("Checkerboard generation: ODE (top) and SDE (bottom) from the same x0", fontsize=9)
    fig.tight_layout(pad=0.3)
    _save(fig, out)


# ----------------------------------------------------------------------------------------
_EST_STYLE = {"sde-score": ("-", "o", "SDE, estimator (a) score"),
              "sde-feynman-kac": ("--", "s", "SDE, estimator (b) Feynman-Kac"),
              "girsanov-bound": (":", None, "Girsanov bound (oracle)")}


def plot_likelihood(df: pd.DataFrame, verdict: pd.DataFrame, out) -> None:
    """One panel per dimension: KL against eps (log scale) for each training level; the ODE (eps = 0) as a
    horizontal line, the SDE estimators as curves, the Girsanov bound dotted."""
    import matplotlib.pyplot as plt
    sns = _style()
    if "kl" not in df:  # only diverged trainings
        df = df.assign(kl=np.nan)
    if "kl_paired" in df:  # the paired estimate (exact log rho_1 at the test points) where there is one
        df = df.assign(kl=df["kl_paired"].fillna(df["kl"]))
    dims = sorted(df["dim"].unique())
    levels = list(dict.fromkeys(df["level"]))
    pal = sns.color_palette("colorblind")
    fig, axes = plt.subplots(1, len(dims), figsize=(WIDTH, 2.9), squeeze=False)
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
            for est, (ls, marker, _) in _EST_STYLE.items():
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
                for ls, m, lab in _EST_STYLE.values()]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=6, frameon=False, bbox_to_anchor=(0.5, -0.08))
    fig.suptitle("Likelihood control: KL of the learned model, ODE (horizontal) against SDE (eps > 0)", fontsize=9)
    fig.tight_layout(pad=0.3, rect=(0, 0.06, 1, 1))
    _save(fig, out)


# ----------------------------------------------------------------------------------------
def _ellipse(ax, row, color) -> None:
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
    sns = _style()
    couplings = ["independent", "entropic", "exact bridge"]
    times = sorted(samples["t"].unique()) if not samples.empty else []
    pal = sns.color_palette("colorblind")
    colors = {c: pal[i] for i, c in enumerate(couplings)}
    ncol = max(len(times), 1)
    fig = plt.figure(figsize=(WIDTH, 1.5 * len(couplings) + 2.4))
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
                            _ellipse(ax, e.iloc[0], color)
                ax.set_xlim(lo[0], hi[0])
                ax.set_ylim(lo[1], hi[1])
                ax.set_aspect("equal")
                ax.set_xticks([])
                ax.set_yticks([])
                if i == 0:
                    ax.set_title(f"t = {t:g}")
                if j == 0:
                    ax.set_ylabel(c, fontsize=7)
    ax = fig.add_subplot(gs[-1, :])
    for c in couplings:
        for kind, ls in (("exact", "-"), ("samples", "--")):
            d = curves[(curves["coupling"] == c) & curves["kind"].str.startswith(kind)].sort_values("t")
            if d.empty:
                continue
            lab = f"{c} ({d['kind'].iloc[0]})"
            ax.plot(d["t"], d["bures_w2"], color=colors[c], linestyle=ls, linewidth=1.1, label=lab)
    if learned is not None and not learned.empty:
        for k, (label, g) in enumerate(learned.groupby("label", sort=False)):
            g = g.sort_values("t")
            ax.plot(g["t"], g["bures_w2"], linestyle="none", marker="os^D"[k % 4], markersize=4,
                    color="0.2" if g["coupling"].iloc[0] == "independent" else pal[3],
                    label=f"trained: {label} (SDE, eps={g['eps'].iloc[0]:g})")
    r = info.iloc[0]
    ax.set_xlabel("t")
    ax.set_ylabel("Bures-W2 to exact SB marginal")
    ax.legend(fontsize=6, ncol=3, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.28))
    fig.suptitle(f"{r['benchmark']}: interpolant marginals (gamma^2 = sigma^2 t(1-t), sigma^2 = {r['sigma2']:g}) "
                 f"against the exact Schroedinger bridge", fontsize=9)
    _save(fig, out)
