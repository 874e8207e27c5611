"""Figure 4 (sibench.paper.fig4_likelihood): the Girsanov bound, the hybrid model, the likelihood table and verdict."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from sibench.pairs import get_benchmark
from sibench.paper import fig4_likelihood as P
from si.interpolants import Interpolant
from si.training import TrainConfig, train


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
