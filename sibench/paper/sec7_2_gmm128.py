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
from si.metrics import GaussianKDE, field_rel_mse, kl_terms, paired_kl, permutation_test
from si.oracle import InterpolantOracle
from si.sampling import sample_ode, sample_sde
from si.training import load_model

__all__ = ["WINDOW", "FIELD_TIMES", "BOOTSTRAP_ELEMENTS", "ENERGY_N", "bootstrap_kde_kl", "field_errors", "ode_kl",
           "evaluate_gmm_model", "write_gmm_evaluation"]

WINDOW = (1e-4, 1 - 1e-4)
FIELD_TIMES = 64     # distinct times of the field errors
BOOTSTRAP_ELEMENTS = 2 ** 23   # kernel values held per KDE by the full bootstrap (64 MB each)
ENERGY_N = 5000      # at most this many samples of each side in the energy test ((2 n)^2 distances)


def bootstrap_kde_kl(target: torch.Tensor, samples: Dict[float, torch.Tensor], points: torch.Tensor, B: int,
                     generator: torch.Generator):
    """(B, E) bootstrap replicates of the KDE KL (control variate) for the E sample sets (in the order of
    `samples`), and what was resampled: up to BOOTSTRAP_ELEMENTS kernel values per KDE, the target samples,
    every model sample set and the points with replacement (multiplicities c: a resampled KDE is
    log sum_i c_i K_ij - log n, bandwidths fixed), "points+samples"; beyond, the points only ("points": the
    KDEs' own sampling noise is then left out)."""
    m = points.shape[0]
    if m * max(target.shape[0], *(x.shape[0] for x in samples.values())) > BOOTSTRAP_ELEMENTS:
        log_p = GaussianKDE(target).log_prob(points)
        log_q = [GaussianKDE(x).log_prob(points) for x in samples.values()]
        out = np.empty((B, len(log_q)))
        for b in range(B):
            j = torch.randint(0, m, (m,), generator=generator)
            out[b] = [float(kl_terms(log_p[j], lq[j]).mean()) for lq in log_q]
        return out, "points"

    def resampled(kde: GaussianKDE):
        K = kde.log_kernels(points)                                   # (m, n)
        shift = K.max(1, keepdim=True).values
        return torch.exp(K - shift), shift[:, 0]

    def counts(n):
        return torch.bincount(torch.randint(0, n, (n,), generator=generator), minlength=n).double()

    P, p_shift = resampled(GaussianKDE(target))
    Q = [resampled(GaussianKDE(x)) for x in samples.values()]
    out = np.empty((B, len(Q)))
    for b in range(B):
        cp, j = counts(P.shape[1]), torch.randint(0, m, (m,), generator=generator)
        log_p = torch.log(P[j] @ cp) + p_shift[j] - math.log(P.shape[1])
        for e, (Kq, q_shift) in enumerate(Q):
            log_q = torch.log(Kq[j] @ counts(Kq.shape[1])) + q_shift[j] - math.log(Kq.shape[1])
            out[b, e] = float(kl_terms(log_p, log_q).mean())
    return out, "points+samples"


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
            samples[e] = x[:, :2]
            kl = paired_kl(GaussianKDE(target[:, :2]).log_prob(points), GaussianKDE(x[:, :2]).log_prob(points))
            k = min(n, int(s["energy"].get("n", ENERGY_N)))
            test = permutation_test(x[:k], target[:k], "energy", int(s["energy"]["permutations"]),
                                    generator=gen("perm", e))
            row.update({"kde_kl": kl.value, "kde_kl_point_se": kl.stderr, "energy": test.statistic,
                        "energy_pvalue": test.pvalue, "energy_null_sd": test.null_sd})
        rows.append(row)
    if not samples:
        raise FloatingPointError(f"{checkpoint}: every sampler gave non-finite samples")
    t0 = time.process_time()
    B = int(s["kde"]["bootstrap"])
    reps, resampled = bootstrap_kde_kl(target[:, :2], samples, points, B, gen("bootstrap"))
    sd = dict(zip(samples, reps.std(0, ddof=1)))
    t_boot = time.process_time() - t0
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
                  "kde_kl_boot_sd": float(sd.get(r["eps"], math.nan)), "bootstrap": B, "bootstrap_resamples": resampled,
                  "bootstrap_cpu_s": t_boot,
                  "train_steps": spec.get("steps"), "hidden": spec.get("hidden"), "depth": spec.get("depth"),
                  **model_level})
    return rows, reps, {f"eps{e:g}": v.numpy() for e, v in samples.items()}, list(samples)


def write_gmm_evaluation(checkpoint, settings: dict, device, out_csv, out_npz) -> None:
    """Rule sec7_2_evaluate: the rows (CSV); the replicates, their eps and the 2-D samples (npz)."""
    import pandas as pd
    rows, reps, marg, eps = evaluate_gmm_model(checkpoint, settings, device)
    frame = pd.DataFrame(rows)
    print(frame.to_string(index=False), flush=True)
    write_csv(out_csv, frame)
    save_npz(out_npz, {"replicates": reps, "replicate_eps": np.array(eps), **marg})
