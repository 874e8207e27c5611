"""Stage power: the metrics' power on one benchmark (results/<name>/power/<benchmark>.csv, long format),
and the aggregated table (report/<name>/tables/metric_power.{md,html}); docs/theory.md §7.8.

The truth and the injected defects of the benchmark's target (sibench.power.defects) are scored by
every metric (sibench.power.scores) at the config's n and seeds. Inputs: the config's settings (a
sibench.power.PowerSpec) and the benchmark's truth files (the reference set x1_ref the models' W2 and
two-sample tests are computed against, and the W2 floor draws).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from ..io import write_csv, write_text
from ..pairs import get_benchmark
from ..power import PowerSpec, lead_metrics, score_benchmark
from ..power.summary import power_table, table_html, table_markdown

__all__ = ["POWER_COLUMNS", "run_power", "write_power_table"]

POWER_COLUMNS = ["benchmark", "defect", "kind", "param", "seed", "metric", "value", "effect", "pvalue", "n"]


def run_power(spec: PowerSpec, truth_npz, truth_json, out_csv) -> pd.DataFrame:
    """Score the truth and every defect of spec.benchmark at every seed; write the long CSV."""
    truth = json.loads(Path(truth_json).read_text())
    ref = np.load(truth_npz)["x1_ref"]
    if ref.shape[0] != spec.n:
        raise ValueError(f"{spec.benchmark}: the truth's reference set has {ref.shape[0]} points, the power "
                         f"spec expects sampling.n = {spec.n}; rerun the truth stage")
    rows = score_benchmark(spec, get_benchmark(spec.benchmark), ref, truth["w2_floor_values"],
                           log=lambda s: print(s, flush=True))
    frame = pd.DataFrame(rows, columns=POWER_COLUMNS)
    write_csv(out_csv, frame)
    return frame


def write_power_table(csvs: Sequence, out_md, out_html, alpha: float = 0.05) -> pd.DataFrame:
    """The metric-power table of every benchmark's power CSV (sibench.power.summary)."""
    rows = pd.concat([pd.read_csv(p) for p in csvs], ignore_index=True)
    leads = {b: lead_metrics(get_benchmark(b)) for b in dict.fromkeys(rows["benchmark"])}
    table = power_table(rows, leads, alpha)
    write_text(out_md, table_markdown(table, alpha))
    write_text(out_html, table_html(table, alpha))
    return table
