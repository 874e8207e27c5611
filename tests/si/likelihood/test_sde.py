"""si.likelihood.sde: both SDE estimators against exact log densities (docs/theory.md §5).
Statistical tests state n, seed and the reason for their tolerance. Everything is float64."""
import math

import pytest
import torch

from si.likelihood import sde_likelihood, sde_log_prob

from ...conftest import gaussian_target, gmm_pair_2x3

F64 = torch.float64


def _sde_error(estimator, eps, paths, steps, seed, **kw):
    oracle, rho0, rho1 = gmm_pair_2x3()
    g = torch.Generator().manual_seed(seed)
    x = rho1.sample(1000, generator=g)
    res = sde_likelihood(oracle.b, oracle.s, rho0.log_prob, x, eps=eps, steps=steps, paths=paths,
                         estimator=estimator, method="heun", generator=g, **kw)
    return res, res.log_prob - rho1.log_prob(x)


@pytest.mark.slow
def test_sde_score_estimator_matches_the_oracle():
    """Estimator (a): Y driven by b_B, integrand div b_F + eps |s|^2 (the sign docs/theory.md §5 gives).
    2 -> 3 pair, eps = 0.25, 8 antithetic paths per point, 25 stochastic-Heun steps (51 NFE),
    n = 1000 points, seed 6. Measured: mean error -0.007, SE 0.012 (per-path sd ~1 nat, the Ito
    martingale), so the issue's 0.05 bar is > 3 SE; omitting eps |s|^2 shifts the mean by > 1 nat."""
    res, err = _sde_error("score", 0.25, paths=8, steps=25, seed=6, antithetic=True)
    assert res.nfe == 51 and res.calls["s"] > 0
    se = float(err.std()) / math.sqrt(len(err))
    assert se < 0.015
    assert abs(float(err.mean())) < 0.05


@pytest.mark.slow
def test_sde_score_estimator_with_control_variate():
    """Estimator (a) with the martingale control variate (mean zero by construction), eps = 0.5:
    2 paths, 50 Heun steps, n = 1000, seed 7. Measured: mean error 0.003, SE 0.007, mean |error|
    0.18 nats per point (the plain estimator's is ~0.85 at these settings): bars 0.05 and 0.3."""
    res, err = _sde_error("score", 0.5, paths=2, steps=50, seed=7, control_variate=True)
    assert abs(float(err.mean())) < 0.05
    assert float(err.abs().mean()) < 0.3


@pytest.mark.slow
def test_sde_feynman_kac_estimator_matches_the_oracle():
    """Estimator (b): Y driven by -b_F in reverse time, log-mean-exp over paths. eps = 0.1,
    16 antithetic paths, 25 Heun steps, n = 1000, seed 8. Measured: mean error -0.028, SE 0.007;
    the log-mean-exp is biased low (Jensen, ~Var / (2 paths) with heavy-tailed weights: -0.045 at
    8 paths, -0.028 at 16), which the 0.05 bar covers with > 3 SE to spare."""
    res, err = _sde_error("feynman-kac", 0.1, paths=16, steps=25, seed=8, antithetic=True)
    assert res.stderr.shape == (1000,) and res.nfe == 51
    assert abs(float(err.mean())) < 0.05


def test_sde_estimators_on_a_gaussian_with_time_dependent_eps():
    """N(0, I) -> N(m, diag(1.5^2, 0.8^2)) (cheap oracle), eps a function of t, n = 400 points,
    16 antithetic paths, 50 Heun steps, seed 9. Measured mean errors: (a) -0.020 (SE 0.020) with
    eps(t) = 2 t (1-t) + 0.1; (b) -0.024 (SE 0.009) with eps(t) = 0.4 t (1-t) + 0.05 (smaller: the
    Feynman-Kac weights degenerate as eps grows). Bar 0.1 nats, > 4 SE."""
    oracle, rho0, rho1 = gaussian_target([1.0, -2.0], [1.5, 0.8])
    x = rho1.sample(400, generator=torch.Generator().manual_seed(9))
    schedules = {"score": lambda t: 2 * t * (1 - t) + 0.1, "feynman-kac": lambda t: 0.4 * t * (1 - t) + 0.05}
    for estimator, eps in schedules.items():
        lp = sde_log_prob(oracle.b, oracle.s, rho0.log_prob, x, eps=eps, steps=50, paths=16, estimator=estimator,
                          antithetic=True, generator=torch.Generator().manual_seed(9))
        assert abs(float((lp - rho1.log_prob(x)).mean())) < 0.1, estimator


def test_sde_estimator_with_eps_zero_is_the_ode():
    oracle, rho0, rho1 = gaussian_target([1.0, -2.0], [3.0, 0.5])
    x = rho1.sample(100, generator=torch.Generator().manual_seed(10))
    lp = sde_log_prob(oracle.b, oracle.s, rho0.log_prob, x, eps=0.0, steps=100, paths=2, t_min=0.0, t_max=1.0)
    err = (lp - rho1.log_prob(x)).abs()
    assert float(err.max()) < 5e-3 and float(err.mean()) < 1e-3  # deterministic Heun, 100 steps
