"""Own data across the library: what accepts a tensor of samples for rho0 / rho1 and what cannot.

Training takes a tensor (si.data.as_source, tests/si/test_data.py). The samplers take samples x0
themselves; the likelihood estimators need log rho0, which a tensor of samples cannot give (a clear
error) but a density object with .log_prob can; the W2 floor of one's own held-out data comes from
two disjoint subsets. Exact answers: a constant velocity b = c moves every point by c, so the ODE
likelihood is log N(x - c; 0, I) in closed form, and the SDE estimators at eps = 0 on the full window
[0, 1] are the same deterministic flow (no noise, no score term)."""
import math

import numpy as np
import pytest
import torch

from si.likelihood import as_log_density, ode_likelihood, sde_likelihood
from si.metrics import disjoint_subsets, w2, w2_floor
from si.mixtures import standard_normal
from si.sampling import sample_ode, sample_sde

F64 = torch.float64
C = torch.tensor([0.7, -1.3], dtype=F64)


def shift(t, x):
    return 0 * x + C          # depends on x (autograd takes its divergence, exactly 0)


def zero(t, x):
    return 0 * x


def exact_log_prob(x):
    y = x - C
    return -0.5 * (y * y).sum(1) - math.log(2 * math.pi)   # log N(y; 0, I_2)


@pytest.fixture
def x():
    return torch.randn(50, 2, generator=torch.Generator().manual_seed(0), dtype=F64)


def test_ode_likelihood_takes_a_density_object_and_matches_the_closed_form(x):
    rho0 = standard_normal(2, dtype=F64)
    by_object = ode_likelihood(shift, rho0, x, steps=10, method="rk4").log_prob
    by_method = ode_likelihood(shift, rho0.log_prob, x, steps=10, method="rk4").log_prob
    assert torch.equal(by_object, by_method)
    torch.testing.assert_close(by_object, exact_log_prob(x), rtol=0, atol=1e-12)


@pytest.mark.parametrize("estimator", ["score", "feynman-kac"])
def test_sde_likelihood_takes_a_density_object_and_matches_the_closed_form(x, estimator):
    rho0 = standard_normal(2, dtype=F64)
    out = sde_likelihood(shift, zero, rho0, x, steps=10, paths=2, estimator=estimator, eps=0.0,
                         t_min=0.0, t_max=1.0, generator=torch.Generator().manual_seed(1)).log_prob
    torch.testing.assert_close(out, exact_log_prob(x), rtol=0, atol=1e-12)


@pytest.mark.parametrize("samples", [torch.randn(100, 2, dtype=F64), np.zeros((100, 2)), [torch.zeros(10, 2)]])
def test_samples_in_place_of_log_rho0_are_refused_by_name(x, samples):
    with pytest.raises(ValueError, match=r"log_prob0: got samples .*needs the log density log rho0"):
        ode_likelihood(shift, samples, x, steps=2)
    with pytest.raises(ValueError, match=r"log_prob0: got samples .*needs the log density log rho0"):
        sde_likelihood(shift, zero, samples, x, steps=2, paths=2, eps=0.5)


def test_anything_else_in_place_of_log_rho0_is_refused():
    with pytest.raises(ValueError, match=r"log_prob0 must be a callable .* or a density with .log_prob.*got int"):
        as_log_density(3)


@pytest.mark.parametrize("x0, hint", [(standard_normal(2), r"draw the samples first, e.g. x0 = rho.sample\(n\)"),
                                      (np.zeros((10, 2), dtype=np.float32), r"torch.as_tensor"),
                                      ([torch.zeros(10, 2)], r"iterable of batches")])
def test_samplers_say_what_to_pass_instead_of_samples(x0, hint):
    with pytest.raises(ValueError, match=r"x0 must be a tensor of samples.*" + hint):
        sample_ode(shift, x0, steps=2)
    with pytest.raises(ValueError, match=r"x0 must be a tensor of samples.*" + hint):
        sample_sde(shift, zero, x0, steps=2, eps=0.5)


def test_disjoint_subsets_are_disjoint_rows_of_the_data():
    data = torch.arange(40, dtype=F64).reshape(20, 2)          # row i is (2i, 2i + 1): rows identify themselves
    a, b = disjoint_subsets(data, 7, torch.Generator().manual_seed(3))
    ia, ib = set((a[:, 0] / 2).long().tolist()), set((b[:, 0] / 2).long().tolist())
    assert len(ia) == len(ib) == 7 and not ia & ib
    torch.testing.assert_close(a[:, 1] - a[:, 0], torch.ones(7, dtype=F64))  # whole rows, not mixed entries
    with pytest.raises(ValueError, match=r"two disjoint subsets of 11 rows need at least 22 samples, got 20"):
        disjoint_subsets(data, 11)


def test_w2_floor_of_a_tensor_is_w2_between_its_disjoint_subsets():
    data = torch.randn(300, 2, generator=torch.Generator().manual_seed(4), dtype=F64)
    floor = w2_floor(data, 100, torch.Generator().manual_seed(5))
    a, b = disjoint_subsets(data, 100, torch.Generator().manual_seed(5))
    assert floor == w2(a, b) > 0
    # exact: a data set of one repeated point has floor 0; np arrays are accepted as well
    assert w2_floor(np.ones((10, 3)), 5) == 0.0
