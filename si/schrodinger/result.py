"""The result of `fit_maxmin`: the learned interpolant I^ and drift u^ = b_F (docs/theory.md §10).

* `sample_marginal(t, n)`: samples of x^_t = I^(t, x0, x1) + gamma(t) z, (x0, x1, z) independent;
  at the optimum their law is the Schroedinger bridge's marginal rho_t (paper, Theorem 3.13).
* `drift`: the field (t, x) -> u^(t, x), the forward drift of the bridge, for the SDE
  dX = u^ dt + sqrt(2 eps) dW from X0 ~ rho0 (`sample_bridge`, via `si.sampling.sample_sde` with
  b = u^ and s = 0); its path law is the bridge, its (X0, X1) law the Schroedinger plan.
* `marginal_moments(t)`, `coupling_moments()`: exact moments when the parametrisation is affine and
  rho0, rho1 are Gaussian (`si.schrodinger.gaussian`).
* `save(path)` / `load_result(path)`: a state dict (torch.load(weights_only=True)) plus a JSON spec.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional, Tuple

import torch
from torch import nn

from ..fileio import atomic_write
from ..mixtures import GaussianMixture
from ..sampling import SampleResult, sample_sde
from .config import MaxMinConfig
from .gaussian import affine_moments, linear_sde_moments
from .parametrisation import build_drift, build_interpolant
from .saddle import bridge_gamma

Tensor = torch.Tensor
F64 = torch.float64
RESULT_FORMAT = 1

__all__ = ["MaxMinResult", "load_result", "RESULT_FORMAT"]


def _time(t) -> float:
    t = float(t.item() if isinstance(t, Tensor) else t)
    if not 0 <= t <= 1:
        raise ValueError(f"t must lie in [0, 1], got {t}")
    return t


class MaxMinResult:
    """Learned interpolant and drift of the max-min problem; `.spec` and `.losses` describe the run."""

    def __init__(self, interpolant: nn.Module, drift_net: nn.Module, eps: float, config: MaxMinConfig, spec: dict,
                 rho0=None, rho1=None, gaussian: Optional[Tuple[Tensor, Tensor, Tensor, Tensor]] = None,
                 losses: Optional[List[dict]] = None):
        self.interpolant, self.drift_net, self.eps, self.config = interpolant, drift_net, float(eps), config
        self.spec, self.rho0, self.rho1, self.gaussian = spec, rho0, rho1, gaussian
        self.losses = losses if losses is not None else spec.get("losses", [])
        self.gamma = bridge_gamma(self.eps)

    @property
    def dim(self) -> int:
        return int(self.spec["dim"])

    @property
    def dtype(self) -> torch.dtype:
        return getattr(torch, self.config.dtype)

    # -- the learned objects ---------------------------------------------------------------
    def drift(self, t: Tensor, x: Tensor) -> Tensor:
        """u^(t, x), shape (n, d): the forward drift b_F of the learned interpolant."""
        with torch.no_grad():
            t = torch.as_tensor(t, dtype=self.dtype)
            t = t.expand(x.shape[0]) if t.dim() == 0 else t
            return self.drift_net(t, x.to(self.dtype)).to(x.dtype)

    def interpolate(self, t, x0: Tensor, x1: Tensor) -> Tensor:
        """I^(t, x0, x1), shape (n, d) (t a number in [0, 1] or a tensor of shape (n,))."""
        with torch.no_grad():
            t = torch.as_tensor(t, dtype=self.dtype)
            t = t.expand(x0.shape[0]) if t.dim() == 0 else t
            if not bool(((t >= 0) & (t <= 1)).all()):
                raise ValueError("t must lie in [0, 1]")
            return self.interpolant(t, x0.to(self.dtype), x1.to(self.dtype))[0]

    def sample_marginal(self, t, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        """n samples (n, d) of x^_t = I^(t, x0, x1) + gamma(t) z with x0 ~ rho0, x1 ~ rho1, z independent."""
        t = _time(t)
        if isinstance(n, bool) or int(n) != n or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        if self.rho0 is None or self.rho1 is None:
            raise ValueError("this result has no rho0 / rho1 samplers: pass them to load_result")
        x0 = self.rho0.sample(int(n), generator=generator).to(self.dtype)
        x1 = self.rho1.sample(int(n), generator=generator).to(self.dtype)
        z = torch.randn(x0.shape, generator=generator, dtype=self.dtype)
        tt = torch.full((int(n),), t, dtype=self.dtype)
        return self.interpolate(tt, x0, x1) + self.gamma.gamma(torch.tensor(t, dtype=self.dtype)) * z

    def sample_bridge(self, x0: Tensor, steps: int = 200, method: str = "euler-maruyama",
                      generator: Optional[torch.Generator] = None, **kwargs) -> SampleResult:
        """dX = u^ dt + sqrt(2 eps) dW from x0 (~ rho0) by `si.sampling.sample_sde` (b = u^, s = 0)."""
        zero = lambda t, x: torch.zeros_like(x)  # noqa: E731
        return sample_sde(self.drift, zero, x0.to(self.dtype), steps, method, eps=self.eps, generator=generator,
                          **kwargs)

    # -- exact moments (affine parametrisation, Gaussian rho0 and rho1) ------------------------
    def _need_gaussian(self, what: str) -> None:
        if self.gaussian is None or self.config.parametrisation != "affine":
            raise ValueError(f"{what} needs the affine parametrisation and Gaussian rho0, rho1")

    def marginal_moments(self, t) -> Tuple[Tensor, Tensor]:
        """Exact mean (d,) and covariance (d, d) of x^_t (float64)."""
        self._need_gaussian("marginal_moments")
        with torch.no_grad():
            mu, Sig, _, _ = affine_moments(self.interpolant, *self.gaussian, self.gamma, self.eps,
                                           torch.tensor([_time(t)], dtype=F64))
        return mu[0], Sig[0]

    def coupling_moments(self, steps: int = 400) -> Tuple[Tensor, Tensor, Tensor]:
        """Mean and covariance of X1 and Cov(X0, X1) of dX = u^ dt + sqrt(2 eps) dW, X0 ~ rho0 (exact, RK4)."""
        self._need_gaussian("coupling_moments")
        with torch.no_grad():
            return linear_sde_moments(self.drift_net, self.gaussian[0], self.gaussian[1], self.eps, steps)

    # -- checkpoints ---------------------------------------------------------------------------
    def state_dict(self) -> dict:
        sd = {f"interpolant.{k}": v.detach().cpu() for k, v in self.interpolant.state_dict().items()}
        sd.update({f"drift.{k}": v.detach().cpu() for k, v in self.drift_net.state_dict().items()})
        if self.gaussian is not None:
            sd.update(dict(zip(("gaussian.mean0", "gaussian.cov0", "gaussian.mean1", "gaussian.cov1"),
                               (g.detach().cpu() for g in self.gaussian))))
        return sd

    def save(self, path) -> None:
        """path: the state dict (torch.save); path with suffix .json: the spec."""
        path = Path(path)
        payload = {"format": RESULT_FORMAT, "spec_json": json.dumps(self.spec), "state_dict": self.state_dict()}
        atomic_write(path, lambda p: torch.save(payload, p))
        atomic_write(path.with_suffix(".json"), lambda p: Path(p).write_text(json.dumps(self.spec, indent=1)))


def load_result(path, rho0=None, rho1=None) -> MaxMinResult:
    """Read a result written by `MaxMinResult.save` (weights_only=True). rho0, rho1: samplers for
    `sample_marginal`; when omitted and the run's endpoints were Gaussian, they are rebuilt from the
    stored moments."""
    payload = torch.load(Path(path), map_location="cpu", weights_only=True)
    if not isinstance(payload, dict) or payload.get("format") != RESULT_FORMAT:
        raise ValueError(f"{path} is not an si.schrodinger result of format {RESULT_FORMAT}")
    spec = json.loads(payload["spec_json"])
    config = MaxMinConfig.from_dict(spec["config"])
    sd, d = payload["state_dict"], int(spec["dim"])
    args = (config.parametrisation, d, config.hidden, config.depth)
    interp = build_interpolant(*args, config.interp_basis)
    drift = build_drift(*args, config.drift_basis)
    interp.load_state_dict({k[len("interpolant."):]: v for k, v in sd.items() if k.startswith("interpolant.")})
    drift.load_state_dict({k[len("drift."):]: v for k, v in sd.items() if k.startswith("drift.")})
    dtype = getattr(torch, config.dtype)
    interp.to(dtype).eval()
    drift.to(dtype).eval()
    gaussian = None
    if "gaussian.mean0" in sd:
        gaussian = tuple(sd[f"gaussian.{k}"].to(F64) for k in ("mean0", "cov0", "mean1", "cov1"))
        if rho0 is None and rho1 is None:
            rho0 = GaussianMixture(torch.ones(1, dtype=F64), gaussian[0][None], gaussian[1][None])
            rho1 = GaussianMixture(torch.ones(1, dtype=F64), gaussian[2][None], gaussian[3][None])
    return MaxMinResult(interp, drift, spec["eps"], config, spec, rho0, rho1, gaussian)
