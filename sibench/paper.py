"""The computations behind the paper's figures (issue 6); plotting is in sibench.paper_plots.

Albergo, Boffi and Vanden-Eijnden (2023), regenerated as tidy tables (pandas DataFrames, one row
per plotted number, written as CSV beside each figure):

  1 density_evolution     exact rho_t (oracle, docs/theory.md §6) of the 1-D pair gmm-1d (modes +-3 -> -6, 0, 6)
                          for the linear, trig and encoding-decoding paths, with gamma = 0 and gamma > 0
  2 trajectories          ODE and forward-SDE paths at every eps under the exact fields b, s of that pair,
                          and the terminal histograms against rho_1 (Kolmogorov-Smirnov, total variation)
  3 checkerboard_samples  ODE and SDE samples of trained models on the checkerboard pairs, support fraction
  4 likelihood_control    KL(rho_1 || model) against eps on hd-mixture-d{d}: the ODE likelihood (eps = 0),
                          the two SDE estimators of docs/theory.md §5 and the Girsanov bound computed with the oracle,
                          for a well-trained model, one whose b is deliberately imperfect, and an under-trained one
  5 bridge_marginals      marginals of the Brownian interpolant with the independent and the entropic coupling
                          against the exact Gaussian Schroedinger bridge (Bures-W2 over t)

`plan_models(config, runs)` says which trained models figures 3 and 4 need, and reuses a checkpoint of
the main sweep whenever the sweep trains exactly the same model (same pair, interpolant, objective,
coupling, training settings and seed); the others are trained by the workflow's paper_train rule.
"""
from __future__ import annotations

import copy
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
import pandas as pd
import torch

from . import experiment as E
from .experiment import _ode_name, _pair, _sde_name, checkpoint_failed, device_of
from si.interpolants import PATHS, Interpolant
from si.sampling import SCORE_WINDOW

F64 = torch.float64
Tensor = torch.Tensor
SDE_WINDOW = SCORE_WINDOW  # docs/theory.md §9


def _generator(seed: int, *parts) -> torch.Generator:
    """A generator seeded from the figure's seed and a purpose (stable across processes)."""
    return E._generator("paper", seed, *parts)


def gamma_label(gamma: str, a: float = 1.0) -> str:
    """A short plain-text name of gamma(t) for legends and captions."""
    if gamma == "zero":
        return "gamma = 0"
    if gamma == "brownian":
        return "gamma = sqrt(t(1-t))" if a == 1 else f"gamma = sqrt({a:g} t(1-t))"
    return {"sinesquared": "gamma = sin^2(pi t)", "bsquared": "gamma = t(1-t)",
            "sigmoid": "gamma = sigmoid bump"}.get(gamma, f"gamma = {gamma}")


# ----------------------------------------------------------------------------------------
# figure 1: density evolution (exact)
# ----------------------------------------------------------------------------------------
def density_variants(paths: Sequence[str], gamma: str = "brownian", a: float = 1.0) -> List[dict]:
    """For each path: gamma = 0 where the path admits it, and a nonzero gamma (`gamma`, `a` for paths that
    take any gamma; the path's own gamma otherwise, e.g. sin^2(pi t) for encoding-decoding). The
    encoding-decoding path has no gamma = 0 variant: alpha(1/2) = beta(1/2) = 0, so without gamma
    x_{1/2} = 0 is a point mass and rho_{1/2} does not exist."""
    out = []
    for path in paths:
        if path not in PATHS:
            raise ValueError(f"unknown path {path!r}; valid: {sorted(PATHS)}")
        info = PATHS[path]
        if info.one_sided or info.mirror:
            raise ValueError(f"figure 1 compares two-sided paths; {path!r} is one-sided or mirror")
        allowed = info.allowed_gammas
        if allowed is None or "zero" in allowed:
            out.append({"path": path, "gamma": "zero", "a": 1.0})
        if allowed is None:
            out.append({"path": path, "gamma": gamma, "a": float(a)})
        else:
            out.extend({"path": path, "gamma": g, "a": 1.0} for g in allowed if g != "zero")
    for v in out:
        v["variant"] = f"{v['path']}, {gamma_label(v['gamma'], v['a'])}"
    return out


def density_evolution(benchmark: str = "gmm-1d", paths: Sequence[str] = ("linear", "trig", "encoding-decoding"),
                      gamma: str = "brownian", a: float = 1.0, times: Sequence[float] = (0, 0.25, 0.5, 0.75, 1),
                      lo: float = -10.0, hi: float = 10.0, n: int = 801) -> pd.DataFrame:
    """rho_t(x) on a grid of x in [lo, hi], exact (si.oracle), for every variant of `density_variants`.

    Columns: variant, path, gamma, a, t, x, density. Float64 throughout."""
    pair = _pair(benchmark)
    if pair.dim != 1 or not pair.has_oracle:
        raise ValueError(f"figure 1 needs a one-dimensional Gaussian-mixture pair, got {benchmark!r}")
    x = torch.linspace(lo, hi, int(n), dtype=F64)[:, None]
    frames = []
    for v in density_variants(paths, gamma, a):
        oracle = pair.oracle(Interpolant(v["path"], v["gamma"], v["a"]))
        for t in times:
            dens = oracle.log_prob(torch.full((x.shape[0],), float(t), dtype=F64), x).exp()
            frames.append(pd.DataFrame({"variant": v["variant"], "path": v["path"], "gamma": v["gamma"],
                                        "a": v["a"], "t": float(t), "x": x[:, 0].numpy(),
                                        "density": dens.numpy()}))
    return pd.concat(frames, ignore_index=True)


def density_masses(df: pd.DataFrame) -> pd.DataFrame:
    """Trapezoidal integral of each plotted rho_t over its grid (columns variant, t, mass)."""
    rows = []
    for (variant, t), g in df.groupby(["variant", "t"], sort=False):
        g = g.sort_values("x")
        rows.append({"variant": variant, "t": t, "mass": float(np.trapezoid(g["density"], g["x"]))})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------
# figure 2: trajectories of the ODE and the SDE under the exact fields
# ----------------------------------------------------------------------------------------
def mixture_cdf(gmm, x: Tensor) -> Tensor:
    """CDF of a one-dimensional Gaussian mixture at x (any shape), float64."""
    if gmm.dim != 1:
        raise ValueError(f"mixture_cdf needs a one-dimensional mixture, got dim {gmm.dim}")
    x = torch.as_tensor(x, dtype=F64)
    m, sd = gmm.means[:, 0].to(F64), gmm.covs[:, 0, 0].to(F64).sqrt()
    z = (x[..., None] - m) / sd
    return (gmm.weights.to(F64) * torch.special.ndtr(z)).sum(-1)


def ks_distance(samples: Tensor, cdf) -> float:
    """sup_x |F_n(x) - F(x)| for one-dimensional samples against the exact CDF (callable)."""
    xs = torch.sort(torch.as_tensor(samples, dtype=F64).flatten()).values
    n = xs.numel()
    F = cdf(xs)
    i = torch.arange(1, n + 1, dtype=F64)
    return float(torch.maximum((i / n - F).max(), (F - (i - 1) / n).max()))


def ks_critical(n: int, alpha: float = 1e-3) -> float:
    """Asymptotic critical value of the one-sample Kolmogorov-Smirnov test, sqrt(-log(alpha/2) / 2) / sqrt(n)."""
    return math.sqrt(-math.log(alpha / 2) / 2) / math.sqrt(n)


def trajectories(benchmark: str = "gmm-1d", path: str = "linear", gamma: str = "brownian", a: float = 1.0,
                 eps: Sequence[float] = (0.0, 0.5, 5.0), steps: int = 200, n: int = 5000, show: int = 40,
                 seed: int = 0, bins: int = 80, lo: float = -10.0, hi: float = 10.0, grid_t: int = 101,
                 grid_x: int = 321, ode_method: str = "heun",
                 sde_method: str = "euler-maruyama") -> Dict[str, pd.DataFrame]:
    """Sample paths of the probability-flow ODE (eps = 0) and of the forward SDE at each eps > 0 with the
    exact b and s (si.oracle), all from the same x0 ~ rho0, `steps` steps each (SDE window docs/theory.md §9).

    Returns DataFrames: density (t, x, density: exact rho_t for the background), paths (eps, path, t, x:
    the first `show` paths), terminal (eps, bin_lo, bin_hi, x, hist_density, exact_density,
    exact_prob: histogram of all n final points against rho_1), summary (eps, sampler, steps, nfe, n,
    ks, ks_critical, tv, tv_floor, mean, var, mean_exact, var_exact)."""
    from si import sampling
    pair = _pair(benchmark)
    if pair.dim != 1 or not pair.has_oracle:
        raise ValueError(f"figure 2 needs a one-dimensional Gaussian-mixture pair, got {benchmark!r}")
    interp = Interpolant(path, gamma, a)
    oracle = pair.oracle(interp)
    g = _generator(seed, "trajectories")
    x0 = pair.rho0.sample(int(n), generator=g).to(F64)
    rho1 = pair.rho1.gmm
    cdf = lambda x: mixture_cdf(rho1, x)  # noqa: E731

    tt = torch.linspace(0, 1, int(grid_t), dtype=F64)
    xx = torch.linspace(lo, hi, int(grid_x), dtype=F64)[:, None]
    dens = [oracle.log_prob(torch.full((xx.shape[0],), float(t), dtype=F64), xx).exp() for t in tt]
    density = pd.DataFrame({"t": np.repeat(tt.numpy(), xx.shape[0]), "x": np.tile(xx[:, 0].numpy(), len(tt)),
                            "density": torch.cat(dens).numpy()})

    edges = torch.linspace(lo, hi, int(bins) + 1, dtype=F64)
    width = float(edges[1] - edges[0])
    probs = cdf(edges[1:]) - cdf(edges[:-1])
    centres = 0.5 * (edges[1:] + edges[:-1])
    mean1 = float(rho1.mean()[0])
    var1 = float(rho1.cov()[0, 0])
    paths, terminal, summary = [], [], []
    for e in eps:
        e = float(e)
        if e == 0:
            res = sampling.sample_ode(oracle.b, x0, steps=int(steps), method=ode_method, save_trajectory=True)
            name = _ode_name(ode_method)
        else:
            res = sampling.sample_sde(oracle.b, oracle.s, x0, eps=e, steps=int(steps), method=sde_method,
                                      generator=_generator(seed, "sde", e), save_trajectory=True)
            name = _sde_name(sde_method)
        traj = res.trajectory[:, : int(show), 0]
        T = res.times.to(F64)
        paths.append(pd.DataFrame({"eps": e, "path": np.tile(np.arange(traj.shape[1]), len(T)),
                                   "t": np.repeat(T.numpy(), traj.shape[1]), "x": traj.reshape(-1).numpy()}))
        x1 = res.x[:, 0].to(F64)
        counts = torch.histc(x1, bins=int(bins), min=lo, max=hi)
        freq = counts / x1.numel()
        outside = 1.0 - float(freq.sum())
        tv = 0.5 * (float((freq - probs).abs().sum()) + outside + (1.0 - float(probs.sum())))
        tv_floor = 0.5 * float(torch.sqrt(2 * probs * (1 - probs) / (math.pi * x1.numel())).sum())
        terminal.append(pd.DataFrame({"eps": e, "bin_lo": edges[:-1].numpy(), "bin_hi": edges[1:].numpy(),
                                      "x": centres.numpy(), "hist_density": (freq / width).numpy(),
                                      "exact_density": rho1.log_prob(centres[:, None]).exp().numpy(),
                                      "exact_prob": probs.numpy()}))
        summary.append({"eps": e, "sampler": name, "steps": int(steps), "nfe": int(res.nfe), "n": int(x1.numel()),
                        "ks": ks_distance(x1, cdf), "ks_critical": ks_critical(x1.numel()), "tv": tv,
                        "tv_floor": tv_floor, "mean": float(x1.mean()), "var": float(x1.var()),
                        "mean_exact": mean1, "var_exact": var1,
                        "finite_fraction": float(torch.isfinite(x1).double().mean())})
    return {"density": density, "paths": pd.concat(paths, ignore_index=True),
            "terminal": pd.concat(terminal, ignore_index=True), "summary": pd.DataFrame(summary)}


# ----------------------------------------------------------------------------------------
# which trained models figures 3 and 4 need, and which the sweep already trains
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PaperModel:
    """A trained model a figure needs: its train-stage spec (sibench.experiment.stage_spec format), the
    checkpoint it is read from, and whether that checkpoint is the main sweep's (reused)."""
    key: str                 # {benchmark}/{name}/seed{seed}
    spec: dict
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


_METHOD_KEYS = ("path", "gamma", "a", "objective", "coupling", "coupling_reg", "train")


def _train_spec(config: dict, benchmark: str, method: dict, seed: int, train: Optional[dict], name: str) -> dict:
    """The train-stage spec of `method` on `benchmark`, exactly as the sweep would build it (global
    train settings, the benchmark's override if the sweep has the benchmark, the method's), then the
    figure's `train` override."""
    cfg = copy.deepcopy(config)
    key = "__paper__"
    cfg["methods"] = {key: {k: v for k, v in method.items() if k in _METHOD_KEYS}}
    bench = {"methods": [key]}
    if benchmark in config.get("benchmarks", {}) and "train" in config["benchmarks"][benchmark]:
        bench["train"] = copy.deepcopy(config["benchmarks"][benchmark]["train"])
    cfg["benchmarks"] = {benchmark: bench}
    spec = E.stage_spec(cfg, "train", benchmark, key, int(seed))
    if train:
        unknown = sorted(set(train) - set(E.TRAIN_KEYS))
        if unknown:
            raise ValueError(f"paper_figures: unknown training option(s) {unknown}; valid: {list(E.TRAIN_KEYS)}")
        spec["train"] = {**spec["train"], **train}
    spec["method"] = name
    return spec


def _sweep_specs(config: dict, runs) -> Dict[str, tuple]:
    """checkpoint path of every sweep run -> its train spec without the method's name."""
    out = {}
    for r in runs:
        s = E.stage_spec(config, "train", r.benchmark, r.method, r.seed)
        s.pop("method")
        out[f"results/models/{r.stem}.pt"] = s
    return out


def _model(config: dict, sweep: Dict[str, dict], benchmark: str, method: dict, seed: int,
           train: Optional[dict], reuse: bool, steps_in_name: bool = False) -> PaperModel:
    steps = (train or {}).get("steps") if steps_in_name else None
    name = model_name(method, steps)
    spec = _train_spec(config, benchmark, method, seed, train, name)
    key = f"{benchmark}/{name}/seed{int(seed)}"
    if reuse:
        bare = {k: v for k, v in spec.items() if k != "method"}
        for path, s in sweep.items():
            if s == bare:
                return PaperModel(key, spec, path, True)
    return PaperModel(key, spec, f"results/paper/models/{key}.pt", False)


def plan_models(config: dict, runs) -> Dict[str, object]:
    """The trained models of figures 3 and 4 under config["paper_figures"] (empty if absent):

        {"checkerboard": [PaperModel per panel],
         "likelihood": {benchmark: {"well": PaperModel, "short": PaperModel}},
         "train": {key: PaperModel for every model the workflow must train itself}}
    """
    pf = config.get("paper_figures") or {}
    sweep = _sweep_specs(config, runs) if pf else {}
    out: Dict[str, object] = {"checkerboard": [], "likelihood": {}, "train": {}}
    cb = pf.get("checkerboard")
    if cb and cb.get("enabled", True):  # (panels are required: an empty section is not a figure 3)
        for panel in cb["panels"]:
            method = {k: v for k, v in panel.items() if k in _METHOD_KEYS}
            out["checkerboard"].append(_model(config, sweep, panel["benchmark"], method, cb.get("seed", 0),
                                              cb.get("train"), cb.get("reuse", True)))
    lk = pf.get("likelihood")
    if lk and lk.get("enabled", True):
        for d in lk["dims"]:
            b = f"hd-mixture-d{int(d)}"
            well = _model(config, sweep, b, lk["method"], lk.get("seed", 0), lk.get("train"), lk.get("reuse", True))
            short_train = {**(lk.get("train") or {}), "steps": int(lk["short_steps"])}
            short = _model(config, sweep, b, lk["method"], lk.get("seed", 0), short_train, lk.get("reuse", True),
                           steps_in_name=True)
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


# ----------------------------------------------------------------------------------------
# figure 3: checkerboard generation
# ----------------------------------------------------------------------------------------
def sample_model(model, pair, n: int, seed: int, ode: dict, sde: dict, t_max: Optional[float] = None):
    """ODE and SDE samples of one trained model from the same x0 ~ rho0: dict sampler -> (x, nfe, eps, steps)."""
    from si import sampling
    p = next(model.nets.parameters())
    x0 = pair.rho0.sample(int(n), generator=_generator(seed, "x0", pair.name)).to(p.device, p.dtype)
    out = {}
    res = sampling.sample_ode(model.b, x0, steps=int(ode["steps"]), method=ode["method"])
    out[_ode_name(ode["method"])] = (res.x, res.nfe, 0.0, int(ode["steps"]))
    if model.s is not None:
        eps = float(sde["eps"])
        hi = SDE_WINDOW[1] if t_max is None else float(t_max)
        res = sampling.sample_sde(model.b, model.s, x0, eps=eps, steps=int(sde["steps"]), method=sde["method"],
                                  generator=_generator(seed, "sde", pair.name, eps), t_min=SDE_WINDOW[0], t_max=hi)
        out[_sde_name(sde["method"])] = (res.x, res.nfe, eps, int(sde["steps"]))
    return out


def checkerboard_samples(panels: Sequence[dict], checkpoints: Sequence[str], n: int = 2000, seed: int = 0,
                         ode: Optional[dict] = None, sde: Optional[dict] = None, device: str = "auto",
                         reused: Optional[Sequence[bool]] = None) -> Dict[str, pd.DataFrame]:
    """Samples of each panel's model (ODE and SDE side by side) and their support fractions.

    panels: dicts with benchmark, label (and optionally t_max, the SDE window's end); checkpoints: one
    per panel. Returns samples (panel, label, sampler, eps, x, y) and summary (one row per panel and sampler:
    support_fraction, finite_fraction, nfe, the model's training settings, the checkpoint)."""
    from si.training import load_model
    ode = ode or {"method": "heun", "steps": 100}
    sde = sde or {"method": "euler-maruyama", "steps": 100, "eps": 0.5}
    dev = device_of(device)
    samples, summary = [], []
    for i, (panel, ckpt) in enumerate(zip(panels, checkpoints)):
        pair = _pair(panel["benchmark"])
        label = panel.get("label") or f"{panel['benchmark']}: {panel['path']} {{{panel['objective']}}}"
        failed = checkpoint_failed(ckpt)
        if failed:  # a diverged training: say so in the table (and the figure), sample nothing
            summary.append({"panel": i, "label": label, "benchmark": panel["benchmark"], "path": panel["path"],
                            "objective": panel["objective"], "sampler": "none", "train_failed": failed,
                            "checkpoint": str(ckpt)})
            continue
        model = load_model(ckpt, device=dev)
        with torch.no_grad():
            res = sample_model(model, pair, n, seed, ode, sde, panel.get("t_max"))
        for sampler, (x, nfe, eps, steps) in res.items():
            x = x.detach().double().cpu()
            ok = torch.isfinite(x).all(1)
            samples.append(pd.DataFrame({"panel": i, "label": label, "sampler": sampler, "eps": eps,
                                         "x": x[:, 0].numpy(), "y": x[:, 1].numpy()}))
            frac = pair.rho1.support_fraction(x[ok]) if hasattr(pair.rho1, "support_fraction") else float("nan")
            summary.append({"panel": i, "label": label, "benchmark": panel["benchmark"],
                            "path": model.interpolant.path, "gamma": model.interpolant.gamma_name,
                            "objective": model.objective, "sampler": sampler, "eps": eps, "steps": steps,
                            "nfe": int(nfe), "n": int(x.shape[0]), "support_fraction": frac,
                            "finite_fraction": float(ok.double().mean()),
                            "sde_t_max": panel.get("t_max", SDE_WINDOW[1]) if sampler.startswith("sde") else None,
                            **checkpoint_summary(model), "checkpoint": str(ckpt),
                            "reused_from_sweep": bool(reused[i]) if reused is not None else None})
    empty = pd.DataFrame(columns=["panel", "label", "sampler", "eps", "x", "y"])
    return {"samples": pd.concat(samples, ignore_index=True) if samples else empty, "summary": pd.DataFrame(summary)}


# ----------------------------------------------------------------------------------------
# figure 4: likelihood control, ODE against SDE
# ----------------------------------------------------------------------------------------
LEVELS = ("well-trained", "imperfect-b", "under-trained")


def hybrid_model(velocity_from, score_from):
    """A model whose velocity part (b, or v) comes from `velocity_from` and whose score part (s, or eta)
    from `score_from`: with a briefly trained `velocity_from`, b is deliberately imperfect while s is good."""
    from torch import nn
    from si.objectives import fields_of
    from si.training import TrainedModel
    if velocity_from.objective != score_from.objective:
        raise ValueError("both models must learn the same objective")
    kinds = fields_of(score_from.objective)
    if not any(k in kinds for k in ("s", "eta")):
        raise ValueError(f"objective {score_from.objective!r} learns no score")
    nets = nn.ModuleDict({k: (velocity_from if k in ("b", "v") else score_from).nets[k] for k in kinds})
    spec = {**score_from.spec, "hybrid": {"velocity_steps": velocity_from.spec["config"]["steps"],
                                          "score_steps": score_from.spec["config"]["steps"]}}
    return TrainedModel(score_from.interpolant, score_from.objective, nets, spec)


def exact_fields(oracle, rho0, rho1, n: int, generator: torch.Generator, window=SDE_WINDOW) -> Dict[str, Tensor]:
    """Points x_t, t ~ U[window], (x0, x1, z) independent, and the exact b and s there (float64, oracle)."""
    lo, hi = window
    t = lo + (hi - lo) * torch.rand(int(n), generator=generator, dtype=F64)
    x1 = rho1.sample(int(n), generator=generator).to(F64)
    x0 = rho0.sample(int(n), generator=generator).to(F64)
    z = torch.randn(x1.shape, generator=generator, dtype=F64)
    xt = oracle.interpolant.points(t, x0, x1, z).xt
    return {"t": t, "xt": xt, "b": oracle.b(t, xt), "s": oracle.s(t, xt)}


def field_errors(model, exact: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """Per-point squared errors |b^ - b|^2, |s^ - s|^2 and (b^ - b).(s^ - s) at the points of exact_fields."""
    p = next(model.nets.parameters())
    with torch.no_grad():
        tb, xb = exact["t"].to(p.device, p.dtype), exact["xt"].to(p.device, p.dtype)
        db = model.b(tb, xb).double().cpu() - exact["b"]
        ds = model.s(tb, xb).double().cpu() - exact["s"]
    return {"bb": (db ** 2).sum(1), "ss": (ds ** 2).sum(1), "bs": (db * ds).sum(1)}


def girsanov_bound(errors: Dict[str, Tensor], eps: float) -> tuple:
    """(bound, standard error) of KL(rho_1 || SDE model) <= 1/(4 eps) int_0^1 E|b^_F - b_F|^2 dt,
    b_F = b + eps s (Girsanov on path space plus data processing; the model starts from the exact rho_0).
    Expanding |db + eps ds|^2, this is <= 1/eps (L_b(b^) - min L_b) + eps (L_s(s^) - min L_s)."""
    v = (errors["bb"] + 2 * eps * errors["bs"] + eps ** 2 * errors["ss"]) / (4 * eps)
    return float(v.mean()), float(v.std() / math.sqrt(v.numel()))


def likelihood_control(benchmark: str, well, short, eps: Sequence[float], n: int = 256, seed: int = 0,
                       ode: Optional[dict] = None, sde: Optional[dict] = None, bound_n: int = 4000,
                       levels: Sequence[str] = LEVELS, divergence: str = "exact", probes: int = 1) -> pd.DataFrame:
    """KL(rho_1 || model) = cross-entropy - H(rho_1) at n test points x ~ rho_1, for each level:

      well-trained    the model trained with the full budget (`well`)
      imperfect-b     the velocity part (b or v) of the briefly trained model (`short`), the score part of `well`
      under-trained   the briefly trained model (`short`)

    estimators (column `estimator`): "ode" (eps = 0, exact for the ODE model up to discretisation),
    "sde-score" (docs/theory.md §5 (a)) and "sde-feynman-kac" ((b), only at eps <= sde["fk_max_eps"]) at every
    eps > 0, "girsanov-bound" (exact up to Monte Carlo, with the oracle), and the field errors
    "excess-b" = E|b^ - b|^2 = 2 (L_b(b^) - min L_b) and "excess-s" = 2 (L_s(s^) - min L_s) (time-averaged).
    Both SDE estimators over-estimate the SDE model's KL in expectation: (a) by eps E int |s^ - grad log
    rho^_t|^2 dt (it is exact only if s^ is the model's own score), (b) by Jensen's inequality (log of a
    mean over `fk_paths` paths). diff = KL - KL_ode on the same test points, diff_se its paired standard error.
    kl = cross-entropy - H(rho_1) with the stored entropy (docs/theory.md §5); kl_paired = mean of log rho_1(x) -
    log rho^_1(x) with the exact log rho_1 at the same points: the same quantity, with a far smaller standard
    error (kl_paired_se), because the spread of log rho_1 over the test points cancels.
    """
    from si import likelihood as L
    ode = ode or {"method": "rk4", "steps": 25}
    sde = sde or {"method": "euler-maruyama", "steps": 50, "score_paths": 8, "fk_paths": 16, "fk_max_eps": 0.3}
    pair = _pair(benchmark)
    oracle = pair.oracle(well.interpolant)
    p = next(well.nets.parameters())
    H, H_se = pair.rho1.entropy, pair.rho1.entropy_se
    x = pair.rho1.sample(int(n), generator=_generator(seed, "x_test", benchmark)).to(p.device, p.dtype)
    log_rho1 = pair.rho1.log_prob(x.double().cpu())  # exact: hd-mixture targets are Gaussian mixtures
    rho0 = pair.rho0.to(device=p.device, dtype=p.dtype)
    models = {"well-trained": well, "imperfect-b": hybrid_model(short, well), "under-trained": short}
    div = {"divergence": divergence, **({"probes": int(probes)} if divergence == "hutchinson" else {})}
    # the same points x_t for every level (common random numbers), the exact fields there computed once
    exact = exact_fields(oracle, pair.rho0, pair.rho1, bound_n, _generator(seed, "bound", benchmark))
    rows = []
    for level in levels:
        model = models[level]
        base = {"benchmark": benchmark, "dim": pair.dim, "level": level,
                "velocity_steps": (short if level != "well-trained" else well).spec["config"]["steps"],
                "score_steps": (short if level == "under-trained" else well).spec["config"]["steps"],
                "entropy": H}
        g = _generator(seed, "likelihood", benchmark, level)
        res = L.ode_likelihood(model.b, rho0.log_prob, x, steps=int(ode["steps"]), method=ode["method"],
                               generator=g, **div)
        lp_ode = res.log_prob.detach().double().cpu()

        def add(estimator, e, res, steps, paths=None):
            lp = res.log_prob.detach().double().cpu()
            ce = L.cross_entropy(lp)
            kl = L.kl_divergence(ce, H, H_se)
            diff = lp_ode - lp  # KL - KL_ode, per test point
            ratio = log_rho1 - lp  # log rho_1 / rho^_1, per test point
            rows.append({**base, "estimator": estimator, "eps": e, "steps": steps, "paths": paths, "nfe": int(res.nfe),
                         "kl": kl.value, "stderr": kl.stderr, "cross_entropy": ce.value,
                         "kl_paired": float(ratio.mean()),
                         "kl_paired_se": float(ratio.std() / math.sqrt(ratio.numel())),
                         "diff": float(diff.mean()), "diff_se": float(diff.std() / math.sqrt(diff.numel())),
                         "finite_fraction": float(torch.isfinite(lp).double().mean())})

        add("ode", 0.0, res, int(ode["steps"]))
        for e in eps:
            e = float(e)
            for est, paths in (("score", sde["score_paths"]), ("feynman-kac", sde["fk_paths"])):
                if est == "feynman-kac" and e > float(sde.get("fk_max_eps", math.inf)):
                    continue
                r = L.sde_likelihood(model.b, model.s, rho0.log_prob, x, eps=e, steps=int(sde["steps"]), paths=int(paths),
                                     estimator=est, method=sde["method"], generator=g, **div)
                add(f"sde-{est}", e, r, int(sde["steps"]), int(paths))
        errs = field_errors(model, exact)
        for name, key in (("excess-b", "bb"), ("excess-s", "ss")):
            v = errs[key]
            rows.append({**base, "estimator": name, "eps": None, "kl": float(v.mean()),
                         "stderr": float(v.std() / math.sqrt(v.numel()))})
        for e in eps:
            bound, se = girsanov_bound(errs, float(e))
            rows.append({**base, "estimator": "girsanov-bound", "eps": float(e), "kl": bound, "stderr": se,
                         "diff": bound - float((log_rho1 - lp_ode).mean()), "kl_paired": bound, "kl_paired_se": se})
    return pd.DataFrame(rows)


def likelihood_control_run(benchmark: str, well_checkpoint, short_checkpoint, device: str = "auto",
                           **settings) -> pd.DataFrame:
    """likelihood_control of two checkpoints; a training that diverged gives one `train_failed` row naming
    it (the figure marks that panel) instead of a crash."""
    from si.training import load_model
    ckpts = {"well": well_checkpoint, "short": short_checkpoint}
    failed = {name: checkpoint_failed(path) for name, path in ckpts.items()}
    failed = [f"{name}: {err}" for name, err in failed.items() if err]
    if failed:
        return pd.DataFrame([{"benchmark": benchmark, "dim": _pair(benchmark).dim, "level": None,
                              "estimator": "train_failed", "note": "; ".join(failed)}])
    dev = device_of(device)
    return likelihood_control(benchmark, load_model(well_checkpoint, device=dev),
                              load_model(short_checkpoint, device=dev), **settings)


def likelihood_verdict(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (benchmark, level): the ODE's KL; the smallest SDE KL of each estimator over eps, the
    eps where it is reached and its paired difference to the ODE (+- standard error); the smallest
    Girsanov bound over eps (KL values: kl_paired, see likelihood_control). `sde_certified_better`: the bound
    (an upper bound on the SDE model's KL) is below the ODE's KL by more than two standard errors of both."""
    out = []
    df = df[df["estimator"] != "train_failed"]  # a dimension whose training diverged has no verdict
    if df.empty:
        return pd.DataFrame()
    if "kl_paired" not in df:
        df = df.assign(kl_paired=df["kl"], kl_paired_se=df["stderr"])
    df = df.assign(kl=df["kl_paired"].fillna(df["kl"]), stderr=df["kl_paired_se"].fillna(df["stderr"]))
    for (b, level), g in df.groupby(["benchmark", "level"], sort=False):
        ode = g[g.estimator == "ode"].iloc[0]
        row = {"benchmark": b, "dim": int(ode["dim"]), "level": level, "kl_ode": ode["kl"], "kl_ode_se": ode["stderr"]}
        for est in ("sde-score", "sde-feynman-kac", "girsanov-bound"):
            s = g[g.estimator == est]
            if s.empty:
                continue
            best = s.loc[s["kl"].idxmin()]
            tag = est.replace("sde-", "").replace("girsanov-", "")
            row.update({f"kl_{tag}": best["kl"], f"kl_{tag}_se": best["stderr"], f"eps_{tag}": best["eps"],
                        f"diff_{tag}": best.get("diff"), f"diff_{tag}_se": best.get("diff_se")})
        for name in ("excess-b", "excess-s"):
            s = g[g.estimator == name]
            if not s.empty:
                row[name.replace("-", "_")] = s["kl"].iloc[0]
        if "kl_bound" in row:
            gap_se = math.hypot(row["kl_ode_se"], row["kl_bound_se"])
            row["sde_certified_better"] = bool(row["kl_bound"] < row["kl_ode"] - 2 * gap_se)
        out.append(row)
    return pd.DataFrame(out)


# ----------------------------------------------------------------------------------------
# figure 5: Schroedinger bridge marginals
# ----------------------------------------------------------------------------------------
def bridge_marginals(benchmark: str = "sb-gauss-d2-s1", times: Optional[Sequence[float]] = None, n_times: int = 21,
                     n: int = 4000, batch: int = 512, seed: int = 0,
                     show_times: Sequence[float] = (0.25, 0.5, 0.75), show: int = 1000) -> Dict[str, pd.DataFrame]:
    """Marginals x_t = (1-t) x0 + t x1 + sigma sqrt(t(1-t)) z of the Brownian interpolant (gamma^2 = sigma^2
    t(1-t), the reference noise of the bridge) over three couplings, against the exact Schroedinger bridge:

      independent   x0, x1 independent: exact Gaussian marginals in closed form, and samples
      entropic      minibatch entropic OT (reg = 2 sigma^2, batches of `batch`, pairs drawn per row),
                    as the sb-bs method trains with
      exact bridge  samples of the exact bridge (plan, then Brownian bridge): the sampling floor

    at `times` (default n_times equally spaced times in [0, 1]).

    Returns curves (coupling, kind, t, bures_w2: Bures-W2 between the marginal's moments, or its
    samples' moment fit, and the exact bridge's N(mu_t, Sigma_t)), samples (coupling, t, x, y: the
    first `show` samples at each of show_times, first two coordinates), ellipses (the exact bridge's
    moments and each coupling's moment fit at show_times) and info (pair, sigma^2, reg, batch, n)."""
    from si.bridges import GaussianBridge
    from si.couplings import EntropicCoupling
    from si.metrics import bures_w2, gaussian_fit
    pair = _pair(benchmark)
    sb = pair.bridge
    if not isinstance(sb, GaussianBridge):
        raise ValueError(f"figure 5 needs a Gaussian Schroedinger-bridge pair (sb-gauss-*), got {benchmark!r}")
    sigma = sb.sigma
    indep = GaussianBridge(sb.mean0, sb.cov0, sb.mean1, sb.cov1, sigma, coupling="independent")
    g = _generator(seed, "bridge", benchmark)
    n = int(n)
    times = [float(t) for t in (np.linspace(0, 1, int(n_times)) if times is None else times)]
    # independent pairs, entropic pairs (minibatches), exact plan pairs
    x0 = pair.rho0.sample(n, generator=g).to(F64)
    x1 = pair.rho1.sample(n, generator=g).to(F64)
    coupling = EntropicCoupling(reg=2 * sigma ** 2)
    e0, e1 = [], []
    for i in range(0, n, int(batch)):
        a0 = pair.rho0.sample(min(int(batch), n - i), generator=g).to(F64)
        a1 = pair.rho1.sample(a0.shape[0], generator=g).to(F64)
        c0, c1 = coupling(a0, a1, generator=g)
        e0.append(c0)
        e1.append(c1)
    pairs = {"independent": (x0, x1), "entropic": (torch.cat(e0), torch.cat(e1)), "exact bridge": sb.sample_plan(n, g)}
    z = torch.randn(n, pair.dim, generator=g, dtype=F64)
    curves, samples, ellipses = [], [], []
    for t in [float(t) for t in times]:
        mt, St = sb.marginal_moments(t)
        mi, Si = indep.marginal_moments(t)
        curves.append({"coupling": "independent", "kind": "exact", "t": t, "bures_w2": bures_w2(mi, Si, mt, St)})
        shown = any(abs(t - s) < 1e-9 for s in show_times)
        if shown:
            ellipses.append(_moments_row("exact bridge", "exact", t, mt, St))
        for name, (p0, p1) in pairs.items():
            xt = (1 - t) * p0 + t * p1 + sigma * math.sqrt(t * (1 - t)) * z
            m_fit, S_fit = gaussian_fit(xt)
            curves.append({"coupling": name, "kind": f"samples (n={n})", "t": t,
                           "bures_w2": bures_w2(m_fit, S_fit, mt, St)})
            if shown:
                k = min(int(show), n)
                samples.append(pd.DataFrame({"coupling": name, "t": t, "x": xt[:k, 0].numpy(),
                                             "y": xt[:k, 1 if pair.dim > 1 else 0].numpy()}))
                ellipses.append(_moments_row(name, "fit", t, m_fit, S_fit))
    missing = [s for s in show_times if not any(abs(float(s) - float(t)) < 1e-9 for t in times)]
    if missing:
        raise ValueError(f"show_times {missing} are not among times")
    out = {"curves": pd.DataFrame(curves),
           "samples": pd.concat(samples, ignore_index=True) if samples else pd.DataFrame(),
           "ellipses": pd.DataFrame(ellipses)}
    out["info"] = pd.DataFrame([{"benchmark": benchmark, "dim": pair.dim, "sigma2": sigma ** 2, "reg": 2 * sigma ** 2,
                                 "batch": int(batch), "n": n}])
    return out


def _moments_row(coupling: str, kind: str, t: float, mean, cov) -> dict:
    """Mean and covariance of the first two coordinates (for the 2-sigma ellipses of the figure)."""
    m = np.asarray(mean, dtype=np.float64).reshape(-1)
    S = np.asarray(cov, dtype=np.float64)
    j = 1 if m.size > 1 else 0
    return {"coupling": coupling, "kind": kind, "t": t, "mean_x": m[0], "mean_y": m[j],
            "cov_xx": S[0, 0], "cov_xy": S[0, j], "cov_yy": S[j, j]}


def bridge_evaluations(config: dict, runs, benchmark: str) -> List[str]:
    """Evaluation files of the sweep's models that learn the interpolants of figure 5 on `benchmark`:
    linear path, Brownian gamma with a = sigma^2, objective {b,s}, independent or entropic coupling (first
    seed; a model listed under two names is taken once)."""
    pair = _pair(benchmark)
    mine = [r for r in runs if r.benchmark == benchmark]
    if not mine or pair.sigma2 is None:
        return []
    seed = min(r.seed for r in mine)
    out, seen = [], []
    for r in mine:
        if r.seed != seed:
            continue
        s = E.stage_spec(config, "train", r.benchmark, r.method, r.seed)
        s.pop("method")
        if (s["path"] == "linear" and s["gamma"] == "brownian" and abs(s["a"] - pair.sigma2) < 1e-12
                and s["objective"] == "b,s" and s["coupling"] in ("independent", "entropic") and s not in seen):
            seen.append(s)  # two names for one model (e.g. linear-bs and bridge-bs at sigma^2 = 1): once
            out.append(f"results/evaluations/{r.stem}.csv")
    return out


def learned_bridge_rows(evaluation_csvs: Sequence[str], sigma2: float) -> pd.DataFrame:
    """Bures-W2 rows of trained models from the sweep's evaluations (results/evaluations/...csv): the
    SDE at the eps closest to sigma^2 / 2 (the bridge's own noise), its largest step count."""
    frames = [pd.read_csv(f) for f in evaluation_csvs]
    if not frames:
        return pd.DataFrame(columns=["label", "method", "coupling", "t", "bures_w2", "eps", "sampler"])
    df = pd.concat(frames, ignore_index=True)
    df = df[(df["metric"] == "bures_w2") & df["sampler"].astype(str).str.startswith("sde")]
    if df.empty:
        return pd.DataFrame(columns=["label", "method", "coupling", "t", "bures_w2", "eps", "sampler"])
    eps = df["eps"].unique()
    e = eps[np.argmin(np.abs(eps - sigma2 / 2))]
    df = df[df["eps"] == e]
    df = df[df["steps"] == df.groupby("method")["steps"].transform("max")]
    cols = ["label", "method", "coupling", "t", "bures_w2", "eps", "sampler"]
    return df.rename(columns={"value": "bures_w2"})[cols].reset_index(drop=True)


# ----------------------------------------------------------------------------------------
# code version of the figure jobs
# ----------------------------------------------------------------------------------------
def code_version() -> str:
    """sha256 (16 hex digits) of sibench/paper.py, sibench/paper_plots.py and every si / sibench module they import,
    transitively (sibench.experiment.hash_modules; the small, stable helpers of sibench.experiment that figures use
    are not part of it)."""
    h = hashlib.sha256()
    E.hash_modules(h, ["sibench.paper", "sibench.paper_plots"])
    return h.hexdigest()[:16]
