"""si.interpolants.Interpolant: derivatives, endpoints, identities, points and errors."""
import pytest
import torch

from si import Interpolant
from si.interpolants import GAMMAS, PATHS

from ...conftest import all_interpolants

F64 = torch.float64


def test_every_path_and_gamma_is_covered():
    names = {(i.path, i.gamma_name) for i in all_interpolants()}
    assert {p for p, _ in names} == set(PATHS)
    assert {g for _, g in names} == set(GAMMAS)


@pytest.mark.parametrize("interp", all_interpolants(), ids=repr)
def test_derivatives_match_autograd(interp):
    """alpha', beta', gamma' (analytic) against autograd on the interior, where all are smooth."""
    t = torch.linspace(0.01, 0.99, 97, dtype=F64, requires_grad=True)
    for f, df in [("alpha", "dalpha"), ("beta", "dbeta"), ("gamma", "dgamma")]:
        y = getattr(interp, f)(t)
        expected = getattr(interp, df)(t.detach())
        if not y.requires_grad:  # a constant schedule
            assert torch.all(expected == 0)
            continue
        (grad,) = torch.autograd.grad(y.sum(), t)
        torch.testing.assert_close(expected, grad, atol=1e-9, rtol=1e-9)
    torch.testing.assert_close(interp.gamma_dgamma(t.detach()), (interp.gamma(t) * interp.dgamma(t)).detach())


@pytest.mark.parametrize("interp", all_interpolants(), ids=repr)
def test_boundary_conditions(interp):
    ends = torch.tensor([0.0, 1.0], dtype=F64)
    torch.testing.assert_close(interp.gamma(ends), torch.zeros(2, dtype=F64), atol=1e-12, rtol=0)
    if interp.mirror:
        torch.testing.assert_close(interp.alpha(ends), torch.zeros(2, dtype=F64))
        torch.testing.assert_close(interp.beta(ends), torch.ones(2, dtype=F64))
    else:
        torch.testing.assert_close(interp.alpha(ends), torch.tensor([1.0, 0.0], dtype=F64), atol=1e-12, rtol=0)
        torch.testing.assert_close(interp.beta(ends), torch.tensor([0.0, 1.0], dtype=F64), atol=1e-12, rtol=0)
    # gamma * gamma' stays finite at the endpoints (no 0 * inf)
    assert torch.isfinite(interp.gamma_dgamma(ends)).all()


def test_trig_and_encoding_decoding_identities():
    t = torch.linspace(0, 1, 101, dtype=F64)
    trig = Interpolant("trig", "brownian")
    torch.testing.assert_close(trig.alpha(t) ** 2 + trig.beta(t) ** 2 + trig.gamma(t) ** 2, torch.ones_like(t))
    ed = Interpolant("encoding-decoding")
    half = torch.tensor([0.5], dtype=F64)
    assert float(ed.alpha(half)) == 0 and float(ed.beta(half)) < 1e-30 and float(ed.gamma(half)) == 1


def test_points_and_antithetic_partner():
    it = Interpolant("linear", "brownian", a=2.0)
    n, d = 5, 3
    t = torch.rand(n, dtype=F64)
    x0, x1, z = (torch.randn(n, d, dtype=F64) for _ in range(3))
    p = it.points(t, x0, x1, z)
    g = torch.sqrt(2 * t * (1 - t))[:, None]
    torch.testing.assert_close(p.xt, (1 - t)[:, None] * x0 + t[:, None] * x1 + g * z)
    torch.testing.assert_close(p.xt_anti, (1 - t)[:, None] * x0 + t[:, None] * x1 - g * z)
    torch.testing.assert_close(p.dI, x1 - x0)
    one = Interpolant("one-sided-linear").points(t, x0, x1, z)
    torch.testing.assert_close(one.xt_anti, -(1 - t)[:, None] * x0 + t[:, None] * x1)
    torch.testing.assert_close(one.dmean, x1)


def test_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match="valid paths"):
        Interpolant("lineer")
    with pytest.raises(ValueError, match="valid gammas"):
        Interpolant("linear", "browian")
    with pytest.raises(ValueError, match="requires gamma"):
        Interpolant("one-sided-linear", "brownian")
    with pytest.raises(ValueError, match="trig path needs gamma < 1"):
        Interpolant("trig", "brownian", a=5.0)
    with pytest.raises(ValueError, match="positive"):
        Interpolant("linear", "brownian", a=-1.0)
    it = Interpolant("linear")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        it.alpha(torch.tensor([1.5]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        it.points(torch.tensor([-0.1]), torch.zeros(1, 2), torch.zeros(1, 2))
    with pytest.raises(ValueError, match="shape"):
        it.points(torch.tensor([0.1]), torch.zeros(1, 2), torch.zeros(1, 3))


@pytest.mark.parametrize("a", [True, False, float("nan"), float("inf"), "1.0", None])
def test_gamma_parameter_must_be_a_finite_positive_number(a):
    """a=True used to be taken as a = 1.0 (bool is an int in Python)."""
    with pytest.raises(ValueError, match="finite positive number"):
        Interpolant("linear", "brownian", a=a)


def test_gamma_parameter_accepts_integers_and_numpy_numbers():
    import numpy as np
    assert Interpolant("linear", "brownian", a=2).a == 2.0
    assert Interpolant("linear", "brownian", a=np.float64(0.5)).a == 0.5
