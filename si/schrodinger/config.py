"""Options of the max-min training (`si.schrodinger.fit_maxmin`), a frozen dataclass (docs/theory.md §10)."""
from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass
from typing import Optional

from ..training.config import from_known_keys
from .parametrisation import PARAMETRISATIONS

__all__ = ["MaxMinConfig", "DEFAULT_LR"]

# learning rates by parametrisation (measured on the Gaussian pairs: the affine players' weights are
# O(1) matrices, and 1e-3 left the marginal KL 50x above its noise floor after 1000 steps in d = 2)
DEFAULT_LR = {"affine": {"lr_inner": 1e-2, "lr_outer": 5e-3}, "mlp": {"lr_inner": 2e-3, "lr_outer": 1e-3}}


@dataclass(frozen=True)
class MaxMinConfig:
    """steps: outer (max) steps; each is preceded by `inner_steps` inner (min) steps on u^.

    parametrisation: "mlp" (phi and u^ MLPs: hidden, depth) or "affine" (Lemma 3.12, Gaussian pairs:
    interp_basis Legendre terms in t for A, B, c; drift_basis for M, m).
    Learning rates (None: DEFAULT_LR of the parametrisation) decay by a cosine from lr_* to lr_* * lr_final over the steps; ema averages the
    weights of both players (0: off). After the steps, the interpolant is frozen at its averaged
    weights and u^ gets `polish_steps` more inner steps, so the drift is the inner minimiser of the
    returned interpolant. freeze_interpolant: skip the outer steps (the un-optimised, linear
    interpolant; a control). t_min: training times are stratified on [t_min, 1 - t_min].
    record_every: steps between records of `.losses` (0: about 200 records).
    """
    steps: int = 2000
    seed: int = 0
    parametrisation: str = "mlp"
    batch: int = 512
    inner_steps: int = 5
    lr_inner: Optional[float] = None   # None: 1e-2 affine, 2e-3 mlp
    lr_outer: Optional[float] = None   # None: 5e-3 affine, 1e-3 mlp
    lr_final: float = 0.02
    ema: float = 0.995
    polish_steps: int = 500
    hidden: int = 128
    depth: int = 3
    interp_basis: int = 3
    drift_basis: int = 8
    t_min: float = 1e-3
    freeze_interpolant: bool = False
    record_every: int = 0
    threads: Optional[int] = None
    dtype: str = "float32"

    def __post_init__(self):
        for name in ("steps", "batch", "inner_steps", "hidden", "depth", "interp_basis", "drift_basis"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
                raise ValueError(f"MaxMinConfig.{name} must be an integer >= 1, got {v!r}")
            object.__setattr__(self, name, int(v))  # a plain int (numpy integers would not go to JSON)
        for name in ("seed", "polish_steps", "record_every"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0:
                raise ValueError(f"MaxMinConfig.{name} must be an integer >= 0, got {v!r}")
            object.__setattr__(self, name, int(v))
        if self.parametrisation not in PARAMETRISATIONS:
            raise ValueError(f"MaxMinConfig.parametrisation must be one of {list(PARAMETRISATIONS)}, "
                             f"got {self.parametrisation!r}")
        for name in ("lr_inner", "lr_outer"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, DEFAULT_LR[self.parametrisation][name])
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise ValueError(f"MaxMinConfig.{name} must be a positive number, got {v!r}")
        if not 0 < self.lr_final <= 1:
            raise ValueError(f"MaxMinConfig.lr_final must lie in (0, 1], got {self.lr_final!r}")
        if not 0 <= self.ema < 1:
            raise ValueError(f"MaxMinConfig.ema must lie in [0, 1), got {self.ema!r}")
        if not 0 < self.t_min < 0.5:
            raise ValueError(f"MaxMinConfig.t_min must lie in (0, 0.5) (gamma' - eps/gamma is infinite "
                             f"at t = 1), got {self.t_min!r}")
        if self.threads is not None and (isinstance(self.threads, bool) or int(self.threads) < 1):
            raise ValueError(f"MaxMinConfig.threads must be >= 1, got {self.threads!r}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"MaxMinConfig.dtype must be 'float32' or 'float64', got {self.dtype!r}")

    @classmethod
    def from_dict(cls, d: dict) -> "MaxMinConfig":
        return from_known_keys(cls, d, "max-min")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)
