"""Cost of the section 7 targets (docs/paper.md): reads the Snakemake benchmark files of a config's section 7
jobs (results/<name>/benchmarks/paper/sec7/) and prints, per job and per target, the CPU seconds (process
time: what the job costs, whatever else the machine runs), the wall seconds and the mean load of the job.
Not a test.

Run: python benchmarks/sec7_costs.py [--name default]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

TARGETS = {"checkerboard": "7.1", "gmm128": "7.2", "images": "7.3", "digits": "7.3", "rectified": "5.3",
           "sec7_1_figure": "7.1", "sec7_2_figure": "7.2", "sec7_3_figure": "7.3", "sec5_3_rectify": "5.3"}


def target_of(rel: Path) -> str:
    parts = rel.with_suffix("").parts
    key = parts[1] if parts[0] == "train" else parts[0]
    return TARGETS.get(key, "?")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default="default")
    args = ap.parse_args()
    root = Path("results") / args.name / "benchmarks/paper/sec7"
    rows = []
    for f in sorted(root.rglob("*.tsv")):
        b = pd.read_csv(f, sep="\t").iloc[-1]
        rel = f.relative_to(root)
        rows.append({"job": str(rel.with_suffix("")), "target": target_of(rel), "cpu_s": float(b["cpu_time"]),
                     "wall_s": float(b["s"]), "mean_load": float(b["mean_load"]), "max_rss_mb": float(b["max_rss"])})
    if not rows:
        raise SystemExit(f"no benchmark files under {root}")
    t = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(t.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    print()
    s = t.groupby("target")[["cpu_s", "wall_s"]].sum()
    s.loc["total"] = s.sum()
    print(s.to_string(float_format=lambda v: f"{v:.1f}"))


if __name__ == "__main__":
    main()
