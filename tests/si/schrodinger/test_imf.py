"""DSBM-IMF baseline (si.schrodinger.imf): its coupling improves on the independent bridge's.

Gaussian pair in d = 2, sigma^2 = 1 (tests/si/schrodinger/pairs.py). The coupling error is
|C^ - C*|_F / |C*|_F, C^ the sample cross-covariance of (X0, X1) from the learned SDE (n = 20000
paths, 100 Euler-Maruyama steps; the Monte Carlo error of C^ is about 0.01 relative) and C* the
exact plan's. Measured for these options and seeds: one iteration (bridge matching over the
independent coupling) 0.23, three iterations 0.033.
"""
import pytest
import torch

from si.schrodinger import IMFConfig, fit_imf

from .pairs import gaussian_pair

F64 = torch.float64
OPTS = dict(steps=400, batch=256, hidden=64, depth=2, pool=4000, sim_steps=50)


def coupling_error(res, rho0, br, n=20000):
    gen = torch.Generator().manual_seed(11)
    x0 = rho0.sample(n, generator=gen)
    x1 = res.sample_bridge(x0.float(), steps=100, generator=gen).x.to(F64)
    C = (x0 - x0.mean(0)).T @ (x1 - x1.mean(0)) / (n - 1)
    return float(torch.linalg.norm(C - br.cross_cov) / torch.linalg.norm(br.cross_cov))


def test_imf_improves_the_coupling_of_the_independent_bridge():
    rho0, rho1, br = gaussian_pair(2, 1.0)
    first = fit_imf(rho0, rho1, 0.5, iterations=1, direction="forward", **OPTS)
    third = fit_imf(rho0, rho1, 0.5, iterations=3, direction="alternate", **OPTS)
    e1, e3 = coupling_error(first, rho0, br), coupling_error(third, rho0, br)
    assert e1 > 0.1, e1          # the independent bridge's coupling is measurably not the plan
    assert e3 < 0.5 * e1, (e1, e3)
    assert [r["direction"] for r in third.losses] == ["forward", "backward", "forward"]


def test_imf_bad_input_raises():
    rho0, rho1, _ = gaussian_pair(2, 1.0)
    with pytest.raises(ValueError, match="eps"):
        fit_imf(rho0, rho1, 0.0)
    with pytest.raises(ValueError, match="odd"):
        IMFConfig(iterations=4, direction="alternate")
    with pytest.raises(ValueError, match="direction"):
        IMFConfig(direction="sideways")
    _, rho1_3d, _ = gaussian_pair(3, 1.0)
    with pytest.raises(ValueError, match="dimension"):
        fit_imf(rho0, rho1_3d, 0.5)
