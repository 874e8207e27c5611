"""si.likelihood.entropy: cross-entropy and KL against closed forms."""
import math

import torch

from si.likelihood import cross_entropy, kl_divergence, ode_log_prob
from si.mixtures import standard_normal

from ...conftest import gaussian_target

F64 = torch.float64


def test_kl_of_an_ode_model_matches_the_closed_form():
    """Data N(0, I_2); model: the ODE flow N(0, I) -> N(0, 2 I) with exact velocity, so
    KL(N(0, I) || N(0, 2I)) = 0.5 (tr(S1^-1 S0) - d + log det S1 / det S0) = 0.5 (1 - 2 + 2 log 2),
    and H(N(0, I_2)) = log(2 pi e). n = 2000 samples (seed 11): within 3 SE."""
    oracle, rho0, _ = gaussian_target([0.0, 0.0], [math.sqrt(2), math.sqrt(2)])
    x = rho0.sample(2000, generator=torch.Generator().manual_seed(11))
    ce = cross_entropy(lambda y: ode_log_prob(oracle.b, rho0.log_prob, y, steps=50), x)
    kl = kl_divergence(ce, entropy=math.log(2 * math.pi * math.e))
    expected = 0.5 * (1 - 2 + 2 * math.log(2))
    assert ce.n == 2000 and kl.stderr == ce.stderr > 0
    assert abs(kl.value - expected) < 3 * kl.stderr


def test_cross_entropy_of_the_truth_is_its_entropy():
    rho = standard_normal(3, dtype=F64)
    x = rho.sample(5000, generator=torch.Generator().manual_seed(12))
    ce = cross_entropy(rho.log_prob(x))
    assert abs(ce.value - 1.5 * math.log(2 * math.pi * math.e)) < 3 * ce.stderr
    kl = kl_divergence(ce, 1.5 * math.log(2 * math.pi * math.e), entropy_se=0.01)
    assert math.isclose(kl.stderr, math.hypot(ce.stderr, 0.01))
