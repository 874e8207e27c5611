"""The likelihood estimators refuse input they would turn into silent garbage: a base log density of
the wrong shape (an (n, 1) answer broadcast into an (n, n) result) and non-finite test points."""
import pytest
import torch

from si.likelihood import log_prob0_at, ode_likelihood, sde_likelihood

from ...conftest import gaussian_target

F64 = torch.float64


def _estimators(log_prob0, x):
    oracle = gaussian_target([0.0, 0.0], [1.0, 1.0])[0]
    return {"ode": lambda: ode_likelihood(oracle.b, log_prob0, x, steps=2),
            "sde score": lambda: sde_likelihood(oracle.b, oracle.s, log_prob0, x, steps=2, paths=2, eps=0.5),
            "sde feynman-kac": lambda: sde_likelihood(oracle.b, oracle.s, log_prob0, x, steps=2, paths=2, eps=0.5,
                                                      estimator="feynman-kac")}


@pytest.mark.parametrize("estimator", ["ode", "sde score", "sde feynman-kac"])
@pytest.mark.parametrize("shape", ["column", "scalar", "list"])
def test_log_prob0_of_the_wrong_shape_is_refused(estimator, shape):
    """log_prob0 returning (n, 1) used to give an (n, n) log-likelihood from the ODE estimator (and a
    reshape error from the SDE one); now both name the shape they got."""
    rho0 = gaussian_target([0.0, 0.0], [1.0, 1.0])[1]
    wrong = {"column": lambda y: rho0.log_prob(y)[:, None], "scalar": lambda y: rho0.log_prob(y).sum(),
             "list": lambda y: rho0.log_prob(y).tolist()}[shape]
    got = {"column": r"\(\d+, 1\)", "scalar": r"\(\)", "list": "list"}[shape]
    x = torch.zeros(3, 2, dtype=F64)
    with pytest.raises(ValueError, match=r"log_prob0\(x\) must return one value per row of x.*got " + got):
        _estimators(wrong, x)[estimator]()


def test_log_prob0_at_passes_a_right_answer_through():
    x = torch.randn(4, 2, dtype=F64, generator=torch.Generator().manual_seed(0))
    rho0 = gaussian_target([0.0, 0.0], [1.0, 1.0])[1]
    torch.testing.assert_close(log_prob0_at(rho0.log_prob, x), rho0.log_prob(x), rtol=0, atol=0)


@pytest.mark.parametrize("estimator", ["ode", "sde score", "sde feynman-kac"])
def test_non_finite_test_points_are_refused(estimator):
    """A NaN test point used to come out as a NaN log-likelihood of that row."""
    rho0 = gaussian_target([0.0, 0.0], [1.0, 1.0])[1]
    x = torch.zeros(4, 2, dtype=F64)
    x[2, 0] = float("nan")
    with pytest.raises(ValueError, match=r"x must be finite: 1 of its 4 rows hold NaN or inf \(first: row 2\)"):
        _estimators(rho0.log_prob, x)[estimator]()
