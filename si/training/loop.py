"""The training loop (docs/theory.md §3): minibatches of (x0, x1), optionally re-paired by a coupling,
times t ~ U[t_min, t_max], the quadratic objectives of the learned fields (si.objectives.BatchLoss),
Adam with a step-decay or cosine schedule and an exponential moving average of the weights; seeded, so the same
config gives the same weights on the same machine. Objectives of Albergo, Boffi & Vanden-Eijnden,
arXiv:2303.08797.

A step is the work itself and nothing else: batches drawn on the training device (si.data), the
losses, one backward pass, a fused Adam step where PyTorch has one, the weight average. No host
synchronisation per step: the losses are read, checked (si.training.guard) and logged every
`check_every` steps and at the end.
"""
from __future__ import annotations

import dataclasses
import time
from typing import Callable, List, Optional, TextIO

import torch

from ..data import as_source, describe_sampler, is_standard_normal
from ..interpolants import Interpolant
from ..objectives import BatchLoss
from .average import WeightAverage
from .config import TrainConfig, learning_rate
from .guard import LossGuard
from .model import TrainedModel, build_nets
from .progress import TrainingProgress, limit_threads

__all__ = ["train", "describe_sampler", "is_standard_normal", "make_adam"]


def make_adam(params, lr: float) -> torch.optim.Adam:
    """Adam with PyTorch's fused kernel where it has one (CPU since torch 2.4, CUDA), else the default."""
    params = list(params)
    try:
        return torch.optim.Adam(params, lr=lr, fused=True)
    except (RuntimeError, ValueError):
        return torch.optim.Adam(params, lr=lr)


def train(interpolant: Interpolant, objective: str, rho0, rho1, config: TrainConfig = TrainConfig(),
          coupling: Optional[Callable] = None, checkpoint=None, device=None,
          log: Optional[TextIO] = None, extra_spec: Optional[dict] = None,
          monitor: Optional[Callable[[int, TrainedModel], None]] = None) -> TrainedModel:
    """Learn the fields of `objective` for `interpolant` between rho0 and rho1.

    rho0, rho1: a density (`.sample(n, generator=None)` and `.dim`), a tensor of samples (N, d) or an
    iterable of batch tensors (si.data.as_source states how each is drawn). For one-sided paths rho0
    must be the latent N(0, I) (si.mixtures.standard_normal(d)); for the mirror path only rho1 is
    sampled (x0 does not enter x_t).
    coupling: optional callable (x0, x1, generator) -> (x0, x1) re-pairing each batch (minibatch OT,
    entropic OT); None is the independent coupling.
    monitor: optional callable (step, model) called every `check_every` steps and at the end with a
    copy of the model so far (the averaged weights), e.g. to measure quality against training time.
    Raises si.training.TrainingDiverged (a FloatingPointError) on a non-finite or runaway loss, naming
    the criterion and the steps; no checkpoint is written then.
    """
    loss_fn = BatchLoss(objective, interpolant, config.antithetic)
    kinds = loss_fn.kinds
    dtype = getattr(torch, config.dtype)
    device = torch.device(device) if device is not None else torch.device("cpu")
    src1 = as_source(rho1, "rho1", device=device, dtype=dtype)
    if interpolant.one_sided and not is_standard_normal(rho0):
        raise ValueError(f"one-sided path {interpolant.path!r} needs rho0 = N(0, I), the latent "
                         f"(si.mixtures.standard_normal({src1.dim})), got {describe_sampler(rho0)}")
    src0 = as_source(rho0, "rho0", device=device, dtype=dtype)
    dim = src1.dim
    if src0.dim != dim:
        raise ValueError(f"rho0 and rho1 must share a dimension, got {src0.dim} and {dim}")
    gen = torch.Generator(device=device).manual_seed(config.seed)
    pair_gen = gen if device.type == "cpu" else torch.Generator().manual_seed(config.seed)
    context = f" for {interpolant!r}, objective {objective!r}"
    t_start = time.time()
    with limit_threads(config.threads):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)
            nets = build_nets(kinds, dim, config).to(device=device, dtype=dtype)
        params = list(nets.parameters())
        opt = make_adam(params, config.lr)
        group = opt.param_groups[0]
        average = WeightAverage(params, config.ema) if config.ema else None
        fields = {k: nets[k] for k in kinds}

        def losses(t, x0, x1, z):
            return loss_fn(fields, t, x0, x1, z)
        step_losses = torch.compile(losses) if config.compile else losses
        guard = LossGuard(kinds, config.check_every, config.steps, context)
        progress = TrainingProgress(config.steps, config.log_every, log)
        record_every = max(1, config.steps // 200)
        recorded: List[dict] = []
        n, span, mirror = config.batch, config.t_max - config.t_min, interpolant.mirror
        try:
            for step in range(1, config.steps + 1):
                x1 = src1.draw(n, gen)
                x0 = x1 if mirror else src0.draw(n, gen)
                if coupling is not None and not mirror:
                    x0, x1 = coupling(x0, x1, generator=pair_gen)
                t = config.t_min + span * torch.rand(n, generator=gen, dtype=dtype, device=device)
                z = torch.randn(n, dim, generator=gen, dtype=dtype, device=device) if loss_fn.needs_z else None
                per_field = step_losses(t, x0, x1, z)
                values = [per_field[k] for k in kinds]
                loss = values[0]
                for v in values[1:]:
                    loss = loss + v
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                if config.lr_schedule != "step":
                    group["lr"] = learning_rate(config, step)
                elif step % config.lr_every == 0:
                    group["lr"] *= config.lr_decay
                if average is not None:
                    average.update(step)
                guard.add(loss, values)
                if guard.due(step) or step % config.log_every == 0:
                    checked = guard.check(step)
                    for s, total, per in checked:
                        if s % record_every == 0 or s == config.steps:
                            recorded.append({"step": s, "loss": total, **{f"loss_{k}": v for k, v in zip(kinds, per)}})
                        if s % config.log_every == 0 or s == config.steps:
                            progress.update(s, config.steps, total, learning_rate(config, s))
                    if monitor is not None and guard.due(step):
                        monitor(step, _snapshot(interpolant, objective, nets, average, config, dim))
        finally:
            progress.close()
    if average is not None:  # the averaged weights are the model
        average.copy_to()
    nets.eval()
    coupling_name = getattr(coupling, "name", None if coupling is None else type(coupling).__name__)
    spec = {"interpolant": interpolant.spec(), "objective": objective, "dim": dim,
            "config": dataclasses.asdict(config), "coupling": coupling_name,
            "antithetic_fields": list(loss_fn.antithetic),
            "rho0": describe_sampler(src0), "rho1": describe_sampler(src1), "train_seconds": time.time() - t_start,
            "torch": torch.__version__, "losses": recorded, **(extra_spec or {})}
    model = TrainedModel(interpolant, objective, nets, spec, recorded)
    if checkpoint is not None:
        model.save(checkpoint)
    return model


def _snapshot(interpolant, objective, nets, average, config, dim) -> TrainedModel:
    """A copy of the model so far, with the averaged weights (for `monitor`)."""
    p = next(nets.parameters())
    copy = build_nets(nets.keys(), dim, config).to(device=p.device, dtype=p.dtype)
    copy.load_state_dict(nets.state_dict())
    if average is not None:
        with torch.no_grad():
            for q, a in zip(copy.parameters(), average.average):
                q.copy_(a)
    return TrainedModel(interpolant, objective, copy.eval(), {"dim": dim, "config": dataclasses.asdict(config)})
