"""The models of figures 3 and 4 (sibench.paper.models): the sweep's checkpoints are reused exactly when the
sweep trains the same model; the bridge models of figure 5 (sibench.paper.fig5_bridge)."""
from __future__ import annotations

import copy

from sibench.config import plan
from sibench.paper import models as P
from sibench.paper.fig5_bridge import bridge_evaluations

from .base_config import BASE


def test_plan_models_reuses_exactly_the_sweep_models():
    models = P.plan_models(BASE, plan(BASE))
    cb = models["checkerboard"]
    assert cb[0].reused and cb[0].checkpoint == "results/t/models/gauss-checkerboard/osl-bs/seed0.pt"
    assert not cb[1].reused and cb[1].checkpoint.startswith("results/t/paper/models/gauss-checkerboard/")
    lk = models["likelihood"]
    assert list(lk) == ["hd-mixture-d4", "hd-mixture-d16"]
    assert lk["hd-mixture-d16"]["well"].checkpoint == "results/t/models/hd-mixture-d16/linear-vs/seed0.pt"
    assert not lk["hd-mixture-d4"]["well"].reused and not lk["hd-mixture-d16"]["short"].reused
    assert lk["hd-mixture-d16"]["short"].spec.train.steps == 10
    assert lk["hd-mixture-d16"]["short"].spec.train.batch == 64  # otherwise the sweep's settings
    assert set(models["train"]) == {cb[1].key} | {m.key for d in lk.values() for m in d.values() if not m.reused}
    # a training override, or reuse: false, trains the figure's own model
    cfg = copy.deepcopy(BASE)
    cfg["paper_figures"]["checkerboard"]["train"] = {"steps": 7}
    cfg["paper_figures"]["likelihood"]["reuse"] = False
    models = P.plan_models(cfg, plan(cfg))
    assert not any(m.reused for m in models["checkerboard"])
    assert not any(m.reused for d in models["likelihood"].values() for m in d.values())
    assert models["checkerboard"][0].spec.train.steps == 7
    # no paper_figures: nothing
    cfg.pop("paper_figures")
    assert P.plan_models(cfg, plan(cfg)) == {"checkerboard": [], "likelihood": {}, "train": {}}


def test_bridge_evaluations_find_the_bridge_models_of_the_sweep():
    evals = bridge_evaluations(BASE, plan(BASE), "sb-gauss-d2-s1")
    assert evals == ["results/t/evaluations/sb-gauss-d2-s1/sb-bs/seed0.csv"]  # fm-b has no gamma and no score
    assert bridge_evaluations(BASE, plan(BASE), "sb-gauss-d16-s1") == []


def test_a_figure_training_override_is_checked_where_it_is_set():
    import pytest
    from sibench.config import ConfigError
    cfg = copy.deepcopy(BASE)
    cfg["paper_figures"]["checkerboard"]["train"] = {"t_min": 0.9, "t_max": 0.1}
    with pytest.raises(ConfigError, match="paper_figures.checkerboard.train"):
        P.plan_models(cfg, plan(cfg))
    cfg["paper_figures"]["checkerboard"]["train"] = {"stepz": 3}
    with pytest.raises(ValueError, match="stepz"):
        P.plan_models(cfg, plan(cfg))
