"""sibench.power.defects: the injected defects are the densities they claim to be (exact checks, and
Monte Carlo checks with their n, seed and tolerance stated)."""
import math

import pytest
import torch

from si.mixtures import GaussianMixture
from sibench.densities import Checkerboard
from sibench.pairs import get_benchmark
from sibench.power import (DEFECTS, AffinePushforward, WeightedCheckerboard, applicable_defects, defect, defective,
                           heaviest_mode, shift_direction)

F64 = torch.float64


def test_mixture_defects_change_exactly_what_they_name():
    rho = get_benchmark("gmm-pair").rho1
    g = rho.gmm
    k = heaviest_mode(g)
    assert float(g.weights[k]) == float(g.weights.max())
    cov = defective(rho, defect("cov-0.8")).gmm
    assert torch.equal(cov.covs, 0.8 * g.covs) and torch.equal(cov.means, g.means) and torch.equal(cov.weights, g.weights)
    sh = defective(rho, defect("shift-0.4")).gmm
    assert torch.allclose(sh.means - g.means, 0.4 * shift_direction(2).expand_as(g.means), atol=1e-15)
    assert abs(float(shift_direction(5).norm()) - 1) < 1e-15
    w = defective(rho, defect("weight-0.75")).gmm.weights
    expect = g.weights.clone()
    expect[k] *= 0.75
    assert torch.allclose(w, expect / expect.sum(), atol=1e-15)
    drop = defective(rho, defect("mode-dropped")).gmm
    keep = [i for i in range(g.n_components) if i != k]
    assert drop.n_components == g.n_components - 1 and torch.equal(drop.means, g.means[keep])
    assert torch.allclose(drop.weights, g.weights[keep] / g.weights[keep].sum(), atol=1e-15)
    assert defective(rho, defect("truth")) is rho


def test_log_prob_of_a_mixture_defect_is_the_mixture_built_by_hand():
    rho = get_benchmark("hd-mixture-d16").rho1
    x = rho.sample(50, generator=torch.Generator().manual_seed(0)).double()
    g = rho.gmm
    by_hand = GaussianMixture(g.weights, g.means, 0.6 * g.covs)
    assert torch.allclose(defective(rho, defect("cov-0.6")).log_prob(x), by_hand.log_prob(x), rtol=1e-12)


def test_a_single_gaussian_has_no_mode_defects():
    rho = get_benchmark("sb-gauss-d2-s1").rho1
    names = [d.name for d in applicable_defects(rho)]
    assert "weight-0.75" not in names and "mode-dropped" not in names and "cov-0.6" in names
    with pytest.raises(ValueError, match="no mode"):
        defective(rho, defect("mode-dropped"))
    with pytest.raises(ValueError, match="unknown defect"):
        defect("cov-0.7")


def test_checkerboard_pushforwards_have_exact_log_densities():
    cb = Checkerboard(dtype=F64)
    x = cb.sample(2000, generator=torch.Generator().manual_seed(1))
    for name, s, b in (("cov-0.6", math.sqrt(0.6), torch.zeros(2, dtype=F64)),
                       ("shift-0.4", 1.0, 0.4 * shift_direction(2))):
        q = defective(cb, defect(name))
        assert isinstance(q, AffinePushforward)
        y = s * x + b                                        # the pushforward of the same points
        assert torch.allclose(q.log_prob(y), cb.log_prob(x) - 2 * math.log(s), rtol=1e-14)
        assert bool(torch.isfinite(q.log_prob(q.sample(500, generator=torch.Generator().manual_seed(2)))).all())
        assert q.entropy == pytest.approx(cb.entropy + 2 * math.log(s), rel=1e-14)
    # the board scaled by sqrt(0.6) leaves the support (measured fraction inside 0.75 at n = 1000; bar 0.9);
    # none of the truth's own samples do
    assert cb.support_fraction(defective(cb, defect("cov-0.6")).sample(1000)) < 0.9
    assert cb.support_fraction(x) == 1.0


def test_weighted_checkerboard_frequencies_and_entropy():
    # n = 16000 draws: each square's frequency within 4 binomial standard errors of its weight (seed 3)
    q = defective(Checkerboard(dtype=F64), defect("weight-0.75"))
    assert isinstance(q, WeightedCheckerboard)
    x = q.sample(16000, generator=torch.Generator().manual_seed(3))
    k = q.square(x)
    assert bool((k >= 0).all())
    freq = torch.bincount(k, minlength=8).double() / 16000
    se = torch.sqrt(q.weights * (1 - q.weights) / 16000)
    assert bool(((freq - q.weights).abs() < 4 * se).all())
    assert float(q.weights[0]) == pytest.approx(0.75 / 7.75, rel=1e-14)
    # the density integrates to 1 over the squares and its entropy is -E log q (exact: piecewise constant)
    assert float((torch.exp(q.log_prob(q.corners() + 1.0)) * 4).sum()) == pytest.approx(1.0, rel=1e-14)
    assert q.entropy == pytest.approx(float(-(q.weights * torch.log(q.weights / 4)).sum()), rel=1e-14)
    drop = defective(Checkerboard(dtype=F64), defect("mode-dropped"))
    y = drop.sample(4000, generator=torch.Generator().manual_seed(4))
    assert not bool((drop.square(y) == 0).any())
    assert bool(torch.isneginf(drop.log_prob(drop.corners()[:1] + 1.0)).all())
    assert bool(torch.isneginf(q.log_prob(torch.tensor([[-1.0, -3.0]], dtype=F64))).all())   # off the support


def test_every_registered_defect_applies_to_a_mixture_and_the_checkerboard():
    assert len(applicable_defects(get_benchmark("gmm-pair").rho1)) == len(DEFECTS) == 9
    assert len(applicable_defects(Checkerboard())) == 9
