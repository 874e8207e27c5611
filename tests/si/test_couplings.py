"""si.couplings against exact answers: monotone matching in 1-D, translations, the Gaussian
Schroedinger-bridge cross-covariance for the entropic plan with reg = 2 sigma^2."""
import math

import numpy as np
import pytest
import torch

from si.bridges import sb_cross_cov
from si.couplings import (COUPLINGS, EntropicCoupling, IndependentCoupling, OTCoupling, entropic_plan,
                          make_coupling, ot_plan, pairs_from_plan)

F64 = torch.float64



def batches(n=64, d=2, seed=0, shift=3.0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g), torch.randn(n, d, generator=g) + shift


def test_make_coupling_names_and_errors():
    assert COUPLINGS == ("independent", "ot", "entropic")
    assert isinstance(make_coupling("independent"), IndependentCoupling)
    assert isinstance(make_coupling("ot"), OTCoupling)
    e = make_coupling("entropic", sigma=0.5)
    assert isinstance(e, EntropicCoupling) and abs(e.reg - 0.5) < 1e-15 and abs(e.sigma - 0.5) < 1e-15
    assert make_coupling("entropic", reg=0.3).reg == 0.3
    with pytest.raises(ValueError, match="independent, ot, entropic"):
        make_coupling("sinkhorn")
    with pytest.raises(ValueError, match="exactly one"):
        make_coupling("entropic", sigma=1.0, reg=2.0)
    with pytest.raises(ValueError, match="exactly one"):
        make_coupling("entropic")
    with pytest.raises(ValueError):
        make_coupling("entropic", sigma=-1.0)
    with pytest.raises(ValueError, match="permutation"):
        make_coupling("entropic", sigma=1.0, sampling="permutation")
    with pytest.raises(ValueError, match="sampling"):
        make_coupling("ot", sampling="rows")
    with pytest.raises(ValueError, match="bad parameters"):
        make_coupling("ot", sigma=1.0)
    with pytest.raises(ValueError, match="no parameters"):
        make_coupling("independent", sigma=1.0)
    x0, x1 = batches()
    with pytest.raises(ValueError, match="same shape"):
        make_coupling("ot")(x0, x1[:10])
    assert make_coupling("ot", sampling="plan").spec() == {"name": "ot", "sampling": "plan"}


def test_independent_returns_the_batches():
    x0, x1 = batches()
    y0, y1 = IndependentCoupling()(x0, x1)
    assert y0 is x0 and y1 is x1


def test_ot_in_one_dimension_is_the_monotone_matching():
    x0, x1 = batches(n=100, d=1, seed=1, shift=0.5)
    y0, y1 = OTCoupling()(x0, x1)
    assert torch.equal(y0, x0)
    # the partner of the k-th smallest x0 is the k-th smallest x1
    assert torch.equal(y1[torch.argsort(x0[:, 0])], torch.sort(x1, dim=0).values)


@pytest.mark.parametrize("sampling", ["permutation", "conditional", "plan"])
def test_ot_recovers_a_translation(sampling):
    # x1 = (x0 shuffled) + c: the OT plan pairs each x0 with x0 + c (sum of -2 c.(x_i - x_s(i)) is 0)
    x0, _ = batches(n=80, d=3, seed=2)
    c = torch.tensor([1.5, -2.0, 0.5])
    perm = torch.randperm(80, generator=torch.Generator().manual_seed(0))
    x1 = x0[perm] + c
    y0, y1 = OTCoupling(sampling=sampling)(x0, x1, generator=torch.Generator().manual_seed(1))
    assert torch.allclose(y1 - y0, c.expand_as(y0), atol=1e-6)
    if sampling != "plan":
        assert torch.equal(y0, x0)
    if sampling == "permutation":
        assert torch.equal(torch.sort(y1, 0).values, torch.sort(x1, 0).values)  # each x1 once


def test_couplings_accept_image_shaped_batches():
    g = torch.Generator().manual_seed(3)
    x0, x1 = torch.randn(16, 1, 4, 4, generator=g), torch.randn(16, 1, 4, 4, generator=g)
    for c in (make_coupling("ot"), make_coupling("entropic", sigma=1.0)):
        y0, y1 = c(x0, x1, generator=g)
        assert y0.shape == y1.shape == x0.shape


def test_entropic_plan_marginals_and_limits():
    x0, x1 = batches(n=50, d=2, seed=4, shift=1.0)
    P = entropic_plan(x0, x1, reg=0.5)
    # column marginals exact after Sinkhorn's last step; rows within the stopping threshold 1e-6
    assert torch.allclose(P.sum(0), torch.full((50,), 1 / 50, dtype=F64), atol=1e-12)
    assert torch.allclose(P.sum(1), torch.full((50,), 1 / 50, dtype=F64), atol=1e-6)
    # reg -> infinity: the independent coupling
    assert torch.allclose(entropic_plan(x0, x1, reg=1e6), torch.full((50, 50), 1 / 50 ** 2, dtype=F64), rtol=1e-3)
    # reg -> 0: towards the exact OT cost. Bound: the entropic optimum beats the OT plan P* (a
    # permutation, sum P* log P* = -log n) in the regularised objective, and sum P log P >= -2 log n,
    # so 0 <= <P_reg, M> - <P*, M> <= reg log n.
    M = ((x0[:, None, :].double() - x1[None].double()) ** 2).sum(-1)
    ot_cost = float((ot_plan(x0, x1) * M).sum())
    gaps = []
    for reg in (1.0, 0.3, 0.1):
        gaps.append(float((entropic_plan(x0, x1, reg=reg) * M).sum()) - ot_cost)
        assert -1e-6 <= gaps[-1] <= reg * math.log(50) + 1e-6, (reg, gaps[-1])
    assert gaps[0] > gaps[1] > gaps[2]


@pytest.mark.parametrize("solver", ["log", "stabilized"])
def test_entropic_plan_of_two_points_in_closed_form(solver):
    # Uniform marginals on two points each: P = [[p, 1/2 - p], [1/2 - p, p]], and the plan's cross ratio
    # P11 P22 / (P12 P21) = K11 K22 / (K12 K21) with K = exp(-M / reg) gives p / (1/2 - p) = sqrt(r),
    # r = exp(-(M11 + M22 - M12 - M21) / reg).
    x0, x1 = torch.tensor([[0.0], [1.0]], dtype=F64), torch.tensor([[0.2], [1.5]], dtype=F64)
    M = (x0 - x1.T) ** 2
    for reg in (1.0, 0.2):     # p = 0.393, 0.49925
        q = math.exp(-float(M[0, 0] + M[1, 1] - M[0, 1] - M[1, 0]) / (2 * reg))   # sqrt(r)
        p = q / (2 * (1 + q))
        P = entropic_plan(x0, x1, reg=reg, stop_thr=1e-10, solver=solver)
        assert torch.allclose(P, torch.tensor([[p, 0.5 - p], [0.5 - p, p]], dtype=F64), atol=1e-9), (reg, P)
    with pytest.raises(ValueError, match="solver must be one of"):
        entropic_plan(x0, x1, reg=1.0, solver="greenkhorn")


@pytest.mark.parametrize("solver", ["log", "stabilized"])
def test_entropic_reg_two_sigma2_gives_the_gaussian_bridge_cross_covariance(solver):
    # rho0 = rho1 = N(0, 1) in 1-D, sigma^2 = 0.5: the Schroedinger plan has correlation
    # C = (sqrt(4 + sigma^4) - sigma^2) / 2 = 0.7808. Estimator: the plan's cross-covariance over the
    # sample standard deviations, n = 400. Its spread over 30 seeds was 0.009 (bias -0.002), so the
    # tolerance 0.045 is 5 SE; reg = sigma^2 (C = 0.883) or reg = 4 sigma^2 (C = 0.618) would fail.
    s2, n = 0.5, 400
    one = torch.ones(1, 1, dtype=F64)
    C = float(sb_cross_cov(one, one, math.sqrt(s2)))
    assert abs(C - (math.sqrt(4 + s2 ** 2) - s2) / 2) < 1e-12
    g = torch.Generator().manual_seed(0)
    x0, x1 = torch.randn(n, 1, generator=g, dtype=F64), torch.randn(n, 1, generator=g, dtype=F64)
    coupling = make_coupling("entropic", sigma=math.sqrt(s2), solver=solver)
    P = torch.as_tensor(coupling.plan(x0, x1))
    est = float((x0 - x0.mean()).T @ P @ (x1 - x1.mean())) / float(x0.std() * x1.std())
    assert abs(est - C) < 0.045, (est, C)


def test_sampling_from_a_plan():
    P = np.array([[0.2, 0.1, 0.0], [0.0, 0.25, 0.1], [0.15, 0.0, 0.2]])
    P = P / P.sum()
    g = torch.Generator().manual_seed(0)
    i, j = pairs_from_plan(P, "conditional", g)
    assert torch.equal(i, torch.arange(3)) and bool((torch.as_tensor(P)[i, j] > 0).all())
    # i.i.d. pairs: with each row of P split into 100 equal rows, 100 draws of 300 pairs; the
    # frequencies of (row block, column) are within 5 binomial SE of P
    big = np.repeat(P, 100, axis=0) / 100
    counts = np.zeros((3, 3))
    for _ in range(100):
        i, j = pairs_from_plan(big, "plan", g)
        np.add.at(counts, ((i // 100).numpy(), j.numpy()), 1)
    freq = counts / counts.sum()
    se = np.sqrt(P * (1 - P) / counts.sum())
    assert np.all(np.abs(freq - P) <= 5 * se + 1e-12)
    assert counts[P == 0].sum() == 0
    with pytest.raises(ValueError):
        pairs_from_plan(P, "rows", g)


def test_sampling_is_reproducible_with_a_generator():
    x0, x1 = batches(n=64, seed=5, shift=0.5)
    c = make_coupling("entropic", sigma=0.5, sampling="plan")
    a = c(x0, x1, generator=torch.Generator().manual_seed(7))
    b = c(x0, x1, generator=torch.Generator().manual_seed(7))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])


def test_ot_reduces_transport_cost_against_independent():
    x0, x1 = batches(n=128, seed=6, shift=0.0)
    cost = lambda p: float(((p[0] - p[1]) ** 2).sum(1).mean())  # noqa: E731
    c_ind = cost(IndependentCoupling()(x0, x1))
    c_ot = cost(OTCoupling()(x0, x1))
    c_ent = cost(EntropicCoupling(sigma=0.3)(x0, x1, generator=torch.Generator().manual_seed(0)))
    assert c_ot < c_ent < c_ind
    # the permutation pairing attains the exact OT cost of the plan
    P = ot_plan(x0, x1)
    M = ((x0[:, None, :].double() - x1[None].double()) ** 2).sum(-1)
    assert abs(c_ot - float((P * M).sum())) < 1e-5


def test_exact_ot_plan_is_read_as_a_permutation_without_a_second_solve(monkeypatch):
    """The float64 plan of ot.emd is a permutation matrix for equal uniform batches: pairs_from_plan
    reads it directly (it used to compare it with float32 ones, raise, and make OTCoupling solve the
    problem again with scipy on every batch)."""
    import scipy.optimize
    x0, x1 = batches(n=128, d=2, seed=4)
    P = ot_plan(x0, x1)
    assert P.dtype == torch.float64
    i, j = pairs_from_plan(P, "permutation")
    assert torch.equal(i, torch.arange(128)) and torch.equal(torch.sort(j).values, torch.arange(128))

    def no_second_solve(*args, **kwargs):
        raise AssertionError("linear_sum_assignment called: the plan was not read")
    monkeypatch.setattr(scipy.optimize, "linear_sum_assignment", no_second_solve)
    y0, y1 = OTCoupling()(x0, x1)
    assert torch.equal(y0, x0) and torch.equal(y1, x1[j])
