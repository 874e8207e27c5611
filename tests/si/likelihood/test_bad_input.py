"""Bad arguments of the likelihood estimators raise clear ValueErrors."""
import pytest
import torch

from si.likelihood import cross_entropy, kl_divergence, ode_log_prob, sde_log_prob

from ...conftest import gaussian_target

F64 = torch.float64


def _bad_calls():
    oracle, rho0, _ = gaussian_target([0.0, 0.0], [1.0, 1.0])
    x = torch.zeros(4, 2, dtype=F64)
    b, s, lp = oracle.b, oracle.s, rho0.log_prob
    return {
        "divergence": lambda: ode_log_prob(b, lp, x, divergence="trace"),
        "probes": lambda: ode_log_prob(b, lp, x, divergence="hutchinson", probes=0),
        "probe kind": lambda: ode_log_prob(b, lp, x, divergence="hutchinson", probe="uniform"),
        "steps": lambda: ode_log_prob(b, lp, x, steps=0),
        "method": lambda: ode_log_prob(b, lp, x, method="rk45"),
        "window": lambda: ode_log_prob(b, lp, x, t_min=-0.1),
        "x shape": lambda: ode_log_prob(b, lp, x[0]),
        "negative eps": lambda: sde_log_prob(b, s, lp, x, eps=-1.0),
        "eps(t) negative": lambda: sde_log_prob(b, s, lp, x, eps=lambda t: t - 0.5, steps=4, paths=1),
        "paths": lambda: sde_log_prob(b, s, lp, x, eps=1.0, paths=0),
        "estimator": lambda: sde_log_prob(b, s, lp, x, eps=1.0, estimator="girsanov"),
        "sde method": lambda: sde_log_prob(b, s, lp, x, eps=1.0, method="rk4"),
        "sde window": lambda: sde_log_prob(b, s, lp, x, eps=1.0, t_min=0.5, t_max=0.5),
        "control variate": lambda: sde_log_prob(b, s, lp, x, eps=1.0, estimator="feynman-kac", control_variate=True),
        "antithetic odd": lambda: sde_log_prob(b, s, lp, x, eps=1.0, paths=3, antithetic=True),
        "cross-entropy nan": lambda: cross_entropy(torch.tensor([0.0, float("nan")])),
        "cross-entropy no x": lambda: cross_entropy(lp),
        "entropy": lambda: kl_divergence(cross_entropy(torch.zeros(3)), float("inf")),
    }


@pytest.mark.parametrize("case", sorted(_bad_calls()))
def test_bad_arguments_raise_value_errors(case):
    with pytest.raises(ValueError):
        _bad_calls()[case]()
