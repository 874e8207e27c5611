"""Summary figures over every benchmark: a metric against eps, W2 against NFE, training curves, and the
compute of every job."""
from __future__ import annotations

import math
from typing import Dict, Sequence

import numpy as np
import pandas as pd

from ..tables.select import is_ode, model_rows
from .style import PAPER_WIDTH, apply_style, empty_figure, palette, save_figure

__all__ = ["OBJECTIVE_ORDER", "W2_Z", "fig_metric_vs_eps", "fig_w2_vs_nfe", "fig_training_curves", "fig_compute"]

OBJECTIVE_ORDER = ["b,s", "v,s", "b,eta", "v,eta", "b"]
_DASHES = {"b,s": "", "v,s": (4, 1.5), "b,eta": (1, 1), "v,eta": (3, 1.25, 1.5, 1.25), "b": (5, 1, 1, 1)}
_MARKERS = {"b,s": "o", "v,s": "s", "b,eta": "^", "v,eta": "D", "b": "X"}


def _interpolant_label(d: pd.DataFrame) -> pd.Series:
    """path, with gamma = 0 marked on two-sided paths and a non-independent coupling appended."""
    lab = d["path"].astype(str)
    zero = (d["gamma"].astype(str) == "zero") & d["path"].isin(["linear", "trig"])
    lab = lab.where(~zero, lab + " γ=0")
    coup = d["coupling"].astype(str)
    return lab.where(coup == "independent", lab + " + " + coup)


def _legend(fig, colours: Dict[str, tuple], styles: Sequence[str], title_hue: str) -> None:
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color="none", label=title_hue)]
    handles += [Line2D([], [], color=c, marker="o", markersize=3, lw=1.2, label=h) for h, c in colours.items()]
    handles += [Line2D([], [], color="none", label="objective")] if styles else []
    for o in styles:
        ln = Line2D([], [], color="0.3", marker=_MARKERS.get(o, "o"), markersize=3, lw=1.2, label="{" + o + "}")
        if _DASHES.get(o):
            ln.set_dashes(_DASHES[o])
        handles.append(ln)
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.98), frameon=False, fontsize=7)


W2_Z = "(W2 − floor) / sd"   # the axis of W2 read against its floor (docs/theory.md §7.1)


def fig_metric_vs_eps(inputs, out, **_) -> None:
    """W2 against its floor in floor standard deviations (and the paired KL where computed: ODE at eps = 0,
    Feynman-Kac at eps > 0, withheld values left out) against eps for every benchmark: one colour per
    interpolant (path, gamma = 0, coupling), one dash and marker per objective, mean +- sd over seeds."""
    import matplotlib.pyplot as plt
    sns = apply_style()
    df = pd.read_csv(inputs[0])
    parts = []
    w = model_rows(df, "w2_z")
    if not w.empty:
        parts.append(w.assign(panel=W2_Z))
    k = model_rows(df, "kl", sde_sampler="sde-feynman-kac")
    k = k[np.isfinite(pd.to_numeric(k["value"], errors="coerce"))] if not k.empty else k
    if not k.empty:
        parts.append(k.assign(panel="paired KL (nats)"))
    if not parts:
        return empty_figure(out, "no W2 or KL rows")
    d = pd.concat(parts, ignore_index=True)
    d["eps"] = d["eps"].astype(float)
    d["interpolant"] = _interpolant_label(d)
    hues = sorted(d["interpolant"].unique())
    styles = [o for o in OBJECTIVE_ORDER if o in set(d["objective"])]
    colours = palette(hues)
    benches = list(dict.fromkeys(d["benchmark"]))
    panels = list(dict.fromkeys(d["panel"]))
    ncol = min(4, len(benches))
    nrow_b = math.ceil(len(benches) / ncol)
    fig, axes = plt.subplots(nrow_b * len(panels), ncol, figsize=(PAPER_WIDTH, 1.75 * nrow_b * len(panels)),
                             squeeze=False)
    for i, p in enumerate(panels):
        for j, b in enumerate(benches):
            ax = axes[i * nrow_b + j // ncol, j % ncol]
            sub = d[(d["panel"] == p) & (d["benchmark"] == b)]
            if sub.empty:
                ax.text(0.5, 0.5, "n/a", ha="center", va="center", transform=ax.transAxes)
            else:
                sns.lineplot(data=sub, x="eps", y="value", hue="interpolant", style="objective", hue_order=hues,
                             style_order=styles, palette=colours, dashes=_DASHES, markers=_MARKERS,
                             markersize=3, errorbar="sd", err_style="bars", ax=ax, legend=False)
                ax.set_xscale("symlog", linthresh=0.1)
                if p == W2_Z:
                    ax.axhline(0.0, color="0.5", lw=0.6, ls=":")
                v = sub["value"].replace([np.inf, -np.inf], np.nan).dropna().abs()
                if len(v) and v.max() > 50 * max(v.median(), 1e-3):  # a blow-up would flatten the rest
                    ax.set_yscale("symlog", linthresh=max(v.median(), 1e-3))
            ax.set_title(b, fontsize=7)
            ax.set_xlabel("ε")
            ax.set_ylabel(p if j % ncol == 0 else "")
        for j in range(len(benches), nrow_b * ncol):
            axes[i * nrow_b + j // ncol, j % ncol].axis("off")
    fig.tight_layout(pad=0.3, h_pad=0.4, w_pad=0.3)
    _legend(fig, colours, styles, "interpolant")
    save_figure(fig, out)


def _benchmark_grid(n: int):
    """A figure with one panel per benchmark, 4 to a row; returns (fig, the first n axes, ncol) with
    the unused axes switched off."""
    import matplotlib.pyplot as plt
    ncol = min(4, n)
    nrow = math.ceil(n / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(PAPER_WIDTH, 1.75 * nrow), squeeze=False)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.axis("off")
    return fig, flat[:n], ncol


def fig_w2_vs_nfe(inputs, out, **_) -> None:
    """W2 against its floor, (W2 - floor) / sd, against NFE for each sampler (ODE; SDE at each eps):
    median over methods and seeds, interquartile band."""
    from matplotlib.ticker import LogLocator, NullFormatter
    sns = apply_style()
    df = pd.read_csv(inputs[0])
    d = df[(df["metric"] == "w2_z") & np.isfinite(pd.to_numeric(df["value"], errors="coerce"))].copy()
    if d.empty:
        return empty_figure(out, "no W2 rows")
    d[W2_Z] = d["value"]
    d["sampler"] = np.where(is_ode(d["sampler"]), d["sampler"] + " (ε=0)",
                            d["sampler"] + " ε=" + d["eps"].map("{:g}".format))
    hues = sorted(d["sampler"].unique(), key=lambda h: (not h.startswith("ode"), float(h.split("=")[-1].rstrip(")"))))
    colours = palette(hues)
    benches = list(dict.fromkeys(d["benchmark"]))
    fig, axes, ncol = _benchmark_grid(len(benches))
    for j, (b, ax) in enumerate(zip(benches, axes)):
        sns.lineplot(data=d[d["benchmark"] == b], x="nfe", y=W2_Z, hue="sampler", hue_order=hues,
                     palette=colours, estimator="median", errorbar=("pi", 50), marker="o", markersize=3,
                     ax=ax, legend=False)
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.axhline(0.0, color="0.5", lw=0.6, ls=":")
        ax.set_title(b, fontsize=7)
        ax.set_ylabel(W2_Z if j % ncol == 0 else "")
    fig.tight_layout(pad=0.3, h_pad=0.4, w_pad=0.3)
    _legend(fig, colours, [], "sampler")
    save_figure(fig, out)


def fig_training_curves(inputs, out, **_) -> None:
    """Training loss against step per method (mean over seeds), one panel per benchmark."""
    sns = apply_style()
    try:
        d = pd.read_csv(inputs[0])
    except pd.errors.EmptyDataError:
        d = pd.DataFrame()
    if d.empty:
        return empty_figure(out, "no training curves")
    benches = list(dict.fromkeys(d["benchmark"]))
    fig, axes, ncol = _benchmark_grid(len(benches))
    for j, (b, ax) in enumerate(zip(benches, axes)):
        sub = d[d["benchmark"] == b]
        labels = list(dict.fromkeys(sub["label"]))
        sns.lineplot(data=sub, x="step", y="loss", hue="label", hue_order=labels, palette=palette(labels),
                     errorbar=None, ax=ax, lw=0.8, legend="full")
        ax.legend(fontsize=4.5, frameon=False, loc="upper right", handlelength=1.2, labelspacing=0.2)
        ax.set_title(b, fontsize=7)
        ax.set_ylabel("loss" if j % ncol == 0 else "")
        lo, hi = np.nanpercentile(sub["loss"], [1, 99])
        ax.set_ylim(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo))
    fig.tight_layout(pad=0.3, h_pad=0.4, w_pad=0.3)
    save_figure(fig, out)


def fig_compute(inputs, out, **_) -> None:
    """Wall time and peak memory of every job (Snakemake benchmark files), per rule."""
    import matplotlib.pyplot as plt
    sns = apply_style()
    d = pd.read_csv(inputs[0])
    if d.empty or "s" not in d:
        return empty_figure(out, "no job benchmarks")
    fig, axes = plt.subplots(1, 2, figsize=(PAPER_WIDTH, 2.2))
    sns.stripplot(data=d, x="rule", y="s", ax=axes[0], size=2.5, jitter=0.25)
    axes[0].set_ylabel("wall time per job (s)")
    axes[0].set_yscale("log")
    if "max_rss" in d and pd.to_numeric(d["max_rss"], errors="coerce").notna().any():
        d = d.assign(max_rss=pd.to_numeric(d["max_rss"], errors="coerce"))
        sns.stripplot(data=d, x="rule", y="max_rss", ax=axes[1], size=2.5, jitter=0.25)
    axes[1].set_ylabel("peak memory (MB)")
    total = d.groupby("rule")["s"].sum()
    axes[0].set_title("total: " + ", ".join(f"{r} {v / 60:.1f} min" for r, v in total.items()), fontsize=6)
    fig.tight_layout(pad=0.4)
    save_figure(fig, out)
