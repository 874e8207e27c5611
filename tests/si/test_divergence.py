"""si.divergence: the exact divergence of a linear field is its trace; Hutchinson agrees on average."""
import math

import pytest
import torch

from si.divergence import divergence, make_probes

from ..conftest import gmm_pair_3x4

F64 = torch.float64


def test_exact_divergence_of_a_linear_field_is_its_trace():
    g = torch.Generator().manual_seed(0)
    A = torch.randn(5, 5, generator=g, dtype=F64)
    x = torch.randn(7, 5, generator=g, dtype=F64)
    t = torch.rand(7, generator=g, dtype=F64)
    f = lambda t, x: x @ A.T + t[:, None] * x ** 2  # noqa: E731  div = tr A + 2 t sum_i x_i
    expected = torch.trace(A) + 2 * t * x.sum(1)
    torch.testing.assert_close(divergence(f, t, x), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("probe", ["rademacher", "gaussian"])
def test_hutchinson_divergence_agrees_with_the_exact_divergence(probe):
    """m = 12 fixed points (t ~ U[0.05, 0.95], x ~ rho_t), 4000 single-probe estimates at each,
    seed 1. At a fixed point e^T J e is a light-tailed quadratic form, so the CLT holds over the
    4000 probes: z_i = (mean_i - div_i) / SE_i is ~N(0, 1). Checked: each |z_i| < 4 and the pooled
    sum z_i / sqrt(m) within 3. (Pooling single probes over *different* points instead is
    heavy-tailed in the Jacobian's size and makes the SE unreliable.)"""
    oracle, rho0, rho1 = gmm_pair_3x4()
    g = torch.Generator().manual_seed(1)
    m, k = 12, 4000
    t = 0.05 + 0.9 * torch.rand(m, generator=g, dtype=F64)
    x0, x1 = rho0.sample(m, generator=g), rho1.sample(m, generator=g)
    x = oracle.interpolant.points(t, x0, x1, torch.randn(m, 2, generator=g, dtype=F64)).xt
    exact = divergence(oracle.b, t, x)
    t_rep, x_rep = t.repeat(k), x.repeat(k, 1)                      # probe-major copies of the points
    est = divergence(oracle.b, t_rep, x_rep, make_probes(1, x_rep, probe, g)).reshape(k, m)
    assert bool((est.std(0) > 0).all())  # really random here (off-diagonal Jacobian entries)
    z = (est.mean(0) - exact) / (est.std(0) / math.sqrt(k))
    assert bool((z.abs() < 4).all()), z
    assert abs(float(z.sum()) / math.sqrt(m)) < 3, z


@pytest.mark.parametrize("loop_max", [16, 0])
def test_loop_and_batched_vector_jacobian_products_agree_with_the_trace(monkeypatch, loop_max):
    """The exact divergence and the probes' e^T J e through the loop of backward passes (d, k <= LOOP_MAX)
    and through the batched (vmapped) one, in chunks of a few cotangents: the trace of a known Jacobian,
    and e^T J e for a linear field, to float64 rounding."""
    import si.divergence as D
    from si.divergence import value_and_divergences
    monkeypatch.setattr(D, "LOOP_MAX", loop_max)
    monkeypatch.setattr(D, "CHUNK_ELEMENTS", 2 * 7 * 5)  # two cotangents per batched backward pass
    g = torch.Generator().manual_seed(0)
    A = torch.randn(5, 5, generator=g, dtype=F64)
    x = torch.randn(7, 5, generator=g, dtype=F64)
    t = torch.rand(7, generator=g, dtype=F64)
    f = lambda t, x: x @ A.T + t[:, None] * x ** 2  # noqa: E731
    torch.testing.assert_close(divergence(f, t, x), torch.trace(A) + 2 * t * x.sum(1), rtol=1e-12, atol=1e-12)
    E = make_probes(3, x, "gaussian", g)
    out, div, aux = value_and_divergences(lambda y: (f(t, y), y.sum()), x, E)
    J = A[None] + 2 * torch.diag_embed(t[:, None] * x)                                  # (n, d, d)
    torch.testing.assert_close(div, torch.einsum("kni,nij,knj->nk", E, J, E), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(out, f(t, x))
    assert not out.requires_grad and not div.requires_grad and not aux.requires_grad
