"""Gaussian test pairs with non-commuting covariances (fixed seeds) and their exact bridges."""
import math

import torch

from si.bridges import GaussianBridge
from si.mixtures import GaussianMixture

F64 = torch.float64


def spd(d: int, seed: int, lo: float, hi: float) -> torch.Tensor:
    """Q diag(lo .. hi) Q^T with Q a random orthogonal matrix (fixed seed)."""
    g = torch.Generator().manual_seed(seed)
    Q, _ = torch.linalg.qr(torch.randn(d, d, generator=g, dtype=F64))
    return Q @ torch.diag(torch.linspace(lo, hi, d, dtype=F64)) @ Q.T


def gaussian_pair(d: int, sigma2: float, seed: int = 0):
    """(rho0, rho1, exact bridge): N(a, A) -> N(b, B), A and B random SPD with different eigenbases."""
    g = torch.Generator().manual_seed(100 + seed)
    a = torch.randn(d, generator=g, dtype=F64) / math.sqrt(d)
    b = a + 2 * torch.randn(d, generator=g, dtype=F64) / math.sqrt(d)
    A, B = spd(d, 2 * seed + 1, 0.5, 2.0), spd(d, 2 * seed + 2, 0.25, 1.5)
    assert float((A @ B - B @ A).abs().max()) > 0.1  # non-commuting
    rho0 = GaussianMixture(torch.ones(1, dtype=F64), a[None], A[None])
    rho1 = GaussianMixture(torch.ones(1, dtype=F64), b[None], B[None])
    return rho0, rho1, GaussianBridge(a, A, b, B, sigma=math.sqrt(sigma2))
