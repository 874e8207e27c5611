"""Figures of the max-min Schroedinger bridge (sibench.stages.sb_maxmin, docs/theory.md §10):

  * sb_maxmin_marginals (per bridge pair): Bures-W2 between the moment fit of the learned marginals and the
    exact rho_t over t: x^_t = I^ + gamma z (the learned interpolant) and the forward SDE's X_t, mean and
    range over seeds, beside the exact-samples floor and the other methods' values at bridge_times (their
    SDE at the eps nearest sigma^2 / 2, the bridge's own noise; metrics.csv); on a d = 2 pair also samples
    of x^_t (first seed) over exact samples of rho_t and its 2-sigma ellipse;
  * sb_maxmin_training: the max-min curves, the inner objective (u^'s regression loss) and the outer
    (saddle) objective the interpolant ascends, against the outer step, mean and range over seeds, per pair.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..pairs import get_benchmark
from ..tables.select import model_rows
from .style import PAPER_WIDTH, apply_style, empty_figure, palette, save_figure

__all__ = ["SOURCE_LABELS", "fig_sb_maxmin_marginals", "fig_sb_maxmin_training"]

SOURCE_LABELS = {"interpolant": r"sb-maxmin $\hat x_t = \hat I_t + \gamma_t z$",
                 "sde": r"sb-maxmin SDE $X_t$ ($\hat u$, $\varepsilon=\sigma^2/2$)",
                 "floor": r"floor: exact samples of $\rho_t$"}
BURES_LABEL = r"Bures-$W_2(\hat\rho_t, \rho_t)$ ($x$ units)"


def _read(paths) -> pd.DataFrame:
    frames = []
    for p in paths:
        try:
            frames.append(pd.read_csv(p))
        except pd.errors.EmptyDataError:
            continue
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _band(ax, d: pd.DataFrame, x: str, y: str, colour, label: str, **line) -> None:
    """Mean over seeds of y against x, with the range over seeds as a band."""
    g = d.groupby(x)[y].agg(["mean", "min", "max"]).reset_index()
    ax.plot(g[x], g["mean"], color=colour, label=label, lw=1.0, **line)
    if d["seed"].nunique() > 1:
        ax.fill_between(g[x], g["min"], g["max"], color=colour, alpha=0.2, lw=0)


def _other_methods(metrics_csv, benchmark: str, eps: float) -> pd.DataFrame:
    """Other methods' Bures-W2 at bridge_times (t < 1): the SDE at the eps nearest eps (largest steps)."""
    df = pd.read_csv(metrics_csv)
    d = model_rows(df[(df["benchmark"] == benchmark) & (df["method"] != "sb-maxmin")], "bures_w2")
    d = d[(d["eps"] > 0) & (d["t"].astype(float) < 1)]
    if d.empty:
        return d
    d = d.assign(gap=(d["eps"] - eps).abs())
    near = d.groupby("label")["gap"].transform("min")
    return d[d["gap"] == near]


def _ellipse(ax, mean, cov, colour) -> None:
    """The 2-sigma ellipse {x : (x - m)^T S^-1 (x - m) = 4} of the first two coordinates."""
    w, v = np.linalg.eigh(np.asarray(cov)[:2, :2])
    a = np.linspace(0, 2 * np.pi, 200)
    pts = np.asarray(mean)[:2, None] + v @ (2 * np.sqrt(np.maximum(w, 0))[:, None] * np.stack([np.cos(a), np.sin(a)]))
    ax.plot(pts[0], pts[1], color=colour, lw=0.9)


def fig_sb_maxmin_marginals(inputs, out, benchmark: str, times=(), **_) -> None:
    """Bures-W2 of the learned marginals against the exact bridge over t; on d = 2, samples of x^_t (module doc)."""
    import matplotlib.pyplot as plt
    import torch
    sns = apply_style()
    curves = _read(inputs.curves)
    if curves.empty:
        return empty_figure(out, f"{benchmark}: no sb-maxmin curves (training failed)")
    pair = get_benchmark(benchmark)
    eps = pair.sigma2 / 2
    others = _other_methods(inputs.metrics, benchmark, eps)
    labels = list(dict.fromkeys(others["label"].astype(str))) if len(others) else []
    scatter = pair.dim == 2 and len(times) > 0
    if scatter:   # the curve with its legend beside it on top, the samples of x^_t below
        fig = plt.figure(figsize=(PAPER_WIDTH, 4.6), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[1.1, 1])
        ax, key = top.subplots(1, 2, gridspec_kw={"width_ratios": [2, 1]})
        key.axis("off")
        below = list(np.atleast_1d(bottom.subplots(1, len(times))))
    else:
        fig, (ax, key) = plt.subplots(1, 2, figsize=(PAPER_WIDTH, 2.4), gridspec_kw={"width_ratios": [2, 1]},
                                      layout="constrained")
        key.axis("off")
    grey = "0.45"
    colours = palette(["interpolant", "sde"] + labels) if len(labels) <= 6 else None
    for source, style in (("interpolant", {}), ("sde", {"ls": "--"}), ("floor", {"ls": ":"})):
        d = curves[curves["source"] == source]
        if len(d):
            c = grey if source == "floor" else (colours or palette(["interpolant", "sde"]))[source]
            _band(ax, d, "t", "bures_w2", c, SOURCE_LABELS[source], **style)
    pal = colours or {lab: sns.color_palette("colorblind")[i % 10] for i, lab in enumerate(labels)}
    k = max(1, len(labels))
    for i, lab in enumerate(labels):
        d = others[others["label"].astype(str) == lab]
        per_t = d.groupby("t")["value"].agg(["mean", "min", "max"]).reset_index()
        shift = (i - (k - 1) / 2) * 0.012   # side by side at each bridge time
        e = float(d["eps"].iloc[0])
        ax.errorbar(per_t["t"] + shift, per_t["mean"], yerr=[per_t["mean"] - per_t["min"], per_t["max"] - per_t["mean"]],
                    fmt="o", ms=2.5, lw=0.7, capsize=1.5, color=pal[lab], label=rf"{lab}, $\varepsilon={e:g}$")
    ax.set_xlim(0, 1)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(r"time $t$ (bridge time, $0 \to 1$)")
    ax.set_ylabel(BURES_LABEL)
    ax.set_title(f"{benchmark}: learned marginals against the exact bridge (band: range over seeds)", fontsize=7)
    handles, texts = ax.get_legend_handles_labels()
    key.legend(handles, texts, fontsize=5.5, frameon=False, loc="center left", handlelength=1.8, labelspacing=0.4)
    if scatter:
        xhat = np.load(inputs.xhat)
        g = torch.Generator().manual_seed(0)
        from matplotlib.ticker import MaxNLocator
        for j, t in enumerate(float(t) for t in times):
            a = below[j]
            ex = pair.bridge.marginal_sample(t, 1000, generator=g).numpy()
            a.scatter(ex[:, 0], ex[:, 1], s=0.6, color="0.6", linewidths=0, rasterized=True)
            name = f"t{t:g}"
            if name in xhat.files:
                x = xhat[name]
                a.scatter(x[:, 0], x[:, 1], s=0.6, color=palette(["interpolant"])["interpolant"], alpha=0.6,
                          linewidths=0, rasterized=True)
            m, S = pair.bridge.marginal_moments(t)
            _ellipse(a, m.numpy(), S.numpy(), "black")
            lo, hi = np.percentile(ex, 0.5, axis=0), np.percentile(ex, 99.5, axis=0)
            mid, half = (lo + hi) / 2, 0.6 * float(np.max(hi - lo))
            a.set_xlim(mid[0] - half, mid[0] + half)   # a square window on a square box: the ellipse's true shape
            a.set_ylim(mid[1] - half, mid[1] + half)
            a.set_box_aspect(1)
            a.set_title(rf"$\hat x_t$ at $t={t:g}$", fontsize=7)
            a.set_xlabel(r"$x^{(1)}$")
            a.set_ylabel(r"$x^{(2)}$" if j == 0 else "")
            a.tick_params(labelsize=5)
            a.xaxis.set_major_locator(MaxNLocator(4))
            a.yaxis.set_major_locator(MaxNLocator(5))
        bottom.suptitle(r"samples of $\hat x_t$ (blue, first seed) over exact samples of $\rho_t$ (grey) and the "
                        r"$2\sigma$ ellipse of its exact moments (black)", fontsize=7)
    save_figure(fig, out)


def fig_sb_maxmin_training(inputs, out, **_) -> None:
    """Inner and outer objectives of the max-min training against the outer step, mean and range over seeds."""
    import matplotlib.pyplot as plt
    apply_style()
    d = _read(inputs.losses)
    if d.empty:
        return empty_figure(out, "no sb-maxmin training curves")
    pairs = list(dict.fromkeys(d["benchmark"]))
    ncol = min(2, len(pairs))
    nrow = -(-len(pairs) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(PAPER_WIDTH if ncol > 1 else PAPER_WIDTH * 0.55, 1.9 * nrow),
                             squeeze=False)
    cols = palette(["inner", "outer"])
    for ax, b in zip(axes.flat, pairs):
        sub = d[d["benchmark"] == b]
        _band(ax, sub, "step", "inner", cols["inner"], r"inner: the loss $\hat u$ minimises")
        _band(ax, sub, "step", "outer", cols["outer"], r"outer: saddle $L(\hat I, \hat u)$, ascended by $\hat I$",
              ls="--")
        ax.set_title(f"{b} ({sub['seed'].nunique()} seeds; band: range)", fontsize=7)
        ax.set_xlabel("outer (max) step")
        ax.set_ylabel(r"objective (units of $x^2 / t^2$)")
        ax.legend(fontsize=5.5, frameon=False, loc="best")
    for ax in list(axes.flat)[len(pairs):]:
        ax.axis("off")
    fig.tight_layout(pad=0.3, h_pad=0.6, w_pad=0.8)
    save_figure(fig, out)
