"""Which metric detects which defect, and which orders the covariance defects (docs/theory.md §7.8),
from the long rows of sibench.power.scores; the metric-power table.

    detects   the median over seeds of the per-seed one-sided p-value (sibench.power.scores) is below
              alpha (0.05): with S seeds, at least half of them reject "this model is the truth" at
              level alpha. With one seed it is that seed's test. The truth's own column is the false alarm.
    orders    the seed mean of the effect (oriented so that larger is further from the truth) is
              strictly increasing along truth < cov-0.9 < cov-0.8 < cov-0.6.

The table: one row per (benchmark, metric), lead metrics (sibench.power.scores.lead_metrics) first and
marked, one column per defect with "yes" / "no" and the seed-mean effect, and the ordering column.
"""
from __future__ import annotations

import math
from typing import Dict, List, Sequence

import pandas as pd

from .defects import COV_ORDER, DEFECTS
from .scores import METRICS

__all__ = ["detections", "orderings", "power_table", "format_effect", "table_markdown", "table_html",
           "EFFECT_UNITS"]

EFFECT_UNITS = {"w2": "z vs floor", "sliced_w2": "z vs floor", "energy": "z vs permutation null",
                "mmd": "z vs permutation null", "paired_kl": "nats", "field_rel_mse_b": "relative MSE",
                "field_rel_mse_s": "relative MSE", "support_fraction": "1 - fraction"}


def detections(rows: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Per (benchmark, metric, defect): seeds, seed-mean and sd of the effect, median p, detected."""
    g = rows.groupby(["benchmark", "metric", "defect"], sort=False)
    out = g.agg(seeds=("seed", "nunique"), effect=("effect", "mean"), effect_sd=("effect", "std"),
                median_p=("pvalue", "median"), n=("n", "first")).reset_index()
    out["detected"] = out["median_p"] < alpha
    return out


def orderings(det: pd.DataFrame) -> pd.DataFrame:
    """Per (benchmark, metric): whether the seed-mean effect increases strictly along COV_ORDER."""
    out = []
    for (b, m), d in det.groupby(["benchmark", "metric"], sort=False):
        e = d.set_index("defect")["effect"]
        ok = all(x in e.index for x in COV_ORDER) and all(
            math.isfinite(e[x]) for x in COV_ORDER) and all(e[x] < e[y] for x, y in zip(COV_ORDER, COV_ORDER[1:]))
        out.append({"benchmark": b, "metric": m, "orders": bool(ok)})
    return pd.DataFrame(out, columns=["benchmark", "metric", "orders"])


def format_effect(v: float) -> str:
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.3g}"


def power_table(rows: pd.DataFrame, leads: Dict[str, Sequence[str]], alpha: float = 0.05) -> pd.DataFrame:
    """The metric-power table (module doc) as a DataFrame of strings."""
    det = detections(rows, alpha)
    order = orderings(det).set_index(["benchmark", "metric"])["orders"]
    defects = [d.name for d in DEFECTS]
    records: List[dict] = []
    for b in dict.fromkeys(rows["benchmark"]):
        lead = list(leads.get(b, []))
        present = list(dict.fromkeys(det.loc[det["benchmark"] == b, "metric"]))
        for m in lead + [m for m in METRICS if m in present and m not in lead]:
            if m not in present:
                continue
            d = det[(det["benchmark"] == b) & (det["metric"] == m)].set_index("defect")
            rec = {"benchmark": b, "metric": m + (" (lead)" if m in lead else ""), "effect": EFFECT_UNITS.get(m, ""),
                   "n": int(d["n"].iloc[0]), "seeds": int(d["seeds"].max())}
            for name in defects:
                rec[name] = (("yes " if d.loc[name, "detected"] else "no ") + format_effect(d.loc[name, "effect"])
                             if name in d.index else "n/a")
            rec["orders 0.9 < 0.8 < 0.6"] = "yes" if order.get((b, m), False) else "no"
            records.append(rec)
    return pd.DataFrame(records)


def _intro(alpha: float) -> str:
    return (f"Cells: detected at {alpha:g} (median over seeds of the per-seed one-sided p-value below {alpha:g}) "
            "and the seed-mean effect in the unit of the `effect` column; the `truth` column is the false "
            "alarm. Ordering: the seed-mean effect increases along truth < cov-0.9 < cov-0.8 < cov-0.6. "
            "Lead metrics first. docs/theory.md §7.8; sibench.power.")


def table_markdown(table: pd.DataFrame, alpha: float = 0.05) -> str:
    return "# Metric power: injected defects of each target\n\n" + _intro(alpha) + "\n\n" + \
        table.to_markdown(index=False) + "\n"


def table_html(table: pd.DataFrame, alpha: float = 0.05) -> str:
    return ("<html><head><meta charset='utf-8'><title>Metric power</title></head><body>\n"
            "<h1>Metric power: injected defects of each target</h1>\n<p>" + _intro(alpha) + "</p>\n"
            + table.to_html(index=False, border=1) + "\n</body></html>\n")
