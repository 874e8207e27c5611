"""sibench.densities.checkerboard: support, log density and support fraction against exact probabilities."""
from __future__ import annotations

import math

import torch

from sibench import densities as D

from .common import F64, gen


# ----------------------------------------------------------------------------------------
# the checkerboard
# ----------------------------------------------------------------------------------------
def test_checkerboard_log_prob_and_support():
    cb = D.Checkerboard(dtype=F64)
    x = cb.sample(10_000, generator=gen(4))
    assert cb.support_fraction(x) == 1.0
    assert torch.all(cb.log_prob(x) == -math.log(32))
    pts = torch.tensor([[-3.0, -3.0], [-1.0, -3.0], [1.0, 1.0], [3.0, -1.0], [0.5, -0.5], [4.5, 0.0],
                        [-3.5, 3.5]], dtype=F64)
    inside = [True, False, True, True, False, False, False]
    assert cb.inside(pts).tolist() == inside
    lp = cb.log_prob(pts)
    assert torch.all(torch.isneginf(lp[~torch.tensor(inside)]))
    # each of the 8 squares holds 1/8 of the samples
    k = (((x + 4) / 2).floor() @ torch.tensor([4.0, 1.0], dtype=F64)).long()
    counts = torch.bincount(k, minlength=16)
    occupied = counts[counts > 0]
    assert len(occupied) == 8
    assert float(((occupied - 1250.0).abs() / math.sqrt(10_000 / 8 * 7 / 8)).max()) < 5


def test_checkerboard_support_fraction_of_a_gaussian():
    """support_fraction of N(0, I) samples against the exact probability of the support."""
    cb = D.Checkerboard(dtype=F64)
    Phi = lambda v: 0.5 * (1 + math.erf(v / math.sqrt(2)))  # noqa: E731
    exact = sum((Phi(c[0] + 2) - Phi(c[0])) * (Phi(c[1] + 2) - Phi(c[1])) for c in cb.corners().tolist())
    n = 50_000
    frac = cb.support_fraction(torch.randn(n, 2, generator=gen(5), dtype=F64))
    assert abs(frac - exact) < 5 * math.sqrt(exact * (1 - exact) / n)
    assert 0.45 < exact < 0.55
