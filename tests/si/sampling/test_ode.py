"""si.sampling.sample_ode against the closed-form affine flow N(0, I) -> N(m, diag(s^2))."""
import math

import pytest
import torch

from si.sampling import sample_ode, sample_sde

from ...conftest import AFFINE_MEAN, AFFINE_STD, CountingField, gaussian_oracle

F64 = torch.float64


def _ode_error(method, steps, **kw):
    oracle = gaussian_oracle(AFFINE_MEAN, AFFINE_STD)
    x0 = torch.randn(200, 2, generator=torch.Generator().manual_seed(0), dtype=F64)
    res = sample_ode(oracle.b, x0, steps=steps, method=method, **kw)
    exact = torch.tensor(AFFINE_MEAN, dtype=F64) + torch.tensor(AFFINE_STD, dtype=F64) * x0
    return float((res.x - exact).abs().max()), res


@pytest.mark.parametrize("method,order,stages", [("euler", 1, 1), ("heun", 2, 2), ("midpoint", 2, 2), ("rk4", 4, 4)])
def test_fixed_step_ode_has_its_order_and_nfe(method, order, stages):
    """Error of X_1 against the closed-form map at 16 and 32 steps: it falls at least at the method's
    order (measured 0.96, 2.09, 2.99, 6.4: midpoint and RK4 superconverge on this affine flow)."""
    e1, r1 = _ode_error(method, 16)
    e2, r2 = _ode_error(method, 32)
    observed = math.log2(e1 / e2)
    assert observed > order - 0.3, (method, e1, e2)
    assert r1.nfe == r1.calls["b"] == 16 * stages and r2.nfe == 32 * stages and r1.t == 1.0


def test_dopri5_matches_the_closed_form_and_counts_its_evaluations():
    oracle = gaussian_oracle(AFFINE_MEAN, AFFINE_STD)
    b = CountingField(oracle.b)
    x0 = torch.randn(100, 2, generator=torch.Generator().manual_seed(1), dtype=F64)
    res = sample_ode(b, x0, method="dopri5", rtol=1e-8, atol=1e-8)
    exact = torch.tensor(AFFINE_MEAN, dtype=F64) + torch.tensor(AFFINE_STD, dtype=F64) * x0
    assert float((res.x - exact).abs().max()) < 1e-6
    assert res.nfe == b.n > 6


def test_reverse_ode_inverts_the_map():
    oracle = gaussian_oracle(AFFINE_MEAN, AFFINE_STD)
    x1 = torch.tensor(AFFINE_MEAN, dtype=F64) + torch.tensor(AFFINE_STD, dtype=F64) * torch.randn(
        100, 2, generator=torch.Generator().manual_seed(2), dtype=F64)
    res = sample_ode(oracle.b, x1, steps=50, method="rk4", reverse=True)
    torch.testing.assert_close(res.x, (x1 - torch.tensor(AFFINE_MEAN, dtype=F64)) / torch.tensor(AFFINE_STD, dtype=F64),
                               rtol=0, atol=1e-6)
    assert res.t == 0.0


def test_float32_in_float32_out():
    oracle = gaussian_oracle(AFFINE_MEAN, AFFINE_STD)
    x0 = torch.randn(50, 2, generator=torch.Generator().manual_seed(3))
    for res in (sample_ode(oracle.b, x0, steps=20), sample_sde(oracle.b, oracle.s, x0, eps=1.0, steps=20)):
        assert res.x.dtype == torch.float32 and bool(torch.isfinite(res.x).all())
