"""Figure 4 of the paper, its numbers: KL(rho_1 || model) against eps on hd-mixture-d{d}, from the ODE
likelihood (eps = 0), the two SDE estimators of docs/theory.md §5 and the Girsanov bound computed with the
oracle, for a well-trained model, one whose b is deliberately imperfect, and an under-trained one; and the
verdict per dimension and level. The plot is sibench.paper.fig4_plot."""
from __future__ import annotations

import math
from typing import Dict, Optional, Sequence

import pandas as pd
import torch
from torch import nn

from ..devices import device_of
from ..io import write_csv
from ..pairs import get_benchmark
from ..seeds import figure_generator
from ..stages.train import checkpoint_failed
from si import likelihood as L
from si.objectives import fields_of
from si.sampling import SCORE_WINDOW
from si.training import TrainedModel, load_model

__all__ = ["LEVELS", "hybrid_model", "exact_fields", "field_errors", "girsanov_bound", "likelihood_control",
           "likelihood_control_run", "likelihood_verdict", "write_kl_table"]

F64 = torch.float64
Tensor = torch.Tensor

LEVELS = ("well-trained", "imperfect-b", "under-trained")


def hybrid_model(velocity_from, score_from):
    """A model whose velocity part (b, or v) comes from `velocity_from` and whose score part (s, or eta)
    from `score_from`: with a briefly trained `velocity_from`, b is deliberately imperfect while s is good."""
    if velocity_from.objective != score_from.objective:
        raise ValueError("both models must learn the same objective")
    kinds = fields_of(score_from.objective)
    if not any(k in kinds for k in ("s", "eta")):
        raise ValueError(f"objective {score_from.objective!r} learns no score")
    nets = nn.ModuleDict({k: (velocity_from if k in ("b", "v") else score_from).nets[k] for k in kinds})
    spec = {**score_from.spec, "hybrid": {"velocity_steps": velocity_from.spec["config"]["steps"],
                                          "score_steps": score_from.spec["config"]["steps"]}}
    return TrainedModel(score_from.interpolant, score_from.objective, nets, spec)


def exact_fields(oracle, rho0, rho1, n: int, generator: torch.Generator,
                 window=SCORE_WINDOW) -> Dict[str, Tensor]:
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
    ode = ode or {"method": "rk4", "steps": 25}
    sde = sde or {"method": "euler-maruyama", "steps": 50, "score_paths": 8, "fk_paths": 16, "fk_max_eps": 0.3}
    pair = get_benchmark(benchmark)
    oracle = pair.oracle(well.interpolant)
    p = next(well.nets.parameters())
    H, H_se = pair.rho1.entropy, pair.rho1.entropy_se
    x = pair.rho1.sample(int(n), generator=figure_generator(seed, "x_test", benchmark)).to(p.device, p.dtype)
    log_rho1 = pair.rho1.log_prob(x.double().cpu())  # exact: hd-mixture targets are Gaussian mixtures
    rho0 = pair.rho0.to(device=p.device, dtype=p.dtype)
    models = {"well-trained": well, "imperfect-b": hybrid_model(short, well), "under-trained": short}
    div = {"divergence": divergence, **({"probes": int(probes)} if divergence == "hutchinson" else {})}
    # the same points x_t for every level (common random numbers), the exact fields there computed once
    exact = exact_fields(oracle, pair.rho0, pair.rho1, bound_n, figure_generator(seed, "bound", benchmark))
    rows = []
    for level in levels:
        model = models[level]
        base = {"benchmark": benchmark, "dim": pair.dim, "level": level,
                "velocity_steps": (short if level != "well-trained" else well).spec["config"]["steps"],
                "score_steps": (short if level == "under-trained" else well).spec["config"]["steps"],
                "entropy": H}
        g = figure_generator(seed, "likelihood", benchmark, level)
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
    ckpts = {"well": well_checkpoint, "short": short_checkpoint}
    failed = {name: checkpoint_failed(path) for name, path in ckpts.items()}
    failed = [f"{name}: {err}" for name, err in failed.items() if err]
    if failed:
        return pd.DataFrame([{"benchmark": benchmark, "dim": get_benchmark(benchmark).dim, "level": None,
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


def write_kl_table(benchmark: str, well_checkpoint, short_checkpoint, device: str, settings: dict, out_csv) -> None:
    """Rule paper_fig4_kl: likelihood_control_run of one dimension as CSV; settings are the figure's config
    section (its keys that plan the models, method and short_steps, are not arguments here)."""
    s = {k: v for k, v in settings.items() if k not in ("method", "short_steps")}
    df = likelihood_control_run(benchmark, well_checkpoint, short_checkpoint, device=device, **s)
    print(df.to_string(index=False))
    write_csv(out_csv, df)
