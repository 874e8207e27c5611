"""Cost and accuracy of the estimators and samplers of si (issue 3). Not a test: it prints tables.

1. Divergence cost, exact (d vector-Jacobian products, vmapped) versus Hutchinson (k probes), for a
   random MLP field (t, x) -> R^d (3 hidden layers of 256, SiLU, float32), n = 1000 points,
   d in {2, 8, 32, 128}; with the single-probe Hutchinson estimate's RMS error relative to the RMS
   of the exact divergence (large for a random net, whose Jacobian trace is small next to its norm).
2. Error of each fixed-step ODE sampler against NFE on the exact GMM oracle (3 -> 4 component 2-D
   pair, linear path, brownian gamma, float64): mean |X_1 - X_1^ref| over 1000 points (reference:
   dopri5, rtol = atol = 1e-10) and the mean |log rho^_1 - log rho_1| of the ODE likelihood over
   200 points (exact divergence, exact log rho_1).
3. Error of the SDE samplers against NFE on the exact Gaussian oracle N(0, I) -> N(m, diag(s^2))
   (one-sided linear path, eps = 1): relative Frobenius error of the covariance of X_1 and the
   error of its mean, n = 20000, with the Monte Carlo floor of the same statistics for exact
   samples at the same n.

4. The ODE likelihood (rk4, exact and Hutchinson divergence) against a plain loop written below:
   the same network (si.nets.FieldMLP, 3 x 256, float32, d = 2), the same points and probes, the
   same number of field evaluations; the plain loop takes the divergence by torch.autograd.grad
   (one backward pass per probe, or per coordinate for the exact one). Interleaved repetitions in
   one process: milliseconds per likelihood, median and min-max, and the median of the per-repetition
   ratios. Anchors measured by the issue on this machine: si's Hutchinson likelihood (vjp + vmap)
   1.49x a plain loop, the exact one 1.14-1.23x.

Run: PYTHONPATH=. python benchmarks/bench_estimators.py  [--quick] [--parts 1,2,3,4]
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import time

import pandas as pd
import torch

import si
from si import GaussianMixture, Interpolant
from si.divergence import make_probes, value_and_divergences
from si.likelihood import ode_likelihood
from si.mixtures import standard_normal
from si.nets import FieldMLP
from si.oracle import InterpolantOracle
from si.sampling import sample_ode, sample_sde

F64 = torch.float64


def _timeit(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


# ----------------------------------------------------------------------------------------
def divergence_cost(dims, n: int, repeats: int) -> pd.DataFrame:
    rows = []
    for d in dims:
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(d + 1, 256), torch.nn.SiLU(), torch.nn.Linear(256, 256),
                                  torch.nn.SiLU(), torch.nn.Linear(256, 256), torch.nn.SiLU(),
                                  torch.nn.Linear(256, d))
        for p in net.parameters():
            p.requires_grad_(False)
        x, t = torch.randn(n, d), torch.rand(n)
        f = lambda z: net(torch.cat([t[:, None], z], 1))  # noqa: E731
        g = torch.Generator().manual_seed(0)
        E1, E4 = make_probes(1, x, "rademacher", g), make_probes(4, x, "rademacher", g)
        with torch.no_grad():
            exact = value_and_divergences(f, x)[1][:, 0]
            h1 = value_and_divergences(f, x, E1)[1].mean(-1)
            t_fwd = _timeit(lambda: f(x), repeats)
            t_exact = _timeit(lambda: value_and_divergences(f, x), repeats)
            t_h1 = _timeit(lambda: value_and_divergences(f, x, E1), repeats)
            t_h4 = _timeit(lambda: value_and_divergences(f, x, E4), repeats)
        rel = float((h1 - exact).pow(2).mean().sqrt() / exact.pow(2).mean().sqrt())
        rows.append({"d": d, "forward ms": 1e3 * t_fwd, "exact ms": 1e3 * t_exact, "hutch k=1 ms": 1e3 * t_h1,
                     "hutch k=4 ms": 1e3 * t_h4, "exact / hutch k=1": t_exact / t_h1,
                     "hutch k=1 rel. RMS error": rel})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------
def _gmm_oracle():
    def mix(w, m, c):
        return GaussianMixture(torch.tensor(w, dtype=F64), torch.tensor(m, dtype=F64), torch.tensor(c, dtype=F64))
    rho0 = mix([0.3, 0.3, 0.4], [[-2., 0.], [1., 1.5], [1., -1.5]],
               [[[0.3, 0.1], [0.1, 0.3]], [[0.4, 0.], [0., 0.2]], [[0.25, -0.05], [-0.05, 0.3]]])
    rho1 = mix([0.2, 0.3, 0.25, 0.25], [[3., 3.], [-3., 3.], [3., -3.], [-3., -3.]],
               [[[0.5, 0.2], [0.2, 0.5]], [[0.4, 0.], [0., 0.6]], [[0.3, 0.], [0., 0.3]], [[0.6, -0.1], [-0.1, 0.4]]])
    return InterpolantOracle(Interpolant("linear", "brownian"), rho0, rho1), rho0, rho1


STAGES = {"euler": 1, "heun": 2, "midpoint": 2, "rk4": 4}


def ode_error_vs_nfe(nfes, n_samples: int, n_lik: int) -> pd.DataFrame:
    oracle, rho0, rho1 = _gmm_oracle()
    g = torch.Generator().manual_seed(0)
    x0 = rho0.sample(n_samples, generator=g)
    ref = sample_ode(oracle.b, x0, method="dopri5", rtol=1e-10, atol=1e-10)
    x1 = rho1.sample(n_lik, generator=g)
    exact = rho1.log_prob(x1)
    rows = []
    for method, stages in STAGES.items():
        for nfe in nfes:
            if nfe % stages:
                continue
            steps = nfe // stages
            res = sample_ode(oracle.b, x0, steps=steps, method=method)
            lik = ode_likelihood(oracle.b, rho0.log_prob, x1, steps=steps, method=method)
            assert res.nfe == lik.nfe == nfe
            rows.append({"method": method, "NFE": nfe, "steps": steps,
                         "sample mean err": float((res.x - ref.x).norm(dim=1).mean()),
                         "log-lik MAE": float((lik.log_prob - exact).abs().mean())})
    df = pd.DataFrame(rows)
    df.attrs["dopri5 NFE"] = ref.nfe
    return df


def sde_error_vs_nfe(nfes, n: int, eps: float = 1.0) -> pd.DataFrame:
    mean, std = torch.tensor([1.0, -2.0], dtype=F64), torch.tensor([2.0, 0.5], dtype=F64)
    rho1 = GaussianMixture(torch.ones(1, dtype=F64), mean[None], torch.diag(std ** 2)[None])
    oracle = InterpolantOracle(Interpolant("one-sided-linear"), standard_normal(2, dtype=F64), rho1)
    cov = torch.diag(std ** 2)

    def errors(x):
        c = torch.cov(x.T)
        return float(torch.linalg.norm(c - cov) / torch.linalg.norm(cov)), float(torch.linalg.norm(x.mean(0) - mean))

    g = torch.Generator().manual_seed(0)
    floor = [errors(mean + std * torch.randn(n, 2, generator=g, dtype=F64)) for _ in range(3)]
    rows = [{"method": "exact samples (MC floor)", "NFE": 0, "steps": 0,
             "cov rel. err": sum(f[0] for f in floor) / 3, "mean err": sum(f[1] for f in floor) / 3}]
    for method, per_step in [("euler-maruyama", 1), ("heun", 2)]:
        for nfe in nfes:
            steps = (nfe - 1) // per_step  # + 1 NFE for the last piece [t_max, 1]
            if steps < 1 or steps * per_step + 1 != nfe:
                continue
            x0 = torch.randn(n, 2, generator=g, dtype=F64)
            res = sample_sde(oracle.b, oracle.s, x0, eps=eps, steps=steps, method=method, generator=g)
            assert res.nfe == nfe
            ce, me = errors(res.x)
            rows.append({"method": method, "NFE": nfe, "steps": steps, "cov rel. err": ce, "mean err": me})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------
def plain_ode_likelihood(net, log_prob0, x, steps, probe=None):
    """rk4 from t = 1 to 0 of d/dt (X, L) = (b, div b), L_1 = 0; log rho_1(x) = log rho0(X_0) + L_0."""
    n, d = x.shape

    def f(t, y):
        with torch.enable_grad():
            y = y.detach().requires_grad_(True)
            out = net(torch.full((n,), t), y)
            if probe is None:
                div = sum(torch.autograd.grad(out[:, i].sum(), y, retain_graph=i < d - 1)[0][:, i] for i in range(d))
            else:
                div = (torch.autograd.grad(out, y, probe)[0] * probe).sum(1)
        return out.detach(), div.detach()

    h, t, L = -1.0 / steps, 1.0, torch.zeros(n)
    with torch.no_grad():
        for _ in range(steps):
            b1, l1 = f(t, x)
            b2, l2 = f(t + h / 2, x + h / 2 * b1)
            b3, l3 = f(t + h / 2, x + h / 2 * b2)
            b4, l4 = f(t + h, x + h * b3)
            x = x + h / 6 * (b1 + 2 * b2 + 2 * b3 + b4)
            L = L + h / 6 * (l1 + 2 * l2 + 2 * l3 + l4)
            t += h
        return log_prob0(x) + L


def likelihood_cost(n: int, steps: int, repeats: int):
    torch.manual_seed(0)
    net = FieldMLP(2, 256, 3)
    for p in net.parameters():
        p.requires_grad_(False)
    rho0 = standard_normal(2, dtype=torch.float32)
    g = torch.Generator().manual_seed(0)
    x = 2 * torch.randn(n, 2, generator=g)
    E = make_probes(1, x, "rademacher", torch.Generator().manual_seed(7))  # the probes si draws with this seed
    b = lambda t, y: net(t, y)  # noqa: E731
    variants = {
        "exact: plain loop": lambda: plain_ode_likelihood(net, rho0.log_prob, x, steps),
        "exact: si.likelihood.ode_likelihood": lambda: ode_likelihood(b, rho0.log_prob, x, steps, "rk4").log_prob,
        "hutchinson k=1: plain loop": lambda: plain_ode_likelihood(net, rho0.log_prob, x, steps, E[0]),
        "hutchinson k=1: si.likelihood.ode_likelihood": lambda: ode_likelihood(
            b, rho0.log_prob, x, steps, "rk4", "hutchinson", generator=torch.Generator().manual_seed(7)).log_prob,
    }
    for ref, fast in (("exact: plain loop", "exact: si.likelihood.ode_likelihood"),
                      ("hutchinson k=1: plain loop", "hutchinson k=1: si.likelihood.ode_likelihood")):
        torch.testing.assert_close(variants[fast](), variants[ref](), rtol=1e-4, atol=1e-4)
    times = {k: [] for k in variants}
    names = list(variants)
    for r in range(repeats):
        for name in names[r % 4:] + names[:r % 4]:
            t0 = time.perf_counter()
            variants[name]()
            times[name].append(time.perf_counter() - t0)
    rows = []
    for name in names:
        ref = "exact: plain loop" if name.startswith("exact") else "hutchinson k=1: plain loop"
        ratios = [a / b for a, b in zip(times[name], times[ref])]
        ms = [1e3 * v for v in times[name]]
        rows.append({"variant": name, "ms": statistics.median(ms), "min": min(ms), "max": max(ms),
                     "ratio to plain": statistics.median(ratios), "ratio min": min(ratios), "ratio max": max(ratios)})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    ap.add_argument("--parts", default="1,2,3,4", help="which parts to run (default all)")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    torch.set_num_threads(args.threads)
    pd.set_option("display.width", 160)
    fmt = {"float_format": lambda v: f"{v:.3g}"}
    load = lambda: "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())  # noqa: E731
    print(f"torch {torch.__version__}, {args.threads} thread(s), CPU, si from {os.path.dirname(si.__file__)}; "
          f"{load()}\n")

    if "4" in parts:
        n, steps = 1000, 10 if args.quick else 25
        print(f"4. ODE likelihood vs a plain loop: rk4, {steps} steps, n = {n}, MLP 3x256 (d = 2), float32 "
              f"({load()})")
        print(likelihood_cost(n, steps, 5 if args.quick else 11).to_string(index=False, **fmt))
        print()
    if "1" in parts:
        print("1. divergence cost: exact vs Hutchinson (MLP 3x256 SiLU, float32, n = 1000, median of repeats)")
        print(divergence_cost([2, 8, 32, 128], n=1000, repeats=3 if args.quick else 7).to_string(index=False, **fmt))

    if "2" in parts:
        nfes = [8, 16, 32, 64] if args.quick else [8, 16, 32, 64, 128, 256]
        print("\n2. fixed-step ODE samplers on the GMM oracle (3 -> 4 components, 2-D, linear, brownian gamma)")
        ode = ode_error_vs_nfe(nfes, n_samples=1000, n_lik=200)
        print(f"   reference: dopri5 rtol = atol = 1e-10 ({ode.attrs['dopri5 NFE']} NFE); sample error over 1000 "
              f"points, log-likelihood MAE over 200 points vs the exact log rho_1")
        print(ode.to_string(index=False, **fmt))

    if "3" in parts:
        sde_nfes = [9, 17, 33, 65] if args.quick else [9, 17, 33, 65, 129, 257]
        print("\n3. SDE samplers on the Gaussian oracle N(0,I) -> N((1,-2), diag(4, 0.25)), eps = 1, n = 20000, "
              "window [1e-4, 1-1e-4] + 1 ODE step")
        print(sde_error_vs_nfe(sde_nfes, n=20000).to_string(index=False, **fmt))
    print(f"\n{load()}")


if __name__ == "__main__":
    main()
