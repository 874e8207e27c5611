"""The training loop (docs/theory.md §3): minibatches of (x0, x1), optionally re-paired by a coupling,
times t ~ U[t_min, t_max], the quadratic objectives of the learned fields, Adam with a step-decay
schedule and an exponential moving average of the weights; seeded, so the same config gives the
same weights on the same machine. Objectives of Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from __future__ import annotations

import dataclasses
import time
from typing import Callable, List, Optional, TextIO

import torch

from ..interpolants import Interpolant
from ..objectives import field_loss, fields_of
from .config import TrainConfig
from .model import TrainedModel, build_nets
from .progress import TrainingProgress, limit_threads

__all__ = ["train", "describe_sampler", "is_standard_normal"]


def describe_sampler(sampler) -> str:
    """A sampler's name for the checkpoint spec: its .name, else its type."""
    return getattr(sampler, "name", type(sampler).__name__)


def is_standard_normal(rho) -> bool:
    """True when rho (a GaussianMixture, or anything with .gmm) is N(0, I), the latent of one-sided paths."""
    gmm = getattr(rho, "gmm", rho)
    check = getattr(gmm, "is_standard_normal", None)
    return bool(check()) if check is not None else False


def train(interpolant: Interpolant, objective: str, rho0, rho1, config: TrainConfig = TrainConfig(),
          coupling: Optional[Callable] = None, checkpoint=None, device=None,
          log: Optional[TextIO] = None, extra_spec: Optional[dict] = None) -> TrainedModel:
    """Learn the fields of `objective` for `interpolant` between the samplers rho0 and rho1.

    rho0, rho1: objects with `.sample(n, generator=None)` and `.dim`. For one-sided paths rho0 must
    be the latent N(0, I); for the mirror path only rho1 is sampled (x0 does not enter x_t).
    coupling: optional callable (x0, x1, generator) -> (x0, x1) re-pairing each batch (minibatch OT,
    entropic OT); None is the independent coupling.
    Raises FloatingPointError on a non-finite loss (no checkpoint is written then).
    """
    kinds = fields_of(objective)
    dim = int(rho1.dim)
    if int(rho0.dim) != dim:
        raise ValueError(f"rho0 and rho1 must share a dimension, got {rho0.dim} and {dim}")
    if interpolant.one_sided and not is_standard_normal(rho0):
        raise ValueError(f"one-sided path {interpolant.path!r} needs rho0 = N(0, I) (the latent), "
                         f"got {describe_sampler(rho0)}")
    dtype = getattr(torch, config.dtype)
    device = torch.device(device) if device is not None else torch.device("cpu")
    gen = torch.Generator().manual_seed(config.seed)
    t_start = time.time()
    with limit_threads(config.threads):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)
            nets = build_nets(kinds, dim, config).to(device=device, dtype=dtype)
        opt = torch.optim.Adam(nets.parameters(), lr=config.lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=config.lr_every, gamma=config.lr_decay)
        fields = {k: (lambda net: (lambda t, x: net(t, x)))(nets[k]) for k in kinds}
        ema = [p.detach().clone() for p in nets.parameters()] if config.ema else None
        progress = TrainingProgress(config.steps, config.log_every, log)
        losses: List[dict] = []
        record_every = max(1, config.steps // 200)
        try:
            for step in range(1, config.steps + 1):
                x1 = rho1.sample(config.batch, generator=gen).to(dtype)
                x0 = (x1 if interpolant.mirror else rho0.sample(config.batch, generator=gen)).to(dtype)
                if coupling is not None and not interpolant.mirror:
                    x0, x1 = coupling(x0, x1, generator=gen)
                t = config.t_min + (config.t_max - config.t_min) * torch.rand(config.batch, generator=gen, dtype=dtype)
                z = torch.randn(config.batch, dim, generator=gen, dtype=dtype)
                t, x0, x1, z = (a.to(device) for a in (t, x0, x1, z))
                pts = interpolant.points(t, x0, x1, z)
                per_field = {k: field_loss(k, fields[k], t, pts, interpolant, config.antithetic) for k in kinds}
                loss = sum(per_field.values())
                if not torch.isfinite(loss):
                    raise FloatingPointError(
                        f"non-finite training loss at step {step} ({ {k: v.item() for k, v in per_field.items()} }) "
                        f"for {interpolant!r}, objective {objective!r}: lower the learning rate or narrow "
                        f"[t_min, t_max]")
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
                if ema is not None:  # decay warmed up as (1 + k) / (10 + k) so early weights fade
                    with torch.no_grad():
                        torch._foreach_lerp_(ema, list(nets.parameters()), 1 - min(config.ema, (1 + step) / (10 + step)))
                if step % record_every == 0 or step == config.steps:
                    losses.append({"step": step, "loss": loss.item(),
                                   **{f"loss_{k}": v.item() for k, v in per_field.items()}})
                progress.update(step, config.steps, loss.item(), sched.get_last_lr()[0])
        finally:
            progress.close()
    if ema is not None:  # the averaged weights are the model
        with torch.no_grad():
            for p, q in zip(nets.parameters(), ema):
                p.copy_(q)
    nets.eval()
    coupling_name = getattr(coupling, "name", None if coupling is None else type(coupling).__name__)
    spec = {"interpolant": interpolant.spec(), "objective": objective, "dim": dim,
            "config": dataclasses.asdict(config), "coupling": coupling_name,
            "rho0": describe_sampler(rho0), "rho1": describe_sampler(rho1), "train_seconds": time.time() - t_start,
            "torch": torch.__version__, "losses": losses, **(extra_spec or {})}
    model = TrainedModel(interpolant, objective, nets, spec, losses)
    if checkpoint is not None:
        model.save(checkpoint)
    return model
