import pytest
import torch

from si import GaussianMixture, Interpolant
from si.interpolants import GAMMAS, PATHS
from si.mixtures import standard_normal

F64 = torch.float64

# Small tensor operations run far slower with two intra-op threads when the machine's two cores
# are shared (measured ~50x here); the tests are many small operations, so use one thread.
torch.set_num_threads(1)


def random_gmm(K: int, d: int, seed: int, spread: float = 3.0, dtype=F64) -> GaussianMixture:
    """A fixed random mixture with full covariances (eigenvalues >= 0.3)."""
    g = torch.Generator().manual_seed(seed)
    w = torch.rand(K, generator=g, dtype=dtype) + 0.5
    m = spread * torch.randn(K, d, generator=g, dtype=dtype)
    A = 0.5 * torch.randn(K, d, d, generator=g, dtype=dtype)
    return GaussianMixture(w / w.sum(), m, A @ A.transpose(-1, -2) + 0.3 * torch.eye(d, dtype=dtype))


def all_interpolants():
    """Every valid (path, gamma) combination of docs/theory.md §1."""
    out = []
    for p in PATHS:
        for g in GAMMAS:
            try:
                out.append(Interpolant(p, g))
            except ValueError:
                pass
    return out


def pair_for(interp: Interpolant, d: int = 2):
    """(rho0, rho1) appropriate for the path: N(0,I) latent when one-sided, rho0 = rho1 for mirror."""
    rho1 = random_gmm(3, d, seed=2)
    if interp.one_sided:
        return standard_normal(d, dtype=F64), rho1
    if interp.mirror:
        return rho1, rho1
    return random_gmm(3, d, seed=1), rho1


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
