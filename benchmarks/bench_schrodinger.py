"""The Schroedinger bridge by optimising the interpolant (si.schrodinger, docs/theory.md §10): result tables.

Not a test: it prints tables (and appends each finished row to --out as CSV, so a long run can be
read while it goes and resumed with --skip-done).

1. Gaussian table. sibench.pairs.bridges.gaussian_sb_pair(d, sigma^2) (non-commuting covariances,
   the suite's fixed pairs), d in {2, 16, 50}, sigma^2 in {0.1, 1} (eps = sigma^2 / 2), fit_maxmin
   with the affine parametrisation (Lemma 3.12). Columns: mean over t = 0.1, ..., 0.9 of the exact
   KL(x^_t || rho_t) and the max Bures-W2 (from the exact moments of x^_t: sample moments in d = 50
   would carry a KL bias of order d^2 / (2n)); the relative coupling error |C - C*|_F / |C*|_F of
   the learned SDE dX = u^ dt + sqrt(2 eps) dW from X0 ~ rho0 (exact moment equations, RK4), and
   the KL of its X1 from rho1; seconds per fit. Reference: DSBM-IPF's 8.75e-3 mean marginal KL on
   its own d = 50 Gaussian pair (published).
2. cBW-UVP table. sibench.pairs.bridges.mixture_potential_bridge(d, sigma^2) (rho0, rho1 exact
   Gaussian mixtures, plan known), d in {2, 16, 64}, sigma^2 in {0.1, 1}. Methods, all with
   gamma = sqrt(sigma^2 t(1-t)) and sampled by 100 Euler-Maruyama steps of the forward SDE:
   sb-maxmin (fit_maxmin, MLP parametrisation), the entropic-coupling bridge (minibatch Sinkhorn,
   reg = 2 sigma^2), the minibatch-OT bridge, the independent bridge (these three: si.training.train,
   objective "b,s", drift b + eps s), DSBM-IMF (fit_imf, alternating, 5 iterations).
   cBW-UVP: m conditioning points x0_i ~ rho0, k SDE samples from each, 100 W2^2(Gaussian fit,
   exact pi(.|x0_i)) / tr Cov(rho1), averaged (si.metrics.conditional_bw_uvp); BW-UVP of X1 (n
   paths) against rho1. The "floor" row evaluates exact samples of the plan at the same m, k, n.
   Published cBW-UVP (LightSB, SF2M-Sink at eps_bench = 0.1, i.e. sigma^2 = 0.1) are reference rows
   on their own pairs (Gushchin et al. 2023's benchmark), not comparable number for number.

Run: python benchmarks/bench_schrodinger.py [--part gaussian|cbw|all] [--dims 2,16] [--sigma2 0.1,1]
     [--methods sb-maxmin,entropic,ot,independent,dsbm-imf] [--quick] [--out FILE]
"""
from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from si import Interpolant  # noqa: E402
from si.couplings import make_coupling  # noqa: E402
from si.metrics import bures_w2, bw_uvp, conditional_bw_uvp  # noqa: E402
from si.mixtures import GaussianMixture  # noqa: E402
from si.sampling import sample_sde  # noqa: E402
from si.schrodinger import KL_TIMES, fit_imf, fit_maxmin, gaussian_kl  # noqa: E402
from si.training import TrainConfig, train  # noqa: E402
from sibench.pairs.bridges import gaussian_sb_pair, mixture_potential_bridge  # noqa: E402

F64 = torch.float64
METHODS = ("sb-maxmin", "entropic", "ot", "independent", "dsbm-imf")
PUBLISHED = {  # cBW-UVP (%) at eps_bench = 0.1 (sigma^2 = 0.1), d = 2 / 16 / 64, on their own pairs
    "LightSB (published, on their own pairs)": {2: 0.03, 16: 0.08, 64: 0.28},
    "SF2M-Sink (published, on their own pairs)": {2: 0.54, 16: 3.7, 64: 9.5},
}
SDE_STEPS = 100


def _gauss(mean, cov) -> GaussianMixture:
    return GaussianMixture(torch.ones(1, dtype=F64), mean[None], cov[None])


def _emit(row: dict, out) -> None:
    print("  ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()), flush=True)
    if out:
        new = not os.path.exists(out)
        with open(out, "a", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(row))
            if new:
                w.writeheader()
            w.writerow(row)


# ----------------------------------------------------------------------------------------
# 1. Gaussian pairs: exact moments
# ----------------------------------------------------------------------------------------
def gaussian_options(d: int, quick: bool) -> dict:
    """Measured: d = 50, sigma^2 = 0.1 reaches a mean KL of 8e-4 with 1500 steps of batch 1024."""
    steps = {2: 1000, 16: 1000, 50: 1500}.get(d, 1500)
    batch = 1024 if d > 16 else 512
    if quick:
        steps, batch = max(200, steps // 5), 256
    return dict(steps=steps, parametrisation="affine", batch=batch, inner_steps=5, polish_steps=500)


def gaussian_row(d: int, s2: float, quick: bool, seed: int = 0) -> dict:
    br = gaussian_sb_pair(d, s2)
    opts = gaussian_options(d, quick)
    t0 = time.time()
    res = fit_maxmin(_gauss(br.mean0, br.cov0), _gauss(br.mean1, br.cov1), s2 / 2, seed=seed, threads=1, **opts)
    sec = time.time() - t0
    kls, bws = [], []
    for t in KL_TIMES:
        m, S = res.marginal_moments(t)
        mt, St = br.marginal_moments(t)
        kls.append(float(gaussian_kl(m, S, mt, St)))
        bws.append(bures_w2(m, S, mt, St))
    m1, S1, C = res.coupling_moments()
    return {"table": "gaussian", "d": d, "sigma2": s2, "mean_kl": sum(kls) / len(kls), "max_kl": max(kls),
            "max_bures_w2": max(bws), "coupling_err": float(torch.linalg.norm(C - br.cross_cov) /
                                                           torch.linalg.norm(br.cross_cov)),
            "kl_x1": float(gaussian_kl(m1, S1, br.mean1, br.cov1)), "steps": opts["steps"], "batch": opts["batch"],
            "seconds": sec}


# ----------------------------------------------------------------------------------------
# 2. mixture-potential pairs: cBW-UVP
# ----------------------------------------------------------------------------------------
def cbw_options(d: int, quick: bool) -> dict:
    width = 128 if d <= 16 else 256
    steps = {2: 2000, 16: 3000, 64: 4000}.get(d, 3000)
    if quick:
        steps = 300
    return {"steps": steps, "hidden": width, "depth": 3, "batch": 512}


def fit_method(method: str, br, s2: float, opts: dict, seed: int, sinkhorn_thr: float = 1e-6,
               sinkhorn_solver: str = "log"):
    """Train one method; returns simulate(x0, generator) -> X1 by SDE_STEPS Euler-Maruyama steps."""
    rho0, rho1, eps = br.rho0, br.rho1, s2 / 2
    if method == "sb-maxmin":
        res = fit_maxmin(rho0, rho1, eps, steps=opts["steps"] // 2, seed=seed, parametrisation="mlp", threads=1,
                         hidden=opts["hidden"], depth=opts["depth"], batch=opts["batch"], inner_steps=3,
                         polish_steps=opts["steps"] // 4)
        return lambda x0, g: res.sample_bridge(x0.float(), SDE_STEPS, generator=g).x
    if method == "dsbm-imf":
        res = fit_imf(rho0, rho1, eps, iterations=5, steps=opts["steps"] // 2, seed=seed, hidden=opts["hidden"],
                      depth=opts["depth"], batch=opts["batch"], threads=1)
        return lambda x0, g: res.sample_bridge(x0.float(), SDE_STEPS, generator=g).x
    coupling = None if method == "independent" else (
        make_coupling("entropic", sigma=math.sqrt(s2), stop_thr=sinkhorn_thr, solver=sinkhorn_solver)
        if method == "entropic"
        else make_coupling("ot"))
    cfg = TrainConfig(steps=opts["steps"], batch=opts["batch"], hidden=opts["hidden"], depth=opts["depth"],
                      lr_every=max(1, opts["steps"] // 3), seed=seed, threads=1, log_every=10 ** 9)
    model = train(Interpolant("linear", "brownian", a=s2), "b,s", rho0, rho1, cfg, coupling=coupling,
                  log=open(os.devnull, "w"))
    return lambda x0, g: sample_sde(model.b, model.s, x0.float(), SDE_STEPS, eps=eps, generator=g).x


def evaluate(simulate, br, m: int, k: int, n: int, seed: int = 1) -> dict:
    g = torch.Generator().manual_seed(seed)
    x0 = br.rho0.sample(m, generator=g)
    cm, cc = br.conditional(x0)
    var1 = float(torch.trace(br.rho1.cov()))
    with torch.no_grad():
        y = simulate(x0.repeat_interleave(k, 0), g).to(F64).reshape(m, k, -1)
        x1 = simulate(br.rho0.sample(n, generator=g), g).to(F64)
    return {"cbw_uvp": conditional_bw_uvp(y, cm, cc, var1), "bw_uvp": bw_uvp(x1, br.rho1.mean(), br.rho1.cov())}


def floor(br, m: int, k: int, n: int, seed: int = 1) -> dict:
    """The same evaluation of exact plan samples."""
    return evaluate(lambda x0, g: br.sample_conditional(x0, g), br, m, k, n, seed)


def cbw_rows(d: int, s2: float, methods, quick: bool, out, done, seed: int = 0, sinkhorn_thr: float = 1e-6,
             sinkhorn_solver: str = "log"):
    br = mixture_potential_bridge(d, s2)
    m, k, n = (64, 256, 4000) if not quick else (16, 128, 1000)
    opts = cbw_options(d, quick)
    key = ("cbw", d, s2)
    if (key + ("floor (exact plan samples)",)) not in done:
        _emit({"table": "cbw", "d": d, "sigma2": s2, "method": "floor (exact plan samples)",
               **floor(br, m, k, n), "seconds": 0.0, "steps": 0}, out)
    for method in methods:
        if (key + (method,)) in done:
            continue
        t0 = time.time()
        sim = fit_method(method, br, s2, opts, seed, sinkhorn_thr, sinkhorn_solver)
        sec = time.time() - t0
        _emit({"table": "cbw", "d": d, "sigma2": s2, "method": method, **evaluate(sim, br, m, k, n),
               "seconds": sec, "steps": opts["steps"]}, out)


def _done(out):
    if not out or not os.path.exists(out):
        return set()
    with open(out) as f:
        rows = list(csv.DictReader(f))
    keys = set()
    for r in rows:
        if r["table"] == "gaussian":
            keys.add(("gaussian", int(r["d"]), float(r["sigma2"])))
        elif "method" in r:
            keys.add(("cbw", int(r["d"]), float(r["sigma2"]), r["method"]))
    return keys


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--part", default="all", choices=("gaussian", "cbw", "all"))
    p.add_argument("--dims", default=None, help="comma-separated (default 2,16,50 / 2,16,64)")
    p.add_argument("--sigma2", default="0.1,1")
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out", default=None, help="append rows to this CSV")
    p.add_argument("--sinkhorn-thr", type=float, default=1e-6,
                   help="Sinkhorn stopping threshold of the entropic coupling (1e-6: ~3 s per batch of 512 at "
                        "sigma^2 = 0.1 in d = 2 on one slow core; 1e-4: half that, plan L1 error 1e-2)")
    p.add_argument("--sinkhorn-solver", default="log", choices=("log", "stabilized"),
                   help="the entropic coupling's Sinkhorn (si.couplings.entropic_plan): stabilized is 20-150 x faster "
                        "at sigma^2 = 0.1, where the float32 log solver took 4-23 s per batch of 512")
    p.add_argument("--skip-done", action="store_true", help="skip rows already in --out")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    s2s = [float(s) for s in a.sigma2.split(",")]
    done = _done(a.out) if a.skip_done else set()
    if a.part in ("gaussian", "all"):
        dims = [int(x) for x in (a.dims or "2,16,50").split(",")]
        print("# Gaussian pairs (affine parametrisation): exact moments", flush=True)
        for d in dims:
            for s2 in s2s:
                if ("gaussian", d, s2) not in done:
                    _emit(gaussian_row(d, s2, a.quick), a.out)
        print("# reference: DSBM-IPF mean marginal KL 8.75e-3 on its own d = 50 Gaussian pair (published)")
    if a.part in ("cbw", "all"):
        dims = [int(x) for x in (a.dims or "2,16,64").split(",")]
        methods = [x for x in a.methods.split(",") if x]
        unknown = sorted(set(methods) - set(METHODS))
        if unknown:
            raise SystemExit(f"unknown methods {unknown}; valid: {list(METHODS)}")
        print("# mixture-potential pairs: cBW-UVP (%) and BW-UVP (%) of X1", flush=True)
        for d in dims:
            for s2 in s2s:
                cbw_rows(d, s2, methods, a.quick, a.out, done, sinkhorn_thr=a.sinkhorn_thr,
                         sinkhorn_solver=a.sinkhorn_solver)
        for name, vals in PUBLISHED.items():
            print(f"table=cbw  sigma2=0.1  method={name}  " + "  ".join(f"d{d}={v}" for d, v in vals.items()))


if __name__ == "__main__":
    main()
