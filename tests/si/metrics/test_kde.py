"""si.metrics.kde: Gaussian KDEs (Scott's rule) against scipy and the exact Gaussian density, and the KL
between two KDEs (the paper's section 7.2 metric) against its closed form for Gaussians."""
import math

import numpy as np
import pytest
import scipy.stats
import torch

from si.metrics import GaussianKDE, bandwidth_factor, kde_kl, paired_kl

from ...conftest import randn

F64 = torch.float64


def gaussian_log_prob(y, mean, cov):
    return torch.from_numpy(scipy.stats.multivariate_normal(mean, cov).logpdf(y.numpy())).reshape(-1)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_log_prob_matches_scipy(d):
    # scipy.stats.gaussian_kde (an independent implementation with the same rule) at points in the bulk and
    # 6 standard deviations out (logsumexp, no underflow): agreement to float64 round-off.
    x = randn(400, d, 1) @ (torch.eye(d, dtype=F64) + 0.3 * randn(d, d, 2))
    y = torch.cat([randn(50, d, 3), 6.0 * torch.ones(1, d, dtype=F64)])
    kde = GaussianKDE(x)
    ref = scipy.stats.gaussian_kde(x.numpy().T)
    assert kde.factor == pytest.approx(ref.factor, rel=1e-14)
    assert np.allclose(kde.log_prob(y).numpy(), ref.logpdf(y.numpy().T), rtol=0, atol=1e-9)
    assert kde.factor == pytest.approx(400 ** (-1 / (d + 4)), rel=1e-14)  # Scott's rule


def test_one_point_with_a_given_bandwidth_is_that_gaussian():
    H = torch.tensor([[0.5, 0.2], [0.2, 0.3]], dtype=F64)
    x = torch.tensor([[1.0, -2.0]], dtype=F64)
    y = randn(20, 2, 4)
    got = GaussianKDE(x, bandwidth=H).log_prob(y)
    assert torch.allclose(got, gaussian_log_prob(y, x[0].numpy(), H.numpy()), rtol=0, atol=1e-12)


def test_bandwidth_rules_and_bad_input():
    assert bandwidth_factor(1000, 2, "silverman") == pytest.approx((1000 * 4 / 4) ** (-1 / 6))
    assert bandwidth_factor(10, 2, 0.3) == 0.3
    for bad in ("scot", -1.0, 0.0, float("nan"), True):
        with pytest.raises(ValueError):
            bandwidth_factor(10, 2, bad)
    with pytest.raises(ValueError, match="positive definite"):
        GaussianKDE(torch.ones(10, 2, dtype=F64))       # all samples equal
    with pytest.raises(ValueError, match="at least 2"):
        GaussianKDE(torch.ones(1, 2, dtype=F64))
    with pytest.raises(ValueError, match="shape"):
        GaussianKDE(randn(10, 2, 5)).log_prob(randn(3, 3, 6))


def test_kde_kl_of_two_gaussians_matches_the_smoothed_closed_form():
    # p = N(0, I_2), q = N(mu, I_2), n = 10000 samples each: E p^ = N(0, I + H_p), H_p = f^2 S_p with f = n^(-1/6)
    # (Scott) and S_p the samples' covariance; likewise q^. At the same m = 2000 points y ~ N(0, 0.6^2 I) (the
    # bulk, where the KDEs are accurate; any point set is valid for comparing the two sides), the estimator's
    # value must equal the same estimator applied to the smoothed Gaussians' log densities, up to the KDEs' own
    # sampling error: sd 0.013 of the difference, measured over 6 seeds at this n (kernel counts ~300 per
    # point, errors correlated over a bandwidth); tolerance 4 sd = 0.05 on values 0.45 (plain) and 0.20
    # (control variate). Without smoothing (H = 0) the values would be 0.48 and 0.25; with f = 1, 0.24 and 0.08.
    n, mu = 10000, torch.tensor([0.98, 0.0], dtype=F64)
    xp, xq, y = randn(n, 2, 7), randn(n, 2, 8) + mu, 0.6 * randn(2000, 2, 9)
    f2 = n ** (-1 / 3)
    log_p = gaussian_log_prob(y, np.zeros(2), np.eye(2) + f2 * np.cov(xp.numpy().T))
    log_q = gaussian_log_prob(y, mu.numpy(), np.eye(2) + f2 * np.cov(xq.numpy().T))
    for cv in (False, True):
        exact = paired_kl(log_p, log_q, control_variate=cv).value
        est = kde_kl(xp, xq, y, control_variate=cv)
        assert est.n == 2000 and math.isfinite(est.stderr)
        assert abs(est.value - exact) < 0.05, (cv, est, exact)
    assert abs(paired_kl(log_p, log_q, control_variate=False).value - 0.5 * 0.98 ** 2 / (1 + f2)) < 0.05


def test_log_kernels_give_the_log_density_and_its_resamples():
    x, y = randn(30, 2, 10), randn(7, 2, 11)
    kde = GaussianKDE(x)
    K = kde.log_kernels(y)
    H = kde.bandwidth.numpy()
    assert K.shape == (7, 30)
    assert torch.allclose(K[:, 3], gaussian_log_prob(y, x[3].numpy(), H), rtol=0, atol=1e-12)
    assert torch.allclose(torch.logsumexp(K, 1) - math.log(30), kde.log_prob(y), rtol=0, atol=1e-12)
