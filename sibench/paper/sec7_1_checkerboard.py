"""The paper's section 7.1 (figures 9 and 10): N(0, I_2) -> checkerboard with v and s learned for several
gamma, the ODE against the SDE at several eps, measured as the paper does and exactly (docs/paper.md).

For one trained model (rule sec7_1_evaluate), from the same x0 ~ N(0, I_2):
  * samples of the ODE and of the SDE at every eps; their support fraction;
  * the paper's measure: |log rho_1 - log rho^_1| at m points y ~ rho_1 (where rho_1 > 0), rho^_1 a Gaussian KDE
    (Scott's rule, si.metrics.GaussianKDE) of the n samples; mean and variance with standard errors. The same
    KDE of n exact checkerboard samples gives the measure's floor (sampler "exact");
  * exactly: rho^_1 the model's own density at the same points, the ODE's by si.likelihood.ode_likelihood
    (exact divergence in 2-D) and the SDE's by si.likelihood.sde_likelihood, the score estimator with its
    control variate (its per-point Monte Carlo error reported), and the Feynman-Kac estimator with the
    effective sample size of its path weights;
  * paired gaps: mean over the points of |log rho_1 - log rho^_1| for the ODE minus that for each SDE (both
    measures), and the exact KL of the ODE minus the SDE's, with standard errors (the points are common). The
    score estimator under-estimates log rho^_1 by eps E int |s^ - grad log rho^_t|^2 dt (docs/theory.md §5), so the
    SDE's exact KL is an upper bound in expectation and its |.| is inflated by the per-point Monte Carlo error
    (column exact_point_se): a gap in the SDE's favour is conservative, one against it may be the estimator's;
  * KDE log densities of every sampler on a grid (the panels of figure 9).
log rho_1 is exact: -log 32 on the support (the points are drawn there).
"""
from __future__ import annotations

import time
from typing import Dict, List

import numpy as np
import torch

from ..densities import Checkerboard, gaussian
from ..io import save_npz, write_csv
from ..seeds import figure_generator
from .sec7_stats import abs_error_stats, paired_gap
from si.likelihood import ode_likelihood, sde_likelihood
from si.metrics import GaussianKDE
from si.sampling import sample_ode, sample_sde
from si.training import load_model

__all__ = ["GRID_BOX", "evaluate_checkerboard_model", "kde_grid", "write_checkerboard_evaluation"]

GRID_BOX = (-4.5, 4.5)


def kde_grid(samples: torch.Tensor, grid: int) -> np.ndarray:
    """log KDE of the samples on a grid x grid lattice of GRID_BOX^2 (rows: y, columns: x)."""
    g = np.linspace(*GRID_BOX, int(grid))
    X, Y = np.meshgrid(g, g)
    return GaussianKDE(samples).log_prob(np.stack([X.ravel(), Y.ravel()], 1)).numpy().reshape(X.shape)


def _row(label, sampler, eps, x, rho1, log_p1, y, **extra) -> Dict:
    ok = torch.isfinite(x).all(1)
    row = {"gamma": label, "sampler": sampler, "eps": eps, "n": int(x.shape[0]),
           "finite_fraction": float(ok.double().mean()), "support_fraction": rho1.support_fraction(x[ok]), **extra}
    row.update(abs_error_stats(log_p1, GaussianKDE(x[ok]).log_prob(y), "kde"))
    return row


def evaluate_checkerboard_model(checkpoint, label: str, settings: dict, device="cpu"):
    """Rows (one per sampler and eps, plus the exact-samples floor) and the KDE grids, for one model."""
    s = settings
    seed = int(s.get("seed", 0))
    model = load_model(checkpoint, device=device)
    rho0, rho1 = gaussian(2), Checkerboard(dtype=torch.float64)
    n, m, lk = int(s["n"]), int(s["points"]), s["likelihood"]
    x0 = rho0.sample(n, generator=figure_generator(seed, "sec7_1", "x0")).to(device)
    y = rho1.sample(m, generator=figure_generator(seed, "sec7_1", "points"))
    log_p1 = rho1.log_prob(y)
    exact = rho1.sample(n, generator=figure_generator(seed, "sec7_1", "exact"))
    rows: List[Dict] = [_row(label, "exact", float("nan"), exact, rho1, log_p1, y)]
    grids = {"exact": kde_grid(exact, s["grid"])}
    lik = model                        # likelihoods in the model's dtype (float32: 2-D, errors ~1e-6)
    yd = y.to(device=device, dtype=next(model.nets.parameters()).dtype)
    kde_abs, exact_abs = {}, {}
    with torch.no_grad():
        t0 = time.process_time()
        x = sample_ode(model.b, x0, steps=int(s["ode"]["steps"]), method=s["ode"]["method"]).x.double().cpu()
        t_sample = time.process_time() - t0
    t0 = time.process_time()
    res = ode_likelihood(lik.b, rho0.log_prob, yd, steps=int(lk["ode_steps"]), method=lk["ode_method"])
    lq = res.log_prob.double().cpu()
    row = _row(label, "ode", 0.0, x, rho1, log_p1, y, exact_estimator="ode (exact divergence)",
               sample_cpu_s=t_sample, likelihood_cpu_s=time.process_time() - t0)
    row.update(abs_error_stats(log_p1, lq, "exact"))
    rows.append(row)
    grids["ode"] = kde_grid(x, s["grid"])
    kde_abs["ode"] = (log_p1 - GaussianKDE(x).log_prob(y)).abs()
    exact_abs["ode"] = (log_p1 - lq).abs()
    exact_lq = {"ode": lq}
    for e in [float(v) for v in s["eps"]]:
        with torch.no_grad():
            t0 = time.process_time()
            x = sample_sde(model.b, model.s, x0, steps=int(s["sde"]["steps"]), method=s["sde"]["method"], eps=e,
                           generator=figure_generator(seed, "sec7_1", "sde", e, label)).x.double().cpu()
            t_sample = time.process_time() - t0
        t0 = time.process_time()
        res = sde_likelihood(lik.b, lik.s, rho0.log_prob, yd, steps=int(lk["sde_steps"]), paths=int(lk["score_paths"]),
                             estimator="score", method=lk["sde_method"], eps=e, control_variate=True,
                             generator=figure_generator(seed, "sec7_1", "score", e, label))
        lq = res.log_prob.double().cpu()
        row = _row(label, "sde", e, x, rho1, log_p1, y, exact_estimator="sde score (control variate)",
                   sample_cpu_s=t_sample, exact_point_se=float(res.stderr.mean()) if res.stderr is not None else 0.0)
        row.update(abs_error_stats(log_p1, lq, "exact"))
        if int(lk.get("fk_paths", 0)) > 0:
            fk = sde_likelihood(lik.b, lik.s, rho0.log_prob, yd, steps=int(lk["sde_steps"]), paths=int(lk["fk_paths"]),
                                estimator="feynman-kac", method=lk["sde_method"], eps=e,
                                generator=figure_generator(seed, "sec7_1", "fk", e, label))
            row.update(abs_error_stats(log_p1, fk.log_prob.double().cpu(), "fk"))
            ess = fk.ess.cpu().double()
            row.update({"fk_paths": int(lk["fk_paths"]), "fk_ess_median": float(ess.median()),
                        "fk_ess_below_2": float((ess < 2).double().mean())})
        row["likelihood_cpu_s"] = time.process_time() - t0
        kde_abs[e] = (log_p1 - GaussianKDE(x[torch.isfinite(x).all(1)]).log_prob(y)).abs()
        exact_abs[e] = (log_p1 - lq).abs()
        for measure, d in (("kde", kde_abs), ("exact", exact_abs)):
            gap, se = paired_gap(d["ode"], d[e])
            row[f"{measure}_gap_ode_minus_sde"], row[f"{measure}_gap_ode_minus_sde_se"] = gap, se
        # KL_ODE - KL_SDE = mean(log rho^_SDE - log rho^_ODE) at the same points (the SDE's value is, in
        # expectation, an upper bound of its KL: estimator (a) under-estimates log rho^_1 unless s^ is its score)
        row["exact_kl_gap_ode_minus_sde"], row["exact_kl_gap_ode_minus_sde_se"] = paired_gap(lq, exact_lq["ode"])
        rows.append(row)
        grids[f"sde_eps{e:g}"] = kde_grid(x, s["grid"])
    spec = model.spec.get("config", {})
    for r in rows:
        r.update({"path": model.interpolant.path, "gamma_name": model.interpolant.gamma_name,
                  "objective": model.objective, "train_steps": spec.get("steps"), "hidden": spec.get("hidden"),
                  "depth": spec.get("depth"), "batch": spec.get("batch")})
    return rows, grids


def write_checkerboard_evaluation(checkpoint, label: str, settings: dict, device, out_csv, out_npz) -> None:
    """Rule sec7_1_evaluate: the model's rows (CSV) and KDE grids (npz)."""
    import pandas as pd
    rows, grids = evaluate_checkerboard_model(checkpoint, label, settings, device)
    frame = pd.DataFrame(rows)
    print(frame.to_string(index=False), flush=True)
    write_csv(out_csv, frame)
    save_npz(out_npz, grids)
