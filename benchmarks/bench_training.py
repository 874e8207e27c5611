"""Cost of si's training step against plain PyTorch loops doing the same work (Albergo, Boffi &
Vanden-Eijnden, arXiv:2303.08797; docs/theory.md §3, docs/performance.md). Not a test: it prints tables.

In one process, interleaved (the variants of a case take turns, in a rotated order, repetition after
repetition), each variant trains from scratch for a fixed number of steps; the table gives seconds per
1000 steps (median over repetitions, with min-max), and the ratio to the case's reference loop (the
median of the per-repetition ratios, so that load changes between repetitions cancel).

The plain loops are written out below: the same network (si.nets.FieldMLP), the same samplers, the
same number of forward passes, Adam with the same step-decay schedule and the same weight average
(torch.optim.swa_utils' EMA update) -- what a careful user writes by hand; PyTorch's default Adam
(on the CPU a loop over the parameters), and, as a second reference, its fused kernel (what si uses).

Cases (1 thread unless --threads):
  fm     flow-matching-style step: linear path, gamma = 0, objective b; MLP 3 x 64; batch 256;
         N(0, I) -> 8 Gaussians.
  ot     the same with minibatch exact OT (si.couplings.OTCoupling, "permutation": without replacement)
         against the plain loop + one ot.emd per batch on a numpy cost matrix.
  bs     {b, s} on the one-sided linear path, N(0, I) -> checkerboard, two MLPs 4 x 256, batch 2000.
         Plain loops with 3 forward passes (b once, s antithetic: the official code's count) and 4.
  compile  si with TrainConfig(compile=True) (torch.compile of the step's loss) against si's default, on the
         fm and bs settings; the warm-up call pays the compilation (tens of seconds on the CPU; later models
         of the same shapes reuse it), the timed repetitions do not (--cases compile).
  var    (not a timing against a plain loop) the antithetic default: per field and interpolant, the
         variance of the field's loss gradient with and without antithetic sampling, times the cost of
         a step, at the initial weights and after training (--cases var; docs/performance.md).

Anchors measured by the issue on this machine (1 thread; not dependencies of this script):
  fm: si (old default, antithetic on) 1.62 s / 1000 steps, antithetic off 1.17; TorchCFM 0.88 with
      the same vectorised sampler; a plain loop 0.84.
  ot: si (old) 13.3 s / 1000 steps; TorchCFM 5.1.
  bs: si (old default, 4 passes) 84.6 s / 1000 steps, antithetic off 39.3; the official code
      (malbergo/stochastic-interpolants, 3 passes) 57.5.

Run: PYTHONPATH=. python benchmarks/bench_training.py [--quick] [--cases fm,ot,bs] [--threads 1]
(PYTHONPATH selects which checkout of si is measured; its path is printed.)
"""
from __future__ import annotations

import argparse
import io
import math
import os
import statistics
import time

import numpy as np
import ot
import torch
from torch.optim.swa_utils import get_ema_multi_avg_fn

import si
from si import GaussianMixture, Interpolant
from si.couplings import OTCoupling
from si.mixtures import standard_normal
from si.nets import FieldMLP
from si.training import TrainConfig, train

F32 = torch.float32
T_MIN, T_MAX = 1e-3, 1 - 1e-3


# ---------------------------------------------------------------------------------------- data
def eight_gaussians() -> GaussianMixture:
    ang = torch.arange(8, dtype=torch.float64) * 2 * math.pi / 8
    means = 4.0 * torch.stack([ang.cos(), ang.sin()], 1)
    return GaussianMixture(torch.full((8,), 1 / 8), means.float(), (0.25 * torch.eye(2)).expand(8, 2, 2).clone())


def checkerboard():
    from sibench.densities.checkerboard import Checkerboard
    return Checkerboard(dtype=F32)


# ---------------------------------------------------------------------------------------- plain loops
class PlainLoop:
    """Adam, step decay every `lr_every` steps, EMA with si's warm-up decay min(ema, (1+k)/(10+k))."""

    def __init__(self, nets, lr=2e-3, lr_decay=0.5, lr_every=1000, ema=0.999, fused=None):
        self.nets = nets
        self.params = [p for n in nets for p in n.parameters()]
        self.opt = torch.optim.Adam(self.params, lr=lr, fused=fused)
        self.sched = torch.optim.lr_scheduler.StepLR(self.opt, step_size=lr_every, gamma=lr_decay)
        self.avg = [p.detach().clone() for p in self.params]
        self.ema = ema

    def step(self, loss, k):
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.sched.step()
        get_ema_multi_avg_fn(min(self.ema, (1 + k) / (10 + k)))(self.avg, self.params, None)


def plain_fm(steps, batch, hidden, depth, rho1, seed=0, coupling=False, fused=None):
    """x_t = (1 - t) x0 + t x1, loss 1/2 |b|^2 - (x1 - x0) . b; one forward pass."""
    torch.manual_seed(seed)
    net = FieldMLP(2, hidden, depth)
    loop = PlainLoop([net], fused=fused)
    g = torch.Generator().manual_seed(seed)
    a = np.full(batch, 1.0 / batch)
    for k in range(1, steps + 1):
        x1 = rho1.sample(batch, generator=g)
        x0 = torch.randn(batch, 2, generator=g)
        if coupling:  # exact minibatch OT: the plan of ot.emd is a permutation matrix
            M = torch.cdist(x0, x1).square().double().numpy()
            j = torch.from_numpy(ot.emd(a, a, M).argmax(1))
            x1 = x1[j]
        t = T_MIN + (T_MAX - T_MIN) * torch.rand(batch, generator=g)
        tc = t[:, None]
        xt = (1 - tc) * x0 + tc * x1
        b = net(t, xt)
        loss = (0.5 * (b * b).sum(1) - ((x1 - x0) * b).sum(1)).mean()
        loop.step(loss, k)
    return loss.item()


def plain_bs(steps, batch, hidden, depth, rho1, antithetic_b=False, seed=0, fused=None):
    """One-sided linear {b, s}: x_t = (1 - t) x0 + t x1 (x0 ~ N(0, I)), b target x1 - x0, s loss
    1/2 |s|^2 + x0 . s / (1 - t), s antithetic (x_t- = -(1 - t) x0 + t x1); b antithetic if asked."""
    torch.manual_seed(seed)
    nb, ns = FieldMLP(2, hidden, depth), FieldMLP(2, hidden, depth)
    loop = PlainLoop([nb, ns], fused=fused)
    g = torch.Generator().manual_seed(seed)
    for k in range(1, steps + 1):
        x1 = rho1.sample(batch, generator=g)
        x0 = torch.randn(batch, 2, generator=g)
        t = T_MIN + (T_MAX - T_MIN) * torch.rand(batch, generator=g)
        tc = t[:, None]
        xp, xm = (1 - tc) * x0 + tc * x1, -(1 - tc) * x0 + tc * x1
        target = x1 - x0
        b = nb(t, xp)
        lb = 0.5 * (b * b).sum(1) - (target * b).sum(1)
        if antithetic_b:
            bm = nb(t, xm)
            lb = 0.5 * (lb + 0.5 * (bm * bm).sum(1) - ((x1 + x0) * bm).sum(1))
        sp, sm = ns(t, xp), ns(t, xm)
        ls = 0.5 * ((0.5 * (sp * sp).sum(1) + (x0 * sp).sum(1) / (1 - t))
                    + (0.5 * (sm * sm).sum(1) - (x0 * sm).sum(1) / (1 - t)))
        loss = lb.mean() + ls.mean()
        loop.step(loss, k)
    return loss.item()


# ---------------------------------------------------------------------------------------- si
def si_train(path, gamma, objective, rho1, steps, batch, hidden, depth, coupling=None, **options):
    """si.training.train with TrainConfig defaults except the given options (None: left at default)."""
    cfg = dict(steps=steps, batch=batch, hidden=hidden, depth=depth, log_every=10 ** 9)
    cfg.update({k: v for k, v in options.items() if v is not None})
    return train(Interpolant(path, gamma), objective, standard_normal(2, dtype=F32), rho1, TrainConfig(**cfg),
                 coupling=coupling, log=io.StringIO())


def supports(**options) -> bool:
    """Whether this checkout's TrainConfig has these options (new options are skipped on old code)."""
    try:
        TrainConfig(**options)
        return True
    except TypeError:
        return False


# ---------------------------------------------------------------------------------------- antithetic
VARIANCE_SETTINGS = [("gmm-pair", "linear", "brownian", "b,s"), ("gmm-pair", "linear", "brownian", "v,eta"),
                     ("gmm-pair", "trig", "brownian", "b,s"), ("gmm-pair", "linear", "bsquared", "b,s"),
                     ("gmm-pair", "encoding-decoding", None, "b,s"), ("gauss-checkerboard", "one-sided-linear", None,
                                                                     "b,s"),
                     ("gauss-checkerboard", "one-sided-linear", None, "v,eta"), ("gauss-checkerboard", "vp", None, "b,s"),
                     ("mirror-8gaussians", "mirror", "brownian", "b,s")]


def antithetic_efficiency(batches: int, batch: int, train_steps: int, hidden: int = 64, depth: int = 3):
    """Per field: the variance of its loss gradient (sum over its parameters of the variance over
    `batches` independent batches) and the cost of a whole step (all fields' losses + backward), with
    antithetic sampling for that field and without (the two interleaved, batch by batch, on the same
    batches); at the initial weights and after `train_steps` steps of training (antithetic 'auto').
    Variance per unit of time = variance x seconds per step; antithetic pays for the field when
    (V_on T_on) / (V_off T_off) < 1 (equivalently: it beats doubling the batch)."""
    from si.objectives import BatchLoss
    from sibench.pairs import get_benchmark
    rows = []
    for bench, path, gamma, objective in VARIANCE_SETTINGS:
        pair, interp = get_benchmark(bench), Interpolant(path, gamma)
        for steps in (1, train_steps):
            cfg = TrainConfig(steps=steps, batch=batch, hidden=hidden, depth=depth, log_every=10 ** 9, ema=0.0)
            nets = train(interp, objective, pair.rho0, pair.rho1, cfg, log=io.StringIO()).nets.train()
            fields = {k: nets[k] for k in nets}
            for kind in nets:
                pair_fns = {False: BatchLoss(objective, interp, False), True: BatchLoss(objective, interp, kind)}
                if not pair_fns[True].antithetic:
                    continue
                g = torch.Generator().manual_seed(0)
                grads, secs = {False: [], True: []}, {False: [], True: []}
                for i in range(batches):
                    x1 = pair.rho1.sample(batch, generator=g).float()
                    x0 = x1 if interp.mirror else pair.rho0.sample(batch, generator=g).float()
                    t = T_MIN + (T_MAX - T_MIN) * torch.rand(batch, generator=g)
                    z = torch.randn(batch, 2, generator=g) if pair_fns[False].needs_z else None
                    for anti in ((False, True) if i % 2 else (True, False)):
                        nets.zero_grad(set_to_none=True)
                        t0 = time.perf_counter()
                        out = pair_fns[anti](fields, t, x0, x1, z)
                        sum(out.values()).backward()
                        secs[anti].append(time.perf_counter() - t0)
                        grads[anti].append(torch.cat([p.grad.flatten() for p in nets[kind].parameters()]))
                var = {a: float(((torch.stack(G) - torch.stack(G).mean(0)) ** 2).sum(1).mean()) for a, G in grads.items()}
                ratio = statistics.median([a / b for a, b in zip(secs[True], secs[False])])
                rows.append((f"{bench}: {path} {gamma or ''} {{{objective}}}", "init" if steps == 1 else f"{steps} steps",
                             kind, var[False], var[True], ratio, var[True] * ratio / var[False]))
    return rows


# ---------------------------------------------------------------------------------------- timing
def interleaved(variants: dict, reference, steps: int, repeats: int):
    """Time every variant `repeats` times, rotating the order; returns rows of the table. reference: the
    name of the variant the ratios are taken to, or a dict variant -> its reference."""
    for fn in variants.values():  # warm-up (allocator, first-call costs)
        fn(max(2, steps // 10))
    times = {k: [] for k in variants}
    names = list(variants)
    for r in range(repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:
            t0 = time.perf_counter()
            variants[name](steps)
            times[name].append(time.perf_counter() - t0)
    rows = []
    for name in names:
        per1000 = [1000 * s / steps for s in times[name]]
        ref = reference.get(name, name) if isinstance(reference, dict) else reference
        ratios = [a / b for a, b in zip(times[name], times[ref])]
        rows.append((name, statistics.median(per1000), min(per1000), max(per1000), statistics.median(ratios),
                     min(ratios), max(ratios)))
    return rows


def show(title: str, rows, reference: str) -> None:
    print(f"\n{title}")
    print(f"  {'variant':<44} {'s/1000 steps':>12} {'min-max':>15}   {'ratio to ' + reference:>22} {'min-max':>13}")
    for name, med, lo, hi, r, rlo, rhi in rows:
        print(f"  {name:<44} {med:12.2f} {lo:7.2f}-{hi:<7.2f}   {r:22.3f} {rlo:6.2f}-{rhi:<6.2f}")


def load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer steps and repetitions")
    ap.add_argument("--cases", default="fm,ot,bs")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cases = args.cases.split(",")
    reps = args.repeats or (3 if args.quick else 7)
    print(f"si from {os.path.dirname(si.__file__)}; torch {torch.__version__}, {args.threads} thread(s); {load()}")
    new = supports(check_every=100)  # a TrainConfig with per-field antithetic (the fast trainer)

    if "fm" in cases:
        g8, n = eight_gaussians(), 200 if args.quick else 500
        v = {"plain loop (1 forward pass)": lambda s: plain_fm(s, 256, 64, 3, g8),
             "plain loop, fused Adam": lambda s: plain_fm(s, 256, 64, 3, g8, fused=True),
             "si default": lambda s: si_train("linear", "zero", "b", g8, s, 256, 64, 3),
             "si antithetic=True": lambda s: si_train("linear", "zero", "b", g8, s, 256, 64, 3, antithetic=True),
             "si antithetic=False": lambda s: si_train("linear", "zero", "b", g8, s, 256, 64, 3, antithetic=False)}
        rows = interleaved(v, "plain loop (1 forward pass)", n, reps)
        show(f"fm: flow-matching step, MLP 3x64, batch 256, {n} steps x {reps} ({load()})", rows,
             "plain loop (1 forward pass)")

    if "ot" in cases:
        g8, n = eight_gaussians(), 50 if args.quick else 150
        v = {"plain loop + ot.emd": lambda s: plain_fm(s, 256, 64, 3, g8, coupling=True),
             "plain loop + ot.emd, fused Adam": lambda s: plain_fm(s, 256, 64, 3, g8, coupling=True, fused=True),
             "si default, OTCoupling()": lambda s: si_train("linear", "zero", "b", g8, s, 256, 64, 3,
                                                            coupling=OTCoupling()),
             "si antithetic=False, OTCoupling()": lambda s: si_train("linear", "zero", "b", g8, s, 256, 64, 3,
                                                                     coupling=OTCoupling(), antithetic=False)}
        rows = interleaved(v, "plain loop + ot.emd", n, reps)
        show(f"ot: minibatch-OT step, MLP 3x64, batch 256, {n} steps x {reps} ({load()})", rows,
             "plain loop + ot.emd")

    if "bs" in cases:
        cb, n = checkerboard(), 10 if args.quick else 30
        v = {"plain loop, 3 passes (s antithetic)": lambda s: plain_bs(s, 2000, 256, 4, cb),
             "plain loop, 4 passes (b, s antithetic)": lambda s: plain_bs(s, 2000, 256, 4, cb, antithetic_b=True),
             "plain loop, 3 passes, fused Adam": lambda s: plain_bs(s, 2000, 256, 4, cb, fused=True),
             "si default": lambda s: si_train("one-sided-linear", None, "b,s", cb, s, 2000, 256, 4),
             "si antithetic=True (4 passes)": lambda s: si_train("one-sided-linear", None, "b,s", cb, s, 2000,
                                                                 256, 4, antithetic=True),
             "si antithetic=False (2 passes)": lambda s: si_train("one-sided-linear", None, "b,s", cb, s, 2000,
                                                                  256, 4, antithetic=False)}
        if new:
            v["si antithetic='s' (3 passes)"] = lambda s: si_train("one-sided-linear", None, "b,s", cb, s, 2000,
                                                                   256, 4, antithetic="s")
        p3, p4 = "plain loop, 3 passes (s antithetic)", "plain loop, 4 passes (b, s antithetic)"
        refs = {name: p4 if ("4 passes" in name or name == "si default") and name != p4 else p3 for name in v}
        rows = interleaved(v, refs, n, reps)
        show(f"bs: one-sided linear {{b,s}}, two MLPs 4x256, batch 2000, {n} steps x {reps} ({load()}); "
             f"ratios to the plain loop with the same passes (si antithetic=False: to the 3-pass loop)", rows,
             "plain loop, same passes")
    if "compile" in cases and supports(compile=True):
        g8, cb = eight_gaussians(), checkerboard()
        n_fm, n_bs = (200, 10) if args.quick else (500, 30)
        v = {"fm: si default": lambda s: si_train("linear", "zero", "b", g8, s, 256, 64, 3),
             "fm: si compile=True": lambda s: si_train("linear", "zero", "b", g8, s, 256, 64, 3, compile=True)}
        show(f"compile: fm step, MLP 3x64, batch 256, {n_fm} steps x {reps} ({load()})",
             interleaved(v, "fm: si default", n_fm, reps), "si default")
        v = {"bs: si default": lambda s: si_train("one-sided-linear", None, "b,s", cb, s, 2000, 256, 4),
             "bs: si compile=True": lambda s: si_train("one-sided-linear", None, "b,s", cb, s, 2000, 256, 4,
                                                      compile=True)}
        show(f"compile: one-sided linear {{b,s}}, two MLPs 4x256, batch 2000, {n_bs} steps x {reps} ({load()})",
             interleaved(v, "bs: si default", n_bs, reps), "si default")
    if "var" in cases:
        b, n = (16, 256) if args.quick else (64, 1000)
        steps = 100 if args.quick else 1000
        print(f"\nvar: antithetic per field, variance of the field's loss gradient over {b} batches of {n}, "
              f"x the cost of a whole step ({load()})")
        print(f"  {'setting':<52} {'weights':<10} {'field':<5} {'V off':>10} {'V on':>10} {'T on/off':>8} "
              f"{'V.T on / V.T off':>16}")
        for name, state, kind, v0, v1, tr, eff in antithetic_efficiency(b, n, steps):
            print(f"  {name:<52} {state:<10} {kind:<5} {v0:10.3g} {v1:10.3g} {tr:8.2f} {eff:16.3f}")
    print(f"\n{load()}")


if __name__ == "__main__":
    main()
