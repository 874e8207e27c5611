"""The sb-maxmin stage's specs, from the config's `sb_maxmin` section (docs/theory.md §10).

The Schroedinger bridge by the max-min over interpolants (si.schrodinger.fit_maxmin) is fitted on each
bridge pair listed in `sb_maxmin.benchmarks`, for every seed of the config, and evaluated like a trained
model of the evaluate stage: its rows carry an EvaluateSpec (method "sb-maxmin", the pair's sampling and
evaluation settings) so that they have the same columns and the same metrics (sibench.stages.sample_metrics).
Its only sampler is the bridge's forward SDE dX = u^ dt + sqrt(2 eps) dW at eps = sigma^2 / 2 (the pair's
reference sigma dW), with the config's SDE method at its largest step count.

This module is not imported by the truth, train and evaluate stages: their specs stay as they are.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import List, Tuple

from .errors import ConfigError
from .numbers import check_points
from .resolve import built, deep_merge, evaluate_spec
from .specs import EvaluateSpec, Integrator, ModelSpec
from ..pairs import get_benchmark

__all__ = ["METHOD", "LABEL", "FIT_KEYS", "SbMaxMinSpec", "sb_maxmin_benchmarks", "sb_maxmin_spec",
           "check_sb_maxmin"]

METHOD = "sb-maxmin"
LABEL = "sb-maxmin (max-min interpolant)"
# the fit options a config may set (si.schrodinger.MaxMinConfig's fields but seed and threads)
FIT_KEYS = ("steps", "batch", "inner_steps", "polish_steps", "parametrisation", "hidden", "depth", "lr_inner",
            "lr_outer", "lr_final", "ema", "interp_basis", "drift_basis", "t_min", "record_every", "dtype")
CURVE_TIMES, CURVE_N = 19, 2000   # defaults: t = 0.05, 0.1, ..., 0.95; samples of x^_t per time
# the interpolant the rows' EvaluateSpec is resolved with (its window and evaluation settings are the pair's)
_RESOLVE_AS = {"path": "linear", "gamma": "brownian", "a": "sigma2", "objective": "b,s"}


@dataclass(frozen=True)
class SbMaxMinSpec:
    """One fit of one pair and seed: `evaluate` the run of its rows (benchmark, method, seed, sampling,
    evaluation; model: the learned interpolant with gamma^2 = sigma^2 t(1-t)), `fit` the options of
    si.schrodinger.fit_maxmin (parametrisation resolved), and the Bures-W2 curve of x^_t: curve_times
    equally spaced times in (0, 1), curve_n samples each."""

    evaluate: EvaluateSpec
    fit: dict
    curve_times: int = CURVE_TIMES
    curve_n: int = CURVE_N

    @property
    def benchmark(self) -> str:
        return self.evaluate.benchmark

    @property
    def seed(self) -> int:
        return self.evaluate.seed

    @property
    def eps(self) -> float:
        """The diffusion coefficient of the bridge, sigma^2 / 2."""
        return self.evaluate.eps[0]

    def times(self) -> Tuple[float, ...]:
        """The curve's times k / (curve_times + 1), k = 1..curve_times."""
        k = self.curve_times + 1
        return tuple(i / k for i in range(1, k))

    def to_dict(self) -> dict:
        return {"evaluate": self.evaluate.to_dict(), "fit": dict(self.fit), "curve_times": self.curve_times,
                "curve_n": self.curve_n}

    @classmethod
    def from_dict(cls, d: dict) -> "SbMaxMinSpec":
        known = {f.name for f in dataclasses.fields(cls)}
        if set(d) - known or "evaluate" not in d or "fit" not in d:
            raise ValueError(f"SbMaxMinSpec: keys {sorted(d)}; valid: {sorted(known)} (evaluate, fit required)")
        return cls(EvaluateSpec.from_dict(d["evaluate"]), dict(d["fit"]), int(d.get("curve_times", CURVE_TIMES)),
                   int(d.get("curve_n", CURVE_N)))


def sb_maxmin_benchmarks(config: dict) -> List[str]:
    """The pairs the sb-maxmin stage fits (none without an `sb_maxmin` section)."""
    return list((config.get("sb_maxmin") or {}).get("benchmarks", []))


def _parametrisation(choice: str, pair) -> str:
    """"auto": "affine" (Lemma 3.12, exact moments) when rho0 and rho1 are single Gaussians, else "mlp"."""
    if choice != "auto":
        return choice
    from si.schrodinger import gaussian_moments
    return "affine" if gaussian_moments(pair.rho0) is not None and gaussian_moments(pair.rho1) is not None else "mlp"


def sb_maxmin_spec(config: dict, benchmark: str, seed: int) -> SbMaxMinSpec:
    """The fit and evaluation of sb-maxmin on one bridge pair and seed."""
    section = config["sb_maxmin"]
    pair = get_benchmark(benchmark)
    resolved = deep_merge(config, {"methods": {METHOD: _RESOLVE_AS}})
    ev = evaluate_spec(resolved, benchmark, METHOD, seed)
    s2 = float(pair.sigma2)
    model = ModelSpec(path="learned", gamma="brownian", a=s2, objective="maxmin", coupling="independent",
                      coupling_reg=None)
    sde = Integrator(ev.sampling.sde.method, (max(ev.sampling.sde.steps),))
    ev = dataclasses.replace(ev, label=section.get("label", LABEL), model=model, eps=(s2 / 2,),
                             sampling=dataclasses.replace(ev.sampling, sde=sde), likelihood=None)
    fit = {k: section[k] for k in FIT_KEYS if k in section}
    fit["parametrisation"] = _parametrisation(fit.get("parametrisation", "auto"), pair)
    return SbMaxMinSpec(ev, fit, int(section.get("curve_times", CURVE_TIMES)), int(section.get("curve_n", CURVE_N)))


def check_sb_maxmin(config: dict) -> None:
    """The `sb_maxmin` section, before any job starts: every listed benchmark known, a Schroedinger-bridge
    pair and one of `benchmarks` (its truth and tables come from there), no method of the sweep named
    "sb-maxmin", and the fit options as si.schrodinger.MaxMinConfig reads them. ConfigError naming the key."""
    section = config.get("sb_maxmin")
    if section is None:
        return
    if METHOD in config["methods"]:
        raise ConfigError(f"methods.{METHOD}: the name is the sb_maxmin stage's method; rename the method")
    for i, b in enumerate(section["benchmarks"]):
        where = f"sb_maxmin.benchmarks[{i}]"
        try:
            pair = get_benchmark(b)
        except ValueError as e:
            raise ConfigError(f"{where}: {e}") from None
        if not pair.is_bridge:
            raise ConfigError(f"{where}: {b!r} is not a Schroedinger-bridge pair (it has no exact bridge to fit "
                              f"and compare against); bridge pairs are named sb-gauss-d<d>-s<sigma^2> and "
                              f"sb-mixture-d<d>-s<sigma^2>")
        if b not in config["benchmarks"]:
            raise ConfigError(f"{where}: {b!r} is not under benchmarks (its truth, tables and figures come from "
                              f"there): add it with its methods")
        spec = built(f"sb_maxmin on benchmarks.{b}", lambda: sb_maxmin_spec(config, b, 0))
        from si.schrodinger import MaxMinConfig
        try:
            MaxMinConfig(**spec.fit)
        except (TypeError, ValueError) as e:
            raise ConfigError(f"sb_maxmin: {e}") from None
        check_points(spec.fit.get("batch", MaxMinConfig.batch), "sb_maxmin.batch")
        check_points(spec.curve_n, "sb_maxmin.curve_n")
