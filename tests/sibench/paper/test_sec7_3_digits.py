"""Section 7.3: a sample set that left the pixels' range is marked diverged, never reported as a measurement."""
import copy
import types

import numpy as np
import pandas as pd
import pytest
import torch

import sibench.paper.sec7_3_digits as digits
from sibench.data import split_images, load_digits_set
from sibench.paper.sec7_3_classifier import save_classifier, train_classifier
from sibench.paper.sec7_3_digits import DIVERGED_ABS, diverged_fraction, evaluate_digits_model, sample_status
from sibench.paper.sec7_3_plot import diverged_runs, write_sec7_3_figure
from sibench.paper.sec7_models import data_spec, plan_sec7, train_sec7_model

from ...workflow.tiny import ROOT


def _blown_up(n: int, k: int, d: int = 64, seed: int = 0) -> torch.Tensor:
    """n samples in [-1, 1]^d, the first k of them with one pixel grown to 1e6 (as a diverged SDE leaves them)."""
    x = torch.rand(n, d, generator=torch.Generator().manual_seed(seed)) * 2 - 1
    x[:k, 3] = 1e6
    return x


def test_diverged_fraction_counts_samples_beyond_the_bound_or_not_finite():
    x = _blown_up(100, 3)
    x[50, 0] = float("nan")
    x[60, 1] = -float("inf")
    assert diverged_fraction(x) == pytest.approx(0.05)
    assert sample_status(diverged_fraction(x), 100) == f"diverged: 5 of 100 samples not finite or beyond |x| = {DIVERGED_ABS:g}"
    clean = _blown_up(100, 0)
    clean[7, 2] = DIVERGED_ABS          # on the bound: still a sample of the range the sampler may reach
    assert diverged_fraction(clean) == 0.0 and sample_status(0.0, 100) == "ok"
    clean[7, 2] = DIVERGED_ABS * 1.001
    assert diverged_fraction(clean) == pytest.approx(0.01)


@pytest.fixture(scope="module")
def tiny_mirror(tmp_path_factory):
    """A mirror {v, eta} model and a classifier of a few steps each: the row logic only needs them to run."""
    root = tmp_path_factory.mktemp("sec7_3")
    data = data_spec({})
    model = {"key": "images/mirror/seed0", "problem": "images", "seed": 0, "data": data,
             "method": {"path": "mirror", "gamma": "brownian", "a": 1.0, "objective": "v,eta"},
             "train": {"steps": 4, "batch": 16, "hidden": 8, "depth": 1, "log_every": 2, "check_every": 2}}
    train_sec7_model(model, root / "m.pt")
    net, info = train_classifier(split_images(load_digits_set(), 0.6, 0.4, seed=0), hidden=8, steps=5, batch=16, seed=0)
    save_classifier(net, info, root / "c.pt")
    settings = {"data": data, "n": 20, "mirror_eps": [10.0], "sde": {"method": "heun", "steps": 2},
                "fd_bootstrap": 2, "show": 3}
    return root / "m.pt", root / "c.pt", settings


def test_a_blown_up_mirror_sample_set_is_marked_diverged_without_metrics(tiny_mirror, monkeypatch, tmp_path):
    checkpoint, classifier, settings = tiny_mirror
    # the sampler's result replaced by 20 samples of which 3 blew up: the row must carry the reason, no FD
    monkeypatch.setattr(digits, "sample_sde", lambda *a, **k: types.SimpleNamespace(x=_blown_up(20, 3), nfe=4))
    rows, shown = evaluate_digits_model(checkpoint, classifier, "mirror", settings)
    real, sde = rows
    assert real["status"] == "ok" and np.isfinite(real["fd"])
    assert sde["sampler"] == "sde" and sde["diverged_fraction"] == pytest.approx(0.15)
    assert sde["status"] == f"diverged: 3 of 20 samples not finite or beyond |x| = {DIVERGED_ABS:g}"
    for metric in ("fd", "fd_boot_sd", "nn_median", "class_tv", "start_l1_median", "class_changed"):
        assert metric not in sde
    # the figure's table: the diverged run is named for the figure (no bar, 'diverged'), the CSV keeps the reason
    frame = pd.DataFrame(rows)
    assert diverged_runs(frame) == {("mirror", "sde_eps10")}
    frame.to_csv(tmp_path / "m.csv", index=False)
    np.savez(tmp_path / "m.npz", **shown)
    write_sec7_3_figure([tmp_path / "m.csv"], [tmp_path / "m.npz"], ["mirror"], [1, 8, 8], tmp_path / "f.png",
                        tmp_path / "f.csv")
    table = pd.read_csv(tmp_path / "f.csv")
    assert (tmp_path / "f.png").stat().st_size > 0
    assert table["status"].tolist() == ["ok", sde["status"]] and np.isnan(table["fd"].iloc[1])


def test_samples_in_range_are_measured(tiny_mirror, monkeypatch):
    checkpoint, classifier, settings = tiny_mirror
    monkeypatch.setattr(digits, "sample_sde", lambda *a, **k: types.SimpleNamespace(x=_blown_up(20, 0), nfe=4))
    sde = evaluate_digits_model(checkpoint, classifier, "mirror", settings)[0][1]
    assert sde["status"] == "ok" and sde["diverged_fraction"] == 0.0
    assert np.isfinite(sde["fd"]) and np.isfinite(sde["class_changed"])


def test_a_model_s_own_train_entries_override_the_section_s_for_that_model_only():
    import yaml
    cfg = yaml.safe_load((ROOT / "config" / "quick.yaml").read_text())
    section = cfg["paper_figures"]["sec7_3_digits"]
    before = plan_sec7(cfg)["digits"]
    section["models"][1]["train"] = {"steps": 400, "lr_every": 150}          # the mirror entry
    after = plan_sec7(cfg)["digits"]
    assert after["mirror {v,eta}"]["train"] == {**section["train"], "steps": 400, "lr_every": 150}
    assert after["one-sided linear {b,s}"] == before["one-sided linear {b,s}"]   # not retrained
    bad = copy.deepcopy(cfg)
    bad["paper_figures"]["sec7_3_digits"]["models"][1]["train"] = {"stepz": 3}
    with pytest.raises(ValueError, match="stepz"):
        plan_sec7(bad)
