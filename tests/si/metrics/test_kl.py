"""si.metrics.kl: the paired KL with the paper's control variate, against closed-form Gaussian KLs."""
import math

import numpy as np
import pytest
import torch

from si.metrics import kl_terms, paired_kl

from ...conftest import randn

F64 = torch.float64


def gaussian_log_prob(x, mean, scale):
    """log N(x; mean, scale^2 I) row-wise."""
    d = x.shape[1]
    return -0.5 * (((x - mean) / scale) ** 2).sum(1) - d * math.log(scale) - 0.5 * d * math.log(2 * math.pi)


def gaussian_kl(d, shift, scale):
    """KL(N(0, I_d) || N(mu, scale^2 I_d)) with |mu| = shift."""
    return 0.5 * (d / scale ** 2 + shift ** 2 / scale ** 2 - d + 2 * d * math.log(scale))


@pytest.mark.parametrize("shift,scale", [(0.3, 1.0), (0.0, 0.9), (0.2, 1.1)])
def test_paired_kl_matches_the_closed_form(shift, scale):
    # n = 20000 points of p = N(0, I_3); |estimate - exact| < 4 stderr (a 4-sigma band of the estimator's
    # own standard error, false-alarm probability ~6e-5; the seed is fixed).
    d, n = 3, 20000
    x = randn(n, d, 11)
    mean = torch.zeros(d, dtype=F64)
    mean[0] = shift
    lp, lq = gaussian_log_prob(x, 0.0, 1.0), gaussian_log_prob(x, mean, scale)
    exact = gaussian_kl(d, shift, scale)
    for cv in (True, False):
        est = paired_kl(lp, lq, control_variate=cv)
        assert est.n == n
        assert abs(est.value - exact) < 4 * est.stderr, (cv, est, exact)
    # the control variate has the smaller variance on the same points (second order in the error)
    assert paired_kl(lp, lq).stderr < paired_kl(lp, lq, control_variate=False).stderr


def test_control_variate_cuts_the_variance_by_an_order_for_a_small_error():
    # q close to p: the plain terms fluctuate at first order in the error, the controlled ones at second
    x = randn(5000, 2, 3)
    lp, lq = gaussian_log_prob(x, 0.0, 1.0), gaussian_log_prob(x, torch.tensor([0.05, 0.0], dtype=F64), 1.0)
    assert paired_kl(lp, lq).stderr < 0.1 * paired_kl(lp, lq, control_variate=False).stderr


def test_terms_are_never_negative_and_zero_at_the_truth():
    g = torch.Generator().manual_seed(0)
    lp = 5 * torch.randn(10000, generator=g, dtype=F64)
    # u spans the series region (|u| < 1e-3), moderate and large |u|, both signs
    u = torch.cat([1e-9 * torch.randn(2000, generator=g, dtype=F64), 1e-3 * torch.randn(2000, generator=g, dtype=F64),
                   torch.randn(3000, generator=g, dtype=F64), 50 * torch.randn(3000, generator=g, dtype=F64)])
    t = kl_terms(lp, lp + u)
    assert bool((t >= 0).all())
    assert float(kl_terms(lp, lp).abs().max()) == 0.0
    assert paired_kl(lp, lp).value == 0.0
    # the series and expm1 agree where both are accurate (|u| ~ 1e-3)
    v = torch.tensor([9.9e-4, -9.9e-4, 1.01e-3, -1.01e-3], dtype=F64)
    exact = torch.tensor([math.expm1(float(a)) - float(a) for a in v], dtype=F64)
    assert torch.allclose(kl_terms(torch.zeros(4, dtype=F64), v), exact, rtol=1e-9, atol=0)


def test_accepts_numpy():
    x = randn(100, 2, 4).numpy()
    lp = -0.5 * (x ** 2).sum(1)
    assert paired_kl(lp, lp - 0.1).value == pytest.approx(math.expm1(-0.1) + 0.1, rel=1e-12)
    assert isinstance(paired_kl(np.zeros(3), np.ones(3)).value, float)


def test_rejects_bad_input():
    z = torch.zeros(4, dtype=F64)
    with pytest.raises(ValueError, match="same shape"):
        paired_kl(z, torch.zeros(5, dtype=F64))
    with pytest.raises(ValueError, match=r"shape \(n,\)"):
        paired_kl(torch.zeros(4, 1), torch.zeros(4, 1))
    with pytest.raises(ValueError, match="infinite"):
        paired_kl(z, torch.tensor([0.0, -math.inf, 0.0, 0.0]))
    with pytest.raises(ValueError, match="non-finite"):
        paired_kl(torch.tensor([0.0, math.nan, 0.0, 0.0]), z)
    with pytest.raises(ValueError, match="float64 range"):
        paired_kl(z, torch.tensor([0.0, 800.0, 0.0, 0.0]))
    with pytest.raises(ValueError, match="n >= 2"):
        paired_kl(torch.zeros(1), torch.zeros(1))
