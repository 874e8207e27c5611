"""Stage aggregate: every evaluation's rows as results/metrics.csv, every checkpoint's losses as
results/training.csv, and Snakemake's per-job benchmark files as results/benchmarks.csv."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..io import write_csv
from .rows import COLUMNS

__all__ = ["aggregate", "merge_benchmarks"]


def aggregate(row_files: Iterable, model_specs: Iterable, out_metrics, out_training) -> None:
    """Concatenate every evaluation's rows into the tidy table, and every checkpoint's recorded
    losses into results/training.csv (benchmark, method, seed, step, loss and per-field losses)."""
    frames = [pd.read_csv(f) for f in row_files]
    frames = [f for f in frames if len(f)]
    metrics_frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    for col in ("seed", "steps", "nfe", "n"):
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
