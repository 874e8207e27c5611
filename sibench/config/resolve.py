"""Stage specs from a config (config/*.yaml, already checked against config/schema/config.schema.yaml).

Settings are merged from the global section, the benchmark's override and the method's override (in
that order, sibench.config.resolve.deep_merge), every default is filled in, and each spec is checked by
the code that will use it (si.training.TrainConfig, si.sampling.check_window, si.interpolants), so an
inconsistent setting fails here with a ConfigError naming its keys, before any job starts.
"""
from __future__ import annotations

import copy
from typing import Optional, Union

from .errors import ConfigError
from .numbers import check_points, check_samples
from .specs import (TRAIN_KEYS, EvaluateSpec, EvaluationSpec, Integrator, LikelihoodSpec, ModelSpec, SamplingSpec,
                    TrainSettings, TrainSpec, TruthSpec)
from ..pairs import get_benchmark
from si.interpolants import PATHS
from si.objectives import check_objective, fields_of
from si.sampling import SCORE_WINDOW, check_window
from si.training import TrainConfig

__all__ = ["STAGES", "deep_merge", "resolve_model", "method_label", "has_score", "benchmark_settings",
           "check_train_settings", "merged", "built", "truth_spec", "train_spec", "evaluate_spec", "stage_spec"]

STAGES = ("truth", "train", "evaluate")


def deep_merge(base: dict, override: Optional[dict]) -> dict:
    """A copy of base with override merged in (mappings recursively, everything else replaced)."""
    out = copy.deepcopy(base)
    for k, v in (override or {}).items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


def resolve_model(config: dict, benchmark: str, method: str) -> ModelSpec:
    """The method's interpolant / objective / coupling on this benchmark, every default filled in
    ("sigma2" and "2sigma2" take the bridge pair's reference noise)."""
    m = config["methods"][method]
    pair = get_benchmark(benchmark)
    path = m["path"]
    gamma = m.get("gamma") or PATHS[path].default_gamma
    a = m.get("a", 1.0)
    if a == "sigma2":
        if pair.sigma2 is None:
            raise ConfigError(f"methods.{method}.a: 'sigma2' needs a Schroedinger-bridge pair, but benchmark "
                              f"{benchmark!r} has no reference sigma (used in benchmarks.{benchmark}.methods)")
        a = float(pair.sigma2)
    coupling = m.get("coupling", "independent")
    reg = m.get("coupling_reg")
    if coupling == "entropic":
        if reg is None or reg == "2sigma2":
            if pair.sigma2 is None:
                raise ConfigError(f"methods.{method}.coupling_reg: give a number; '2sigma2' (the default for an "
                                  f"entropic coupling) needs a bridge pair, and {benchmark!r} is not one")
            reg = 2.0 * float(pair.sigma2)
        reg = float(reg)
    elif reg is not None:
        raise ConfigError(f"methods.{method}.coupling_reg: only the entropic coupling takes a regularisation "
                          f"(coupling is {coupling!r})")
    return ModelSpec(path=path, gamma=gamma, a=float(a), objective=m["objective"], coupling=coupling,
                     coupling_reg=reg)


def method_label(config: dict, method: str) -> str:
    """The method's display name (its key unless it sets `label`)."""
    return config["methods"][method].get("label", method)


def has_score(objective: str) -> bool:
    """Whether the objective learns a score (s or eta), so that the model has an SDE."""
    return any(k in ("s", "eta") for k in fields_of(objective))


def benchmark_settings(config: dict, benchmark: str) -> dict:
    """Global sampling / likelihood / evaluation / eps settings with the benchmark's overrides."""
    b = config["benchmarks"][benchmark]
    return {"eps": [float(e) for e in b.get("eps", config["eps"])],
            "sampling": deep_merge(config["sampling"], b.get("sampling")),
            "likelihood": deep_merge(config["likelihood"], b.get("likelihood")),
            "evaluation": copy.deepcopy(config["evaluation"]),
            "device": config.get("device", "auto")}


def check_train_settings(settings: TrainSettings, where: str) -> None:
    """The settings as si.training.TrainConfig reads them; ConfigError naming `where` if it rejects them."""
    try:
        TrainConfig(**settings.to_dict())
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{where}: {e}") from None


def merged(section: str, benchmark: str, method: Optional[str] = None) -> str:
    """How messages name a setting merged from the global section and its overrides."""
    keys = [section, f"benchmarks.{benchmark}.{section}"] + ([f"methods.{method}.{section}"] if method else [])
    return f"(merged from {', '.join(keys)})"


def built(where: str, make):
    """make(), a spec; its ValueError (a value the spec refuses) as a ConfigError naming `where`."""
    try:
        return make()
    except ValueError as e:
        raise ConfigError(f"{where}: {e}") from None


def truth_spec(config: dict, benchmark: str) -> TruthSpec:
    s = benchmark_settings(config, benchmark)
    ev = s["evaluation"]
    spec = built(f"the truth of benchmarks.{benchmark}", lambda: TruthSpec(
        benchmark=benchmark, n=s["sampling"]["n"], n_test=s["likelihood"]["n"],
        floor_repeats=ev["floor_repeats"], sliced_n=ev.get("sliced_n", 0),
        sliced_projections=ev.get("sliced_projections", 64)))
    check_samples(spec.n, f"sampling.n {merged('sampling', benchmark)}")
    check_points(spec.n_test, f"likelihood.n {merged('likelihood', benchmark)}")
    check_points(spec.sliced_n, "evaluation.sliced_n")
    return spec


def train_spec(config: dict, benchmark: str, method: str, seed: int) -> TrainSpec:
    """The training of one run; the label is left out (renaming a method does not retrain it)."""
    train = deep_merge(deep_merge(config["train"], config["benchmarks"][benchmark].get("train")),
                       config["methods"][method].get("train"))
    where = f"train {merged('train', benchmark, method)} of method {method!r} on benchmarks.{benchmark}"
    settings = built(where, lambda: TrainSettings(**{k: train[k] for k in TRAIN_KEYS if k in train}))
    if settings.batch is not None:
        check_points(settings.batch, f"train.batch {merged('train', benchmark, method)}")
    check_train_settings(settings, where)
    model = resolve_model(config, benchmark, method)
    return built(where, lambda: TrainSpec(benchmark=benchmark, method=method, seed=seed, model=model, train=settings,
                                          device=config.get("device", "auto")))


def evaluate_spec(config: dict, benchmark: str, method: str, seed: int) -> EvaluateSpec:
    """Every evaluation of one run's model. A model without a score is sampled at eps = 0 only and gets
    no SDE likelihood; the window defaults to si.sampling.SCORE_WINDOW."""
    s = benchmark_settings(config, benchmark)
    model = resolve_model(config, benchmark, method)
    score = has_score(model.objective)
    sampling = deep_merge(s["sampling"], config["methods"][method].get("sampling"))
    window = (sampling.get("t_min", SCORE_WINDOW[0]), sampling.get("t_max", SCORE_WINDOW[1]))
    try:
        check_window(*window)
        check_objective(model.objective, model.interpolant(), window)  # an eta drift divides by gamma
    except ValueError as e:
        raise ConfigError(f"sampling.t_min/t_max {merged('sampling', benchmark, method)} of method {method!r} on "
                          f"benchmarks.{benchmark}: {e}") from None
    where = f"sampling {merged('sampling', benchmark, method)} of method {method!r} on benchmarks.{benchmark}"
    ode, sde = (built(f"{where}, {k}", lambda k=k: Integrator(sampling[k]["method"], tuple(sampling[k]["steps"])))
                for k in ("ode", "sde"))
    samples = built(where, lambda: SamplingSpec(n=sampling["n"], ode=ode, sde=sde, window=window))
    check_samples(samples.n, f"sampling.n {merged('sampling', benchmark, method)}")
    eps = s["eps"] if score else [0.0]
    lk = s["likelihood"]
    likelihood = None
    if lk["enabled"]:
        lk_eps = [float(e) for e in lk.get("eps", eps)] if score else []
        likelihood = built(f"likelihood {merged('likelihood', benchmark)}", lambda: LikelihoodSpec(
            n=lk["n"], ode_method=lk["ode_method"], ode_steps=lk["ode_steps"], divergence=lk["divergence"],
            probes=lk.get("probes", 1) if lk["divergence"] == "hutchinson" else None,
            sde_steps=lk["sde_steps"], sde_paths=lk["sde_paths"], sde_estimators=tuple(lk["sde_estimators"]),
            eps=tuple(e for e in lk_eps if e > 0), sde_n=lk.get("sde_n"), fk_paths=lk.get("fk_paths"),
            fk_min_ess=lk.get("fk_min_ess"), fk_max_eps=lk.get("fk_max_eps")))
        check_points(likelihood.n, f"likelihood.n {merged('likelihood', benchmark)}")
        check_points(likelihood.sde_n, f"likelihood.sde_n {merged('likelihood', benchmark)}")
    ev = s["evaluation"]
    bridge_times = tuple(ev["bridge_times"]) if get_benchmark(benchmark).is_bridge else ()
    evaluation = built("evaluation", lambda: EvaluationSpec(
        field_n=ev.get("field_n", 0), bridge_times=bridge_times, two_sample=tuple(ev.get("two_sample", ())),
        permutations=ev.get("permutations", 200), two_sample_n=ev.get("two_sample_n"),
        sliced_n=ev.get("sliced_n", 0), sliced_projections=ev.get("sliced_projections", 64)))
    for key in ("field_n", "two_sample_n", "sliced_n"):
        if getattr(evaluation, key) is not None:
            check_points(getattr(evaluation, key), f"evaluation.{key}")
    return built(f"method {method!r} on benchmarks.{benchmark}", lambda: EvaluateSpec(
        benchmark=benchmark, method=method, label=method_label(config, method), seed=seed, model=model,
        eps=tuple(eps), device=s["device"], sampling=samples, likelihood=likelihood, evaluation=evaluation))


def stage_spec(config: dict, stage: str, benchmark: str, method: Optional[str] = None,
               seed: Optional[int] = None) -> Union[TruthSpec, TrainSpec, EvaluateSpec]:
    """The spec of `stage` for one benchmark ("truth") or one run ("train", "evaluate")."""
    if stage == "truth":
        return truth_spec(config, benchmark)
    if stage == "train":
        return train_spec(config, benchmark, method, seed)
    if stage == "evaluate":
        return evaluate_spec(config, benchmark, method, seed)
    raise ValueError(f"unknown stage {stage!r}; valid: {STAGES}")
