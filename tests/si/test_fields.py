"""si.fields: the drifts composed from fields agree with the identities of the exact oracle."""
import torch

from si.fields import backward_drift, denoiser_drift, forward_drift, score_from_denoiser, velocity_from_denoiser

from ..conftest import gmm_oracle

F64 = torch.float64


def test_drift_helpers_agree_with_the_oracle_identities():
    """b_F = b + eps s equals v + (gamma' - eps/gamma) eta; s = -eta/gamma; b = v + gamma' eta."""
    oracle = gmm_oracle()
    it = oracle.interpolant
    g = torch.Generator().manual_seed(8)
    t = 0.05 + 0.9 * torch.rand(64, generator=g, dtype=F64)
    x = 3 * torch.randn(64, 2, generator=g, dtype=F64)
    eps = lambda t: 0.5 + t  # noqa: E731
    close = lambda a, b: torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-10)  # noqa: E731
    close(forward_drift(oracle.b, oracle.s, eps)(t, x), denoiser_drift(oracle.v, oracle.eta, it, eps)(t, x))
    close(forward_drift(oracle.b, oracle.s, eps)(t, x), oracle.b(t, x) + (0.5 + t)[:, None] * oracle.s(t, x))
    close(backward_drift(oracle.b, oracle.s, 2.0)(t, x), oracle.b(t, x) - 2.0 * oracle.s(t, x))
    close(score_from_denoiser(oracle.eta, it)(t, x), oracle.s(t, x))
    close(velocity_from_denoiser(oracle.v, oracle.eta, it)(t, x), oracle.b(t, x))
    b = oracle.b
    assert forward_drift(b, oracle.s, 0.0) is b and backward_drift(b, oracle.s, 0) is b
