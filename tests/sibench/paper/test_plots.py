"""The paper's plots: every figure function writes a PNG from its table; a diverged training is reported,
not a crash."""
from __future__ import annotations

import math

import pandas as pd

from sibench.paper import fig1_density as F1, fig2_trajectories as F2, fig3_checkerboard as F3, fig4_likelihood as F4, \
    fig4_plot as F4P, fig5_bridge as F5, fig5_plot as F5P


# ----------------------------------------------------------------------------------------
# plots: every figure function writes a PNG from its table
# ----------------------------------------------------------------------------------------
def test_plots_write_pngs(tmp_path):
    df = F1.density_evolution(n=101, times=(0, 0.5, 1))
    F1.plot_density_evolution(df, tmp_path / "1.png")
    F2.plot_trajectories(F2.trajectories(steps=20, n=200, show=3, grid_t=11, grid_x=41), tmp_path / "2.png")
    samples = pd.DataFrame({"panel": [0] * 4, "label": "a", "sampler": ["ode-heun"] * 2 + ["sde-em"] * 2,
                            "eps": [0, 0, 0.5, 0.5], "x": [0.0, 1, 2, 3], "y": [0.0, 1, 2, 3]})
    summary = pd.DataFrame({"panel": [0, 0], "label": "a", "sampler": ["ode-heun", "sde-em"], "eps": [0, 0.5],
                            "support_fraction": [0.5, 0.6]})
    F3.plot_checkerboard(samples, summary, tmp_path / "3.png")
    lk = pd.DataFrame([{"benchmark": "b", "dim": 4, "level": "well-trained", "estimator": "ode", "eps": 0.0, "kl": 0.5,
                        "stderr": 0.1, "diff": 0.0, "diff_se": 0.0},
                       {"benchmark": "b", "dim": 4, "level": "well-trained", "estimator": "sde-score", "eps": 1.0,
                        "kl": 0.4, "stderr": 0.1, "diff": -0.1, "diff_se": 0.05},
                       {"benchmark": "b", "dim": 4, "level": "well-trained", "estimator": "girsanov-bound", "eps": 1.0,
                        "kl": 0.3, "stderr": 0.01, "diff": -0.2, "diff_se": None}])
    F4P.plot_likelihood(lk, F4.likelihood_verdict(lk), tmp_path / "4.png")
    r = F5.bridge_marginals(n_times=3, n=200, batch=100, show_times=(0.5,), show=50)
    F5P.plot_bridge(r["curves"], r["samples"], r["info"], tmp_path / "5.png", ellipses=r["ellipses"],
                   learned=pd.DataFrame({"label": ["m"], "coupling": ["entropic"], "t": [0.5], "bures_w2": [0.1],
                                         "eps": [0.5]}))
    for i in range(1, 6):
        assert (tmp_path / f"{i}.png").stat().st_size > 10_000, i
    assert math.isfinite(float(lk["kl"].sum()))


def test_a_diverged_training_is_reported_not_a_crash(tmp_path):
    """sibench.stages.train.train_run records a diverged training as an empty checkpoint and a JSON with 'failed':
    figure 3 marks the panel, figure 4's verdict skips the dimension."""
    import json
    ckpt = tmp_path / "m.pt"
    ckpt.write_bytes(b"")
    ckpt.with_suffix(".json").write_text(json.dumps({"failed": "non-finite loss", "losses": []}))
    panel = {"benchmark": "gauss-checkerboard", "path": "one-sided-linear", "objective": "b,s"}
    r = F3.checkerboard_samples([panel], [str(ckpt)], n=10)
    assert r["samples"].empty and r["summary"]["train_failed"].iloc[0] == "non-finite loss"
    F3.plot_checkerboard(r["samples"], r["summary"], tmp_path / "3.png")
    df = F4.likelihood_control_run("hd-mixture-d4", ckpt, ckpt, eps=[1.0])
    assert df.to_dict("records") == [{"benchmark": "hd-mixture-d4", "dim": 4, "level": None,
                                      "estimator": "train_failed",
                                      "note": "well: non-finite loss; short: non-finite loss"}]
    v = F4.likelihood_verdict(df)
    assert v.empty
    F4P.plot_likelihood(df, v, tmp_path / "4.png")
    assert (tmp_path / "3.png").exists() and (tmp_path / "4.png").exists()
