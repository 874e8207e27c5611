"""Training of the learned fields: Adam with a step-decay schedule, seeded and thread-bounded.

A run is fully described by its TrainConfig, the interpolant and the objective; the same seed
gives the same weights on the same machine. Checkpoints are a state dict plus a JSON spec, written
atomically; `load_model` reads them back with torch.load(weights_only=True).
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, TextIO

import torch
from torch import nn

from .fileio import atomic_write
from .interpolants import Interpolant
from .nets import FieldMLP
from .objectives import assemble, field_loss, fields_of

Tensor = torch.Tensor
CHECKPOINT_FORMAT = 1


@dataclass(frozen=True)
class TrainConfig:
    steps: int = 3000
    batch: int = 1000
    lr: float = 2e-3
    lr_decay: float = 0.5       # multiply the learning rate by this ...
    lr_every: int = 1000        # ... every this many steps
    hidden: int = 128
    depth: int = 3
    antithetic: bool = True
    ema: float = 0.999          # decay of the exponential moving average of the weights (0: off)
    t_min: float = 1e-3         # training times t ~ U[t_min, t_max]: gamma' and 1/gamma are infinite at 0 and 1
    t_max: float = 1 - 1e-3
    seed: int = 0
    threads: Optional[int] = None
    log_every: int = 100
    dtype: str = "float32"

    def __post_init__(self):
        for name in ("steps", "batch", "hidden", "depth", "lr_every", "log_every"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"TrainConfig.{name} must be >= 1, got {getattr(self, name)}")
        if not self.lr > 0:
            raise ValueError(f"TrainConfig.lr must be > 0, got {self.lr}")
        if not 0 < self.lr_decay <= 1:
            raise ValueError(f"TrainConfig.lr_decay must lie in (0, 1], got {self.lr_decay}")
        if not 0 <= self.t_min < self.t_max <= 1:
            raise ValueError(f"TrainConfig needs 0 <= t_min < t_max <= 1, got [{self.t_min}, {self.t_max}]")
        if not 0 <= self.ema < 1:
            raise ValueError(f"TrainConfig.ema must lie in [0, 1), got {self.ema}")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"TrainConfig.threads must be >= 1, got {self.threads}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"TrainConfig.dtype must be 'float32' or 'float64', got {self.dtype!r}")

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown training option(s) {unknown}; valid: {sorted(known)}")
        return cls(**d)


class TrainedModel:
    """Learned fields of one objective, with the (b, s) assembled for sampling (docs/theory.md §2)."""

    def __init__(self, interpolant: Interpolant, objective: str, nets: nn.ModuleDict, spec: dict,
                 losses: Optional[List[dict]] = None):
        self.interpolant, self.objective, self.nets, self.spec = interpolant, objective, nets, spec
        self.losses = losses if losses is not None else spec.get("losses", [])
        self.b, self.s = assemble(objective, {k: self._field(k) for k in nets}, interpolant)

    def _field(self, kind: str) -> Callable[[Tensor, Tensor], Tensor]:
        net = self.nets[kind]

        def f(t: Tensor, x: Tensor) -> Tensor:
            return net(t.to(x.dtype), x)
        return f

    def field(self, kind: str) -> Optional[Callable[[Tensor, Tensor], Tensor]]:
        """The learned field `kind` ("b", "v", "s" or "eta"), or None if this objective does not learn it."""
        return self._field(kind) if kind in self.nets else None

    @property
    def dim(self) -> int:
        return int(self.spec["dim"])

    def to(self, device=None, dtype=None) -> "TrainedModel":
        self.nets.to(device=device, dtype=dtype)
        return self

    def save(self, path) -> None:
        path = Path(path)
        payload = {"format": CHECKPOINT_FORMAT, "spec_json": json.dumps(self.spec),
                   "state_dict": {k: v.detach().cpu() for k, v in self.nets.state_dict().items()}}
        atomic_write(path, lambda p: torch.save(payload, p))
        atomic_write(path.with_suffix(".json"), lambda p: Path(p).write_text(json.dumps(self.spec, indent=1)))


def build_nets(kinds, dim: int, config: TrainConfig) -> nn.ModuleDict:
    return nn.ModuleDict({k: FieldMLP(dim, config.hidden, config.depth) for k in kinds})


def load_model(path, device=None) -> TrainedModel:
    """Read a checkpoint written by `TrainedModel.save` (weights_only=True: nothing is unpickled)."""
    payload = torch.load(Path(path), map_location="cpu", weights_only=True)
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path} is not an si checkpoint of format {CHECKPOINT_FORMAT}")
    spec = json.loads(payload["spec_json"])
    interp = Interpolant(**spec["interpolant"])
    config = TrainConfig.from_dict(spec["config"])
    nets = build_nets(fields_of(spec["objective"]), spec["dim"], config)
    nets.load_state_dict(payload["state_dict"])
    nets.to(device=device, dtype=getattr(torch, config.dtype))
    nets.eval()
    return TrainedModel(interp, spec["objective"], nets, spec)


@contextlib.contextmanager
def _threads(n: Optional[int]):
    if n is None:
        yield
        return
    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def _describe(sampler) -> str:
    return getattr(sampler, "name", type(sampler).__name__)


def _is_standard_normal(rho) -> bool:
    gmm = getattr(rho, "gmm", rho)
    check = getattr(gmm, "is_standard_normal", None)
    return bool(check()) if check is not None else False


class _Progress:
    """A tqdm bar on an interactive terminal, periodic log lines otherwise."""

    def __init__(self, total: int, every: int, stream: Optional[TextIO]):
        self.stream = stream or sys.stderr
        self.every, self.t0, self.bar = every, time.time(), None
        if stream is None and sys.stderr.isatty():
            from tqdm.auto import tqdm
            self.bar = tqdm(total=total, desc="train", leave=False)

    def update(self, step: int, total: int, loss: float, lr: float) -> None:
        if self.bar is not None:
            self.bar.update(1)
            if step % self.every == 0:
                self.bar.set_postfix(loss=f"{loss:.4f}", lr=f"{lr:.2e}")
        elif step % self.every == 0 or step == total:
            print(f"step {step}/{total} loss {loss:.5f} lr {lr:.2e} elapsed {time.time() - self.t0:.1f}s",
                  file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


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
    if interpolant.one_sided and not _is_standard_normal(rho0):
        raise ValueError(f"one-sided path {interpolant.path!r} needs rho0 = N(0, I) (the latent), "
                         f"got {_describe(rho0)}")
    dtype = getattr(torch, config.dtype)
    device = torch.device(device) if device is not None else torch.device("cpu")
    gen = torch.Generator().manual_seed(config.seed)
    t_start = time.time()
    with _threads(config.threads):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)
            nets = build_nets(kinds, dim, config).to(device=device, dtype=dtype)
        opt = torch.optim.Adam(nets.parameters(), lr=config.lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=config.lr_every, gamma=config.lr_decay)
        fields = {k: (lambda net: (lambda t, x: net(t, x)))(nets[k]) for k in kinds}
        ema = [p.detach().clone() for p in nets.parameters()] if config.ema else None
        progress = _Progress(config.steps, config.log_every, log)
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
    spec = {"interpolant": interpolant.spec(), "objective": objective, "dim": dim,
            "config": dataclasses.asdict(config), "coupling": getattr(coupling, "name", None if coupling is None else type(coupling).__name__),
            "rho0": _describe(rho0), "rho1": _describe(rho1), "train_seconds": time.time() - t_start,
            "torch": torch.__version__, "losses": losses, **(extra_spec or {})}
    model = TrainedModel(interpolant, objective, nets, spec, losses)
    if checkpoint is not None:
        model.save(checkpoint)
    return model
