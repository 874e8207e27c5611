"""What one stage of one run reads: frozen dataclasses, built once from the config (sibench.config.resolve).

A spec holds every setting its stage reads and nothing else, so the workflow can pass it as a rule
parameter (`to_dict()`: plain dicts, lists, numbers and strings) and a changed setting re-runs exactly
the jobs that read it (Snakemake's params rerun trigger); the job's script rebuilds it with
`from_dict`. Everything here is data: no si import, so a stage's code version (sibench.versioning)
does not depend on the specs of other stages.

    TruthSpec      benchmark, reference sample size, test points, floor repeats
    TrainSpec      run (benchmark, method, seed), ModelSpec, TrainSettings, device
    EvaluateSpec   run, label, ModelSpec, eps, device, SamplingSpec (ODE / SDE Integrator, window),
                   LikelihoodSpec (None when the likelihood is off), EvaluationSpec
"""
from __future__ import annotations

import math
from dataclasses import MISSING, dataclass, fields
from typing import Optional, Tuple, Union

__all__ = ["TRAIN_KEYS", "ModelSpec", "TrainSettings", "TruthSpec", "TrainSpec", "Integrator", "SamplingSpec",
           "LikelihoodSpec", "EvaluationSpec", "EvaluateSpec"]

# the training settings a config may set (si.training.TrainConfig's fields but seed, threads and ema)
TRAIN_KEYS = ("steps", "batch", "lr", "lr_decay", "lr_every", "lr_schedule", "hidden", "depth", "antithetic",
              "t_min", "t_max", "log_every", "dtype")


def _check_keys(cls, d: dict) -> None:
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(d) - known)
    missing = sorted(f.name for f in fields(cls) if f.name not in d and f.default is MISSING)
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown key(s) {unknown}; valid: {sorted(known)}")
    if missing:
        raise ValueError(f"{cls.__name__}: missing key(s) {missing}")


def _positive_ints(name: str, values) -> Tuple[int, ...]:
    """values as ints >= 1 (integral floats such as 100.0 converted, sibench.config.numbers)."""
    values = tuple(values)
    if not values or any(isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v or v < 1
                         for v in values):
        raise ValueError(f"{name} must be a non-empty list of positive integers, got {list(values)}")
    return tuple(int(v) for v in values)


def _whole_fields(spec, names, minimum: int = 1) -> None:
    """Set each named field of a frozen spec to its value as an int (None left alone): an int or an
    integral float (100.0), >= minimum; ValueError naming the field otherwise."""
    for name in names:
        v = getattr(spec, name)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v or v < minimum:
            raise ValueError(f"{type(spec).__name__}.{name} must be a whole number >= {minimum}, got {v!r}")
        object.__setattr__(spec, name, int(v))


@dataclass(frozen=True)
class ModelSpec:
    """What a model learns: the interpolant (path, gamma, a), the objective, and the coupling of
    (x0, x1) with its entropic regularisation (None unless the coupling is entropic)."""

    path: str
    gamma: str
    a: float
    objective: str
    coupling: str
    coupling_reg: Optional[float]

    def interpolant(self):
        """The si.interpolants.Interpolant of this model."""
        from si.interpolants import Interpolant
        return Interpolant(self.path, self.gamma, self.a)

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, d: dict) -> "ModelSpec":
        _check_keys(cls, d)
        return cls(**d)


@dataclass(frozen=True)
class TrainSettings:
    """The training settings the config gives (TRAIN_KEYS; None: not given, si.training's default)."""

    steps: Optional[int] = None
    batch: Optional[int] = None
    lr: Optional[float] = None
    lr_decay: Optional[float] = None
    lr_every: Optional[int] = None
    lr_schedule: Optional[str] = None
    hidden: Optional[int] = None
    depth: Optional[int] = None
    antithetic: Optional[Union[bool, str]] = None
    t_min: Optional[float] = None
    t_max: Optional[float] = None
    log_every: Optional[int] = None
    dtype: Optional[str] = None

    def __post_init__(self):
        _whole_fields(self, ("steps", "batch", "lr_every", "hidden", "depth", "log_every"))

    def to_dict(self) -> dict:
        """The given settings, in TRAIN_KEYS order (the arguments of si.training.TrainConfig)."""
        return {k: getattr(self, k) for k in TRAIN_KEYS if getattr(self, k) is not None}

    @classmethod
    def from_dict(cls, d: dict) -> "TrainSettings":
        _check_keys(cls, d)
        return cls(**d)


@dataclass(frozen=True)
class TruthSpec:
    """The truth of one benchmark: n reference samples of rho1, n_test likelihood test points, and the
    W2 floor averaged over floor_repeats truth-vs-reference distances; with sliced_n > 0 also a reference
    set of sliced_n points and the sliced-W2 floor over sliced_projections directions."""

    benchmark: str
    n: int
    n_test: int
    floor_repeats: int
    sliced_n: int = 0
    sliced_projections: int = 64

    def __post_init__(self):
        _whole_fields(self, ("n", "n_test", "floor_repeats", "sliced_projections"))
        _whole_fields(self, ("sliced_n",), minimum=0)

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, d: dict) -> "TruthSpec":
        _check_keys(cls, d)
        return cls(**d)


@dataclass(frozen=True)
class TrainSpec:
    """One model to train: the run (benchmark, method, seed), what it learns, how, and where."""

    benchmark: str
    method: str
    seed: int
    model: ModelSpec
    train: TrainSettings
    device: str

    def __post_init__(self):
        _whole_fields(self, ("seed",), minimum=0)

    def to_dict(self) -> dict:
        return {"benchmark": self.benchmark, "method": self.method, "seed": self.seed,
                "model": self.model.to_dict(), "train": self.train.to_dict(), "device": self.device}

    @classmethod
    def from_dict(cls, d: dict) -> "TrainSpec":
        _check_keys(cls, d)
        return cls(d["benchmark"], d["method"], int(d["seed"]), ModelSpec.from_dict(d["model"]),
                   TrainSettings.from_dict(d["train"]), d["device"])


@dataclass(frozen=True)
class Integrator:
    """A sampler's method (si.sampling) and the step counts it runs with."""

    method: str
    steps: Tuple[int, ...]

    def __post_init__(self):
        object.__setattr__(self, "steps", _positive_ints(f"{self.method} steps", self.steps))

    def to_dict(self) -> dict:
        return {"method": self.method, "steps": list(self.steps)}

    @classmethod
    def from_dict(cls, d: dict) -> "Integrator":
        _check_keys(cls, d)
        return cls(d["method"], tuple(d["steps"]))


@dataclass(frozen=True)
class SamplingSpec:
    """n samples per sampler run, from the same x0 ~ rho0: the ODE at eps = 0, the SDE at every eps, on
    the integration window [t_min, t_max] (docs/theory.md §9)."""

    n: int
    ode: Integrator
    sde: Integrator
    window: Tuple[float, float]

    def __post_init__(self):
        lo, hi = (float(t) for t in self.window)
        if not 0.0 <= lo < hi <= 1.0:
            raise ValueError(f"the sampling window must satisfy 0 <= t_min < t_max <= 1, got [{lo}, {hi}]")
        object.__setattr__(self, "window", (lo, hi))
        _whole_fields(self, ("n",))

    def to_dict(self) -> dict:
        return {"n": self.n, "ode": self.ode.to_dict(), "sde": self.sde.to_dict(), "window": list(self.window)}

    @classmethod
    def from_dict(cls, d: dict) -> "SamplingSpec":
        _check_keys(cls, d)
        return cls(int(d["n"]), Integrator.from_dict(d["ode"]), Integrator.from_dict(d["sde"]), tuple(d["window"]))


@dataclass(frozen=True)
class LikelihoodSpec:
    """The paired KL (and cross-entropy) of rho1 under the model at fresh target points: the ODE likelihood
    (ode_method, ode_steps) at n points and, at every eps > 0 of `eps`, each SDE estimator (sde_steps) at
    sde_n points (default n), the score-identity proxy with sde_paths paths, Feynman-Kac with fk_paths
    (default sde_paths) at eps <= fk_max_eps (default: every eps; above it withheld without running), its
    values withheld where the median effective sample size is below fk_min_ess (default 1: never);
    divergence "exact" or "hutchinson" (with `probes`, None for the exact one)."""

    n: int
    ode_method: str
    ode_steps: int
    divergence: str
    probes: Optional[int]
    sde_steps: int
    sde_paths: int
    sde_estimators: Tuple[str, ...]
    eps: Tuple[float, ...]
    sde_n: Optional[int] = None
    fk_paths: Optional[int] = None
    fk_min_ess: Optional[float] = None
    fk_max_eps: Optional[float] = None

    def __post_init__(self):
        _whole_fields(self, ("n", "ode_steps", "probes", "sde_steps", "sde_paths"))
        object.__setattr__(self, "sde_estimators", tuple(self.sde_estimators))
        object.__setattr__(self, "eps", tuple(float(e) for e in self.eps))
        object.__setattr__(self, "sde_n", self.n if self.sde_n is None else self.sde_n)
        object.__setattr__(self, "fk_paths", self.sde_paths if self.fk_paths is None else self.fk_paths)
        _whole_fields(self, ("sde_n", "fk_paths"))
        object.__setattr__(self, "fk_min_ess", float(1.0 if self.fk_min_ess is None else self.fk_min_ess))
        object.__setattr__(self, "fk_max_eps", None if self.fk_max_eps is None else float(self.fk_max_eps))
        if not 1.0 <= self.fk_min_ess <= self.fk_paths:
            raise ValueError(f"fk_min_ess must lie in [1, fk_paths = {self.fk_paths}] (an effective number of "
                             f"paths), got {self.fk_min_ess}")
        if any(not 0 < e < math.inf for e in self.eps):
            raise ValueError(f"the SDE likelihood needs finite eps > 0, got {list(self.eps)}")
        if (self.probes is None) != (self.divergence != "hutchinson"):
            raise ValueError("probes is set exactly when the divergence is 'hutchinson'")

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**d, "sde_estimators": list(self.sde_estimators), "eps": list(self.eps)}

    @classmethod
    def from_dict(cls, d: dict) -> "LikelihoodSpec":
        _check_keys(cls, d)
        return cls(**{**d, "sde_estimators": tuple(d["sde_estimators"]), "eps": tuple(d["eps"])})


@dataclass(frozen=True)
class EvaluationSpec:
    """field_n points for the field errors against the oracle (0: none); the times of the marginals
    compared with the exact bridge (empty unless the pair is a Schroedinger-bridge pair); the two-sample
    statistics ("energy", "mmd") of the first two_sample_n samples (default all) against as many fresh target
    samples, each with a permutation test of `permutations` relabellings; sliced_n > 0: sliced W2 of that
    many ODE samples (sliced_projections directions)."""

    field_n: int
    bridge_times: Tuple[float, ...]
    two_sample: Tuple[str, ...] = ()
    permutations: int = 200
    two_sample_n: Optional[int] = None
    sliced_n: int = 0
    sliced_projections: int = 64

    def __post_init__(self):
        _whole_fields(self, ("field_n", "sliced_n"), minimum=0)
        _whole_fields(self, ("permutations", "sliced_projections"))
        _whole_fields(self, ("two_sample_n",), minimum=2)
        object.__setattr__(self, "bridge_times", tuple(float(t) for t in self.bridge_times))
        object.__setattr__(self, "two_sample", tuple(self.two_sample))

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)} | {
            "bridge_times": list(self.bridge_times), "two_sample": list(self.two_sample)}

    @classmethod
    def from_dict(cls, d: dict) -> "EvaluationSpec":
        _check_keys(cls, d)
        return cls(**{**d, "field_n": int(d["field_n"]), "bridge_times": tuple(d["bridge_times"]),
                      "two_sample": tuple(d.get("two_sample", ()))})


@dataclass(frozen=True)
class EvaluateSpec:
    """Every evaluation of one trained model: samples at every eps (only 0 for a model without a
    score), the likelihoods, the field errors and bridge comparisons."""

    benchmark: str
    method: str
    label: str
    seed: int
    model: ModelSpec
    eps: Tuple[float, ...]
    device: str
    sampling: SamplingSpec
    likelihood: Optional[LikelihoodSpec]
    evaluation: EvaluationSpec

    def __post_init__(self):
        _whole_fields(self, ("seed",), minimum=0)
        object.__setattr__(self, "eps", tuple(float(e) for e in self.eps))
        if not self.eps or any(not 0 <= e < math.inf for e in self.eps):
            raise ValueError(f"eps must be a non-empty list of finite numbers >= 0, got {list(self.eps)}")

    def factors(self) -> dict:
        """The run's factors, as in the columns of results/metrics.csv."""
        m = self.model
        return {"benchmark": self.benchmark, "method": self.method, "label": self.label, "path": m.path,
                "gamma": m.gamma, "a": m.a, "objective": m.objective, "coupling": m.coupling, "seed": self.seed}

    def to_dict(self) -> dict:
        return {"benchmark": self.benchmark, "method": self.method, "label": self.label, "seed": self.seed,
                "model": self.model.to_dict(), "eps": list(self.eps), "device": self.device,
                "sampling": self.sampling.to_dict(),
                "likelihood": None if self.likelihood is None else self.likelihood.to_dict(),
                "evaluation": self.evaluation.to_dict()}

    @classmethod
    def from_dict(cls, d: dict) -> "EvaluateSpec":
        _check_keys(cls, d)
        lk = d["likelihood"]
        return cls(d["benchmark"], d["method"], d["label"], int(d["seed"]), ModelSpec.from_dict(d["model"]),
                   tuple(d["eps"]), d["device"], SamplingSpec.from_dict(d["sampling"]),
                   None if lk is None else LikelihoodSpec.from_dict(lk), EvaluationSpec.from_dict(d["evaluation"]))
