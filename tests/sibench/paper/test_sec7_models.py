"""sibench.paper.sec7_models: the models of the section 7 targets planned from a config, and bad sections refused."""
import copy

import pytest
import yaml

from sibench.paper.sec7_models import plan_sec7, problem_densities, train_sec7_model

from ...workflow.tiny import ROOT

QUICK = yaml.safe_load((ROOT / "config" / "quick.yaml").read_text())


def test_plan_of_the_quick_config():
    p = plan_sec7(QUICK)
    assert set(p["checkerboard"]) == {"0", "sqrt(t(1-t))"}
    assert p["checkerboard"]["0"]["key"] == "checkerboard/one-sided-linear_zero_a1_vs/seed0"
    assert p["checkerboard"]["0"]["checkpoint"] == "results/quick/paper/sec7/models/checkerboard/" \
                                                   "one-sided-linear_zero_a1_vs/seed0.pt"
    assert sorted(k[0] for k in p["gmm128"]) == ["b,eta", "b,s", "v,eta", "v,s"]
    assert all(m["dim"] == 128 for m in p["gmm128"].values())
    rect = p["rectify"]["rectified"]
    assert rect["method"]["objective"] == "b" and rect["method"]["path"] == "one-sided-linear"
    assert rect["train"]["antithetic"] is False          # (-x0, X_1(x0)) is not a pair of the coupling
    assert rect["rectify"]["source_checkpoint"] == p["checkerboard"]["0"]["checkpoint"]
    assert len(p["train"]) == 2 + 4 + 2 + 1
    assert p["digits"]["mirror {v,eta}"]["data"]["folder"] is None


def test_bad_sections_are_refused():
    cfg = copy.deepcopy(QUICK)
    cfg["paper_figures"]["sec5_3_rectify"]["source"] = "1/2"
    with pytest.raises(ValueError, match="not a gamma label"):
        plan_sec7(cfg)
    cfg = copy.deepcopy(QUICK)
    cfg["paper_figures"]["sec7_2_gmm128"]["train"]["stepz"] = 3
    with pytest.raises(ValueError, match="stepz"):
        plan_sec7(cfg)
    cfg = copy.deepcopy(QUICK)
    cfg["paper_figures"]["sec5_3_rectify"]["train"]["antithetic"] = True
    with pytest.raises(ValueError, match="antithetic"):
        plan_sec7(cfg)
    cfg = copy.deepcopy(QUICK)
    cfg["paper_figures"]["sec7_1_checkerboard"]["train"]["seed"] = 3
    with pytest.raises(ValueError, match="set by the workflow"):
        plan_sec7(cfg)
    cfg = copy.deepcopy(QUICK)
    cfg["paper_figures"]["sec7_1_checkerboard"]["enabled"] = False
    cfg["paper_figures"]["sec5_3_rectify"]["enabled"] = False
    assert not plan_sec7(cfg)["checkerboard"] and not plan_sec7(cfg)["rectify"]
    cfg["paper_figures"]["sec5_3_rectify"]["enabled"] = True
    with pytest.raises(ValueError, match="not a gamma label"):    # the rectification needs its source
        plan_sec7(cfg)


def test_densities_of_each_problem():
    p = plan_sec7(QUICK)
    rho0, rho1 = problem_densities(p["digits"]["mirror {v,eta}"])
    assert rho0 is rho1 and rho1.dim == 64
    rho0, rho1 = problem_densities(p["digits"]["one-sided linear {b,s}"])
    assert rho0.gmm.is_standard_normal() and rho1.dim == 64
    rho0, rho1 = problem_densities(next(iter(p["gmm128"].values())))
    assert rho0.dim == rho1.dim == 128 and rho1.gmm.n_components == 5


def test_rectified_model_trains_on_its_source_flow_map(tmp_path):
    cfg = copy.deepcopy(QUICK)
    cfg["paper_figures"]["sec7_1_checkerboard"]["train"] = {"steps": 5, "batch": 16, "hidden": 8, "depth": 1}
    cfg["paper_figures"]["sec5_3_rectify"].update(pool=64, train={"steps": 5, "batch": 16, "hidden": 8, "depth": 1})
    p = plan_sec7(cfg)
    src = dict(p["rectify"]["source"], checkpoint=str(tmp_path / "src.pt"))
    train_sec7_model(src, src["checkpoint"], device="cpu")
    rect = copy.deepcopy(p["rectify"]["rectified"])
    rect["rectify"]["source_checkpoint"] = src["checkpoint"]
    train_sec7_model(rect, tmp_path / "rect.pt", device="cpu")
    import json
    spec = json.loads((tmp_path / "rect.json").read_text())
    assert spec["coupling"] == "flow-map-pool" and spec["objective"] == "b"
    assert spec["sec7"]["rectify"]["pool"] == 64
