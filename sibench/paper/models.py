"""The trained models of figures 3 and 4, and which of them the main sweep already trains.

`plan_models(config, runs)` says which trained models figures 3 and 4 need, and reuses a checkpoint of
the main sweep whenever the sweep trains exactly the same model (same pair, interpolant, objective,
coupling, training settings and seed); the others are trained by the workflow's paper_train rule."""
from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Dict, Optional

from ..config.plan import results_dir
from ..config.resolve import check_train_settings, train_spec
from ..config.specs import TRAIN_KEYS, TrainSettings, TrainSpec
from si.interpolants import PATHS

__all__ = ["PaperModel", "METHOD_KEYS", "model_name", "figure_train_spec", "plan_models", "checkpoint_summary"]


METHOD_KEYS = ("path", "gamma", "a", "objective", "coupling", "coupling_reg", "train")
_PAPER_METHOD = "__paper__"   # the figure's method in the one-method config its spec is built from


@dataclass(frozen=True)
class PaperModel:
    """A trained model a figure needs: its train-stage spec, the checkpoint it is read from, and whether
    that checkpoint is the main sweep's (reused)."""
    key: str                 # {benchmark}/{name}/seed{seed}
    spec: TrainSpec
    checkpoint: str
    reused: bool


def model_name(method: dict, steps: Optional[int] = None) -> str:
    """A file-safe name for a paper model: path_gamma_a_objective[_coupling][_steps{N}]."""
    path = method["path"]
    gamma = method.get("gamma") or PATHS[path].default_gamma
    a = method.get("a", 1.0)
    parts = [path, gamma, f"a{a:g}" if isinstance(a, (int, float)) else f"a{a}", method["objective"].replace(",", "")]
    if method.get("coupling", "independent") != "independent":
        parts.append(method["coupling"])
    if steps is not None:
        parts.append(f"steps{int(steps)}")
    return "_".join(parts)


def figure_train_spec(config: dict, benchmark: str, method: dict, seed: int, train: Optional[dict], name: str,
                      where: str = "paper_figures") -> TrainSpec:
    """The train-stage spec of `method` on `benchmark`, exactly as the sweep would build it (global
    train settings, the benchmark's override if the sweep has the benchmark, the method's), then the
    figure's `train` override (checked as the sweep's are; `where` names it in an error), under the
    model's `name`."""
    cfg = copy.deepcopy(config)
    cfg["methods"] = {_PAPER_METHOD: {k: v for k, v in method.items() if k in METHOD_KEYS}}
    bench = {"methods": [_PAPER_METHOD]}
    if benchmark in config.get("benchmarks", {}) and "train" in config["benchmarks"][benchmark]:
        bench["train"] = copy.deepcopy(config["benchmarks"][benchmark]["train"])
    cfg["benchmarks"] = {benchmark: bench}
    spec = train_spec(cfg, benchmark, _PAPER_METHOD, int(seed))
    if train:
        unknown = sorted(set(train) - set(TRAIN_KEYS))
        if unknown:
            raise ValueError(f"{where}: unknown training option(s) {unknown}; valid: {list(TRAIN_KEYS)}")
        settings = TrainSettings.from_dict({**spec.train.to_dict(), **train})
        check_train_settings(settings, f"{where}.train")
        spec = replace(spec, train=settings)
    return replace(spec, method=name)


def _unnamed(spec: TrainSpec) -> TrainSpec:
    """The spec without the method's name: two specs that agree here train the same model."""
    return replace(spec, method="")


def _model(config: dict, sweep: Dict[str, TrainSpec], benchmark: str, method: dict, seed: int,
           train: Optional[dict], reuse: bool, where: str, steps_in_name: bool = False) -> PaperModel:
    steps = (train or {}).get("steps") if steps_in_name else None
    name = model_name(method, steps)
    spec = figure_train_spec(config, benchmark, method, seed, train, name, where)
    key = f"{benchmark}/{name}/seed{int(seed)}"
    if reuse:
        for path, s in sweep.items():
            if s == _unnamed(spec):
                return PaperModel(key, spec, path, True)
    return PaperModel(key, spec, f"{results_dir(config)}/paper/models/{key}.pt", False)


def plan_models(config: dict, runs) -> Dict[str, object]:
    """The trained models of figures 3 and 4 under config["paper_figures"] (empty if absent):

        {"checkerboard": [PaperModel per panel],
         "likelihood": {benchmark: {"well": PaperModel, "short": PaperModel}},
         "train": {key: PaperModel for every model the workflow must train itself}}
    """
    pf = config.get("paper_figures") or {}
    root = results_dir(config)
    sweep = {f"{root}/models/{r.stem}.pt": _unnamed(train_spec(config, r.benchmark, r.method, r.seed))
             for r in runs} if pf else {}
    out: Dict[str, object] = {"checkerboard": [], "likelihood": {}, "train": {}}
    cb = pf.get("checkerboard")
    if cb and cb.get("enabled", True):  # (panels are required: an empty section is not a figure 3)
        for panel in cb["panels"]:
            method = {k: v for k, v in panel.items() if k in METHOD_KEYS}
            out["checkerboard"].append(_model(config, sweep, panel["benchmark"], method, cb.get("seed", 0),
                                              cb.get("train"), cb.get("reuse", True), "paper_figures.checkerboard"))
    lk = pf.get("likelihood")
    if lk and lk.get("enabled", True):
        for d in lk["dims"]:
            b = f"hd-mixture-d{int(d)}"
            where = "paper_figures.likelihood"
            well = _model(config, sweep, b, lk["method"], lk.get("seed", 0), lk.get("train"), lk.get("reuse", True),
                          where)
            short_train = {**(lk.get("train") or {}), "steps": int(lk["short_steps"])}
            short = _model(config, sweep, b, lk["method"], lk.get("seed", 0), short_train, lk.get("reuse", True),
                           where, steps_in_name=True)
            out["likelihood"][b] = {"well": well, "short": short}
    for m in out["checkerboard"] + [m for v in out["likelihood"].values() for m in v.values()]:
        if not m.reused:
            out["train"][m.key] = m
    return out


def checkpoint_summary(model) -> dict:
    """Training settings recorded in a loaded model's spec (for captions and CSVs)."""
    c = model.spec.get("config", {})
    return {"train_steps": c.get("steps"), "batch": c.get("batch"), "hidden": c.get("hidden"),
            "depth": c.get("depth"), "lr": c.get("lr")}
