"""The paper's figures (issue 6): the computations of si.paper, their plots, and their place in the DAG.

The two checks the issue asks for:
  * figure 1: every plotted rho_t integrates to 1 on the plotted grid (trapezoid rule, within 1e-6);
  * figure 2: for every eps, the final points of the ODE / SDE paths pass the one-sample Kolmogorov-Smirnov
    test against the exact CDF of rho_1 at level 0.001, and the total-variation distance of their histogram
    to rho_1 is within 1.5 times its sampling floor.
"""
from __future__ import annotations

import copy
import math
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch
import yaml

from sibench import paper as P
from sibench.pairs import get_benchmark
from si.interpolants import Interpolant
from si.training import TrainConfig, train

torch.set_num_threads(1)
ROOT = Path(__file__).resolve().parents[2]
F64 = torch.float64


# ----------------------------------------------------------------------------------------
# figure 1
# ----------------------------------------------------------------------------------------
def test_density_evolution_integrates_to_one_and_has_the_right_endpoints():
    df = P.density_evolution(n=801)
    masses = P.density_masses(df)
    assert len(masses) == 5 * 5
    assert (masses["mass"] - 1).abs().max() < 1e-6, masses
    variants = list(dict.fromkeys(df["variant"]))
    # gamma = 0 and gamma > 0 for linear and trig; encoding-decoding only with its own sin^2 gamma
    assert [v.split(",")[0] for v in variants] == ["linear", "linear", "trig", "trig", "encoding-decoding"]
    assert set(df[df.path == "encoding-decoding"]["gamma"]) == {"sinesquared"}
    pair = get_benchmark("gmm-1d")
    for t, rho in ((0.0, pair.rho0), (1.0, pair.rho1)):
        for _, g in df[df.t == t].groupby("variant"):
            exact = rho.log_prob(torch.tensor(g["x"].to_numpy())[:, None].double()).exp().numpy()
            np.testing.assert_allclose(g["density"], exact, atol=1e-12)
    # gamma > 0 widens the middle: the peak of rho_1/2 is lower than without gamma
    mid = df[df.t == 0.5].groupby("variant")["density"].max()
    assert mid["linear, gamma = sqrt(t(1-t))"] < mid["linear, gamma = 0"]


def test_density_variants_reject_paths_without_a_two_sided_density():
    with pytest.raises(ValueError, match="one-sided"):
        P.density_variants(["one-sided-linear"])
    with pytest.raises(ValueError, match="unknown path"):
        P.density_variants(["quadratic"])


# ----------------------------------------------------------------------------------------
# figure 2
# ----------------------------------------------------------------------------------------
def test_trajectories_reach_rho1_for_every_eps():
    r = P.trajectories(eps=(0.0, 0.5, 5.0), steps=200, n=3000, show=5)
    s = r["summary"].set_index("eps")
    assert list(s.index) == [0.0, 0.5, 5.0]
    assert (s["finite_fraction"] == 1).all()
    assert (s["ks"] < s["ks_critical"]).all(), s[["ks", "ks_critical"]]
    assert (s["tv"] < 1.5 * s["tv_floor"]).all(), s[["tv", "tv_floor"]]
    assert s.loc[0.0, "nfe"] == 400 and s.loc[5.0, "nfe"] == 201  # heun: 2 per step; EM: 1 per step + ODE step
    # the plotted paths start at the same x0 for every eps, and the SDE paths differ from the ODE's
    p = r["paths"]
    first = p[p.t == p.groupby("eps")["t"].transform("min")]  # t = 0 for the ODE, the window's start for the SDE
    x_start = first.pivot(index="path", columns="eps", values="x")
    assert np.allclose(x_start[0.0], x_start[5.0])
    x_end = p[p.t == 1].pivot(index="path", columns="eps", values="x")
    assert not np.allclose(x_end[0.0], x_end[5.0])
    # the background is the exact density: each time slice integrates to 1
    d = r["density"]
    for t in (0.0, 0.5, 1.0):
        g = d[np.isclose(d.t, t)].sort_values("x")
        assert abs(np.trapezoid(g["density"], g["x"]) - 1) < 1e-6


def test_the_terminal_test_has_power():
    """The KS test of figure 2 rejects samples of the wrong density (rho_0, or rho_1 shifted by 0.2)."""
    pair = get_benchmark("gmm-1d")
    g = torch.Generator().manual_seed(0)
    cdf = lambda x: P.mixture_cdf(pair.rho1.gmm, x)  # noqa: E731
    n = 3000
    x1 = pair.rho1.sample(n, generator=g).double()
    assert P.ks_distance(x1, cdf) < P.ks_critical(n)
    assert P.ks_distance(pair.rho0.sample(n, generator=g).double(), cdf) > 5 * P.ks_critical(n)
    assert P.ks_distance(x1 + 0.2, cdf) > P.ks_critical(n)


def test_mixture_cdf_matches_the_density():
    gmm = get_benchmark("gmm-1d").rho1.gmm
    x = torch.linspace(-10, 10, 20001, dtype=F64)
    F = P.mixture_cdf(gmm, x)
    dens = gmm.log_prob(x[:, None]).exp()
    num = torch.cumulative_trapezoid(dens, x) + F[0]
    assert float((num - F[1:]).abs().max()) < 1e-6
    assert abs(float(F[-1]) - 1) < 1e-9


# ----------------------------------------------------------------------------------------
# figure 4: bound, hybrid model, the likelihood table
# ----------------------------------------------------------------------------------------
def _tiny(pair, objective="v,s", steps=30, seed=0):
    cfg = TrainConfig(steps=steps, batch=64, hidden=16, depth=2, lr_every=1000, log_every=10 ** 6, threads=1, seed=seed)
    return train(Interpolant("linear", "brownian"), objective, pair.rho0, pair.rho1, cfg)


def test_girsanov_bound_is_zero_for_exact_fields_and_matches_its_formula():
    pair = get_benchmark("hd-mixture-d2")
    interp = Interpolant("linear", "brownian")
    oracle = pair.oracle(interp)
    exact = SimpleNamespace(interpolant=interp, nets=torch.nn.Linear(1, 1).double(), b=oracle.b, s=oracle.s)
    errs = P.field_errors(exact, P.exact_fields(oracle, pair.rho0, pair.rho1, 500, torch.Generator().manual_seed(0)))
    for eps in (0.1, 1.0):
        assert P.girsanov_bound(errs, eps)[0] < 1e-20
    wrong = SimpleNamespace(interpolant=interp, nets=exact.nets, b=lambda t, x: oracle.b(t, x) + 1.0,
                            s=lambda t, x: oracle.s(t, x) - 0.5)
    errs = P.field_errors(wrong, P.exact_fields(oracle, pair.rho0, pair.rho1, 500, torch.Generator().manual_seed(0)))
    d = pair.dim
    for eps in (0.1, 1.0, 4.0):  # |db + eps ds|^2 = d (1 - eps/2)^2, so the bound is d (1 - eps/2)^2 / (4 eps)
        bound, se = P.girsanov_bound(errs, eps)
        assert bound == pytest.approx(d * (1 - eps / 2) ** 2 / (4 * eps), rel=1e-9) and se < 1e-9


def test_hybrid_model_takes_the_velocity_of_one_model_and_the_score_of_the_other():
    pair = get_benchmark("hd-mixture-d2")
    short, well = _tiny(pair, steps=5, seed=1), _tiny(pair, steps=40, seed=0)
    hyb = P.hybrid_model(short, well)
    t = torch.full((7,), 0.3)
    x = torch.randn(7, 2)
    with torch.no_grad():
        assert torch.equal(hyb.s(t, x), well.s(t, x))
        gg = well.interpolant.gamma_dgamma(t)[:, None]
        assert torch.allclose(hyb.b(t, x), short.field("v")(t, x) - gg * well.s(t, x))
    with pytest.raises(ValueError, match="same objective"):
        P.hybrid_model(_tiny(pair, "b,s", steps=2), well)


def test_likelihood_control_table_and_verdict():
    pair = get_benchmark("hd-mixture-d2")
    short, well = _tiny(pair, steps=10), _tiny(pair, steps=60)
    df = P.likelihood_control("hd-mixture-d2", well, short, eps=[0.2, 1.0], n=16, bound_n=200,
                              ode={"method": "rk4", "steps": 4},
                              sde={"method": "euler-maruyama", "steps": 4, "score_paths": 2, "fk_paths": 2,
                                   "fk_max_eps": 0.5})
    assert list(dict.fromkeys(df["level"])) == list(P.LEVELS)
    per_level = df.groupby("level")["estimator"].apply(list)
    for level in P.LEVELS:
        ests = per_level[level]
        assert ests.count("ode") == 1 and ests.count("sde-score") == 2 and ests.count("girsanov-bound") == 2
        assert ests.count("sde-feynman-kac") == 1  # only eps <= fk_max_eps
    ode = df[df.estimator == "ode"]
    assert (ode["diff"].abs() < 1e-12).all()  # the ODE against itself
    assert (df[df.estimator == "girsanov-bound"]["kl"] >= 0).all()
    v = P.likelihood_verdict(df)
    assert len(v) == 3 and {"kl_ode", "kl_score", "kl_bound", "sde_certified_better"} <= set(v.columns)
    # levels share test points and the imperfect-b model shares the well-trained score: its s error is the same
    ex = df[df.estimator == "excess-s"].set_index("level")["kl"]
    assert ex["imperfect-b"] == pytest.approx(ex["well-trained"])


# ----------------------------------------------------------------------------------------
# figure 5
# ----------------------------------------------------------------------------------------
def test_bridge_marginals_entropic_coupling_tracks_the_bridge_and_independent_does_not():
    r = P.bridge_marginals(n_times=11, n=2000, batch=500, show_times=(0.5,), show=100)
    c = r["curves"]
    exact_ind = c[(c.coupling == "independent") & (c.kind == "exact")].set_index("t")["bures_w2"]
    assert exact_ind[0.0] < 1e-6 and exact_ind[1.0] < 1e-6 and exact_ind[0.5] > 0.15
    samp = c[c.kind.str.startswith("samples")].pivot(index="t", columns="coupling", values="bures_w2")
    floor = samp["exact bridge"]
    assert (samp["entropic"] < floor + 0.05).all(), samp
    assert samp.loc[0.5, "independent"] > samp.loc[0.5, "entropic"] + 0.1
    assert set(r["samples"]["coupling"]) == {"independent", "entropic", "exact bridge"}
    assert len(r["ellipses"]) == 4  # exact + three fits at the one shown time
    with pytest.raises(ValueError, match="show_times"):
        P.bridge_marginals(n_times=3, n=100, batch=100, show_times=(0.25,))


def test_learned_bridge_rows_pick_the_sde_at_sigma2_over_2(tmp_path):
    rows = []
    for method, coupling in (("sb-bs", "entropic"), ("bridge-bs", "independent")):
        for eps in (0.0, 0.5, 1.0):
            for steps in (25, 100):
                for t in (0.25, 0.5):
                    rows.append({"method": method, "label": method, "coupling": coupling, "metric": "bures_w2",
                                 "sampler": "ode-heun" if eps == 0 else "sde-em", "eps": eps, "steps": steps,
                                 "t": t, "value": eps + steps / 1000})
    f = tmp_path / "e.csv"
    pd.DataFrame(rows).to_csv(f, index=False)
    out = P.learned_bridge_rows([str(f)], sigma2=1.0)
    assert set(out["eps"]) == {0.5} and np.allclose(out["bures_w2"], 0.6) and len(out) == 4
    assert P.learned_bridge_rows([], 1.0).empty


# ----------------------------------------------------------------------------------------
# the models of figures 3 and 4: reuse the sweep's checkpoints
# ----------------------------------------------------------------------------------------
BASE = {
    "name": "t", "seeds": [0, 1], "eps": [0, 0.5],
    "train": {"steps": 100, "batch": 64, "lr": 2e-3, "lr_decay": 0.5, "lr_every": 50, "hidden": 16, "depth": 2,
              "antithetic": True},
    "sampling": {"n": 50, "ode": {"method": "heun", "steps": [5]}, "sde": {"method": "euler-maruyama", "steps": [5]}},
    "likelihood": {"enabled": False, "n": 5, "ode_method": "rk4", "ode_steps": 2, "divergence": "exact",
                   "sde_steps": 2, "sde_paths": 2, "sde_estimators": ["score"]},
    "evaluation": {"floor_repeats": 1, "bridge_times": [0.5], "field_n": 0},
    "methods": {"osl-bs": {"path": "one-sided-linear", "objective": "b,s"},
                "linear-vs": {"path": "linear", "gamma": "brownian", "objective": "v,s", "label": "v and s"},
                "sb-bs": {"path": "linear", "gamma": "brownian", "a": "sigma2", "objective": "b,s",
                          "coupling": "entropic", "coupling_reg": "2sigma2"},
                "fm-b": {"path": "linear", "gamma": "zero", "objective": "b"}},
    "benchmarks": {"gauss-checkerboard": {"methods": ["osl-bs"]},
                   "hd-mixture-d16": {"methods": ["linear-vs"]},
                   "sb-gauss-d2-s1": {"methods": ["sb-bs", "fm-b"]}},
    "paper_figures": {
        "density": {},
        "checkerboard": {"panels": [
            {"benchmark": "gauss-checkerboard", "path": "one-sided-linear", "objective": "b,s", "label": "x"},
            {"benchmark": "gauss-checkerboard", "path": "one-sided-linear", "objective": "b,eta", "t_max": 0.99}]},
        "likelihood": {"dims": [4, 16], "method": {"path": "linear", "gamma": "brownian", "objective": "v,s"},
                       "short_steps": 10, "eps": [0.5]},
        "bridge": {},
    },
}


def test_plan_models_reuses_exactly_the_sweep_models():
    from sibench import experiment as E
    plan = P.plan_models(BASE, E.plan(BASE))
    cb = plan["checkerboard"]
    assert cb[0].reused and cb[0].checkpoint == "results/models/gauss-checkerboard/osl-bs/seed0.pt"
    assert not cb[1].reused and cb[1].checkpoint.startswith("results/paper/models/gauss-checkerboard/")
    lk = plan["likelihood"]
    assert list(lk) == ["hd-mixture-d4", "hd-mixture-d16"]
    assert lk["hd-mixture-d16"]["well"].checkpoint == "results/models/hd-mixture-d16/linear-vs/seed0.pt"
    assert not lk["hd-mixture-d4"]["well"].reused and not lk["hd-mixture-d16"]["short"].reused
    assert lk["hd-mixture-d16"]["short"].spec["train"]["steps"] == 10
    assert lk["hd-mixture-d16"]["short"].spec["train"]["batch"] == 64  # otherwise the sweep's settings
    assert set(plan["train"]) == {cb[1].key} | {m.key for d in lk.values() for m in d.values() if not m.reused}
    # a training override, or reuse: false, trains the figure's own model
    cfg = copy.deepcopy(BASE)
    cfg["paper_figures"]["checkerboard"]["train"] = {"steps": 7}
    cfg["paper_figures"]["likelihood"]["reuse"] = False
    plan = P.plan_models(cfg, E.plan(cfg))
    assert not any(m.reused for m in plan["checkerboard"])
    assert not any(m.reused for d in plan["likelihood"].values() for m in d.values())
    assert plan["checkerboard"][0].spec["train"]["steps"] == 7
    # no paper_figures: nothing
    cfg.pop("paper_figures")
    assert P.plan_models(cfg, E.plan(cfg)) == {"checkerboard": [], "likelihood": {}, "train": {}}


def test_bridge_evaluations_find_the_bridge_models_of_the_sweep():
    from sibench import experiment as E
    evals = P.bridge_evaluations(BASE, E.plan(BASE), "sb-gauss-d2-s1")
    assert evals == ["results/evaluations/sb-gauss-d2-s1/sb-bs/seed0.csv"]  # fm-b has no gamma and no score
    assert P.bridge_evaluations(BASE, E.plan(BASE), "sb-gauss-d16-s1") == []


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
        assert set(pf) == {"density", "trajectories", "checkerboard", "likelihood", "bridge"}, name
        assert all(v.get("enabled", True) for v in pf.values()), name


def test_code_version_is_stable():
    v = P.code_version()
    assert len(v) == 16 and v == P.code_version()


# ----------------------------------------------------------------------------------------
# plots: every figure function writes a PNG from its table
# ----------------------------------------------------------------------------------------
def test_plots_write_pngs(tmp_path):
    from sibench import paper_plots as PP
    df = P.density_evolution(n=101, times=(0, 0.5, 1))
    PP.plot_density_evolution(df, tmp_path / "1.png")
    PP.plot_trajectories(P.trajectories(steps=20, n=200, show=3, grid_t=11, grid_x=41), tmp_path / "2.png")
    samples = pd.DataFrame({"panel": [0] * 4, "label": "a", "sampler": ["ode-heun"] * 2 + ["sde-em"] * 2,
                            "eps": [0, 0, 0.5, 0.5], "x": [0.0, 1, 2, 3], "y": [0.0, 1, 2, 3]})
    summary = pd.DataFrame({"panel": [0, 0], "label": "a", "sampler": ["ode-heun", "sde-em"], "eps": [0, 0.5],
                            "support_fraction": [0.5, 0.6]})
    PP.plot_checkerboard(samples, summary, tmp_path / "3.png")
    lk = pd.DataFrame([{"benchmark": "b", "dim": 4, "level": "well-trained", "estimator": "ode", "eps": 0.0, "kl": 0.5,
                        "stderr": 0.1, "diff": 0.0, "diff_se": 0.0},
                       {"benchmark": "b", "dim": 4, "level": "well-trained", "estimator": "sde-score", "eps": 1.0,
                        "kl": 0.4, "stderr": 0.1, "diff": -0.1, "diff_se": 0.05},
                       {"benchmark": "b", "dim": 4, "level": "well-trained", "estimator": "girsanov-bound", "eps": 1.0,
                        "kl": 0.3, "stderr": 0.01, "diff": -0.2, "diff_se": None}])
    PP.plot_likelihood(lk, P.likelihood_verdict(lk), tmp_path / "4.png")
    r = P.bridge_marginals(n_times=3, n=200, batch=100, show_times=(0.5,), show=50)
    PP.plot_bridge(r["curves"], r["samples"], r["info"], tmp_path / "5.png", ellipses=r["ellipses"],
                   learned=pd.DataFrame({"label": ["m"], "coupling": ["entropic"], "t": [0.5], "bures_w2": [0.1],
                                         "eps": [0.5]}))
    for i in range(1, 6):
        assert (tmp_path / f"{i}.png").stat().st_size > 10_000, i
    assert math.isfinite(float(lk["kl"].sum()))


def test_a_diverged_training_is_reported_not_a_crash(tmp_path):
    """si.experiment.train_run records a diverged training as an empty checkpoint and a JSON with 'failed':
    figure 3 marks the panel, figure 4's verdict skips the dimension."""
    import json
    from sibench import paper_plots as PP
    ckpt = tmp_path / "m.pt"
    ckpt.write_bytes(b"")
    ckpt.with_suffix(".json").write_text(json.dumps({"failed": "non-finite loss", "losses": []}))
    panel = {"benchmark": "gauss-checkerboard", "path": "one-sided-linear", "objective": "b,s"}
    r = P.checkerboard_samples([panel], [str(ckpt)], n=10)
    assert r["samples"].empty and r["summary"]["train_failed"].iloc[0] == "non-finite loss"
    PP.plot_checkerboard(r["samples"], r["summary"], tmp_path / "3.png")
    df = P.likelihood_control_run("hd-mixture-d4", ckpt, ckpt, eps=[1.0])
    assert df.to_dict("records") == [{"benchmark": "hd-mixture-d4", "dim": 4, "level": None,
                                      "estimator": "train_failed",
                                      "note": "well: non-finite loss; short: non-finite loss"}]
    v = P.likelihood_verdict(df)
    assert v.empty
    PP.plot_likelihood(df, v, tmp_path / "4.png")
    assert (tmp_path / "3.png").exists() and (tmp_path / "4.png").exists()
