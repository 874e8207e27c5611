"""The training configuration (docs/theory.md §3): Adam with a step-decay or cosine schedule, the time window
of the objectives, the network size, the EMA of the weights, seed, threads and dtype. A run is
fully described by its TrainConfig, the interpolant and the objective. Objectives of
Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.

antithetic: True, False, "auto" (default: where it pays per unit of time, measured in docs/performance.md:
b, s, eta on two-sided paths, s and eta on one-sided ones, every field on the mirror path) or a
comma-separated list of field kinds ("s", "b,s"); never applied where gamma = 0 on a two-sided path
(si.objectives.antithetic_fields).
check_every: the losses are read from the device, checked (finite, not running away:
si.training.guard) and logged every this many steps and at the last step.
compile: torch.compile the step's loss (the fields' forward passes and the objective); off by
default (measured in docs/performance.md: no gain on CPU for the small networks of the benchmark).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Optional, Union

from ..objectives import FIELD_KINDS

__all__ = ["TrainConfig", "from_known_keys", "learning_rate", "LR_SCHEDULES"]

LR_SCHEDULES = ("step", "cosine")


def from_known_keys(cls, d: dict, what: str):
    """cls(**d) for a dataclass of options, after refusing keys it does not have (naming them and `what`)."""
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(d) - known)
    if unknown:
        raise ValueError(f"unknown {what} option(s) {unknown}; valid: {sorted(known)}")
    return cls(**d)


@dataclass(frozen=True)
class TrainConfig:
    steps: int = 3000
    batch: int = 1000
    lr: float = 2e-3
    lr_decay: float = 0.5       # multiply the learning rate by this ...
    lr_every: int = 1000        # ... every this many steps (lr_schedule "step")
    lr_schedule: str = "step"   # "step": x lr_decay every lr_every steps; "cosine": lr (1 + cos(pi k / steps)) / 2
    hidden: int = 128
    depth: int = 3
    antithetic: Union[bool, str] = "auto"
    ema: float = 0.999          # decay of the exponential moving average of the weights (0: off)
    t_min: float = 1e-3         # training times t ~ U[t_min, t_max]: gamma' and 1/gamma are infinite at 0 and 1
    t_max: float = 1 - 1e-3
    seed: int = 0
    threads: Optional[int] = None
    log_every: int = 100
    dtype: str = "float32"
    check_every: int = 100
    compile: bool = False

    def __post_init__(self):
        for name in ("steps", "batch", "hidden", "depth", "lr_every", "log_every", "check_every"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"TrainConfig.{name} must be >= 1, got {getattr(self, name)}")
        if not self.lr > 0:
            raise ValueError(f"TrainConfig.lr must be > 0, got {self.lr}")
        if not 0 < self.lr_decay <= 1:
            raise ValueError(f"TrainConfig.lr_decay must lie in (0, 1], got {self.lr_decay}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"TrainConfig.lr_schedule must be one of {list(LR_SCHEDULES)}, got {self.lr_schedule!r}")
        if not 0 <= self.t_min < self.t_max <= 1:
            raise ValueError(f"TrainConfig needs 0 <= t_min < t_max <= 1, got [{self.t_min}, {self.t_max}]")
        if not 0 <= self.ema < 1:
            raise ValueError(f"TrainConfig.ema must lie in [0, 1), got {self.ema}")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"TrainConfig.threads must be >= 1, got {self.threads}")
        a = self.antithetic
        if not (isinstance(a, bool) or a == "auto" or (isinstance(a, str) and a.strip() and all(
                k.strip() in FIELD_KINDS for k in a.split(",")))):
            raise ValueError(f"TrainConfig.antithetic must be True, False, 'auto' or a comma-separated list of "
                             f"field kinds {list(FIELD_KINDS)}, got {a!r}")
        if not isinstance(self.compile, bool):
            raise ValueError(f"TrainConfig.compile must be True or False, got {self.compile!r}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"TrainConfig.dtype must be 'float32' or 'float64', got {self.dtype!r}")

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        return from_known_keys(cls, d, "training")


def learning_rate(config: TrainConfig, step: int) -> float:
    """The learning rate after `step` optimiser steps: config.lr * lr_decay^(step // lr_every) for the
    "step" schedule; config.lr * (1 + cos(pi step / steps)) / 2 for "cosine" (0 after the last step)."""
    if config.lr_schedule == "cosine":
        return config.lr * 0.5 * (1.0 + math.cos(math.pi * min(step, config.steps) / config.steps))
    return config.lr * config.lr_decay ** (step // config.lr_every)
