"""The tables of one benchmark, led by what discriminates there (the issue "Measurements that rank
methods correctly", docs/theory.md §7):

  1. on Schroedinger-bridge pairs, the distances to the exact bridge (Bures-W2 of the marginals against
     the exact moments, the middle time first);
  2. the field error against the exact oracle (pairs with an oracle, independent coupling);
  3. the paired KL (ODE at eps = 0, SDE Feynman-Kac at eps > 0, a value withheld where its effective
     sample size is too small), and the SDE score-identity estimate, shown as the proxy it is;
  4. the support fraction (checkerboard targets), which comes before the KL there: on a target with
     bounded support the control-variate KL is biased low by the model's mass outside it
     (si.metrics.kl), so it is shown there but not ranked (as sibench.power.scores.lead_metrics);
  5. the two-sample statistics (energy distance, MMD) with their permutation tests;
then, not ranked, W2 (and sliced W2, and the coupling W2 on bridge pairs) as the distance from the
truth-versus-truth floor in floor standard deviations. The first table present is the benchmark's lead.
Notes list the diverged trainings, non-finite samples and withheld values.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import numpy as np
import pandas as pd

from .cells import Table, build_table
from .format import eps_header
from .select import model_rows

__all__ = ["benchmark_tables", "lead_table", "failure_notes"]


def _size(d: pd.DataFrame, seeds: int) -> str:
    """"n = ..., S seeds" of a table's rows (n from their n column, where given; "n per column" when it
    differs between columns, whose headers then give it)."""
    n = pd.to_numeric(d["n"], errors="coerce").dropna().astype(int).unique() if "n" in d else []
    ns = "" if not len(n) else f"n = {n[0]}" if len(n) == 1 else "n per column"
    return f"{ns}{', ' if ns else ''}{seeds} seed{'s' if seeds != 1 else ''}"


def _failed_fields(failed: pd.DataFrame) -> pd.DataFrame:
    """The failed runs as rows of the field-error table: b always, s where the model has an SDE (eps > 0)."""
    f = failed[failed["coupling"].astype(str) == "independent"]
    b = f.drop_duplicates(["label", "seed"]).assign(field="b")
    s = f[f["eps"] > 0].drop_duplicates(["label", "seed"]).assign(field="s")
    return pd.concat([b, s], ignore_index=True)


def benchmark_tables(df: pd.DataFrame, truth: dict) -> List[Tuple[str, Table]]:
    """(name of the metric, table) of one benchmark's rows, the lead first (module doc)."""
    seeds = int(df["seed"].nunique())
    failed = df[df["metric"] == "train_failed"]
    out: List[Tuple[str, Table]] = []

    def add(name, title, d, better="min", column="eps", header=eps_header, digits=3, fail=failed, **kw):
        t = build_table(d, column, f"{title} ({_size(d, seeds)})", header=header, better=better, digits=digits,
                        failed=fail, n_seeds=seeds, **kw)
        if t is not None:
            out.append((name, t))

    if truth.get("is_bridge"):
        times = sorted(df.loc[df["metric"] == "bures_w2", "t"].dropna().unique())
        mid = [t for t in times if t < 1] or times
        first = mid[len(mid) // 2] if mid else None
        for t in ([first] if first is not None else []) + [t for t in times if t != first]:
            add("distance to the exact bridge",
                f"Bures-W2 between the model's marginal at t = {t:g} and the exact Schroedinger bridge's "
                f"(moment fit against exact moments; lower is better)", model_rows(df, "bures_w2", t=t))
    fields = df[df["metric"].astype(str).str.startswith("field_rel_mse_")]
    if not fields.empty:
        fields = fields.assign(field=fields["metric"].str.replace("field_rel_mse_", "", regex=False))
        add("field error against the exact oracle",
            "Field error against the exact oracle, mean |f_model − f_exact|² / mean |f_exact|² at x_t, t uniform "
            "on the window (independent coupling; 0 at the truth; lower is better)", fields, column="field", header=str,
            digits=4, fail=_failed_fields(failed), columns=[c for c in ("b", "s") if c in set(fields["field"])])
    support = bool(truth.get("support"))
    kl_title = ("Paired KL(ρ1 ‖ model) in nats, mean of r − 1 − log r with r = model/ρ1 at fresh target points "
                "(docs/theory.md §5.5): ODE likelihood at ε=0, SDE Feynman–Kac likelihood at ε>0, withheld where "
                "its effective sample size is below the threshold; se: Monte Carlo standard error; ")
    if support:   # the target has a bounded support: the control variate's mean is -(mass outside), not 0
        add("support fraction", "Fraction of samples inside the checkerboard's support (1 at the truth; higher is "
            "better)", model_rows(df, "support_fraction"), better="max")
        kl_title += ("not ranked here: on a target with bounded support it is biased low by the model's mass "
                     "outside the support (one minus the support fraction)")
    else:
        kl_title += "lower is better"
    add("paired KL", kl_title, model_rows(df, "kl", sde_sampler="sde-feynman-kac"), better=None if support else "min")
    proxy = model_rows(df, "kl", sde_sampler="sde-score")
    add("KL, score-identity proxy",
        "KL from the SDE score-identity estimator, a proxy: it is the model's likelihood only when the "
        "learned s is the score of the model's own marginals (docs/theory.md §5.2); not ranked",
        proxy[proxy["eps"] > 0], better=None)
    for metric, name in (("energy", "energy distance"), ("mmd", "MMD²")):
        add(f"two-sample test ({name})",
            f"{name[0].upper() + name[1:]} between model samples and fresh target samples (unbiased, 0 at the "
            f"truth; lower is better); 'rejects k/S': a permutation test rejects equal laws at 5% in k of S seeds",
            model_rows(df, metric), digits=4)
    floor, floor_sd = truth.get("w2_floor"), truth.get("w2_floor_sd")
    add("W2 against its floor",
        f"W2 to the target as its distance from the floor in floor standard deviations, (W2 − floor) / sd "
        f"(floor: W2 between two truth sets of the same size, mean {_num(floor)}, sd {_num(floor_sd)}); not "
        f"ranked: below 0 a model beats the truth itself, as under-dispersed models do (docs/theory.md §7.1)",
        model_rows(df, "w2_z"), better=None, digits=1)
    add("sliced W2 against its floor",
        f"Sliced W2 at large n as its distance from the floor in floor standard deviations (floor mean "
        f"{_num(truth.get('sliced_floor'))}, sd {_num(truth.get('sliced_floor_sd'))}); not ranked",
        model_rows(df, "sliced_w2_z"), better=None, digits=1)
    add("coupling W2 against its floor",
        f"Coupling W2 of (x0, x1) against the exact bridge plan, as its distance from the floor in floor standard "
        f"deviations (floor mean {_num(truth.get('coupling_floor'))}, sd {_num(truth.get('coupling_floor_sd'))}); "
        f"not ranked", model_rows(df, "w2_coupling_z"), better=None, digits=1)
    return out


def _num(v: Optional[float]) -> str:
    return "n/a" if v is None or not np.isfinite(v) else f"{v:.3f}"


def lead_table(df: pd.DataFrame, truth: dict) -> Optional[Tuple[str, Table]]:
    """The benchmark's lead: its first ranked table (benchmark_tables), or None."""
    return next(((n, t) for n, t in benchmark_tables(df, truth) if t.ranked), None)


def failure_notes(df: pd.DataFrame) -> List[str]:
    """Diverged trainings, runs with non-finite samples or log densities, and withheld values, one line each."""
    notes = []
    failed = df[df["metric"] == "train_failed"].drop_duplicates(["label", "seed"])
    if not failed.empty:
        by = failed.groupby("label", sort=False)["seed"].apply(lambda s: ", ".join(str(int(v)) for v in s))
        notes.append("Training diverged (non-finite loss), no evaluations: " +
                     "; ".join(f"{lab} (seed{'s' if ',' in seeds else ''} {seeds})" for lab, seeds in by.items()) + ".")
    bad = df[(df["metric"] == "finite_fraction") & (df["value"] < 1)]
    if not bad.empty:
        listing = bad.groupby(["label", "sampler", "eps"], sort=False)["value"].agg(["min", "count"]).reset_index()
        notes.append("Non-finite samples or log densities (smallest fraction finite, seeds affected): " + "; ".join(
            f"{r.label} {r.sampler} ε={r.eps:g}: {r.min:.3f}, {r.count}" for r in listing.itertuples()) + ".")
    if "status" in df:
        held = df[df["status"].fillna("").astype(str).str.startswith("withheld") & (df["metric"] == "kl")]
        if not held.empty:   # one clause per sampler and set of eps: the methods, with their seed counts
            per = held.groupby(["sampler", "label"], sort=False).agg(
                eps=("eps", lambda e: ", ".join(f"{v:g}" for v in sorted(set(e)))), seeds=("seed", "nunique"))
            clauses = [f"{sampler} at ε = {eps}: " + ", ".join(f"{lab} ({k} seeds)" for lab, k in zip(g.index, g["seeds"]))
                       for (sampler, eps), g in per.reset_index("sampler").groupby(["sampler", "eps"], sort=False)]
            notes.append("Withheld likelihoods (not ranked): " + "; ".join(clauses) + ".")
    return notes
