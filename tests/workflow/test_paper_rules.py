"""The paper's figures in the DAG (workflow/rules/paper.smk): every configured figure rule is planned, the
sweep's models are not trained twice, each figure rule has its own code version."""
from __future__ import annotations

import copy
import subprocess
import sys

import yaml

from sibench.paper import FIGURE_MODULES, code_version
from sibench.versioning import closure

from ..sibench.paper.base_config import BASE
from .tiny import ROOT


def test_paper_figures_in_the_dag(tmp_path):
    """A dry run plans every figure rule (models the sweep trains are not trained twice); a config without
    paper_figures plans none of them."""
    def dry(cfg):
        (tmp_path / "c.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
        res = subprocess.run([sys.executable, "-m", "snakemake", "-n", "-s", str(ROOT / "Snakefile"), "--directory",
                              str(tmp_path), "--configfile", str(tmp_path / "c.yaml"), "--cores", "1"],
                             capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
        return res.stdout
    out = dry(BASE)
    for rule in ("paper_fig1_density", "paper_fig3_checkerboard", "paper_fig4_kl", "paper_fig4_likelihood",
                 "paper_fig5_bridge"):
        assert f"\nrule {rule}:" in out or f"\nlocalrule {rule}:" in out, rule
    assert "paper_fig2_trajectories" not in out  # not configured
    # d4 well + d4 short + d16 short + the {b,eta} panel; osl-bs and linear-vs (d16) come from the sweep
    assert out.count("\nrule paper_train:") == 4
    cfg = copy.deepcopy(BASE)
    cfg.pop("paper_figures")
    assert "rule paper_" not in dry(cfg)


def test_shipped_configs_enable_every_figure():
    for name in ("quick", "default", "paper"):
        cfg = yaml.safe_load((ROOT / "config" / f"{name}.yaml").read_text())
        pf = cfg.get("paper_figures")
        assert pf is not None, name
        assert set(pf) == {"density", "trajectories", "checkerboard", "likelihood", "bridge", "sec7_1_checkerboard",
                           "sec7_2_gmm128", "sec7_3_digits", "sec5_3_rectify"}, name
        assert all(v.get("enabled", True) for v in pf.values()), name


def test_code_versions_of_the_figure_rules():
    """One version per figure rule, stable; the rules of one figure share its computation's code."""
    v = {rule: code_version(rule) for rule in FIGURE_MODULES}
    assert all(len(x) == 16 for x in v.values()) and v == {rule: code_version(rule) for rule in FIGURE_MODULES}
    assert len(set(v.values())) == len(v)
    assert "sibench.paper.fig4_likelihood" in closure(FIGURE_MODULES["paper_fig4_likelihood"])
    assert "sibench.paper.fig1_density" not in closure(FIGURE_MODULES["paper_fig5_bridge"])
