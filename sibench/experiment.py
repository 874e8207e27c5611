"""One run of the benchmark: spec in, files out (the glue the Snakemake workflow calls).

The workflow (Snakefile, workflow/rules) only names files and wildcards; its scripts hand the
`snakemake` object's fields to the stage functions here, which compute with si and write their
outputs atomically (a temporary file in the same folder, then os.replace), so a killed job never
leaves a file that looks finished.

A *config* (config/*.yaml, validated against config/schema/config.schema.yaml) names methods
(interpolant x objective x coupling) and, per benchmark pair, which methods run with which seeds.
`plan(config)` expands it into runs (benchmark, method, seed) after `check_config` has checked what
the schema cannot (cross-references, which paths a pair admits). `stage_spec` resolves everything
one stage of one run needs into a JSON-able dict; the workflow passes that dict as a rule parameter,
so changing a setting re-runs exactly the jobs it affects (Snakemake's params rerun trigger), and
`code_version(stage)` hashes the si sources a stage uses, so a code change does the same.

Stages (one rule each):
  truth       benchmark -> reference samples of rho1 and test points, W2 floor, entropy
  train       run -> checkpoint (state dict + JSON spec), once per benchmark x method x seed
  evaluate    checkpoint, truth -> samples for every (sampler, eps, steps), then rows: W2 and floor,
              support fraction, bridge distances, field errors, ODE cross-entropy (eps = 0), SDE
              cross-entropy (eps > 0, both estimators), KL against the known target entropy, NFE
              (one job per model: loading the model and importing torch / POT once is most of the
              cost of a small job)
  aggregate   all rows -> results/metrics.csv (tidy, long format: one row per evaluation)
"""
from __future__ import annotations

import ast
import contextlib
import copy
import functools
import hashlib
import io
import json
import math
import os
import re
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

from si.fileio import atomic_write  # noqa: F401  (also used by sibench.plotting and sibench.paper_plots)

from . import versioning as V
from si.sampling import SCORE_WINDOW

# Heavy modules (torch, POT, pandas) are imported inside the stage functions, so that building the
# DAG (`snakemake -n`) only pays for what planning needs.

# Columns of results/metrics.csv, in order. `t` is the time of a marginal (bridge comparisons),
# `floor` the value a perfect model gets (W2 between two truth sample sets at the same n; the target
# entropy for the cross-entropy), `stderr` a Monte Carlo standard error where one is known.
COLUMNS = ["benchmark", "method", "label", "path", "gamma", "a", "objective", "coupling", "seed",
           "eps", "sampler", "steps", "nfe", "metric", "t", "value", "floor", "stderr"]

STAGES = ("truth", "train", "evaluate")
TRAIN_KEYS = ("steps", "batch", "lr", "lr_decay", "lr_every", "hidden", "depth", "antithetic",
              "t_min", "t_max", "log_every", "dtype")
SDE_WINDOW = SCORE_WINDOW   # docs/theory.md §9: when a score is involved
NO_SCORE_OBJECTIVES = ("b",)


class ConfigError(ValueError):
    """A configuration that passes the schema but is inconsistent; the message names the key."""


# ----------------------------------------------------------------------------------------
# config -> plan
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    benchmark: str
    method: str
    seed: int

    @property
    def stem(self) -> str:
        """The run's place in every results folder: {benchmark}/{method}/seed{seed}."""
        return f"{self.benchmark}/{self.method}/seed{self.seed}"


def deep_merge(base: dict, override: Optional[dict]) -> dict:
    """A copy of base with override merged in (mappings recursively, everything else replaced)."""
    out = copy.deepcopy(base)
    for k, v in (override or {}).items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


def _pair(name: str):
    from .pairs import get_benchmark
    return get_benchmark(name)


def _resolve_method(config: dict, benchmark: str, method: str) -> dict:
    """The method's interpolant / objective / coupling on this benchmark, every default filled in."""
    from si.interpolants import PATHS
    m = config["methods"][method]
    pair = _pair(benchmark)
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
    return {"path": path, "gamma": gamma, "a": float(a), "objective": m["objective"],
            "coupling": coupling, "coupling_reg": reg, "label": m.get("label", method)}


def check_config(config: dict) -> None:
    """Checks the schema cannot express; raises ConfigError naming the offending key."""
    from .pairs import get_benchmark
    from si.interpolants import Interpolant
    methods = config["methods"]
    for name, m in methods.items():
        try:
            Interpolant(m["path"], m.get("gamma"), m["a"] if isinstance(m.get("a"), (int, float)) else 1.0)
        except ValueError as e:
            raise ConfigError(f"methods.{name}: {e}") from None
    for b, spec in config["benchmarks"].items():
        try:
            pair = get_benchmark(b)
        except ValueError as e:
            raise ConfigError(f"benchmarks.{b}: {e}") from None
        for i, name in enumerate(spec["methods"]):
            if name not in methods:
                raise ConfigError(f"benchmarks.{b}.methods[{i}]: unknown method {name!r}; defined under "
                                  f"methods: {sorted(methods)}")
            m = methods[name]
            interp = Interpolant(m["path"], m.get("gamma"))
            if interp.one_sided and pair.latent != "rho0":
                raise ConfigError(f"benchmarks.{b}.methods[{i}]: method {name!r} uses the one-sided path "
                                  f"{m['path']!r}, which needs rho0 = N(0, I); rho0 of {b!r} is {pair.rho0.name!r}")
            if interp.mirror and not pair.mirror:
                raise ConfigError(f"benchmarks.{b}.methods[{i}]: method {name!r} uses the mirror path, which needs "
                                  f"a pair with rho0 = rho1; {b!r} is not one")
            if m.get("coupling", "independent") != "independent" and (interp.one_sided or interp.mirror):
                raise ConfigError(f"methods.{name}.coupling: a coupling other than 'independent' needs a "
                                  f"two-sided, non-mirror path (used on {b!r})")
            resolved = _resolve_method(config, b, name)
            try:
                Interpolant(resolved["path"], resolved["gamma"], resolved["a"])
            except ValueError as e:
                raise ConfigError(f"methods.{name} on benchmarks.{b}: {e}") from None
            _check_settings(config, b, name)


def _check_settings(config: dict, benchmark: str, method: str) -> None:
    """The merged training settings and integration window of one (benchmark, method), checked by the
    code that will use them, so that an override at any level fails before a job starts."""
    from si.sampling import check_window
    from si.training import TrainConfig
    where = f"method {method!r} on benchmarks.{benchmark}"
    try:
        TrainConfig(**stage_spec(config, "train", benchmark, method, 0)["train"])
    except ValueError as e:
        raise ConfigError(f"train (merged from train, benchmarks.{benchmark}.train, methods.{method}.train) "
                          f"of {where}: {e}") from None
    try:
        check_window(*stage_spec(config, "evaluate", benchmark, method, 0)["window"])
    except ValueError as e:
        raise ConfigError(f"sampling.t_min/t_max (merged from sampling, benchmarks.{benchmark}.sampling, "
                          f"methods.{method}.sampling) of {where}: {e}") from None


def plan(config: dict) -> List[Run]:
    """Every (benchmark, method, seed) of the config, in config order."""
    check_config(config)
    runs = []
    for b, spec in config["benchmarks"].items():
        for m in spec["methods"]:
            for seed in config["seeds"]:
                runs.append(Run(b, m, int(seed)))
    return runs


def benchmark_settings(config: dict, benchmark: str) -> dict:
    """Global sampling / likelihood / evaluation / eps settings with the benchmark's overrides."""
    b = config["benchmarks"][benchmark]
    return {"eps": [float(e) for e in b.get("eps", config["eps"])],
            "sampling": deep_merge(config["sampling"], b.get("sampling")),
            "likelihood": deep_merge(config["likelihood"], b.get("likelihood")),
            "evaluation": copy.deepcopy(config["evaluation"]),
            "device": config.get("device", "auto")}


def stage_spec(config: dict, stage: str, benchmark: str, method: Optional[str] = None,
               seed: Optional[int] = None) -> dict:
    """Everything `stage` needs for one run (or, for "truth", one benchmark), and nothing else:
    a setting that a stage does not read does not appear in its spec, so changing it does not
    re-run that stage's jobs."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; valid: {STAGES}")
    s = benchmark_settings(config, benchmark)
    if stage == "truth":
        return {"benchmark": benchmark, "n": s["sampling"]["n"], "n_test": s["likelihood"]["n"],
                "floor_repeats": s["evaluation"]["floor_repeats"]}
    m = _resolve_method(config, benchmark, method)
    spec = {"benchmark": benchmark, "method": method, "seed": int(seed), **m}
    if stage == "train":
        del spec["label"]  # display only: renaming a method does not retrain it
        train = deep_merge(deep_merge(config["train"], config["benchmarks"][benchmark].get("train")),
                           config["methods"][method].get("train"))
        spec["train"] = {k: train[k] for k in TRAIN_KEYS if k in train}
        spec["device"] = s["device"]
        return spec
    has_score = m["objective"] not in NO_SCORE_OBJECTIVES
    spec["eps"] = s["eps"] if has_score else [0.0]
    spec["device"] = s["device"]
    spec["sampling"] = deep_merge(s["sampling"], config["methods"][method].get("sampling"))
    spec["window"] = [spec["sampling"].get("t_min", SDE_WINDOW[0]), spec["sampling"].get("t_max", SDE_WINDOW[1])]
    spec["bridge_times"] = s["evaluation"]["bridge_times"] if _pair(benchmark).is_bridge else []
    spec["evaluation"] = s["evaluation"]
    lk = s["likelihood"]
    lk_eps = [float(e) for e in lk.get("eps", spec["eps"])] if has_score else []
    spec["likelihood"] = {**lk, "eps": [e for e in lk_eps if e > 0]}
    return spec


# ----------------------------------------------------------------------------------------
# code versions: a hash of the si sources a stage uses
# ----------------------------------------------------------------------------------------
STAGE_ENTRY = {"truth": "make_truth", "train": "train_group", "evaluate": "evaluate_group", "aggregate": "aggregate",
               "tables": "write_tables", "figures": "write_figure"}
_SI = Path(__file__).resolve().parent.parent / "si"


def code_version(stage: str) -> str:
    """sha256 (16 hex digits) of the code a stage runs: the source of its entry function in this
    module and of every function / class here that it reaches, plus the files of the si and sibench
    modules those import, transitively (sibench.versioning). Used as a rule parameter, so editing that
    code re-runs the stage's jobs (Snakemake cannot see Python imports by itself); editing unrelated
    code does not."""
    src, tree = V.parsed(Path(__file__).resolve())
    defs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    todo, seen = [STAGE_ENTRY[stage]], set()
    while todo:
        name = todo.pop()
        if name in seen or name not in defs:
            continue
        seen.add(name)
        for node in ast.walk(defs[name]):
            if isinstance(node, ast.Name) and node.id in defs:
                todo.append(node.id)
    h = hashlib.sha256()
    modules = set()
    for name in sorted(seen):
        h.update(ast.get_source_segment(src, defs[name]).encode())
        modules |= V.imports_in(defs[name], __name__)
    V.hash_modules(h, modules, exclude=[__name__])
    return h.hexdigest()[:16]


def hash_modules(h, modules: Iterable[str]) -> None:
    """Feed h the source of the modules `modules` (dotted names) and of every si / sibench module they
    import, transitively; sibench.experiment itself is left out (code_version hashes its reached parts)."""
    V.hash_modules(h, modules, exclude=[__name__])


# ----------------------------------------------------------------------------------------
# atomic output and logging
# ----------------------------------------------------------------------------------------
def write_text(path, text: str) -> None:
    atomic_write(path, lambda p: Path(p).write_text(text))


def write_json(path, obj) -> None:
    write_text(path, json.dumps(obj, indent=1, sort_keys=True, default=float) + "\n")


def write_csv(path, frame) -> None:
    atomic_write(path, lambda p: frame.to_csv(p, index=False))


def save_npz(path, arrays: Dict[str, "object"]) -> None:
    import numpy as np
    atomic_write(path, lambda p: np.savez_compressed(p, **arrays), suffix=".npz")


@contextlib.contextmanager
def logged(log_path, threads: Optional[int] = None):
    """Send stdout and stderr to the rule's log file (appending), bound torch's threads, and time it."""
    import torch
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    if threads:
        torch.set_num_threads(int(threads))
    t0 = time.time()
    with open(log_path, "a") as fh, contextlib.redirect_stdout(fh), contextlib.redirect_stderr(fh):
        print(f"[{time.strftime('%Y-%m-%d %H:%M:%S')}] start (si from {_SI}, torch threads: "
              f"{torch.get_num_threads()})", flush=True)
        try:
            yield fh
        except BaseException:
            import traceback
            traceback.print_exc()
            raise
        finally:
            import resource
            ru = resource.getrusage(resource.RUSAGE_SELF)
            print(f"[{time.strftime('%Y-%m-%d %H:%M:%S')}] done in {time.time() - t0:.1f}s "
                  f"(process cpu {ru.ru_utime + ru.ru_stime:.1f}s, peak rss {ru.ru_maxrss / 1024:.0f} MB)", flush=True)


def device_of(name: str = "auto"):
    """`auto`: CUDA where present, else the CPU; any other name as torch.device reads it."""
    import torch
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def _seed(*parts) -> int:
    """A stable 31-bit seed from any parts (crc32 of their text: the same across processes)."""
    return zlib.crc32("|".join(map(str, parts)).encode()) & 0x7FFFFFFF


def _generator(*parts):
    import torch
    return torch.Generator().manual_seed(_seed(*parts))


def sample_key(sampler: str, eps: float, steps: int) -> str:
    return f"{sampler}__eps{float(eps):g}__steps{int(steps)}"


def parse_sample_key(key: str):
    sampler, eps, steps = key.split("__")[:3]
    return sampler, float(eps[3:]), int(steps[5:])


def sample_keys(keys: Iterable[str]) -> List[tuple]:
    """(key, sampler, eps, steps) of every final sample set among a samples file's keys (not the
    NFE entries, nor the bridge marginals at intermediate times, `{key}__t{t}`)."""
    return [(k, *parse_sample_key(k)) for k in keys if k.count("__") == 2 and not k.startswith("nfe__")]


def _ode_name(method: str) -> str:
    return f"ode-{method}"


def _sde_name(method: str) -> str:
    return "sde-em" if method == "euler-maruyama" else f"sde-{method}"


# ----------------------------------------------------------------------------------------
# stage: truth
# ----------------------------------------------------------------------------------------
def make_truth(spec: dict, out_npz, out_json) -> None:
    """Reference samples of rho1 (n), test points for the likelihood (n_test), the W2 floor (mean of
    floor_repeats truth-vs-reference W2 at the same n) and the target entropy."""
    import numpy as np
    from si import metrics
    pair = _pair(spec["benchmark"])
    g = _generator("truth", spec["benchmark"])
    n = int(spec["n"])
    ref = pair.rho1.sample(n, generator=g)
    floors = [metrics.w2(pair.rho1.sample(n, generator=g), ref) for _ in range(int(spec["floor_repeats"]))]
    test = pair.rho1.sample(int(spec["n_test"]), generator=g)
    info = {"benchmark": spec["benchmark"], "dim": pair.dim, "n": n, "w2_floor": float(np.mean(floors)),
            "w2_floor_values": floors, "entropy": float(pair.rho1.entropy),
            "entropy_se": float(pair.rho1.entropy_se), "rho0": pair.rho0.name, "rho1": pair.rho1.name,
            "has_oracle": bool(pair.has_oracle), "is_bridge": bool(pair.is_bridge), "sigma2": pair.sigma2,
            "support": hasattr(pair.rho1, "support_fraction"), "description": pair.description}
    save_npz(out_npz, {"x1_ref": ref.numpy().astype(np.float64), "x1_test": test.numpy().astype(np.float64)})
    write_json(out_json, info)
    print(json.dumps(info, indent=1))


# ----------------------------------------------------------------------------------------
# stage: train
# ----------------------------------------------------------------------------------------
def _interpolant(spec: dict):
    from si.interpolants import Interpolant
    return Interpolant(spec["path"], spec["gamma"], spec["a"])


def _coupling(spec: dict):
    if spec["coupling"] == "independent":
        return None
    from si.couplings import make_coupling
    return make_coupling(spec["coupling"], **({"reg": spec["coupling_reg"]} if spec["coupling"] == "entropic" else {}))


def train_run(spec: dict, out_model, threads: int = 1) -> None:
    """Train the run's fields and write the checkpoint (out_model and its .json spec)."""
    from si.training import TrainConfig, train
    pair = _pair(spec["benchmark"])
    config = TrainConfig(**spec["train"], seed=int(spec["seed"]), threads=int(threads))
    print(f"{spec['benchmark']} / {spec['method']} / seed {spec['seed']}: {config}", flush=True)
    run = {k: spec[k] for k in ("benchmark", "method", "seed", "coupling", "coupling_reg")}
    try:
        train(_interpolant(spec), spec["objective"], pair.rho0, pair.rho1, config, coupling=_coupling(spec),
              checkpoint=out_model, device=device_of(spec["device"]), log=sys.stdout, extra_spec={"run": run})
    except FloatingPointError as e:
        # A diverged training is a result, not a crash: record it, so that the evaluation reports it
        # and the rest of the sweep (and the final table) still completes.
        print(f"TRAINING DIVERGED: {e}", flush=True)
        write_json(Path(out_model).with_suffix(".json"), {"failed": str(e), "run": run, "objective": spec["objective"],
                                                          "losses": []})
        atomic_write(out_model, lambda p: Path(p).write_bytes(b""))


def checkpoint_failed(path) -> Optional[str]:
    """The error of a training that diverged (train_run records it in the checkpoint's JSON spec), else None."""
    return json.loads(Path(path).with_suffix(".json").read_text()).get("failed")


def train_group(specs: Sequence[dict], out_models: Sequence, threads: int = 1) -> None:
    """train_run for every seed of one (benchmark, method), one after the other in one process
    (the workflow's unit of work: starting Python and importing torch costs about 3 CPU-seconds,
    a third of a small model's training)."""
    if len(specs) != len(out_models):
        raise ValueError(f"{len(specs)} specs for {len(out_models)} checkpoints")
    for spec, out in zip(specs, out_models):
        t0 = time.process_time()
        train_run(spec, out, threads=threads)
        print(f"seed {spec['seed']}: {time.process_time() - t0:.1f} CPU-seconds", flush=True)


# ----------------------------------------------------------------------------------------
# stage: evaluate (sample, then sample-based metrics, then likelihoods, in one job per model)
# ----------------------------------------------------------------------------------------
def _load(model_path, device_name: str):
    from si.training import load_model
    return load_model(model_path, device=device_of(device_name))


def _marginals_at(result, times: Sequence[float]) -> Dict[float, "object"]:
    """States of a saved trajectory at the grid times nearest to `times`."""
    import torch
    out = {}
    for t in times:
        k = int(torch.argmin((result.times.double() - float(t)).abs()))
        out[float(t)] = result.trajectory[k]
    return out


def sample_model(spec: dict, model) -> Dict[str, "object"]:
    """Samples of the model with the ODE (eps = 0) and the SDE at every eps, for every step count,
    as numpy arrays keyed by sample_key (plus nfe__<key>, x0, meta, and <key>__t<t> marginals).

    Both integrate on the window [t_min, t_max] (si.sampling: the start is taken as the state at
    t_min, the last piece is one Euler step of the ODE): an assembled b = v + gamma' eta or
    v - gamma gamma' s is singular where gamma = 0, so even the ODE must not evaluate it there.

    All samplers start from the same x0 ~ rho0 (common random numbers across eps and samplers);
    the SDE noise is seeded per (run, eps, steps). On bridge pairs the states at bridge_times are
    kept too, from the run with the most steps of each sampler and eps.
    """
    import numpy as np
    from si import sampling
    p = next(model.nets.parameters())
    pair = _pair(spec["benchmark"])
    s = spec["sampling"]
    x0 = pair.rho0.sample(int(s["n"]), generator=_generator("x0", spec["benchmark"], spec["seed"])).to(p.device, p.dtype)
    window = spec["window"]
    times = [float(t) for t in spec.get("bridge_times", [])]
    arrays = {"x0": x0.cpu().numpy(),
              "meta": np.array(json.dumps({k: spec[k] for k in ("benchmark", "method", "label", "seed", "path",
                                                                "gamma", "objective", "coupling")}))}

    def keep(key, res, save):
        x = res.x.detach().cpu().numpy()
        arrays[key] = x
        arrays["nfe__" + key] = np.array(res.nfe)
        if save:
            for t, xt in _marginals_at(res, times).items():
                arrays[f"{key}__t{t:g}"] = xt.detach().cpu().numpy()
        print(f"sample {key}: nfe {res.nfe}, finite {np.isfinite(x).all(1).mean():.3f}", flush=True)

    ode = s["ode"]
    for steps in ode["steps"]:
        save = bool(times) and steps == max(ode["steps"])
        res = sampling.sample_ode(model.b, x0, steps=int(steps), method=ode["method"], t_min=window[0],
                                  t_max=window[1], save_trajectory=save)
        keep(sample_key(_ode_name(ode["method"]), 0.0, steps), res, save)
    if model.s is not None:
        sde = s["sde"]
        for eps in spec["eps"]:
            for steps in sde["steps"]:
                save = bool(times) and steps == max(sde["steps"])
                g = _generator("sde", spec["benchmark"], spec["method"], spec["seed"], eps, steps)
                res = sampling.sample_sde(model.b, model.s, x0, eps=float(eps), steps=int(steps), method=sde["method"],
                                          generator=g, t_min=window[0], t_max=window[1], save_trajectory=save)
                keep(sample_key(_sde_name(sde["method"]), eps, steps), res, save)
    return arrays


def _factor_values(spec: dict) -> dict:
    return {"benchmark": spec["benchmark"], "method": spec["method"], "label": spec["label"],
            "path": spec["path"], "gamma": spec["gamma"], "a": spec["a"], "objective": spec["objective"],
            "coupling": spec["coupling"], "seed": int(spec["seed"])}


def _row(spec: dict, **values) -> dict:
    row = {c: None for c in COLUMNS}
    row.update(_factor_values(spec))
    row.update(values)
    return row


def sample_rows(spec: dict, arrays: Dict[str, "object"], ref, truth: dict) -> List[dict]:
    """Rows for every sample set: W2 against the reference with its floor, the fraction of finite
    samples, the support fraction (checkerboard targets); on bridge pairs, for the largest step
    count of each sampler and eps, the comparisons with the exact bridge (terminal W2, coupling W2
    against the exact plan, each with its floor, and Bures-W2 of the marginals at bridge_times and 1)."""
    import numpy as np
    import torch
    from si import metrics
    pair = _pair(spec["benchmark"])
    keys = sample_keys(arrays)
    top = {}
    for _, sampler, eps, steps in keys:
        top[(sampler, eps)] = max(top.get((sampler, eps), 0), steps)
    rows = []
    for key, sampler, eps, steps in keys:
        x = np.asarray(arrays[key], dtype=np.float64)
        base = dict(eps=eps, sampler=sampler, steps=steps, nfe=int(arrays["nfe__" + key]))
        ok = np.isfinite(x).all(1)
        rows.append(_row(spec, **base, metric="finite_fraction", value=float(ok.mean()), floor=1.0))
        if ok.sum() < 2:
            rows.append(_row(spec, **base, metric="w2", value=float("nan"), floor=truth["w2_floor"]))
            continue
        rows.append(_row(spec, **base, metric="w2", value=metrics.w2(x[ok], ref), floor=truth["w2_floor"]))
        if truth.get("support"):
            rows.append(_row(spec, **base, metric="support_fraction", floor=1.0,
                             value=pair.rho1.support_fraction(torch.as_tensor(x))))
        if pair.is_bridge and ok.all() and steps == top[(sampler, eps)]:
            marg = {float(k.rsplit("__t", 1)[1]): arrays[k] for k in arrays if k.startswith(key + "__t")}
            g = _generator("bridge", spec["benchmark"], spec["seed"], key)
            bm = metrics.bridge_metrics(pair.bridge, arrays["x0"], x, marginals=marg, generator=g)
            rows.append(_row(spec, **base, metric="w2_terminal_bridge", value=bm["w2_terminal"],
                             floor=bm["w2_terminal_floor"]))
            rows.append(_row(spec, **base, metric="w2_coupling", value=bm["w2_coupling"],
                             floor=bm["w2_coupling_floor"]))
            rows.append(_row(spec, **base, metric="bures_w2", t=1.0, value=bm["bures_w2_terminal"]))
            for t in sorted(marg):
                rows.append(_row(spec, **base, metric="bures_w2", t=t, value=bm[f"bures_w2_t{t:g}"]))
    return rows


def field_error_rows(spec: dict, model) -> List[dict]:
    """E|f^ - f|^2 / E|f|^2 for f = b and s at x_t, t ~ U[window], against the exact oracle (pairs
    with an oracle, independent coupling only: the oracle describes that coupling)."""
    import torch
    n = int(spec["evaluation"].get("field_n", 0))
    pair = _pair(spec["benchmark"])
    if n <= 0 or not pair.has_oracle or spec["coupling"] != "independent":
        return []
    p = next(model.nets.parameters())
    interp = _interpolant(spec)
    oracle = pair.oracle(interp)
    g = _generator("fields", spec["benchmark"], spec["seed"])
    x1 = pair.rho1.sample(n, generator=g).double()
    x0 = x1 if interp.mirror else pair.rho0.sample(n, generator=g).double()
    lo, hi = spec["window"]
    t = lo + (hi - lo) * torch.rand(n, generator=g, dtype=torch.float64)
    z = torch.randn(x1.shape, generator=g, dtype=torch.float64)
    xt = interp.points(t, x0, x1, z).xt
    rows = []
    with torch.no_grad():
        for name, learned, exact in (("b", model.b, oracle.b), ("s", model.s, oracle.s)):
            if learned is None:
                continue
            f_hat = learned(t.to(p.device, p.dtype), xt.to(p.device, p.dtype)).double().cpu()
            f = exact(t, xt)
            rel = float(((f_hat - f) ** 2).sum(1).mean() / (f ** 2).sum(1).mean())
            rows.append(_row(spec, sampler="oracle", metric=f"field_rel_mse_{name}", value=rel, floor=0.0))
    return rows


def likelihood_rows(spec: dict, model, x_test, truth: dict) -> List[dict]:
    """Cross-entropy H(rho1, rho^1) at the truth's test points: the ODE likelihood (eps = 0) and,
    for every eps > 0 of the spec, the SDE estimators ("score", "feynman-kac"); KL = CE - H(rho1)
    where the target entropy is known. NFE per test point in the nfe column."""
    import torch
    from si import likelihood as L
    lk = spec["likelihood"]
    if not lk["enabled"]:
        return []
    p = next(model.nets.parameters())
    pair = _pair(spec["benchmark"])
    x = torch.as_tensor(x_test[: int(lk["n"])]).to(p.device, p.dtype)
    rho0 = pair.rho0.to(device=p.device, dtype=p.dtype)
    H, H_se = truth["entropy"], truth["entropy_se"]
    div = {"divergence": lk["divergence"]}
    if lk["divergence"] == "hutchinson":
        div["probes"] = int(lk.get("probes", 1))
    rows = []

    def add(sampler, eps, steps, res):
        lp = res.log_prob.detach().double().cpu()
        base = dict(eps=eps, sampler=sampler, steps=steps, nfe=int(res.nfe))
        ok = torch.isfinite(lp)
        rows.append(_row(spec, **base, metric="finite_fraction", value=float(ok.double().mean()), floor=1.0))
        if not bool(ok.all()):
            rows.append(_row(spec, **base, metric="cross_entropy", value=float("inf"), floor=H))
            rows.append(_row(spec, **base, metric="kl", value=float("inf"), floor=0.0))
            return
        ce = L.cross_entropy(lp)
        kl = L.kl_divergence(ce, H, H_se)
        rows.append(_row(spec, **base, metric="cross_entropy", value=ce.value, floor=H, stderr=ce.stderr))
        rows.append(_row(spec, **base, metric="kl", value=kl.value, floor=0.0, stderr=kl.stderr))
        print(f"likelihood {sampler} eps={eps:g}: CE {ce.value:.4f} +- {ce.stderr:.4f}, KL {kl.value:.4f}, "
              f"nfe {res.nfe}", flush=True)

    g = _generator("likelihood", spec["benchmark"], spec["method"], spec["seed"])
    lo, hi = spec["window"]
    res = L.ode_likelihood(model.b, rho0.log_prob, x, steps=int(lk["ode_steps"]), method=lk["ode_method"],
                           generator=g, t_min=lo, t_max=hi, **div)
    add(_ode_name(lk["ode_method"]), 0.0, int(lk["ode_steps"]), res)
    if model.s is not None:
        for eps in lk["eps"]:
            for est in lk["sde_estimators"]:
                res = L.sde_likelihood(model.b, model.s, rho0.log_prob, x, eps=float(eps), steps=int(lk["sde_steps"]),
                                       paths=int(lk["sde_paths"]), estimator=est, generator=g,
                                       t_min=lo, t_max=hi, **div)
                add(f"sde-{est}", float(eps), int(lk["sde_steps"]), res)
    return rows


def evaluate_run(spec: dict, model_path, truth_npz, truth_json, out_samples, out_csv) -> None:
    """One trained model, every evaluation: sample (ODE, SDE at every eps, every step count), then
    the sample-based metrics, the field errors against the oracle and the likelihoods. Writes the
    samples (for the figures) and the model's rows of results/metrics.csv."""
    import numpy as np
    import pandas as pd
    truth = json.loads(Path(truth_json).read_text())
    ref = np.load(truth_npz)
    failed = checkpoint_failed(model_path)
    if failed:  # training diverged (train_run): one row saying so, no samples
        print(f"training failed, nothing to evaluate: {failed}", flush=True)
        meta = {k: spec[k] for k in ("benchmark", "method", "label", "seed", "path", "gamma", "objective", "coupling")}
        save_npz(out_samples, {"meta": np.array(json.dumps({**meta, "failed": failed}))})
        write_csv(out_csv, pd.DataFrame([_row(spec, metric="train_failed", value=1.0)], columns=COLUMNS))
        return
    model = _load(model_path, spec["device"])
    t0 = time.time()
    arrays = sample_model(spec, model)
    save_npz(out_samples, arrays)
    t1 = time.time()
    rows = sample_rows(spec, arrays, ref["x1_ref"], truth)
    rows += field_error_rows(spec, model)
    t2 = time.time()
    rows += likelihood_rows(spec, model, ref["x1_test"], truth)
    print(f"seconds: sampling {t1 - t0:.1f}, sample metrics {t2 - t1:.1f}, likelihood {time.time() - t2:.1f}",
          flush=True)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    write_csv(out_csv, frame)


def evaluate_group(specs: Sequence[dict], models: Sequence, truth_npz, truth_json, out_samples: Sequence,
                   out_rows: Sequence) -> None:
    """evaluate_run for every seed of one (benchmark, method), in one process."""
    if not len(specs) == len(models) == len(out_samples) == len(out_rows):
        raise ValueError("evaluate_group needs one model, sample file and row file per spec")
    for spec, model, samples, rows in zip(specs, models, out_samples, out_rows):
        t0 = time.process_time()
        evaluate_run(spec, model, truth_npz, truth_json, samples, rows)
        print(f"seed {spec['seed']}: {time.process_time() - t0:.1f} CPU-seconds", flush=True)


# ----------------------------------------------------------------------------------------
# stage: aggregate
# ----------------------------------------------------------------------------------------
def aggregate(row_files: Iterable, model_specs: Iterable, out_metrics, out_training) -> None:
    """Concatenate every evaluation's rows into the tidy table, and every checkpoint's recorded
    losses into results/training.csv (benchmark, method, seed, step, loss and per-field losses)."""
    import pandas as pd
    frames = [pd.read_csv(f) for f in row_files]
    frames = [f for f in frames if len(f)]
    metrics_frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    for col in ("seed", "steps", "nfe"):
        metrics_frame[col] = pd.to_numeric(metrics_frame[col]).astype("Int64")
    metrics_frame = metrics_frame[COLUMNS].sort_values(
        ["benchmark", "method", "seed", "metric", "sampler", "eps", "steps", "t"], na_position="first",
        kind="stable").reset_index(drop=True)
    write_csv(out_metrics, metrics_frame)
    labels = dict(zip(metrics_frame["method"], metrics_frame["label"]))
    rows = []
    for path in model_specs:
        spec = json.loads(Path(path).read_text())
        run = spec.get("run", {})
        for rec in spec.get("losses", []):
            rows.append({"benchmark": run.get("benchmark"), "method": run.get("method"),
                         "label": labels.get(run.get("method"), run.get("method")), "objective": spec.get("objective"),
                         "seed": run.get("seed"), "train_seconds": spec.get("train_seconds"), **rec})
    write_csv(out_training, pd.DataFrame(rows))
    print(f"{len(metrics_frame)} metric rows, {len(rows)} training-curve rows", flush=True)


def merge_benchmarks(tsv_files: Iterable, out_csv) -> None:
    """Snakemake's per-job benchmark files (time, memory) as one table, with rule and wildcards
    recovered from the file names results/benchmarks/{rule}/{...}.tsv."""
    import pandas as pd
    frames = []
    for f in tsv_files:
        p = Path(f)
        df = pd.read_csv(p, sep="\t")
        parts = p.parts[p.parts.index("benchmarks") + 1:]
        df.insert(0, "job", "/".join(parts)[: -len(".tsv")])
        df.insert(0, "rule", parts[0])
        frames.append(df)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["rule", "job"])
    write_csv(out_csv, frame)


# tables and figures live in sibench.plotting (forwarded here, so the workflow's scripts import one module)
def write_tables(*args, **kwargs):
    from .plotting import write_tables as _write
    return _write(*args, **kwargs)


def write_summary(*args, **kwargs):
    from .plotting import write_summary as _write
    return _write(*args, **kwargs)


def write_figure(name: str, inputs, out, wildcards=None, params=None):
    from .plotting import FIGURES
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; valid: {sorted(FIGURES)}")
    return FIGURES[name](inputs, out, **(wildcards or {}), **{k: v for k, v in (params or {}).items() if k != "code"})
