"""What the power stage of one benchmark reads (docs/theory.md §7.8), built from a config.

The sample sizes and seeds are the sweep's own, so the power table describes the metrics as the
sweep uses them: n = sampling.n (samples per model and the reference set), n_kl = likelihood.n (the
paired KL's test points), field_n = evaluation.field_n, the seeds, and the sampling window (the times
of the field error), each with the benchmark's overrides (sibench.config.resolve.benchmark_settings).
The config's optional `power` section sets what only this stage reads (defaults in POWER_DEFAULTS):

    power:
      enabled: true            # false: no power jobs, no metric_power table
      permutations: 200        # of each two-sample permutation test
      sliced_n: 20000          # samples per model and reference set of the sliced W2
      sliced_projections: 256
      sliced_floor_repeats: 10 # truth-vs-reference sliced W2 draws (its floor's mean and sd)
      interpolant: {path: linear, gamma: brownian}   # of the field error
      alpha: 0.05              # level of "detects"
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Optional, Tuple

__all__ = ["POWER_DEFAULTS", "PowerSpec", "power_settings", "power_enabled", "power_spec"]

POWER_DEFAULTS = {"enabled": True, "permutations": 200, "sliced_n": 20000, "sliced_projections": 256,
                  "sliced_floor_repeats": 10, "interpolant": {"path": "linear", "gamma": "brownian"}, "alpha": 0.05}


@dataclass(frozen=True)
class PowerSpec:
    benchmark: str
    seeds: Tuple[int, ...]
    n: int
    n_kl: int
    field_n: int
    window: Tuple[float, float]
    permutations: int
    sliced_n: int
    sliced_projections: int
    sliced_floor_repeats: int
    path: str
    gamma: str
    alpha: float
    metrics: Optional[Tuple[str, ...]] = None   # None: every metric that applies (sibench.power.scores)

    def __post_init__(self):
        object.__setattr__(self, "seeds", tuple(int(s) for s in self.seeds))
        object.__setattr__(self, "window", tuple(float(t) for t in self.window))
        if self.metrics is not None:
            object.__setattr__(self, "metrics", tuple(self.metrics))
        for name in ("n", "n_kl", "permutations", "sliced_n", "sliced_projections", "sliced_floor_repeats"):
            v = getattr(self, name)
            if isinstance(v, bool) or int(v) != v or v < 1:
                raise ValueError(f"PowerSpec.{name} must be a positive integer, got {v!r}")
        if not self.seeds:
            raise ValueError("PowerSpec.seeds must not be empty")
        if not 0 < self.alpha < 1:
            raise ValueError(f"PowerSpec.alpha must be in (0, 1), got {self.alpha}")

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d.update(seeds=list(self.seeds), window=list(self.window),
                 metrics=None if self.metrics is None else list(self.metrics))
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "PowerSpec":
        known = {f.name for f in fields(cls)}
        if set(d) - known:
            raise ValueError(f"PowerSpec: unknown key(s) {sorted(set(d) - known)}")
        return cls(**d)


def power_settings(config: dict) -> dict:
    """The config's power section with every default filled in."""
    p = dict(POWER_DEFAULTS)
    p.update({k: v for k, v in (config.get("power") or {}).items() if k != "interpolant"})
    p["interpolant"] = {**POWER_DEFAULTS["interpolant"], **((config.get("power") or {}).get("interpolant") or {})}
    return p


def power_enabled(config: dict) -> bool:
    return bool(power_settings(config)["enabled"])


def power_spec(config: dict, benchmark: str, metrics=None) -> PowerSpec:
    """The power spec of one benchmark of the config (module doc); `metrics` restricts the metrics."""
    from si.sampling import SCORE_WINDOW
    from ..config.resolve import benchmark_settings
    s = benchmark_settings(config, benchmark)
    p = power_settings(config)
    sampling = s["sampling"]
    return PowerSpec(benchmark=benchmark, seeds=tuple(config["seeds"]), n=int(sampling["n"]),
                     n_kl=int(s["likelihood"]["n"]), field_n=int(s["evaluation"].get("field_n", 0)),
                     window=(sampling.get("t_min", SCORE_WINDOW[0]), sampling.get("t_max", SCORE_WINDOW[1])),
                     permutations=int(p["permutations"]), sliced_n=int(p["sliced_n"]),
                     sliced_projections=int(p["sliced_projections"]),
                     sliced_floor_repeats=int(p["sliced_floor_repeats"]), path=p["interpolant"]["path"],
                     gamma=p["interpolant"]["gamma"], alpha=float(p["alpha"]), metrics=metrics)
