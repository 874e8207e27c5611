"""si.metrics.samples: W2 between samples, its floor and sliced W2, against exact answers."""
import math

import pytest
import torch

from si.metrics import sliced_w2, w2, w2_floor
from si.mixtures import GaussianMixture

from ...conftest import randn

F64 = torch.float64


def test_w2_is_zero_on_identical_sets():
    x = randn(300, 3, 0)
    assert w2(x, x) < 1e-7
    assert w2(x, x[torch.randperm(300, generator=torch.Generator().manual_seed(1))]) < 1e-7
    assert w2(x, torch.cat([x, x])) < 1e-7  # same empirical measure, different n


def test_w2_equals_the_shift_on_translated_sets():
    x = randn(300, 2, 2)
    c = torch.tensor([1.5, -2.0], dtype=F64)
    assert abs(w2(x, x + c) - 2.5) < 1e-9
    assert abs(w2(x.numpy(), (x + c).numpy()) - 2.5) < 1e-9  # numpy input


def test_w2_in_one_dimension_is_the_sorted_matching():
    x, y = randn(500, 1, 3), 2 * randn(500, 1, 4) + 1
    exact = math.sqrt(float(((torch.sort(x, 0).values - torch.sort(y, 0).values) ** 2).mean()))
    assert abs(w2(x, y) - exact) < 1e-10
    assert abs(sliced_w2(x, y, n_projections=3) - exact) < 1e-10  # every direction is +-1


def test_w2_raises_when_the_solver_stops_early():
    x, y = randn(300, 2, 5), randn(300, 2, 6) + 1
    with pytest.raises(RuntimeError, match="stopped early"):
        w2(x, y, num_itermax=10)


def test_w2_rejects_bad_input():
    with pytest.raises(ValueError, match="dimension"):
        w2(randn(5, 2, 0), randn(5, 3, 0))
    with pytest.raises(ValueError, match="non-finite"):
        w2(torch.full((3, 2), float("nan")), randn(3, 2, 0))
    with pytest.raises(ValueError, match="dimensions"):
        w2(torch.zeros(5), torch.zeros(5))


def test_w2_floor_is_truth_against_truth():
    g = GaussianMixture(torch.ones(1, dtype=F64), torch.zeros(1, 2, dtype=F64), torch.eye(2, dtype=F64)[None])
    floor = w2_floor(g, 200, torch.Generator().manual_seed(0))
    gen = torch.Generator().manual_seed(0)
    a, b = g.sample(200, gen), g.sample(200, gen)
    assert abs(floor - w2(a, b)) < 1e-12 and floor > 0
    # a callable works too, and the floor shrinks with n (empirical W2 of N(0, I_2) ~ n^-1/2 log n)
    f2 = w2_floor(lambda n, gen: g.sample(n, gen), 1600, torch.Generator().manual_seed(0))
    assert f2 < floor
    with pytest.raises(ValueError):
        w2_floor(object(), 10)


def test_sliced_w2_of_a_translation():
    # theta . c for theta uniform on S^2 is |c| u with u ~ U(-1, 1) (Archimedes), so SW2^2 = |c|^2 / 3;
    # with P projections the estimate of |c|^2 E u^2 has SE |c|^2 sqrt(Var u^2 / P), Var u^2 = 4/45.
    x = randn(200, 3, 7)
    c = torch.tensor([1.0, 2.0, -2.0], dtype=F64)  # |c| = 3
    P = 2000
    est = sliced_w2(x, x + c, n_projections=P, seed=0) ** 2
    assert abs(est - 3.0) < 5 * 9 * math.sqrt(4 / 45 / P)
