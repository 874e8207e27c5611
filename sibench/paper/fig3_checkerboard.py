"""Figure 3 of the paper: ODE and SDE samples of trained models on the checkerboard pairs (one-sided,
encoding-decoding and mirror interpolants), with their support fractions. checkerboard_samples samples the
models (sibench.stages.sampling.sample_model, the evaluate stage's sampler), plot_checkerboard draws them."""
from __future__ import annotations

import textwrap
from typing import Dict, Optional, Sequence

import pandas as pd
import torch

from ..config.specs import Integrator
from ..devices import device_of
from ..figures.style import PAPER_WIDTH, apply_style, eps_tex, save_figure, tex_label
from ..io import write_csv
from ..pairs import get_benchmark
from ..seeds import figure_generator
from ..stages.sampling import sample_model
from ..stages.train import checkpoint_failed
from .models import checkpoint_summary
from si.sampling import SCORE_WINDOW
from si.training import load_model

__all__ = ["checkerboard_samples", "plot_checkerboard", "write_checkerboard_figure"]


def checkerboard_samples(panels: Sequence[dict], checkpoints: Sequence[str], n: int = 2000, seed: int = 0,
                         ode: Optional[dict] = None, sde: Optional[dict] = None, device: str = "auto",
                         reused: Optional[Sequence[bool]] = None) -> Dict[str, pd.DataFrame]:
    """Samples of each panel's model (ODE and SDE side by side) and their support fractions.

    panels: dicts with benchmark, label (and optionally t_max, the SDE window's end); checkpoints: one
    per panel. Returns samples (panel, label, sampler, eps, x, y) and summary (one row per panel and sampler:
    support_fraction, finite_fraction, nfe, the model's training settings, the checkpoint).

    Every model samples from its own x0 ~ rho0 (seeded by the figure's seed and the pair) with the ODE on
    [0, 1] and the SDE at eps = sde["eps"] on [SCORE_WINDOW[0], t_max] (t_max: the panel's, else
    SCORE_WINDOW[1])."""
    ode = ode or {"method": "heun", "steps": 100}
    sde = sde or {"method": "euler-maruyama", "steps": 100, "eps": 0.5}
    dev = device_of(device)
    samples, summary = [], []
    for i, (panel, ckpt) in enumerate(zip(panels, checkpoints)):
        pair = get_benchmark(panel["benchmark"])
        label = panel.get("label") or f"{panel['benchmark']}: {panel['path']} {{{panel['objective']}}}"
        failed = checkpoint_failed(ckpt)
        if failed:  # a diverged training: say so in the table (and the figure), sample nothing
            summary.append({"panel": i, "label": label, "benchmark": panel["benchmark"], "path": panel["path"],
                            "objective": panel["objective"], "sampler": "none", "train_failed": failed,
                            "checkpoint": str(ckpt)})
            continue
        model = load_model(ckpt, device=dev)
        p = next(model.nets.parameters())
        x0 = pair.rho0.sample(int(n), generator=figure_generator(seed, "x0", pair.name)).to(p.device, p.dtype)
        t_max = panel.get("t_max")
        with torch.no_grad():
            sets = sample_model(model, x0, Integrator(ode["method"], (int(ode["steps"]),)),
                                Integrator(sde["method"], (int(sde["steps"]),)), [float(sde["eps"])],
                                ode_window=(0.0, 1.0),
                                sde_window=(SCORE_WINDOW[0], SCORE_WINDOW[1] if t_max is None else float(t_max)),
                                sde_generator=lambda e, steps: figure_generator(seed, "sde", pair.name, e))
        for key, res in sets.items():
            sampler, eps, steps, nfe = key.sampler, key.eps, key.steps, res.nfe
            x = res.x.detach().double().cpu()
            ok = torch.isfinite(x).all(1)
            samples.append(pd.DataFrame({"panel": i, "label": label, "sampler": sampler, "eps": eps,
                                         "x": x[:, 0].numpy(), "y": x[:, 1].numpy()}))
            frac = pair.rho1.support_fraction(x[ok]) if hasattr(pair.rho1, "support_fraction") else float("nan")
            summary.append({"panel": i, "label": label, "benchmark": panel["benchmark"],
                            "path": model.interpolant.path, "gamma": model.interpolant.gamma_name,
                            "objective": model.objective, "sampler": sampler, "eps": eps, "steps": steps,
                            "nfe": int(nfe), "n": int(x.shape[0]), "support_fraction": frac,
                            "finite_fraction": float(ok.double().mean()),
                            "sde_t_max": panel.get("t_max", SCORE_WINDOW[1]) if sampler.startswith("sde") else None,
                            **checkpoint_summary(model), "checkpoint": str(ckpt),
                            "reused_from_sweep": bool(reused[i]) if reused is not None else None})
    empty = pd.DataFrame(columns=["panel", "label", "sampler", "eps", "x", "y"])
    return {"samples": pd.concat(samples, ignore_index=True) if samples else empty, "summary": pd.DataFrame(summary)}


def plot_checkerboard(samples: pd.DataFrame, summary: pd.DataFrame, out) -> None:
    """Columns: panels (models); rows: ODE and SDE samples."""
    import matplotlib.pyplot as plt
    sns = apply_style()
    panels = list(dict.fromkeys(summary["panel"]))
    samplers = ["ode", "sde"]
    pal = sns.color_palette("colorblind")
    w = PAPER_WIDTH / max(len(panels), 1)
    fig, axes = plt.subplots(2, len(panels), figsize=(PAPER_WIDTH, 2 * w + 0.6), squeeze=False)
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
            eps = "" if kind == "ode" else f", {eps_tex(row['eps'])}"
            outside = int(((d["x"].abs() > 4.5) | (d["y"].abs() > 4.5)).sum())  # beyond the box: counted, not drawn
            note = f", {outside} outside" if outside else ""
            ax.text(0.02, 0.02, f"{kind.upper()}{eps}\nsupport {row['support_fraction']:.3f}{note}", fontsize=6,
                    transform=ax.transAxes, va="bottom", ha="left",
                    bbox={"facecolor": "white", "alpha": 0.7, "linewidth": 0, "pad": 1})
        label = summary[summary["panel"] == p]["label"].iloc[0]
        axes[0, j].set_title(textwrap.fill(tex_label(label), 34), fontsize=6.5)
    fig.suptitle(r"Checkerboard generation: ODE (top) and SDE (bottom) from the same $x_0$", fontsize=9)
    fig.tight_layout(pad=0.3)
    save_figure(fig, out)


def write_checkerboard_figure(settings: dict, checkpoints: Sequence[str], reused: Sequence[bool], device: str,
                              out_summary, out_samples, out_png) -> None:
    """Rule paper_fig3_checkerboard: settings are the figure's config section (panels and the arguments of
    checkerboard_samples); writes the summary and samples (CSV) and the figure."""
    s = dict(settings)
    tables = checkerboard_samples(s.pop("panels"), checkpoints, reused=reused, device=device, **s)
    print(tables["summary"].to_string(index=False))
    write_csv(out_summary, tables["summary"])
    write_csv(out_samples, tables["samples"])
    plot_checkerboard(tables["samples"], tables["summary"], out_png)
