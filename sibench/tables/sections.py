"""The tables of one benchmark: W2, support fraction, KL per SDE estimator, bridge comparisons, field
errors, and notes on diverged trainings and non-finite samples."""
from __future__ import annotations

from typing import List

import pandas as pd

from .format import eps_header, summary_table
from .select import model_rows

__all__ = ["benchmark_sections"]


def benchmark_sections(df: pd.DataFrame, truth: dict) -> List[dict]:
    """The tables of one benchmark: dicts with title, cells, best, header (column formatter), or a
    dict with a note."""
    sections = []

    def add(title, d, better="min", columns="eps", header=eps_header, digits=3):
        res = summary_table(d, columns=columns, better=better, digits=digits)
        if res is not None:
            cells, _, best = res
            sections.append({"title": title, "cells": cells, "best": best, "header": header})

    floor = truth.get("w2_floor")
    add(f"W2 to the target (n = {truth.get('n')}; floor, truth vs truth: {floor:.3f})", model_rows(df, "w2"))
    add("Fraction of samples inside the checkerboard's support (higher is better)",
        model_rows(df, "support_fraction"), better="max")
    H = truth.get("entropy")
    for est in ("score", "feynman-kac"):
        d = model_rows(df, "kl", sde_sampler=f"sde-{est}")
        if not d.empty:
            add(f"KL(rho1 || model) in nats, ODE at ε=0, SDE estimator '{est}' at ε>0 "
                f"(target entropy {H:.3f} ± {truth.get('entropy_se', 0):.3f})", d)
    if truth.get("is_bridge"):
        cf = df.loc[df["metric"] == "w2_coupling", "floor"]
        add(f"Coupling W2 of (x0, x1) against the exact bridge plan (floor {cf.mean():.3f})",
            model_rows(df, "w2_coupling"))
        times = sorted(df.loc[df["metric"] == "bures_w2", "t"].dropna().unique())
        for t in times:
            add(f"Bures-W2 of the marginal at t = {t:g} against the exact bridge", model_rows(df, "bures_w2", t=t))
    fields = df[df["metric"].astype(str).str.startswith("field_rel_mse_")].copy()
    if not fields.empty:
        fields["field"] = fields["metric"].str.replace("field_rel_mse_", "", regex=False)
        add("Relative mean-square error of the learned fields against the exact oracle, "
            "E|f^ - f|^2 / E|f|^2 along the interpolant", fields, columns="field", header=lambda c: str(c), digits=4)
    failed = df[df["metric"] == "train_failed"]
    if not failed.empty:
        sections.append({"note": "Training diverged (non-finite loss), no evaluations: " +
                         ", ".join(f"{r.label} seed {r.seed}" for r in failed.itertuples())})
    bad = df[(df["metric"] == "finite_fraction") & (df["value"] < 1)]
    if not bad.empty:
        listing = bad.groupby(["label", "sampler", "eps"])["value"].mean().reset_index()
        sections.append({"note": "Runs with non-finite samples or log densities (fraction finite): " +
                         "; ".join(f"{r.label} {r.sampler} ε={r.eps:g}: {r.value:.3f}" for r in listing.itertuples())})
    return sections
