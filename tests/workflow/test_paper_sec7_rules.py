"""Section 7 in the DAG (workflow/rules/paper_sec7.smk): the quick config's sections plan every rule once per
model, none without them, and the rectification target runs end to end at a tiny size."""
from __future__ import annotations

import copy

import pandas as pd
import yaml

from .tiny import ROOT, TINY, snakemake

QUICK_SEC7 = {k: v for k, v in yaml.safe_load((ROOT / "config" / "quick.yaml").read_text())["paper_figures"].items()
              if k.startswith(("sec7_", "sec5_"))}
FIGURES = ["sec7_1_checkerboard.png", "sec7_2_gmm128.png", "sec7_3_digits.png", "sec5_3_rectify.png"]


def test_sec7_rules_in_the_dag(tmp_path):
    cfg = copy.deepcopy(TINY)
    cfg["paper_figures"] = copy.deepcopy(QUICK_SEC7)
    res = snakemake(tmp_path, cfg, "-n", *[f"report/tiny/figures/paper/{f}" for f in FIGURES])
    assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    counts = {rule: res.stdout.count(f"rule {rule}:") for rule in
              ("sec7_train", "sec7_1_evaluate", "sec7_2_evaluate", "sec7_3_classifier", "sec7_3_evaluate",
               "sec7_1_figure", "sec7_2_figure", "sec7_3_figure", "sec5_3_rectify")}
    # 2 checkerboard gammas + 4 objectives + 2 image models + the rectified model; one evaluation per model
    assert counts == {"sec7_train": 9, "sec7_1_evaluate": 2, "sec7_2_evaluate": 4, "sec7_3_classifier": 1,
                      "sec7_3_evaluate": 2, "sec7_1_figure": 1, "sec7_2_figure": 1, "sec7_3_figure": 1,
                      "sec5_3_rectify": 1}, counts
    # without the sections (the bare TINY config) no section 7 rule is planned, even by `all`
    bare = tmp_path / "bare"
    bare.mkdir()
    res = snakemake(bare, TINY, "-n")
    assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    assert "rule sec7_" not in res.stdout and "rule sec5_3" not in res.stdout


def test_rectification_runs_end_to_end(tmp_path):
    tiny_train = {"steps": 20, "batch": 32, "hidden": 8, "depth": 1}
    cfg = copy.deepcopy(TINY)
    cb = copy.deepcopy(QUICK_SEC7["sec7_1_checkerboard"])
    cb["gammas"] = cb["gammas"][:1]
    rect = dict(QUICK_SEC7["sec5_3_rectify"], pool=200, n=60, steps=[1, 4], permutations=5, train=tiny_train)
    cfg["paper_figures"] = {"sec7_1_checkerboard": dict(cb, train=tiny_train), "sec5_3_rectify": rect}
    res = snakemake(tmp_path, cfg, "report/tiny/figures/paper/sec5_3_rectify.png", timeout=900)
    assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    table = pd.read_csv(tmp_path / "report/tiny/figures/paper/sec5_3_rectify.csv")
    assert list(table["model"]) == ["source", "rectified", "rectified vs source"]
    assert (tmp_path / "results/tiny/benchmarks/paper/sec7/sec5_3_rectify.tsv").is_file()
