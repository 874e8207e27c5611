"""Baseline: bridge matching by iterative Markovian fitting, DSBM-IMF (Shi et al. 2023; docs/theory.md §10).

Iterative Markovian Fitting alternates two projections, both of which keep the end marginals:

* Markovian projection of the mixture of reference bridges over a coupling pi: the forward drift
  u(t, x) = E[(x1 - x_t) / (1 - t) | x_t], x_t = (1-t) x0 + t x1 + gamma z, (x0, x1) ~ pi, learned
  by regression ("bridge matching"). With gamma = sqrt(2 eps t(1-t)) this target is exactly the
  max-min's T = d_t I + (gamma' - eps/gamma) z for the linear I, so the regression is the inner
  problem of `si.schrodinger.saddle` with I^ fixed to the linear interpolant over pi (one code path).
* Reciprocal projection: the new coupling is the (X0, X1) law of the learned SDE
  dX = u dt + sqrt(2 eps) dW, simulated from X0 ~ rho0 (`si.sampling.sample_sde`, b = u, s = 0).

The iterates converge to the Schroedinger bridge. Started from the independent coupling; the first
iterate is the independent bridge. direction "forward": every iteration learns the forward drift
and re-couples by the forward SDE (x1 then comes from the model, so errors in rho1 accumulate).
direction "alternate" (the practical DSBM of the paper): the iterations alternate between the
forward drift and the backward drift (the forward drift of the time-reversed problem, from rho1),
each re-coupling from the other's simulation, so each regression sees exact samples of the
marginal it ends on; the last iteration is a forward one. Each direction's network is warm-started
from its previous iteration. Pairs come from a pool of `pool` simulated pairs per iteration.
"""
from __future__ import annotations

import dataclasses
import math
import numbers
import time
from dataclasses import dataclass
from typing import List, Optional

import torch

from ..nets import FieldMLP
from ..sampling import SampleResult, sample_sde
from .maxmin import check_pair, cosine, threads
from .saddle import bridge_gamma, check_eps, saddle_integrand, stratified_times

Tensor = torch.Tensor

__all__ = ["IMFConfig", "IMFResult", "fit_imf", "DIRECTIONS"]

DIRECTIONS = ("forward", "alternate")


@dataclass(frozen=True)
class IMFConfig:
    """iterations: Markovian projections (with "alternate", odd so that the last is forward);
    steps: Adam steps per iteration (cosine decay to lr * lr_final); pool, sim_steps: simulated
    pairs per re-coupling and their Euler-Maruyama steps."""
    iterations: int = 5
    steps: int = 1000
    seed: int = 0
    direction: str = "alternate"
    batch: int = 512
    lr: float = 2e-3
    lr_final: float = 0.05
    hidden: int = 128
    depth: int = 3
    pool: int = 10000
    sim_steps: int = 100
    t_min: float = 1e-3
    threads: Optional[int] = None
    dtype: str = "float32"

    def __post_init__(self):
        for name in ("iterations", "steps", "batch", "hidden", "depth", "pool", "sim_steps"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
                raise ValueError(f"IMFConfig.{name} must be an integer >= 1, got {v!r}")
            object.__setattr__(self, name, int(v))
        if isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral) or self.seed < 0:
            raise ValueError(f"IMFConfig.seed must be an integer >= 0, got {self.seed!r}")
        object.__setattr__(self, "seed", int(self.seed))
        if self.direction not in DIRECTIONS:
            raise ValueError(f"IMFConfig.direction must be one of {list(DIRECTIONS)}, got {self.direction!r}")
        if self.direction == "alternate" and self.iterations % 2 == 0:
            raise ValueError(f"IMFConfig.iterations must be odd with direction 'alternate' (the last is forward), "
                             f"got {self.iterations}")
        if not (math.isfinite(self.lr) and self.lr > 0) or not 0 < self.lr_final <= 1:
            raise ValueError(f"IMFConfig needs lr > 0 and lr_final in (0, 1], got {self.lr}, {self.lr_final}")
        if not 0 < self.t_min < 0.5:
            raise ValueError(f"IMFConfig.t_min must lie in (0, 0.5), got {self.t_min}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"IMFConfig.dtype must be 'float32' or 'float64', got {self.dtype!r}")


class IMFResult:
    """The last forward drift of DSBM-IMF; `.losses` has one record per iteration."""

    def __init__(self, net, eps: float, config: IMFConfig, spec: dict, losses: List[dict]):
        self.net, self.eps, self.config, self.spec, self.losses = net, eps, config, spec, losses

    def drift(self, t: Tensor, x: Tensor) -> Tensor:
        with torch.no_grad():
            dtype = getattr(torch, self.config.dtype)
            t = torch.as_tensor(t, dtype=dtype)
            t = t.expand(x.shape[0]) if t.dim() == 0 else t
            return self.net(t, x.to(dtype)).to(x.dtype)

    def sample_bridge(self, x0: Tensor, steps: int = 200, method: str = "euler-maruyama",
                      generator: Optional[torch.Generator] = None, **kwargs) -> SampleResult:
        zero = lambda t, x: torch.zeros_like(x)  # noqa: E731
        return sample_sde(self.drift, zero, x0, steps, method, eps=self.eps, generator=generator, **kwargs)


def _simulate(net, x: Tensor, eps: float, steps: int, gen: torch.Generator) -> Tensor:
    zero = lambda t, y: torch.zeros_like(y)  # noqa: E731
    field = lambda t, y: net(t, y)  # noqa: E731
    with torch.no_grad():
        return sample_sde(field, zero, x, steps, eps=eps, generator=gen).x


def fit_imf(rho0, rho1, eps, *, iterations: int = 5, steps: int = 1000, seed: int = 0, **options) -> IMFResult:
    """DSBM-IMF between rho0 and rho1 for the reference sqrt(2 eps) W (eps = sigma^2 / 2); options:
    the fields of `IMFConfig`."""
    eps = check_eps(eps)
    d = check_pair(rho0, rho1)
    cfg = IMFConfig(iterations=iterations, steps=steps, seed=seed, **options)
    dtype = getattr(torch, cfg.dtype)
    g = bridge_gamma(eps)
    gen = torch.Generator().manual_seed(cfg.seed)
    t_start = time.time()
    losses: List[dict] = []
    with threads(cfg.threads):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(cfg.seed)
            nets = {"forward": FieldMLP(d, cfg.hidden, cfg.depth).to(dtype),
                    "backward": FieldMLP(d, cfg.hidden, cfg.depth).to(dtype)}
        opts = {k: torch.optim.Adam(n.parameters(), lr=cfg.lr) for k, n in nets.items()}
        # pairs of the current coupling, oriented (start, end) for the direction trained next
        a = rho0.sample(cfg.pool, generator=gen).to(dtype)
        b = rho1.sample(cfg.pool, generator=gen).to(dtype)
        for it in range(1, cfg.iterations + 1):
            forward = cfg.direction == "forward" or it % 2 == 1
            key = "forward" if forward else "backward"
            start, end = (a, b) if forward else (b, a)
            net, opt = nets[key], opts[key]
            t0 = time.time()
            for step in range(cfg.steps):
                idx = torch.randint(cfg.pool, (cfg.batch,), generator=gen)
                x0, x1 = start[idx], end[idx]
                t = stratified_times(cfg.batch, cfg.t_min, gen, dtype)
                z = torch.randn(cfg.batch, d, generator=gen, dtype=dtype)
                tc = t[:, None]
                loss = saddle_integrand(net, t, (1 - tc) * x0 + tc * x1, x1 - x0, z, g, eps).mean()
                if not bool(torch.isfinite(loss)):
                    raise FloatingPointError(f"non-finite bridge-matching loss at iteration {it}, step {step + 1}")
                for group in opt.param_groups:
                    group["lr"] = cfg.lr * cosine(step, cfg.steps, cfg.lr_final)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            losses.append({"iteration": it, "direction": key, "loss": loss.item(), "seconds": time.time() - t0})
            if it < cfg.iterations:  # re-couple by simulating the drift just learned
                src = rho0 if forward else rho1
                fresh = src.sample(cfg.pool, generator=gen).to(dtype)
                sim = _simulate(net, fresh, eps, cfg.sim_steps, gen)
                a, b = (fresh, sim) if forward else (sim, fresh)
    for n in nets.values():
        n.eval()
    spec = {"method": "dsbm-imf", "dim": d, "eps": eps, "sigma2": 2 * eps, "config": dataclasses.asdict(cfg),
            "gamma": {"form": "sqrt(2 eps t (1 - t))", "a": 2 * eps}, "train_seconds": time.time() - t_start,
            "torch": torch.__version__, "losses": losses}
    return IMFResult(nets["forward"], eps, cfg, spec, losses)
