"""The Schroedinger bridge by optimising the interpolant: alternating max-min training (docs/theory.md §10).

Paper, section 3.4, Theorem 3.13: over interpolants I^ with I^(0) = x0, I^(1) = x1 and the
independent coupling,

    max_I^ min_u^ L(I^, u^),   L = int_0^1 E[ 1/2 |u^(t, x^_t)|^2 - (d_t I^ + (gamma' - eps/gamma) z) . u^ ] dt,

x^_t = I^ + gamma z, gamma = sqrt(2 eps t(1-t)) (`si.schrodinger.saddle`). The inner minimiser is
the forward drift b_F of I^ and the inner value -1/2 int E|b_F|^2; at the saddle the law of x^_t is
the Schroedinger bridge for the reference process sqrt(2 eps) W and u^ its forward drift.

Training alternates `inner_steps` Adam steps on u^ (I^ held fixed: a regression of u^ on the target
T) with one Adam step of ascent on theta (u^ held fixed; the gradient flows through x^_t into u^ and
through d_t I^), each on a fresh batch with stratified times and antithetic z. By the envelope
theorem this ascent step follows the gradient of -1/2 int E|b_F|^2 when u^ is the inner minimiser.
Both players' learning rates decay by a cosine; their weights are averaged (EMA); the returned
interpolant is the averaged one and u^ is polished against it (`MaxMinConfig`).

Records (`.losses`, every `record_every` steps): inner (the inner loss on the last inner batch),
saddle (L on the outer batch, before the step), kinetic (-1/2 E|u^|^2 on the same batch; equal to
saddle at the inner optimum, so their gap measures the inner error), and with the affine
parametrisation and Gaussian rho0, rho1, kl_mean: the mean over t = 0.1, ..., 0.9 of the exact
KL(x^_t || rho_t^SB) of the averaged interpolant (diagnostic only: the truth never enters a gradient).
"""
from __future__ import annotations

import contextlib
import math
import numbers
import time
from typing import Dict, List, Optional

import torch

from ..bridges import GaussianBridge
from .config import MaxMinConfig
from .gaussian import affine_moments, gaussian_kl, gaussian_moments
from .parametrisation import build_drift, build_interpolant
from .result import MaxMinResult
from .saddle import bridge_gamma, check_eps, saddle_integrand, stratified_times

Tensor = torch.Tensor
F64 = torch.float64
KL_TIMES = tuple(k / 10 for k in range(1, 10))

__all__ = ["fit_maxmin", "fit_maxmin_config", "check_pair", "KL_TIMES"]


def check_pair(rho0, rho1) -> int:
    """Both samplers need .sample(n, generator=None) and the same .dim; returns d."""
    for name, rho in (("rho0", rho0), ("rho1", rho1)):
        if not hasattr(rho, "sample") or not hasattr(rho, "dim"):
            raise ValueError(f"{name} must have .sample(n, generator=None) and .dim, got {type(rho).__name__}")
    d0, d1 = int(rho0.dim), int(rho1.dim)
    if d0 != d1:
        raise ValueError(f"rho0 and rho1 must share a dimension, got {d0} and {d1}")
    return d0


def sampler(rho, moments, dtype):
    """(n, generator) -> (n, d) samples of rho. For a single Gaussian (moments = (mean, cov)) this
    draws mean + L z directly (L the Cholesky factor): the same law as GaussianMixture.sample, which
    gathers a (n, d, d) stack of factors per call (4x the cost of a training step in d = 50)."""
    if moments is None:
        return lambda n, gen: rho.sample(n, generator=gen).to(dtype)
    mean, L = moments[0].to(dtype), torch.linalg.cholesky(moments[1]).to(dtype)
    return lambda n, gen: mean + torch.randn(n, mean.shape[0], generator=gen, dtype=dtype) @ L.T


@contextlib.contextmanager
def threads(n: Optional[int]):
    """Run with n torch threads (None: unchanged), restoring the previous number."""
    old = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(old)


def cosine(step: int, total: int, final: float) -> float:
    """Learning-rate factor: 1 at step 0, `final` at step `total`."""
    return final + (1 - final) * 0.5 * (1 + math.cos(math.pi * min(step, total) / max(total, 1)))


class _Averager:
    """Exponential moving average of a module's weights, warmed up as (1 + k) / (10 + k)."""

    def __init__(self, module, decay: float):
        self.module, self.decay, self.k = module, decay, 0
        self.avg = [p.detach().clone() for p in module.parameters()] if decay else None

    def update(self) -> None:
        if self.avg is None:
            return
        self.k += 1
        with torch.no_grad():
            torch._foreach_lerp_(self.avg, [p.detach() for p in self.module.parameters()],
                                 1 - min(self.decay, (1 + self.k) / (10 + self.k)))

    @contextlib.contextmanager
    def swapped(self):
        """Temporarily load the averaged weights into the module."""
        if self.avg is None:
            yield
            return
        saved = [p.detach().clone() for p in self.module.parameters()]
        self.copy_to_module()
        try:
            yield
        finally:
            with torch.no_grad():
                for p, q in zip(self.module.parameters(), saved):
                    p.copy_(q)

    def copy_to_module(self) -> None:
        if self.avg is not None:
            with torch.no_grad():
                for p, q in zip(self.module.parameters(), self.avg):
                    p.copy_(q)


def fit_maxmin(rho0, rho1, eps, *, steps: int, seed: int = 0, **options) -> MaxMinResult:
    """Learn the Schroedinger bridge between rho0 and rho1 for the reference sqrt(2 eps) W.

    rho0, rho1: objects with .sample(n, generator=None) and .dim (as for `si.training.train`).
    eps > 0: the diffusion coefficient (eps = sigma^2 / 2 for a reference sigma W).
    options: the fields of `MaxMinConfig`. Same seed, same numbers (on the same machine).
    """
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    return fit_maxmin_config(rho0, rho1, eps, MaxMinConfig(steps=steps, seed=seed, **options))


def fit_maxmin_config(rho0, rho1, eps, config: MaxMinConfig) -> MaxMinResult:
    """`fit_maxmin` with the options as a `MaxMinConfig`."""
    eps = check_eps(eps)
    d = check_pair(rho0, rho1)
    if not isinstance(config, MaxMinConfig):
        raise ValueError(f"config must be a MaxMinConfig, got {type(config).__name__}")
    cfg, dtype = config, getattr(torch, config.dtype)
    g = bridge_gamma(eps)
    moments = (gaussian_moments(rho0), gaussian_moments(rho1))
    gaussian = moments[0] + moments[1] if None not in moments else None
    truth = None
    if gaussian is not None and cfg.parametrisation == "affine":
        truth = GaussianBridge(*gaussian, sigma=math.sqrt(2 * eps))
    gen = torch.Generator().manual_seed(cfg.seed)
    record_every = cfg.record_every or max(1, cfg.steps // 200)
    t_start = time.time()
    with threads(cfg.threads):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(cfg.seed)
            args = (cfg.parametrisation, d, cfg.hidden, cfg.depth)
            interp = build_interpolant(*args, cfg.interp_basis).to(dtype)
            drift = build_drift(*args, cfg.drift_basis).to(dtype)
        opt_in = torch.optim.Adam(drift.parameters(), lr=cfg.lr_inner)
        opt_out = torch.optim.Adam(interp.parameters(), lr=cfg.lr_outer)
        avg_in, avg_out = _Averager(drift, cfg.ema), _Averager(interp, cfg.ema)
        losses: List[Dict[str, float]] = []

        draw0, draw1 = sampler(rho0, moments[0], dtype), sampler(rho1, moments[1], dtype)

        def batch():
            t = stratified_times(cfg.batch, cfg.t_min, gen, dtype)
            x0, x1 = draw0(cfg.batch, gen), draw1(cfg.batch, gen)
            return t, x0, x1, torch.randn(cfg.batch, d, generator=gen, dtype=dtype)

        def inner_step(lr: float) -> float:
            t, x0, x1, z = batch()
            with torch.no_grad():
                I, dI = interp(t, x0, x1)
            loss = saddle_integrand(drift, t, I, dI, z, g, eps).mean()
            _finite(loss, "inner loss")
            for group in opt_in.param_groups:
                group["lr"] = lr
            opt_in.zero_grad(set_to_none=True)
            loss.backward()
            opt_in.step()
            avg_in.update()
            return loss.item()

        if truth is not None:
            mt, St = (torch.stack(v) for v in zip(*(truth.marginal_moments(tk) for tk in KL_TIMES)))

        def kl_mean() -> float:
            with torch.no_grad(), avg_out.swapped():
                mu, Sig, _, _ = affine_moments(interp, *gaussian, g, eps, torch.tensor(KL_TIMES, dtype=F64))
                return float(gaussian_kl(mu, Sig, mt, St).mean())

        theta = list(interp.parameters())
        for step in range(1, cfg.steps + 1):
            f = cosine(step - 1, cfg.steps, cfg.lr_final)
            for _ in range(cfg.inner_steps):
                inner = inner_step(cfg.lr_inner * f)
            t, x0, x1, z = batch()
            I, dI = interp(t, x0, x1)
            with torch.no_grad():
                uu = [drift(t, I + s * g.gamma(t[:, None]) * z) for s in (1.0, -1.0)]
                kinetic = -0.25 * sum((u * u).sum(1).mean() for u in uu).item()
            if not cfg.freeze_interpolant:
                saddle = saddle_integrand(drift, t, I, dI, z, g, eps).mean()
                _finite(saddle, "saddle objective")
                grads = torch.autograd.grad(-saddle, theta)  # ascent on theta; u^ untouched
                for p, gr in zip(theta, grads):
                    p.grad = gr
                for group in opt_out.param_groups:
                    group["lr"] = cfg.lr_outer * f
                opt_out.step()
                avg_out.update()
                saddle = saddle.item()
            else:
                with torch.no_grad():
                    saddle = saddle_integrand(drift, t, I, dI, z, g, eps).mean().item()
            if step % record_every == 0 or step == cfg.steps:
                rec = {"step": step, "inner": inner, "saddle": saddle, "kinetic": kinetic,
                       "lr_inner": cfg.lr_inner * f, "lr_outer": cfg.lr_outer * f}
                if truth is not None:
                    rec["kl_mean"] = kl_mean()
                losses.append(rec)
        # the averaged interpolant is the result; polish u^ against it (decaying from lr_inner * lr_final)
        avg_out.copy_to_module()
        interp.requires_grad_(False)
        avg_in.copy_to_module()
        avg_in = _Averager(drift, cfg.ema)
        for k in range(cfg.polish_steps):
            inner = inner_step(cfg.lr_inner * cfg.lr_final * cosine(k, cfg.polish_steps, cfg.lr_final))
        if cfg.polish_steps:
            avg_in.copy_to_module()
            losses.append({"step": cfg.steps, "polish": cfg.polish_steps, "inner": inner,
                           **({"kl_mean": kl_mean()} if truth is not None else {})})
    interp.eval()
    drift.eval()
    spec = {"method": "sb-maxmin", "dim": d, "eps": eps, "sigma2": 2 * eps, "config": cfg.to_dict(),
            "gamma": {"form": "sqrt(2 eps t (1 - t))", "path": "linear", "gamma": "brownian", "a": 2 * eps},
            "interpolant": "(1 - t) x0 + t x1 + t (1 - t) phi_theta(t, x0, x1)",
            "parametrisation": cfg.parametrisation, "coupling": "independent",
            "rho0": getattr(rho0, "name", type(rho0).__name__), "rho1": getattr(rho1, "name", type(rho1).__name__),
            "gaussian_endpoints": gaussian is not None, "train_seconds": time.time() - t_start,
            "torch": torch.__version__, "losses": losses}
    return MaxMinResult(interp, drift, eps, cfg, spec, rho0, rho1, gaussian, losses)


def _finite(x: Tensor, what: str) -> None:
    if not bool(torch.isfinite(x)):
        raise FloatingPointError(f"non-finite {what} ({x.item()}): lower the learning rates or raise t_min")
