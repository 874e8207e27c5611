"""Sampling a trained model: the ODE (eps = 0) and the SDE at every eps, for every step count, from
one set of starting points. Used by the evaluate stage and by the paper's figure 3.

Both integrate on a window [t_min, t_max] (si.sampling: the start is taken as the state at t_min, the
last piece is one Euler step of the ODE): an assembled b = v + gamma' eta or v - gamma gamma' s is
singular where gamma = 0, so a model's ODE must not evaluate it there either (docs/theory.md §9).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, Sequence, Tuple

import torch

from ..config.specs import Integrator
from ..samples import SampleKey, ode_sampler_name, sde_sampler_name
from si import sampling

__all__ = ["SampleSet", "marginals_at", "sample_model"]


@dataclass
class SampleSet:
    """The final samples x of one sampler run, its NFE, and its states at kept times (t -> samples)."""

    x: torch.Tensor
    nfe: int
    marginals: Dict[float, torch.Tensor] = field(default_factory=dict)


def marginals_at(result, times: Sequence[float]) -> Dict[float, torch.Tensor]:
    """States of a saved trajectory at the grid times nearest to `times`."""
    out = {}
    for t in times:
        k = int(torch.argmin((result.times.double() - float(t)).abs()))
        out[float(t)] = result.trajectory[k]
    return out


def sample_model(model, x0: torch.Tensor, ode: Integrator, sde: Integrator, eps: Sequence[float], *,
                 ode_window: Tuple[float, float], sde_window: Tuple[float, float],
                 sde_generator: Callable[[float, int], torch.Generator],
                 keep_times: Sequence[float] = ()) -> Dict[SampleKey, SampleSet]:
    """Samples of a trained model (si.training.TrainedModel) from the same x0 (common random numbers
    across samplers and eps): the ODE with every step count of `ode` on ode_window, then, if the model
    has a score, the SDE at every eps with every step count of `sde` on sde_window, its noise drawn
    from sde_generator(eps, steps). For each sampler and eps, the run with the most steps also keeps
    its states at keep_times. Returned in that order, keyed by SampleKey."""
    times = [float(t) for t in keep_times]
    out: Dict[SampleKey, SampleSet] = {}

    def keep(key, res, save):
        out[key] = SampleSet(res.x, int(res.nfe), marginals_at(res, times) if save else {})

    for steps in ode.steps:
        save = bool(times) and steps == max(ode.steps)
        res = sampling.sample_ode(model.b, x0, steps=int(steps), method=ode.method, t_min=ode_window[0],
                                  t_max=ode_window[1], save_trajectory=save)
        keep(SampleKey(ode_sampler_name(ode.method), 0.0, steps), res, save)
    if model.s is not None:
        for e in eps:
            for steps in sde.steps:
                save = bool(times) and steps == max(sde.steps)
                res = sampling.sample_sde(model.b, model.s, x0, eps=float(e), steps=int(steps), method=sde.method,
                                          generator=sde_generator(e, steps), t_min=sde_window[0],
                                          t_max=sde_window[1], save_trajectory=save)
                keep(SampleKey(sde_sampler_name(sde.method), e, steps), res, save)
    return out
