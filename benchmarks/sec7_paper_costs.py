"""What the section 7 targets of config/paper.yaml would cost on this machine's CPU (docs/paper.md), projected
from measured pieces, since the paper scale is a GPU job: nobody runs it on 2 cores to learn its cost.

For every model the config's section 7 targets train (sibench.paper.sec7_models.plan_sec7) the script measures
  * the CPU seconds of one training step: train_sec7_model with k and 2k steps after a warm-up run,
    (T(2k) - T(k)) / k (so set-up and checkpoint costs cancel), on 1 thread;
  * the CPU seconds of one evaluation of the learned fields at a batch of 10,000 points (no gradient);
and projects
  * training = seconds per step x the configured steps;
  * sampling = network evaluations x points x seconds per point-evaluation, with the evaluations each sampler
    makes at the configured steps (Heun 2 per step, RK4 4, Euler(-Maruyama) 1, dopri5 counted as 6 per step
    at its configured step count: adaptive, so this is the order, not the exact figure). This counts the network
    only: likelihoods (a divergence costs d backward passes), KDEs, two-sample tests and the classifier are not in
    it, so the sampling figure is a lower bound of the evaluation cost.
The configured sizes are read from the config, so the script follows config/paper.yaml as it changes.

Run: python benchmarks/sec7_paper_costs.py [--config config/paper.yaml] [--k 10]. Takes ~3 CPU-minutes.
The section 5.3 target (rectification) trains one more checkerboard-sized model on a flow-map pool: not counted.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sibench.paper.sec7_models import plan_sec7, problem_densities, train_sec7_model  # noqa: E402
from si.training import load_model  # noqa: E402

NFE_PER_STEP = {"heun": 2, "rk4": 4, "euler": 1, "euler-maruyama": 1, "dopri5": 6}


def cpu_seconds(fn) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def step_cost(model: dict, k: int, tmp: Path) -> tuple:
    """(CPU seconds per training step, CPU seconds per point and field evaluation) of one planned model."""
    def run(steps):
        m = {**model, "train": {**model["train"], "steps": steps, "lr_every": max(steps, 1)}}
        out = tmp / f"{abs(hash((model['key'], steps)))}.pt"
        return cpu_seconds(lambda: train_sec7_model(m, out, threads=1, device="cpu")), out
    run(k)                                             # warm-up: first-call costs of torch
    t1, _ = run(k)
    t2, out = run(2 * k)
    trained = load_model(out)
    rho0, _ = problem_densities(model)
    x = rho0.sample(10_000).float()
    t = torch.full((len(x),), 0.5)
    f = trained.b if trained.b is not None else trained.v
    with torch.no_grad():
        f(t, x)                                        # first call
        per_point = cpu_seconds(lambda: f(t, x)) / len(x)
    return max(t2 - t1, 0.0) / k, per_point


def sampler_nfe(spec: dict) -> int:
    return NFE_PER_STEP[spec["method"]] * int(spec["steps"])


def sampling_evaluations(section: str, s: dict) -> float:
    """Point-evaluations of the network the section's samplers make per model (module doc)."""
    if section == "sec7_1_checkerboard":   # ODE + one SDE per eps, n samples each
        return s["n"] * (sampler_nfe(s["ode"]) + len(s["eps"]) * sampler_nfe(s["sde"]))
    if section == "sec7_2_gmm128":         # eps = 0 is the ODE
        sde_eps = [e for e in s["eps"] if e > 0]
        return s["n"] * (sampler_nfe(s["ode"]) + len(sde_eps) * sampler_nfe(s["sde"]))
    if section == "sec7_3_digits":         # one-sided: ODE + SDE per eps (the mirror runs its eps only)
        return s["n"] * (sampler_nfe(s["ode"]) + len(s["eps"]) * sampler_nfe(s["sde"]))
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="config/paper.yaml")
    ap.add_argument("--k", type=int, default=20, help="training steps of the shorter timing run")
    args = ap.parse_args()
    torch.set_num_threads(1)
    config = yaml.safe_load(open(args.config))
    plan = plan_sec7(config)
    pf = config["paper_figures"]
    groups = {"sec7_1_checkerboard": list(plan["checkerboard"].values()),
              "sec7_2_gmm128": list(plan["gmm128"].values()),
              "sec7_3_digits": list(plan["digits"].values())}
    print(f"{args.config}: CPU seconds on 1 thread, projected (module doc)")
    print(f"{'target':22s} {'models':>6s} {'s/step':>8s} {'steps':>7s} {'train h':>8s} {'us/pt-eval':>10s} "
          f"{'evals/model':>12s} {'sample h':>9s}")
    total = 0.0
    with tempfile.TemporaryDirectory() as d:
        for section, models in groups.items():
            if not models:
                continue
            s = pf[section]
            cache = {}
            train_s = sample_s = 0.0
            for m in models:
                net = (m["problem"], m["method"]["objective"], m["train"].get("hidden"), m["train"].get("depth"),
                       m["train"].get("batch"))
                if net not in cache:
                    cache[net] = step_cost(m, args.k, Path(d))
                per_step, per_point = cache[net]
                evals = sampling_evaluations(section, s)
                train_s += per_step * int(m["train"]["steps"])
                sample_s += per_point * evals
            per_step, per_point = cache[net]
            print(f"{section:22s} {len(models):6d} {per_step:8.3f} {int(m['train']['steps']):7d} "
                  f"{train_s / 3600:8.2f} {per_point * 1e6:10.2f} {sampling_evaluations(section, s):12.3g} "
                  f"{sample_s / 3600:9.2f}", flush=True)
            total += train_s + sample_s
    print(f"total (training + network evaluations of the samplers): {total / 3600:.1f} CPU-hours on 1 thread")


if __name__ == "__main__":
    main()
