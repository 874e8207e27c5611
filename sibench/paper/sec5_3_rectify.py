"""The paper's section 5.3 claim, tested (the suite's own figure; docs/paper.md): rectifying the flow map of a
learned model, i.e. retraining b on the pairs (x0, X_1(x0)) its ODE produces (si.rectify), does not change the
generative model, though it changes the interpolant's density between the pairs. The rectified model is the
rectified-flow baseline (Liu et al.) in the same code: same path, objective b.

For the source model (a section 7.1 checkerboard model) and its rectified model (rule sec5_3_rectify), from
the same x0 ~ N(0, I_2):
  * the generative models: the paired distance RMS |X_1^rect(x0) - X_1(x0)| relative to the spread of X_1 (0 if
    the map is unchanged), the energy-distance permutation test between X_1 and the rectified model's samples
    from independent x0' (si.metrics.permutation_test), the same test between two independent sample sets of
    the source model (the null), W2 between the models beside W2 between two sample sets of the source (the
    floor), and the support fractions;
  * straightness: the path energy int_0^1 E|dX/dt|^2 dt (si.metrics.path_energy on the fine ODE paths),
    normalised by W2^2 of the endpoints (x0, X_1) (1 for optimal-transport displacements, which are straight)
    and by E|X_1 - x0|^2 (1 for straight paths);
  * steps: the RMS error of X_1 with k steps of a coarse integrator against the fine solution of the same
    model, and the fewest steps of the grid that reach the tolerance;
  * the interpolant's density at t = 1/2: x_t of the source's interpolant with independent (x0, x1 ~ rho_1)
    against x_t = (1 - t) x0 + t X_1(x0), the rectified one (energy distance between them).
"""
from __future__ import annotations

import math
from typing import Dict, List

import numpy as np
import torch

from ..densities import Checkerboard, gaussian
from ..figures.style import PAPER_WIDTH, apply_style, save_figure
from ..io import write_csv
from ..seeds import figure_generator
from si.interpolants import Interpolant
from si.metrics import energy_distance, path_energy, permutation_test, w2
from si.sampling import sample_ode
from si.training import load_model

__all__ = ["straightness", "step_errors", "evaluate_rectification", "plot_rectification", "write_rectification"]


def straightness(b, x0: torch.Tensor, fine: dict) -> Dict[str, object]:
    """Fine ODE endpoints and paths of b from x0, with the path energy and its two normalisations."""
    res = sample_ode(b, x0, steps=int(fine["steps"]), method=fine["method"], save_trajectory=True)
    x1 = res.x.double()
    energy = path_energy(res.trajectory, res.times)
    chord = float(((x1 - x0.double()) ** 2).sum(1).mean())
    return {"x1": x1, "trajectory": res.trajectory.double(), "path_energy": energy, "chord": chord,
            "w2sq_endpoints": w2(x0, x1) ** 2, "energy_over_w2sq": energy / w2(x0, x1) ** 2,
            "energy_over_chord": energy / chord}


def step_errors(b, x0: torch.Tensor, x1_fine: torch.Tensor, steps, method: str) -> List[float]:
    """RMS |X_1(k steps) - X_1(fine)| for every k of `steps`."""
    return [float(((sample_ode(b, x0, steps=int(k), method=method).x.double() - x1_fine) ** 2).sum(1).mean().sqrt())
            for k in steps]


def evaluate_rectification(source_ckpt, rectified_ckpt, settings: dict, device="cpu"):
    """The rows of the table (one per model, plus the comparisons) and the data of the figure."""
    s = settings
    seed, n = int(s.get("seed", 0)), int(s["n"])
    gen = lambda *parts: figure_generator(seed, "sec5_3", *parts)  # noqa: E731
    rho0, rho1 = gaussian(2), Checkerboard(dtype=torch.float64)
    x0, x0b = rho0.sample(n, generator=gen("x0")).double(), rho0.sample(n, generator=gen("x0b")).double()
    models = {"source": load_model(source_ckpt, device=device).to(dtype=torch.float64),
              "rectified": load_model(rectified_ckpt, device=device).to(dtype=torch.float64)}
    steps, tol = [int(k) for k in s["steps"]], float(s["tol"])
    rows, data = [], {"steps": steps, "tol": tol}
    with torch.no_grad():
        for name, m in models.items():
            st = straightness(m.b, x0, s["fine"])
            other = sample_ode(m.b, x0b, steps=int(s["fine"]["steps"]), method=s["fine"]["method"]).x.double()
            errs = step_errors(m.b, x0, st["x1"], steps, s["coarse"])
            reach = [k for k, e in zip(steps, errs) if e <= tol]
            rows.append({"model": name, "path": m.interpolant.path, "gamma": m.interpolant.gamma_name,
                         "objective": m.objective, "support_fraction": rho1.support_fraction(st["x1"]),
                         **{k: st[k] for k in ("path_energy", "chord", "w2sq_endpoints", "energy_over_w2sq",
                                               "energy_over_chord")},
                         "coarse_method": s["coarse"], "tol": tol, "steps_to_tol": reach[0] if reach else math.nan,
                         **{f"rms_err_steps{k}": e for k, e in zip(steps, errs)},
                         "train_steps": m.spec.get("config", {}).get("steps")})
            data[name] = {"x1": st["x1"], "x1_b": other, "trajectory": st["trajectory"], "errors": errs}
    src, rect = data["source"], data["rectified"]
    spread = float(((src["x1"] - src["x1"].mean(0)) ** 2).sum(1).mean().sqrt())
    paired = float(((rect["x1"] - src["x1"]) ** 2).sum(1).mean().sqrt())
    perms = int(s["permutations"])
    between = permutation_test(src["x1"], rect["x1_b"], "energy", perms, generator=gen("perm"))
    null = permutation_test(src["x1"], src["x1_b"], "energy", perms, generator=gen("perm-null"))
    t = 0.5
    interp = Interpolant(models["source"].interpolant.path, models["source"].interpolant.gamma_name,
                         models["source"].interpolant.a)
    x1_indep = rho1.sample(n, generator=gen("x1"))
    z = torch.randn(n, 2, generator=gen("z"), dtype=torch.float64)
    xt_orig = interp.points(torch.full((n,), t, dtype=torch.float64), x0, x1_indep, z).xt
    xt_rect = (1 - t) * x0 + t * src["x1"]
    data.update({"xt_orig": xt_orig, "xt_rect": xt_rect, "t": t})
    rows.append({"model": "rectified vs source", "map_rel_rms": paired / spread, "map_rms": paired, "spread": spread,
                 "energy": between.statistic, "energy_pvalue": between.pvalue, "energy_z": between.z,
                 "null_energy": null.statistic, "null_energy_pvalue": null.pvalue, "null_energy_z": null.z,
                 "w2": w2(src["x1"], rect["x1_b"]), "w2_floor": w2(src["x1"], src["x1_b"]),
                 "interpolant_energy_t0.5": energy_distance(xt_orig, xt_rect), "n": n})
    return rows, data


def plot_rectification(rows, data, out) -> None:
    """Four panels: the two models' samples, the two interpolants at t = 1/2, error against steps, paths."""
    import matplotlib.pyplot as plt
    sns = apply_style()
    pal = sns.color_palette("colorblind")
    fig, ax = plt.subplots(1, 4, figsize=(PAPER_WIDTH, 2.15))
    src, rect = data["source"], data["rectified"]
    k = 1500

    def box(*arrays) -> float:  # a square box that holds every drawn point (nothing clipped)
        return 1.05 * max(float(np.abs(np.asarray(a)[..., :2]).max()) for a in arrays)

    for a, (x, y, labels) in zip(ax[:2], (
            (src["x1"], rect["x1_b"], ("source ODE", "rectified ODE")),
            (data["xt_orig"], data["xt_rect"], ("source interpolant", "rectified interpolant")))):
        a.scatter(x[:k, 0], x[:k, 1], s=0.8, color=pal[0], alpha=0.5, linewidths=0, label=labels[0], rasterized=True)
        a.scatter(y[:k, 0], y[:k, 1], s=0.8, color=pal[1], alpha=0.5, linewidths=0, label=labels[1], rasterized=True)
        a.set_aspect("equal")
        lim = box(x[:k], y[:k])
        a.set_xlim(-lim, lim)
        a.set_ylim(-lim, lim)
        a.set_xlabel("$x_1$")
        a.set_ylabel("$x_2$")
        a.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), markerscale=6, fontsize=5.5, frameon=False)
    cmp = rows[-1]
    ax[0].set_title(f"samples $X_1$; rel. map diff. {cmp['map_rel_rms']:.3f}", fontsize=6.5)
    ax[1].set_title(f"$x_t$ at $t={data['t']:g}$", fontsize=6.5)
    for j, (name, d) in enumerate((("source", src), ("rectified", rect))):
        ax[2].loglog(data["steps"], d["errors"], "o-", ms=2.5, color=pal[j], label=name)
    ax[2].axhline(data["tol"], color="0.4", lw=0.7, ls="--", label="tolerance")
    ax[2].set_xticks(data["steps"], [str(k) for k in data["steps"]], fontsize=6)
    ax[2].minorticks_off()
    ax[2].set_xlabel("ODE steps (coarse)")
    ax[2].set_ylabel(r"RMS $|X_1^{k} - X_1^{\mathrm{fine}}|$")
    ax[2].legend(fontsize=5.5)
    for j, d in enumerate((src, rect)):
        tr = d["trajectory"][:, :25]
        for i in range(tr.shape[1]):
            ax[3].plot(tr[:, i, 0], tr[:, i, 1], color=pal[j], lw=0.5, alpha=0.7)
    ax[3].set_aspect("equal")
    lim = box(src["trajectory"][:, :25], rect["trajectory"][:, :25])
    ax[3].set_xlim(-lim, lim)
    ax[3].set_ylim(-lim, lim)
    ax[3].set_xlabel("$x_1$")
    ax[3].set_ylabel("$x_2$")
    ax[3].set_title("ODE paths (25 each)", fontsize=6.5)
    fig.tight_layout(pad=0.4, w_pad=1.2)
    save_figure(fig, out)


def write_rectification(source_ckpt, rectified_ckpt, settings: dict, device, out_csv, out_png) -> None:
    """Rule sec5_3_rectify: the table (CSV) and the figure."""
    import pandas as pd
    rows, data = evaluate_rectification(source_ckpt, rectified_ckpt, settings, device)
    frame = pd.DataFrame(rows)
    print(frame.T.to_string(), flush=True)
    write_csv(out_csv, frame)
    plot_rectification(rows, data, out_png)
