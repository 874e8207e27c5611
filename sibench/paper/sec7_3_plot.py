"""Figures 15-17 of the paper (section 7.3) on the digits (or a local image folder) from the per-model evaluations
of sibench.paper.sec7_3_digits: sample images of every model and sampler, the FD against its real-image floor,
the nearest-training-image distances against the held-out images' (the memorisation check)."""
from __future__ import annotations

from typing import Dict

import numpy as np
import pandas as pd

from ..figures.style import PAPER_WIDTH, apply_style, eps_tex, save_figure, tex_label
from ..io import write_csv

__all__ = ["diverged_runs", "plot_sec7_3", "write_sec7_3_figure"]


_BLANK = 0.0        # the background of grey images (level 0, white in the gray_r map)


def _tile(images: np.ndarray, shape) -> np.ndarray:
    """Images (k, D) side by side as one (H, k W [, C]) array in [0, 1] (clipped to [-1, 1] for display)."""
    c, h, w = shape
    x = (np.clip(images, -1, 1) + 1) / 2
    x = x.reshape(-1, c, h, w).transpose(0, 2, 3, 1)            # (k, H, W, C)
    pad = np.full((x.shape[0], h, 1, c), _BLANK if c == 1 else 1.0)
    row = np.concatenate([np.concatenate([a, p], 1) for a, p in zip(x, pad)], 1)
    return row[..., 0] if c == 1 else row


def _run_label(key: str) -> str:
    """'sde_eps10' -> 'SDE, eps = 10', 'ode_eps0' -> 'ODE', 'start' -> 'starting images'."""
    if key == "start":
        return "starting images"
    sampler, _, eps = key.partition("_eps")
    return "ODE" if sampler == "ode" else f"SDE, {eps_tex(float(eps), ode=False)}"


def diverged_runs(table: pd.DataFrame) -> set:
    """(model, image key) of the sampler runs whose samples diverged (sibench.paper.sec7_3_digits.sample_status)."""
    bad = table[table["status"] != "ok"]
    return {(str(r["model"]), f"{r['sampler']}_eps{float(r['eps']):g}") for _, r in bad.iterrows()}


def _bars(ax, values: np.ndarray, ok: np.ndarray, **kwargs) -> None:
    """Bars of the runs that did not diverge; 'diverged' written in place of the others' (no number shown)."""
    x = np.arange(len(values))
    kwargs = dict(kwargs, yerr=kwargs["yerr"][ok]) if "yerr" in kwargs else kwargs
    ax.bar(x[ok], values[ok], color="0.5", **kwargs)
    ax.set_xlim(-0.6, len(values) - 0.4)          # every run has its slot, a diverged one included
    for i in x[~ok]:
        ax.text(i, 0.03, "diverged", transform=ax.get_xaxis_transform(), rotation=90, ha="center", va="bottom",
                fontsize=5.5, color="C3", bbox={"fc": "white", "ec": "none", "pad": 0.5})


def plot_sec7_3(table: pd.DataFrame, shown: Dict[str, Dict[str, np.ndarray]], shape, out, scale: str = "") -> None:
    import matplotlib.pyplot as plt
    from matplotlib.gridspec import GridSpec
    apply_style()
    lines = [(m, k) for m, d in shown.items() for k in d if k != "train_examples"]
    lines.append(("data", "train_examples"))
    fig = plt.figure(figsize=(PAPER_WIDTH, 0.55 * len(lines) + 3.0))
    gs = GridSpec(2, 2, figure=fig, height_ratios=[0.55 * len(lines), 2.2], width_ratios=[1, 1], hspace=0.2,
                  wspace=0.45)
    ax = fig.add_subplot(gs[0, :])
    tiles = []
    for m, k in lines:
        src = shown[m] if m != "data" else next(iter(shown.values()))
        tiles.append(_tile(src[k], shape))
    width = max(t.shape[1] for t in tiles)
    blank = _BLANK if tiles[0].ndim == 2 else 1.0
    gap = np.full((2, width) + tiles[0].shape[2:], blank)
    stack = np.concatenate([np.concatenate([np.pad(t, [(0, 0), (0, width - t.shape[1])] + [(0, 0)] * (t.ndim - 2),
                                                   constant_values=blank), gap]) for t in tiles])
    ax.imshow(stack, cmap="gray_r" if stack.ndim == 2 else None, vmin=0, vmax=1, aspect="equal",
              interpolation="nearest")
    h = tiles[0].shape[0] + 2
    diverged = diverged_runs(table)
    labels = [f"{tex_label(m)}: {_run_label(k)}" + (" (diverged)" if (m, k) in diverged else "")
              if m != "data" else "training images" for m, k in lines]
    ax.set_yticks([h * i + h / 2 - 1 for i in range(len(lines))], labels, fontsize=5.5)
    ax.set_xticks([])
    ax.grid(False)
    rows = table[table["sampler"] != "real held-out"].reset_index(drop=True)
    ok = (rows["status"] == "ok").to_numpy()
    names = [f"{tex_label(r['model'])}\n{r['sampler'].upper()}"
             + ("" if r["sampler"] == "ode" else f" {eps_tex(r['eps'], ode=False)}")
             for _, r in rows.iterrows()]
    a = fig.add_subplot(gs[1, 0])
    _bars(a, rows["fd"].to_numpy(), ok, yerr=2 * rows["fd_boot_sd"].to_numpy(), capsize=1.5)
    floor = table.loc[table["sampler"] == "real held-out", "fd"].iloc[0]
    a.axhline(floor, color="C3", ls="--", lw=0.8, label="held-out real images")
    a.set_xticks(np.arange(len(rows)), names, rotation=70, fontsize=5)
    a.set_ylabel("FD (classifier features)")
    a.set_yscale("log")
    fd, sd = rows["fd"].to_numpy()[ok], rows["fd_boot_sd"].to_numpy()[ok]
    if ok.any():   # room for the error bars (and the floor line) inside the panel
        low = np.r_[fd - 2 * sd, fd / 2]
        lo = np.nanmin(low[low > 0])
        a.set_ylim(min(lo, floor) / 1.3, max(np.nanmax(fd + 2 * sd), floor) * 1.3)
    a.legend(fontsize=5.5)
    b = fig.add_subplot(gs[1, 1])
    _bars(b, rows["nn_median"].to_numpy(), ok, label="samples (median)")
    r0 = table.iloc[0]
    # drawn wide beneath the leave-one-out line, so that both show where they coincide
    b.axhline(r0["heldout_nn_median"], color="C3", ls="--", lw=2.2, alpha=0.55, zorder=1,
              label="held-out images (median)")
    b.axhline(r0["heldout_nn_p5"], color="C3", ls=":", lw=0.8, label="held-out images (5th pct.)")
    b.axhline(r0["train_loo_nn_median"], color="C0", ls="-.", lw=0.8, label="training images, leave-one-out")
    b.set_xticks(np.arange(len(rows)), names, rotation=70, fontsize=5)
    b.set_ylabel("nearest training image:\nmean |pixel diff.| (levels)")
    b.set_yscale("log")
    b.legend(fontsize=5, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    acc = table["classifier_test_accuracy"].iloc[0]
    fig.suptitle(f"Section 7.3 on {r0['dim']}-pixel images (classifier test accuracy {acc:.3f}); error bars $\\pm2$ "
                 "bootstrap s.d." + (f"\n{scale}" if scale else ""), fontsize=7.5)
    save_figure(fig, out)


def write_sec7_3_figure(evaluations, npz_files, labels, shape, out_png, out_csv, scale: str = "") -> None:
    """Rule sec7_3_figure: the table of every model (CSV) and the figure."""
    table = pd.concat([pd.read_csv(f, dtype={"model": str}) for f in evaluations], ignore_index=True)
    table = table[~((table["sampler"] == "real held-out") & table.duplicated(subset=["sampler"], keep="first"))]
    shown = {}
    for label, f in zip(labels, npz_files):
        with np.load(f) as z:
            shown[str(label)] = {k: z[k] for k in z.files}
    write_csv(out_csv, table)
    plot_sec7_3(table, shown, shape, out_png, scale)
