"""si.interpolants.paths: each path record's derivatives, endpoints and gamma rules (docs/theory.md §1).

Derivatives are checked against central finite differences of the record's own alpha and beta
(h = 1e-6 in float64): truncation h^2/6 |f'''| <= 5e-9 on the grid used (the worst case is vp near
t = 0.987 and brownian gamma near t = 0.012), rounding 1e-16 / h = 1e-10, so a tolerance of 1e-7 is
ample and a wrong derivative (an error of order 1) cannot pass.
"""
import pytest
import torch

from si import Interpolant
from si.interpolants import GAMMAS, PATHS, InterpolantPath

from ...conftest import all_interpolants

F64 = torch.float64
T = torch.linspace(0.0123, 0.9871, 64, dtype=F64)  # interior, and never exactly 1/2 (encoding-decoding's seam)
H = 1e-6


def central_difference(f, g):
    return (f(T + H, g) - f(T - H, g)) / (2 * H)


@pytest.mark.parametrize("interp", all_interpolants(), ids=repr)
def test_record_derivatives_are_the_finite_differences(interp):
    rec, g = interp.path_record, interp.gamma_record
    for f, df in [(rec.alpha, rec.dalpha), (rec.beta, rec.dbeta)]:
        torch.testing.assert_close(df(T, g), central_difference(f, g), rtol=1e-7, atol=1e-7)
    product = rec.alpha(T, g) * rec.dalpha(T, g)
    closed = product if rec.alpha_dalpha is None else rec.alpha_dalpha(T, g)
    torch.testing.assert_close(closed, product, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("interp", all_interpolants(), ids=repr)
def test_record_endpoints(interp):
    """alpha(0) = 1, alpha(1) = 0, beta(0) = 0, beta(1) = 1 (mirror: alpha = 0, beta = 1 throughout),
    and alpha alpha' finite at both ends."""
    rec, g = interp.path_record, interp.gamma_record
    ends = torch.tensor([0.0, 1.0], dtype=F64)
    alpha, beta = rec.alpha(ends, g), rec.beta(ends, g)
    if rec.mirror:
        assert torch.equal(alpha, torch.zeros(2, dtype=F64)) and torch.equal(beta, torch.ones(2, dtype=F64))
    else:
        torch.testing.assert_close(alpha, torch.tensor([1.0, 0.0], dtype=F64), atol=1e-12, rtol=0)
        torch.testing.assert_close(beta, torch.tensor([0.0, 1.0], dtype=F64), atol=1e-12, rtol=0)
    assert bool(torch.isfinite(interp.alpha_dalpha(ends)).all())


def test_vp_alpha_dalpha_is_closed_form_where_the_product_is_zero_times_infinity():
    """vp: alpha = sqrt(1 - t^2) -> 0 and alpha' = -t / alpha -> -inf at t = 1; alpha alpha' = -t."""
    vp = Interpolant("vp")
    one = torch.tensor([1.0], dtype=F64)
    assert float(vp.dalpha(one)) == float("-inf")
    assert float(vp.alpha_dalpha(one)) == -1.0


def test_records_are_consistent():
    """Keys are the records' names; the default gamma is allowed; one-sided paths admit only
    gamma = 0; the mirror path refuses it; trig refuses gammas reaching its bound."""
    for name, rec in PATHS.items():
        assert isinstance(rec, InterpolantPath) and rec.name == name and rec.formula
        assert rec.default_gamma in GAMMAS
        assert rec.allowed_gammas is None or rec.default_gamma in rec.allowed_gammas
        if rec.one_sided:
            assert rec.allowed_gammas == ("zero",)
        if rec.needs_noise:
            with pytest.raises(ValueError, match="nonzero gamma"):
                Interpolant(name, "zero")
        Interpolant(name)  # the defaults are valid
    assert [n for n, r in PATHS.items() if r.gamma_bound is not None] == ["trig"]
    with pytest.raises(ValueError, match="gamma < 1"):
        Interpolant("trig", "brownian", a=4.0)  # sup gamma = sqrt(a / 4) = 1
    Interpolant("trig", "brownian", a=3.99)
