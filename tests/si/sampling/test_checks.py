"""Bad arguments of the samplers raise clear ValueErrors (si.sampling.checks and friends); the
Butcher tableaus are consistent; the public names stay where they were."""
import pytest
import torch

import si
from si.sampling import BUTCHER, ODE_FIXED, sample_ode, sample_sde, sample_sde_denoiser

from ...conftest import AFFINE_MEAN, AFFINE_STD, gaussian_oracle

F64 = torch.float64


def _bad_calls():
    oracle = gaussian_oracle(AFFINE_MEAN, AFFINE_STD)
    b, s = oracle.b, oracle.s
    x = torch.zeros(4, 2, dtype=F64)
    return {
        "negative eps": lambda: sample_sde(b, s, x, eps=-0.1),
        "nan eps": lambda: sample_sde(b, s, x, eps=float("nan")),
        "eps(t) negative": lambda: sample_sde(b, s, x, eps=lambda t: t - 0.5, steps=4),
        "eps(t) wrong shape": lambda: sample_sde(b, s, x, eps=lambda t: torch.ones(3), steps=4),
        "steps zero": lambda: sample_ode(b, x, steps=0),
        "steps float": lambda: sample_sde(b, s, x, eps=1.0, steps=10.0),
        "window below 0": lambda: sample_sde(b, s, x, eps=1.0, t_min=-0.1),
        "window above 1": lambda: sample_ode(b, x, t_max=1.5),
        "empty window": lambda: sample_sde(b, s, x, eps=1.0, t_min=0.6, t_max=0.4),
        "last step": lambda: sample_sde(b, s, x, eps=1.0, last_step="denoise"),
        "ode method": lambda: sample_ode(b, x, method="rk45"),
        "sde method": lambda: sample_sde(b, s, x, eps=1.0, method="rk4"),
        "x0 shape": lambda: sample_ode(b, x[0]),
        "field not callable": lambda: sample_ode(None, x),
        "field wrong shape": lambda: sample_ode(lambda t, x: x[:, :1], x, steps=2),
        "dopri5 rtol": lambda: sample_ode(b, x, method="dopri5", rtol=0.0),
        "denoiser interpolant": lambda: sample_sde_denoiser(oracle.v, oracle.eta, "linear", x, eps=1.0),
    }


@pytest.mark.parametrize("case", sorted(_bad_calls()))
def test_bad_arguments_raise_value_errors(case):
    with pytest.raises(ValueError):
        _bad_calls()[case]()


def test_public_api_names():
    assert si.sampling.sample_ode is sample_ode and si.sampling.sample_sde is sample_sde
    assert callable(si.likelihood.ode_log_prob)


def test_butcher_tableaus_are_consistent():
    """Every fixed-step tableau is explicit (row i uses the first i stages), its rows sum to its
    nodes c_i, and its weights sum to 1 (first-order consistency), for each method of ODE_FIXED."""
    assert set(BUTCHER) == set(ODE_FIXED)
    for method, (c, A, w) in BUTCHER.items():
        assert len(c) == len(A) == len(w), method
        for i, (ci, row) in enumerate(zip(c, A)):
            assert len(row) == i and abs(sum(row) - ci) < 1e-15, (method, i)
        assert abs(sum(w) - 1) < 1e-15, method


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
@pytest.mark.parametrize("sampler", ["ode", "sde", "sde_denoiser"])
def test_non_finite_x0_is_refused(sampler, bad):
    """A NaN in x0 used to run through every sampler and come out as a NaN sample, which the metrics
    count as a model failure; now the shared state check refuses it, naming the row."""
    oracle = gaussian_oracle(AFFINE_MEAN, AFFINE_STD)
    x = torch.zeros(5, 2, dtype=F64)
    x[3, 1] = bad
    run = {"ode": lambda: sample_ode(oracle.b, x, steps=2),
           "sde": lambda: sample_sde(oracle.b, oracle.s, x, steps=2, eps=0.5),
           "sde_denoiser": lambda: sample_sde_denoiser(oracle.v, oracle.eta, oracle.interpolant, x, steps=2, eps=0.5)}
    with pytest.raises(ValueError, match=r"x0 must be finite: 1 of its 5 rows hold NaN or inf \(first: row 3\)"):
        run[sampler]()
