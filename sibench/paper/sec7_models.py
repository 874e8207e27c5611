"""The trained models of the paper's section 7 targets (docs/paper.md): which models the config's
`paper_figures` sections sec7_1_checkerboard, sec7_2_gmm128, sec7_3_digits and sec5_3_rectify need,
and training one of them (rule sec7_train).

A model is a plain JSON-able dict (a rule parameter: a changed setting retrains exactly that model):
    key        {problem}/{name}/seed{seed}, name = path_gamma_a_objective (sibench.paper.models.model_name)
    problem    checkerboard (N(0, I_2) -> checkerboard), gmm128 (N(0, I_d) -> the section 7.2 mixture),
               images (N(0, I_D) -> dequantised images; rho0 = rho1 for the mirror path), rectified
    method     path, gamma, a, objective
    train      si.training.TrainConfig fields but seed and threads (sec7_3_digits: a model's own `train`
               entries override the section's);  seed
    data       (images) the image set and its split;  dim (gmm128)
    rectify    (rectified) the source model's key and checkpoint, the pool size, the flow map's ODE
The rectified model (paper section 5.3) learns b on the same path from the pairs (x0, X_1(x0)) of the
source model's ODE (si.rectify.PairPool over si.rectify.flow_map), with x0 ~ rho0, and without antithetic
sampling: for a one-sided path the antithetic partner of (x0, x1) is (-x0, x1), a pair of the independent coupling
(x0 ~ N(0, I) is symmetric) but not of the flow-map coupling, whose law it would symmetrise.
"""
from __future__ import annotations

import sys
import time
from typing import Dict, Optional

import torch

from ..config.plan import results_dir
from ..data import ImageSplit, load_digits_set, load_image_folder, split_images
from ..densities import Checkerboard, gaussian, paper_mixture
from ..devices import device_of
from ..seeds import figure_generator
from .models import model_name
from si.interpolants import Interpolant
from si.rectify import PairPool, flow_map
from si.training import TrainConfig, load_model, train

__all__ = ["SECTIONS", "PROBLEMS", "plan_sec7", "sec7_on", "load_split", "problem_densities", "train_sec7_model"]

SECTIONS = ("sec7_1_checkerboard", "sec7_2_gmm128", "sec7_3_digits", "sec5_3_rectify")
PROBLEMS = ("checkerboard", "gmm128", "images", "rectified")
_TRAIN_EXCLUDED = ("seed", "threads")


def sec7_on(config: dict, section: str) -> bool:
    """The section is configured and not disabled."""
    pf = config.get("paper_figures") or {}
    return section in pf and (pf[section] or {}).get("enabled", True)


def _train(section: dict, where: str) -> dict:
    train = dict(section.get("train") or {})
    bad = sorted(set(train) & set(_TRAIN_EXCLUDED))
    if bad:
        raise ValueError(f"{where}.train: {bad} are set by the workflow, not the config")
    TrainConfig.from_dict(train)       # unknown keys and bad values stop here, naming the setting
    return train


def _method(entry: dict) -> dict:
    path = entry["path"]
    interp = Interpolant(path, entry.get("gamma"), float(entry.get("a", 1.0)))
    return {"path": path, "gamma": interp.gamma_name, "a": interp.a, "objective": entry["objective"]}


def _model(root: str, problem: str, method: dict, seed: int, train: dict, **extra) -> dict:
    key = f"{problem}/{model_name(method)}/seed{int(seed)}"
    return {"key": key, "problem": problem, "method": method, "seed": int(seed), "train": train,
            "checkpoint": f"{root}/paper/sec7/models/{key}.pt", **extra}


def data_spec(section: dict) -> dict:
    """The image set of section 7.3 and its split: scikit-learn's digits unless `images.folder` is given."""
    images = section.get("images") or {}
    split = section.get("split") or {}
    return {"folder": images.get("folder"), "limit": images.get("limit"),
            "train_fraction": float(split.get("train", 0.6)),
            "classifier_test_fraction": float(split.get("classifier_test", 0.4)), "seed": int(split.get("seed", 0))}


def load_split(data: dict) -> ImageSplit:
    """The ImageSplit of a data spec (data_spec): the digits, or the images of a local folder."""
    images = load_digits_set() if data["folder"] is None else load_image_folder(data["folder"], data.get("limit"))
    return split_images(images, data["train_fraction"], data["classifier_test_fraction"], data["seed"])


def plan_sec7(config: dict) -> Dict[str, object]:
    """The models of the configured section 7 targets:

        {"checkerboard": {gamma label: model}, "gmm128": {(objective, seed): model},
         "digits": {label: model}, "rectify": {"source": model, "rectified": model},
         "train": {key: model for every model to train}}
    Raises ValueError on a bad section (two entries naming one model, a rectify source that is not a
    checkerboard gamma, unknown training settings)."""
    pf = config.get("paper_figures") or {}
    root = results_dir(config)
    out: Dict[str, object] = {"checkerboard": {}, "gmm128": {}, "digits": {}, "rectify": {}, "train": {}}
    if sec7_on(config, "sec7_1_checkerboard"):
        s = pf["sec7_1_checkerboard"]
        train = _train(s, "sec7_1_checkerboard")
        for g in s["gammas"]:
            out["checkerboard"][str(g["label"])] = _model(
                root, "checkerboard", _method({**g, "objective": s.get("objective", "v,s")}), s.get("seed", 0), train)
    if sec7_on(config, "sec7_2_gmm128"):
        s = pf["sec7_2_gmm128"]
        train = _train(s, "sec7_2_gmm128")
        for obj in s["objectives"]:
            for seed in s.get("seeds", [0]):
                method = _method({"path": "linear", "gamma": "brownian", "objective": obj})
                out["gmm128"][(obj, int(seed))] = _model(root, "gmm128", method, seed, train,
                                                         dim=int(s.get("dim", 128)))
    if sec7_on(config, "sec7_3_digits"):
        s = pf["sec7_3_digits"]
        train, data = _train(s, "sec7_3_digits"), data_spec(s)
        for i, m in enumerate(s["models"]):
            label = m.get("label") or model_name(_method(m))
            own = _train({"train": {**train, **(m.get("train") or {})}}, f"sec7_3_digits.models[{i}]")
            out["digits"][label] = _model(root, "images", _method(m), s.get("seed", 0), own, data=data)
    if sec7_on(config, "sec5_3_rectify"):
        s = pf["sec5_3_rectify"]
        source = out["checkerboard"].get(str(s["source"]))
        if source is None:
            raise ValueError(f"paper_figures.sec5_3_rectify.source {s['source']!r} is not a gamma label of an "
                             f"enabled sec7_1_checkerboard (labels: {sorted(out['checkerboard'])})")
        flow = dict(s.get("flow") or {"method": "rk4", "steps": 50})
        method = dict(source["method"], objective="b")
        train = _train(s, "sec5_3_rectify")
        if train.get("antithetic", False) not in (False, "auto"):   # auto: b takes one pass here
            raise ValueError("paper_figures.sec5_3_rectify.train.antithetic must be false: the antithetic partner "
                             "of a one-sided path pairs -x0 with x1, which is a pair of the independent coupling "
                             "but not of the flow-map coupling (x0, X_1(x0))")
        train["antithetic"] = False
        rect = _model(root, "rectified", method, source["seed"], train,
                      rectify={"source": source["key"], "source_checkpoint": source["checkpoint"],
                               "pool": int(s.get("pool", 20000)), "flow": flow})
        out["rectify"] = {"source": source, "rectified": rect}
    for group in ("checkerboard", "gmm128", "digits"):
        for m in out[group].values():
            if m["key"] in out["train"] and out["train"][m["key"]] != m:
                raise ValueError(f"paper_figures: two entries name the model {m['key']} with different settings")
            out["train"][m["key"]] = m
    if out["rectify"]:
        out["train"][out["rectify"]["rectified"]["key"]] = out["rectify"]["rectified"]
    return out


def problem_densities(model: dict):
    """(rho0, rho1) of a model's problem, rho0 = N(0, I) except for the mirror path (rho0 = rho1)."""
    problem = model["problem"]
    if problem in ("checkerboard", "rectified"):
        return gaussian(2), Checkerboard()
    if problem == "gmm128":
        return gaussian(model["dim"]), paper_mixture(model["dim"])
    if problem == "images":
        from ..data import DequantisedImages
        rho1 = DequantisedImages(load_split(model["data"]).train)
        return (rho1 if Interpolant(model["method"]["path"]).mirror else gaussian(rho1.dim)), rho1
    raise ValueError(f"unknown section 7 problem {problem!r}; valid: {list(PROBLEMS)}")


def _pool(model: dict, rho0, device) -> PairPool:
    """The rectified model's pairs (x0, X_1(x0)) of its source model's ODE, x0 ~ rho0 (seeded)."""
    r = model["rectify"]
    source = load_model(r["source_checkpoint"], device=device)
    p = next(source.nets.parameters())
    x0 = rho0.sample(r["pool"], generator=figure_generator(model["seed"], "rectify-pool", r["source"]))
    x0 = x0.to(p.device, p.dtype)
    with torch.no_grad():
        x1 = flow_map(source.b, x0, steps=int(r["flow"]["steps"]), method=r["flow"]["method"], chunk=4096)
    return PairPool(x0.cpu(), x1.cpu())


def train_sec7_model(model: dict, out, threads: int = 1, device: str = "auto") -> None:
    """Train one section 7 model (module doc) and write its checkpoint `out` (and the .json spec beside)."""
    dev = device_of(device)
    rho0, rho1 = problem_densities(model)
    config = TrainConfig(**model["train"], seed=model["seed"], threads=int(threads))
    m = model["method"]
    coupling: Optional[PairPool] = None
    t0 = time.process_time()
    if model["problem"] == "rectified":
        coupling = _pool(model, rho0, dev)
        print(f"rectification pool: {len(coupling)} pairs in {time.process_time() - t0:.1f} CPU-s", flush=True)
    print(f"{model['key']}: {config}", flush=True)
    train(Interpolant(m["path"], m["gamma"], m["a"]), m["objective"], rho0, rho1, config, coupling=coupling,
          checkpoint=out, device=dev, log=sys.stdout, extra_spec={"sec7": {k: v for k, v in model.items()
                                                                          if k != "checkpoint"}})
    print(f"{model['key']}: {time.process_time() - t0:.1f} CPU-seconds", flush=True)
