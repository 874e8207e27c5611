"""The paper's section 7.2 (figures 12-14): N(0, I_d) -> the 5-component mixture in d = 128 (sibench.densities.
paper_mixture), linear path with gamma = sqrt(t(1-t)), objectives {b,s}, {b,eta}, {v,s}, {v,eta}; the KL against
eps by the paper's metric and by exact measures it could not use (docs/paper.md).

For one trained model (rule sec7_2_evaluate), from the same x0 ~ N(0, I_d), every sampler on the window
[t_min, t_max] = [1e-4, 1 - 1e-4] (the paper's window with eta; here for every objective, the ODE too), the last
piece one Euler step of b (si.sampling):
  * eps = 0 is the ODE, eps > 0 the forward SDE;
  * the paper's metric: KL between Gaussian KDEs (Scott's rule) of the 2-D marginal on the first two
    coordinates of n target samples and of n model samples, at m fresh target points, with the control
    variate (si.metrics.kde_kl), and B bootstrap replicates of it (target samples, model samples and points
    resampled, the bandwidths held at the full samples'; above BOOTSTRAP_ELEMENTS kernel values per KDE, the
    paper's sizes, the points only), from which the figure locates the optimal eps;
  * full dimension, exact: the mixture's modes (si.metrics.modes): samples assigned to the component of largest
    posterior weight, the total variation of the mode weights and the mean over modes of the squared Bures-W2
    between each mode's moment fit and the exact component, beside the same for n exact samples (the floor),
    with bootstrap replicates paired across eps;
  * full dimension, against exact samples: the energy distance to the target samples (the first
    min(n, energy.n = 5000) of each) with its permutation test (si.metrics.permutation_test: statistic,
    p-value, the null's sd);
  * exact, independent of eps: the relative mean squared error of the assembled b and s against the exact
    oracle (si.oracle.InterpolantOracle) at x_t, t stratified on [t_min, t_max] (64 times); and the KL in full
    dimension of the ODE's density, KL(rho_1 || rho^_1) = E log rho_1 - log rho^_1 at points of rho_1, by
    si.likelihood.ode_likelihood: with the exact divergence the paired estimator with control variate
    (si.metrics.paired_kl), with Hutchinson's (unbiased for log rho^_1, not for rho^_1 = e^log) the plain one.
"""
from __future__ import annotations

import math
import time
from typing import Dict, List

import numpy as np
import torch

from ..densities import gaussian, paper_mixture
from ..io import save_npz, write_csv
from ..seeds import figure_generator
from si.interpolants import Interpolant
from si.likelihood import ode_likelihood
from si.metrics import (GaussianKDE, assign_modes, field_rel_mse, kl_terms, mode_bures, mode_weight_tv, paired_kl,
                        permutation_test)
from si.oracle import InterpolantOracle
from si.sampling import sample_ode, sample_sde
from si.training import load_model

__all__ = ["WINDOW", "FIELD_TIMES", "BOOTSTRAP_ELEMENTS", "ENERGY_N", "mode_errors", "bootstrap_replicates",
           "field_errors", "ode_kl",
           "evaluate_gmm_model", "write_gmm_evaluation"]

WINDOW = (1e-4, 1 - 1e-4)
FIELD_TIMES = 64     # distinct times of the field errors
BOOTSTRAP_ELEMENTS = 2 ** 23   # kernel values held per KDE by the full bootstrap (64 MB each)
ENERGY_N = 5000      # at most this many samples of each side in the energy test ((2 n)^2 distances)


def mode_errors(x: torch.Tensor, gmm) -> Dict[str, float]:
    """Mode-weight TV and the mean over modes of the squared Bures-W2 to the exact components (si.metrics.modes)."""
    lab = assign_modes(x, gmm)
    return {"mode_tv": mode_weight_tv(lab, gmm), "mode_w2": float(torch.nanmean(mode_bures(x, lab, gmm)))}


def bootstrap_replicates(target: torch.Tensor, samples: Dict[float, torch.Tensor], points: torch.Tensor, gmm,
                         B: int, generator: torch.Generator):
    """(B, E) bootstrap replicates of the KDE KL (control variate, on the first two coordinates), the mode-weight
    TV and the mean per-mode Bures-W2^2 for the E sample sets (in the order of `samples`), and what the KDE KL
    resampled. A replicate resamples the points, the target samples, and the model samples with one set of
    indices for every eps (sample i of every set comes from the same x0_i: the comparison across eps is paired).
    Up to BOOTSTRAP_ELEMENTS kernel values per KDE the KDEs are resampled through multiplicities c (log sum_i
    c_i K_ij - log n, bandwidths fixed: "points+samples"); beyond, the KDE KL resamples the points only ("points":
    the KDEs' own sampling noise is then left out)."""
    m, n = points.shape[0], next(iter(samples.values())).shape[0]
    full = m * max(target.shape[0], n) <= BOOTSTRAP_ELEMENTS

    def kernels(x):
        K = GaussianKDE(x[:, :2]).log_kernels(points)                  # (m, n)
        shift = K.max(1, keepdim=True).values
        return torch.exp(K - shift), shift[:, 0]

    def counts(k, idx):
        return torch.bincount(idx, minlength=k).double()

    if full:
        P, Q = kernels(target), [kernels(x) for x in samples.values()]
    else:
        log_p = GaussianKDE(target[:, :2]).log_prob(points)
        log_q = [GaussianKDE(x[:, :2]).log_prob(points) for x in samples.values()]
    labels = [assign_modes(x, gmm) for x in samples.values()]
    out = {k: np.empty((B, len(samples))) for k in ("kde_kl", "mode_tv", "mode_w2")}
    for b in range(B):
        j = torch.randint(0, m, (m,), generator=generator)
        i = torch.randint(0, n, (n,), generator=generator)
        if full:
            cp = counts(P[0].shape[1], torch.randint(0, P[0].shape[1], (P[0].shape[1],), generator=generator))
            lp = torch.log(P[0][j] @ cp) + P[1][j] - math.log(P[0].shape[1])
        for e, (x, lab) in enumerate(zip(samples.values(), labels)):
            if full:
                lq = torch.log(Q[e][0][j] @ counts(n, i)) + Q[e][1][j] - math.log(n)
                out["kde_kl"][b, e] = float(kl_terms(lp, lq).mean())
            else:
                out["kde_kl"][b, e] = float(kl_terms(log_p[j], log_q[e][j]).mean())
            out["mode_tv"][b, e] = mode_weight_tv(lab[i], gmm)
            out["mode_w2"][b, e] = float(torch.nanmean(mode_bures(x[i], lab[i], gmm)))
    return out, "points+samples" if full else "points"


def field_errors(model, oracle: InterpolantOracle, rho0, rho1, n: int, generator: torch.Generator) -> Dict[str, float]:
    """Relative MSE of the assembled b and s against the oracle at x_t, t stratified on WINDOW
    (si.metrics.field_rel_mse)."""
    it = oracle.interpolant
    # stratified times: TIMES midpoints of equal parts of the window, n / TIMES points each (the oracle
    # factorises its covariances once per distinct time)
    k = torch.arange(n, dtype=torch.float64) % FIELD_TIMES
    t = WINDOW[0] + (WINDOW[1] - WINDOW[0]) * (k + 0.5) / FIELD_TIMES
    x0, x1 = rho0.sample(n, generator=generator).double(), rho1.sample(n, generator=generator).double()
    xt = it.points(t, x0, x1, torch.randn(n, rho1.dim, generator=generator, dtype=torch.float64)).xt
    p = next(model.nets.parameters())
    out = {}
    with torch.no_grad():
        for name, learned, exact in (("b", model.b, oracle.b), ("s", model.s, oracle.s)):
            est = field_rel_mse(learned(t.to(p.device, p.dtype), xt.to(p.device, p.dtype)).double().cpu(), exact(t, xt))
            out[f"field_{name}_rel_mse"], out[f"field_{name}_rel_mse_se"] = est.value, est.stderr
    return out


def ode_kl(model, rho0, rho1, n: int, settings: dict, generator: torch.Generator) -> Dict[str, object]:
    """KL(rho_1 || rho^_1) of the ODE in full dimension at n points of rho_1 (module doc)."""
    y = rho1.sample(n, generator=generator).double()
    lik = model.to(dtype=torch.float64)
    div = settings.get("divergence", "hutchinson")
    res = ode_likelihood(lik.b, rho0.log_prob, y, steps=int(settings["ode_steps"]), method=settings["ode_method"],
                         divergence=div, probes=int(settings.get("probes", 1)), generator=generator,
                         t_min=WINDOW[0], t_max=WINDOW[1])
    est = paired_kl(rho1.log_prob(y), res.log_prob, control_variate=div == "exact")
    return {"ode_kl_full": est.value, "ode_kl_full_se": est.stderr, "ode_kl_full_n": est.n,
            "ode_kl_full_estimator": f"{div} divergence, " + ("control variate" if div == "exact" else "plain")}


def evaluate_gmm_model(checkpoint, settings: dict, device="cpu"):
    """Rows (one per eps), the bootstrap replicates (B, E) and the 2-D marginal samples, for one model."""
    s = settings
    seed, d = int(s.get("seed", 0)), int(s.get("dim", 128))
    model = load_model(checkpoint, device=device)
    rho0, rho1 = gaussian(d), paper_mixture(d)
    n, m = int(s["n"]), int(s["kde"]["points"])
    gen = lambda *parts: figure_generator(seed, "sec7_2", *parts)  # noqa: E731
    x0 = rho0.sample(n, generator=gen("x0")).to(device)
    target = rho1.sample(n, generator=gen("target")).double()
    points = rho1.sample(m, generator=gen("points")).double()[:, :2]
    key = f"{model.objective}/{checkpoint}"
    samples, rows = {}, []
    for e in [float(v) for v in s["eps"]]:
        t0 = time.process_time()
        with torch.no_grad():
            if e == 0:
                res = sample_ode(model.b, x0, steps=int(s["ode"]["steps"]), method=s["ode"]["method"],
                                 t_min=WINDOW[0], t_max=WINDOW[1])
            else:
                res = sample_sde(model.b, model.s, x0, steps=int(s["sde"]["steps"]), method=s["sde"]["method"], eps=e,
                                 generator=gen("sde", e, key), t_min=WINDOW[0], t_max=WINDOW[1])
        x = res.x.double().cpu()
        t_sample = time.process_time() - t0
        finite = bool(torch.isfinite(x).all())
        row = {"eps": e, "sampler": "ode" if e == 0 else "sde", "nfe": res.nfe, "n": n, "finite": finite,
               "sample_cpu_s": t_sample}
        if finite:
            samples[e] = x
            kl = paired_kl(GaussianKDE(target[:, :2]).log_prob(points), GaussianKDE(x[:, :2]).log_prob(points))
            k = min(n, int(s["energy"].get("n", ENERGY_N)))
            test = permutation_test(x[:k], target[:k], "energy", int(s["energy"]["permutations"]),
                                    generator=gen("perm", e))
            row.update({"kde_kl": kl.value, "kde_kl_point_se": kl.stderr, "energy": test.statistic,
                        "energy_pvalue": test.pvalue, "energy_null_sd": test.null_sd, **mode_errors(x, rho1.gmm)})
        rows.append(row)
    if not samples:
        raise FloatingPointError(f"{checkpoint}: every sampler gave non-finite samples")
    t0 = time.process_time()
    B = int(s["kde"]["bootstrap"])
    reps, resampled = bootstrap_replicates(target, samples, points, rho1.gmm, B, gen("bootstrap"))
    sd = {k: dict(zip(samples, v.std(0, ddof=1))) for k, v in reps.items()}
    t_boot = time.process_time() - t0
    floor = mode_errors(target, rho1.gmm)          # the mode metrics of n exact samples
    oracle = InterpolantOracle(Interpolant("linear", "brownian"), rho0.gmm, rho1.gmm)
    t0 = time.process_time()
    model_level = field_errors(model, oracle, rho0, rho1, int(s["fields"]["n"]), gen("fields"))
    model_level["field_cpu_s"] = time.process_time() - t0
    t0 = time.process_time()
    if int(s["kl"].get("n", 0)) > 0:
        model_level.update(ode_kl(model, rho0, rho1, int(s["kl"]["n"]), s["kl"], gen("kl")))
    model_level["kl_cpu_s"] = time.process_time() - t0
    spec = model.spec.get("config", {})
    for r in rows:
        r.update({"objective": model.objective, "seed": int(spec.get("seed", 0)), "dim": d,
                  **{f"{k}_boot_sd": float(v.get(r["eps"], math.nan)) for k, v in sd.items()},
                  "mode_tv_floor": floor["mode_tv"], "mode_w2_floor": floor["mode_w2"], "bootstrap": B,
                  "kde_bootstrap_resamples": resampled, "bootstrap_cpu_s": t_boot,
                  "train_steps": spec.get("steps"), "hidden": spec.get("hidden"), "depth": spec.get("depth"),
                  **model_level})
    return rows, reps, {f"eps{e:g}": v[:, :2].numpy() for e, v in samples.items()}, list(samples)


def write_gmm_evaluation(checkpoint, settings: dict, device, out_csv, out_npz) -> None:
    """Rule sec7_2_evaluate: the rows (CSV); the replicates, their eps and the 2-D samples (npz)."""
    import pandas as pd
    rows, reps, marg, eps = evaluate_gmm_model(checkpoint, settings, device)
    frame = pd.DataFrame(rows)
    print(frame.to_string(index=False), flush=True)
    write_csv(out_csv, frame)
    save_npz(out_npz, {**{f"replicates_{k}": v for k, v in reps.items()}, "replicate_eps": np.array(eps), **marg})
