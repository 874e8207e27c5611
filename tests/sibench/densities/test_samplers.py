"""sibench.densities: every benchmark density's sampler agrees with its log density; the interface,
determinism and dtypes; the named builders' parameters and the registry's names."""
from __future__ import annotations

import math

import pytest
import torch

from sibench import densities as D
from si.mixtures import GaussianMixture

from .common import ALL, F64, GMMS, LOW_DIM, gen


# ----------------------------------------------------------------------------------------
# sampler versus log density
# ----------------------------------------------------------------------------------------
def _grid_probabilities(density, lo, hi, width, sub):
    """Bin probabilities from the log density by the midpoint rule (sub^dim points per bin)."""
    dim = density.dim
    nb = [int(round((h - l) / width)) for l, h in zip(lo, hi)]
    axes = [l + (torch.arange(n * sub, dtype=F64) + 0.5) * width / sub for l, n in zip(lo, nb)]
    pts = torch.stack(torch.meshgrid(*axes, indexing="ij"), -1).reshape(-1, dim)
    mass = torch.exp(density.log_prob(pts)) * (width / sub) ** dim
    mass = mass.reshape(*[n * sub for n in nb])
    for ax in range(dim):  # sum the sub-cells of every bin
        shape = list(mass.shape)
        mass = mass.reshape(*shape[:ax], nb[ax], sub, *shape[ax + 1:]).sum(ax + 1)
    return mass, nb


@pytest.mark.parametrize("name", LOW_DIM)
def test_histogram_matches_log_density(name):
    """Counts of n samples in bins of width 1/2 against the bin masses integrated from exp(log_prob):
    every bin within 5.5 binomial standard deviations, and the total mass on the grid matches."""
    rho = ALL[name]
    n = 40_000
    x = rho.sample(n, generator=gen(1))
    assert x.shape == (n, rho.dim) and x.dtype == F64
    width = 0.5
    lo = [math.floor(float(x[:, i].quantile(0.0005))) for i in range(rho.dim)]  # integer edges: aligned with
    hi = [math.ceil(float(x[:, i].quantile(0.9995))) for i in range(rho.dim)]  # the checkerboard's squares
    p, nb = _grid_probabilities(rho, lo, hi, width, sub=12 if rho.dim == 2 else 100)
    idx = torch.stack([((x[:, i] - lo[i]) / width).floor().long() for i in range(rho.dim)], -1)
    keep = ((idx >= 0) & (idx < torch.tensor(nb))).all(-1)
    counts = torch.zeros(nb, dtype=F64)
    counts.index_put_(tuple(idx[keep].T), torch.ones(int(keep.sum()), dtype=F64), accumulate=True)
    expected = n * p
    sd = torch.sqrt(n * p * (1 - p)).clamp_min(1.0)
    z = (counts - expected) / sd
    assert float(z.abs().max()) < 5.5, f"{name}: worst bin z = {float(z.abs().max()):.2f}"
    total = float(p.sum())
    frac = float(keep.to(F64).mean())
    assert abs(total - frac) < 5 * math.sqrt(frac * (1 - frac) / n) + 2e-3, (total, frac)
    assert total > 0.99  # the log density is normalised (the grid holds 99.9% of the samples)


@pytest.mark.parametrize("name", GMMS)
def test_stein_identity(name):
    """E[grad log rho(X) X^T] = -I and E[grad log rho(X)] = 0 under the sampler, with grad log rho taken
    by autograd through log_prob: ties the sampler to the log density in any dimension."""
    rho = ALL[name]
    n = 20_000
    x = rho.sample(n, generator=gen(2)).requires_grad_(True)
    s = torch.autograd.grad(rho.log_prob(x).sum(), x)[0]
    x = x.detach()
    xc = x - x.mean(0)  # E[s x^T] = E[s (x - c)^T] for any constant c, since E[s] = 0; centring cuts the variance
    mean = s.T @ xc / n                              # (d, d): E[s_i x_j]
    var = (s ** 2).T @ (xc ** 2) / n - mean ** 2
    eye = torch.eye(rho.dim, dtype=F64)
    z_mat = (mean + eye) / (var.clamp_min(0).sqrt() / math.sqrt(n)).clamp_min(1e-12)
    z_mean = s.mean(0) / (s.std(0) / math.sqrt(n))
    # d^2 entries (4096 at d = 64) and centring by the sample mean: allow 6 standard errors
    assert float(z_mat.abs().max()) < 6.0, f"{name}: Stein z = {float(z_mat.abs().max()):.2f}"
    assert float(z_mean.abs().max()) < 5.0


@pytest.mark.parametrize("name", GMMS)
def test_mixture_log_prob_and_score_match_reference(name):
    """The component-loop log_prob / score equal si.mixtures.GaussianMixture's, and the samples have the
    mixture's mean and covariance."""
    rho = ALL[name]
    x = rho.sample(4000, generator=gen(3))
    torch.testing.assert_close(rho.log_prob(x[:200]), rho.gmm.log_prob(x[:200]), rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(rho.score(x[:200]), rho.gmm.score(x[:200]), rtol=1e-8, atol=1e-8)
    mean, cov = rho.gmm.mean(), rho.gmm.cov()
    sd = torch.sqrt(torch.diagonal(cov))
    z = (x.mean(0) - mean) / (sd / math.sqrt(x.shape[0]))
    assert float(z.abs().max()) < 5.0
    corr_err = (torch.cov(x.T) - cov) / (sd[:, None] * sd[None, :])
    assert float(corr_err.abs().max()) < 0.12



# ----------------------------------------------------------------------------------------
# interface, determinism, dtype
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(D.DENSITIES))
def test_interface_determinism_and_dtype(name):
    a, b = D.get_density(name), D.get_density(name)
    assert isinstance(a, D.Density) and a.name == name
    assert a.dtype == torch.get_default_dtype()
    torch.testing.assert_close(a.sample(50, generator=gen(6)), b.sample(50, generator=gen(6)), rtol=0, atol=0)
    assert a.sample(0).shape == (0, a.dim)
    c = a.to(dtype=F64)
    assert c.sample(5).dtype == F64 and c.entropy == a.entropy and c.name == a.name
    x32 = a.sample(7)
    assert a.log_prob(x32).dtype == x32.dtype and a.log_prob(x32.double()).dtype == F64
    with pytest.raises(ValueError):
        a.log_prob(torch.zeros(3, a.dim + 1))
    if a.gmm is not None:
        assert isinstance(a.gmm, GaussianMixture) and a.gmm.dim == a.dim
    else:
        assert name == "checkerboard"


def test_mixture_sample_matches_gaussian_mixture_draws():
    rho = D.gmm3_target(dtype=F64)
    torch.testing.assert_close(rho.sample(100, generator=gen(8)), rho.gmm.sample(100, generator=gen(8)))


def test_get_density_patterns_and_errors():
    assert D.get_density("gaussian-d5").dim == 5
    g = D.get_density("gaussian-d3-v1.5")
    assert g.name == "gaussian-d3-v1.5" and torch.allclose(g.gmm.covs[0], 1.5 * torch.eye(3, dtype=F64))
    assert g.gmm.dtype == F64 and g.sample(2).dtype == torch.get_default_dtype()
    assert D.get_density("mixture3-d400").entropy == D.MC_ENTROPIES["mixture3-d400"][0]
    with pytest.raises(ValueError, match="8gaussians"):
        D.get_density("nope")


def test_parameters_are_as_documented():
    ring = D.eight_gaussians(dtype=F64)
    assert torch.allclose(ring.gmm.means.norm(dim=1), torch.full((8,), 4.0, dtype=F64))
    assert torch.allclose(ring.gmm.covs, 0.25 * torch.eye(2, dtype=F64).expand(8, 2, 2))
    mo = D.moons(dtype=F64)
    assert mo.gmm.n_components == 32 and torch.allclose(mo.gmm.mean(), torch.zeros(2, dtype=F64), atol=1e-12)
    w, m, v = D.highdim_mixture_params(16)
    assert torch.allclose(m.norm(dim=1), torch.full((3,), 4.0, dtype=F64))
    dist = torch.cdist(m, m)[~torch.eye(3, dtype=bool)]
    assert torch.allclose(dist, torch.full_like(dist, 4 * math.sqrt(3)))
    assert set(v.unique().tolist()) == {0.25, 0.5, 1.0}
