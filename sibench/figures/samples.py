"""Figures drawn from the samples files: the sample grid of a benchmark, and the marginals of the models
of a bridge pair against the exact bridge."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np

from ..pairs import get_benchmark
from ..samples import META, X0, SampleKey, encode, final_keys
from .style import PAPER_WIDTH, apply_style, eps_tex, save_figure

__all__ = ["load_samples", "main_keys", "fig_samples", "fig_bridge"]


def load_samples(paths) -> List[dict]:
    """Each samples file as {"meta": its run's factors, "data": the npz file}."""
    out = []
    for p in paths:
        data = np.load(p)
        meta = json.loads(str(data[META])) if META in data.files else {"label": Path(p).parent.name}
        out.append({"meta": meta, "data": data})
    return out


def main_keys(names: Sequence[str]) -> Dict[float, SampleKey]:
    """eps -> the generative model at eps among a samples file's names (ODE at 0, SDE at eps > 0, largest
    step count)."""
    best: Dict[float, SampleKey] = {}
    for k in final_keys(names):
        if (k.eps == 0) != k.sampler.startswith("ode-"):
            continue
        if k.eps not in best or k.steps > best[k.eps].steps:
            best[k.eps] = k
    return {e: best[e] for e in sorted(best)}


def _scatter(ax, x, color, size=1.0, alpha=0.5, lim=None, count_outside=False):
    x = np.asarray(x)
    x = x[np.isfinite(x).all(1)]
    if x.shape[1] == 1:
        ax.hist(x[:, 0], bins=60, density=True, color=color, alpha=0.8)
        if lim is not None:
            ax.set_xlim(*lim[0])
    else:
        ax.scatter(x[:, 0], x[:, 1], s=size, alpha=alpha, color=color, linewidths=0, rasterized=True)
        if lim is not None:
            ax.set_xlim(*lim[0])
            ax.set_ylim(*lim[1])
            out = ~((x[:, 0] >= lim[0][0]) & (x[:, 0] <= lim[0][1]) & (x[:, 1] >= lim[1][0]) & (x[:, 1] <= lim[1][1]))
            if count_outside and out.any():  # the box is the target's: say how many samples fall outside it
                ax.text(0.98, 0.02, f"{int(out.sum())} outside", transform=ax.transAxes, ha="right", va="bottom",
                        fontsize=5, color="0.3")


def _limits(x) -> list:
    x = np.asarray(x)
    lo, hi = np.percentile(x, 0.5, axis=0), np.percentile(x, 99.5, axis=0)
    pad = 0.15 * (hi - lo)
    return [(lo[i] - pad[i], hi[i] + pad[i]) for i in range(min(2, x.shape[1]))]


def fig_samples(inputs, out, benchmark: str, **_) -> None:
    """Grid: rows = methods, columns = the target's reference samples, then the model at each eps."""
    import matplotlib.pyplot as plt
    sns = apply_style()
    runs = load_samples(inputs.samples)
    ref = np.load(inputs.truth)["x1_ref"]
    eps_all = sorted({e for r in runs for e in main_keys(r["data"].files)})
    ncol, nrow = 1 + len(eps_all), max(1, len(runs))
    w = min(PAPER_WIDTH, 1.15 * ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(w, w / ncol * nrow), squeeze=False)
    lim = _limits(ref)
    pal = sns.color_palette("colorblind")
    for i, r in enumerate(runs):
        keys = main_keys(r["data"].files)
        _scatter(axes[i, 0], ref, "0.35", lim=lim)
        for j, e in enumerate(eps_all):
            ax = axes[i, j + 1]
            if e in keys:
                _scatter(ax, r["data"][encode(keys[e])], pal[0], lim=lim, count_outside=True)
            else:
                why = "training\ndiverged" if r["meta"].get("failed") else "no score"
                ax.text(0.5, 0.5, why, ha="center", va="center", transform=ax.transAxes, fontsize=6)
        axes[i, 0].set_ylabel(r["meta"].get("label", ""), fontsize=7, rotation=0, ha="right", va="center")
    for j, title in enumerate([r"target $\rho_1$"] + [eps_tex(e) for e in eps_all]):
        axes[0, j].set_title(title)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout(pad=0.3, rect=(0, 0, 1, 1 - 0.35 / fig.get_size_inches()[1]))
    fig.suptitle(f"{benchmark}: samples (seed {runs[0]['meta'].get('seed', '') if runs else ''})", fontsize=9,
                 y=1 - 0.05 / fig.get_size_inches()[1], va="top")
    save_figure(fig, out)


def fig_bridge(inputs, out, benchmark: str, times=(), **_) -> None:
    """Marginals at bridge_times and t = 1 of each model (blue) over the exact bridge's (grey);
    the model is the SDE at the eps closest to sigma^2 / 2 (the bridge's own noise)."""
    import matplotlib.pyplot as plt
    import torch
    sns = apply_style()
    pair = get_benchmark(benchmark)
    bridge = pair.bridge
    runs = load_samples(inputs.samples)
    ts = [float(t) for t in times] + [1.0]
    g = torch.Generator().manual_seed(0)
    n = max((r["data"][X0].shape[0] for r in runs if X0 in r["data"].files), default=1000)
    exact = {t: bridge.marginal_sample(t, n, generator=g).numpy() for t in ts}
    pal = sns.color_palette("colorblind")
    w = min(PAPER_WIDTH, 1.3 * len(ts))
    fig, axes = plt.subplots(max(1, len(runs)), len(ts), figsize=(w, w / len(ts) * max(1, len(runs))), squeeze=False)
    target_eps = pair.sigma2 / 2
    for i, r in enumerate(runs):
        keys = main_keys(r["data"].files)
        axes[i, 0].set_ylabel(r["meta"].get("label", ""), fontsize=7, rotation=0, ha="right", va="center")
        if not keys:
            for ax in axes[i]:
                ax.axis("off")
            continue
        eps = min(keys, key=lambda e: abs(e - target_eps))
        key = keys[eps]
        for j, t in enumerate(ts):
            ax = axes[i, j]
            lim = _limits(exact[t])
            _scatter(ax, exact[t], "0.6", lim=lim)
            mk = encode(key if t == 1.0 else key.at(t))
            if mk in r["data"].files:
                _scatter(ax, r["data"][mk], pal[0], lim=lim, alpha=0.35, count_outside=True)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(f"$t = {t:g}$")
        axes[i, 0].set_ylabel(f"{r['meta'].get('label', '')}\n{eps_tex(eps)}", fontsize=7, rotation=0,
                              ha="right", va="center")
    fig.tight_layout(pad=0.3, rect=(0, 0, 1, 1 - 0.35 / fig.get_size_inches()[1]))
    fig.suptitle(f"{benchmark}: model marginals $\\hat\\rho_t$ (blue) against the exact bridge's $\\rho_t$ (grey), "
                 f"first two coordinates",
                 fontsize=9, y=1 - 0.05 / fig.get_size_inches()[1], va="top")
    save_figure(fig, out)
