"""The fixed bridge pairs built on si.bridges are non-trivial; bad input raises clear errors."""
import pytest
import torch

from si.bridges import GaussianBridge, MixturePotentialBridge
from si.mixtures import GaussianMixture
from sibench.pairs.bridges import gaussian_sb_pair, mixture_potential_bridge

from ...conftest import BRIDGE_GRID

F64 = torch.float64


@pytest.mark.parametrize("d,s2", BRIDGE_GRID)
def test_gaussian_sb_pairs_are_fixed_and_nontrivial(d, s2):
    g, h = gaussian_sb_pair(d, s2), gaussian_sb_pair(d, s2)
    assert torch.equal(g.cov0, h.cov0) and torch.equal(g.cross_cov, h.cross_cov)
    assert g.dim == d and abs(g.sigma2 - s2) < 1e-14
    A, B = g.cov0, g.cov1
    assert float((A @ B - B @ A).abs().max()) > 0.1  # the two covariances do not commute
    for M, lo, hi in ((A, 0.5, 2.0), (B, 0.25, 1.5)):
        ev = torch.linalg.eigvalsh(M)
        assert abs(float(ev.min()) - lo) < 1e-10 and abs(float(ev.max()) - hi) < 1e-10
    assert abs(float((g.mean1 - g.mean0).norm()) - 2) < 1e-12


@pytest.mark.parametrize("d,s2,base_var", [(2, 0.1, 2.0), (2, 1.0, 2.0), (16, 0.1, 2.0), (16, 1.0, 2.0),
                                             (2, 0.1, 0.25), (16, 1.0, 0.25)])
def test_mixture_potential_pairs(d, s2, base_var):
    b = mixture_potential_bridge(d, s2, base_var=base_var)
    assert b.dim == d and b.rho0.dim == d and b.rho1.dim == d and b.plan.dim == 2 * d
    assert b.potential.n_components == 8 and abs(b.sigma2 - s2) < 1e-14
    # rho1 is the sharper, outer one: larger mean radius, smaller per-component spread
    assert float(b.rho1.means.norm(dim=1).mean()) > float(b.rho0.means.norm(dim=1).mean())
    x0, x1 = b.sample_plan(5, torch.Generator().manual_seed(0))
    assert x0.shape == x1.shape == (5, d)


def test_bad_input_raises_value_error():
    eye = torch.eye(2, dtype=F64)
    z = torch.zeros(2, dtype=F64)
    with pytest.raises(ValueError, match="positive definite"):
        GaussianBridge(z, torch.diag(torch.tensor([1.0, -1.0])), z, eye, 1.0)
    with pytest.raises(ValueError, match="symmetric"):
        GaussianBridge(z, torch.tensor([[1.0, 0.5], [0.0, 1.0]]), z, eye, 1.0)
    with pytest.raises(ValueError, match="shape"):
        GaussianBridge(z, torch.eye(3), z, eye, 1.0)
    with pytest.raises(ValueError, match="sigma"):
        GaussianBridge(z, eye, z, eye, -1.0)
    with pytest.raises(ValueError, match="coupling"):
        GaussianBridge(z, eye, z, eye, 1.0, coupling="sinkhorn")
    g = GaussianBridge(z, eye, z, eye, 1.0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        g.drift(1.5, torch.zeros(3, 2))
    with pytest.raises(ValueError, match="shape"):
        g.drift(0.5, torch.zeros(3, 4))
    with pytest.raises(ValueError, match="shape"):
        g.drift(torch.zeros(2), torch.zeros(3, 2))
    with pytest.raises(ValueError):
        g.sample_plan(-1)
    with pytest.raises(ValueError):
        g.sample_paths(3, [0.5, 0.2])
    with pytest.raises(ValueError):
        gaussian_sb_pair(0, 1.0)
    with pytest.raises(ValueError):
        gaussian_sb_pair(2, 0.0)
    with pytest.raises(ValueError):
        mixture_potential_bridge(1, 1.0)
    with pytest.raises(ValueError, match="base_var"):
        mixture_potential_bridge(2, 1.0, base_var=0.0)
    f = GaussianMixture(torch.ones(1, dtype=F64), torch.zeros(1, 2, dtype=F64), eye[None])
    with pytest.raises(ValueError, match="sigma"):
        MixturePotentialBridge(f, 0.0, f)
    with pytest.raises(ValueError, match="dimension"):
        MixturePotentialBridge(f, 1.0, GaussianMixture(torch.ones(1), torch.zeros(1, 3), torch.eye(3)[None]))
