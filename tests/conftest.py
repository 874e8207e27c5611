"""Shared helpers and fixtures of the tests (imported as `from tests.conftest import ...` or relatively)."""
import pytest
import torch

from si import GaussianMixture, Interpolant
from si.bridges import GaussianBridge
from si.interpolants import GAMMAS, PATHS
from si.mixtures import standard_normal
from si.oracle import InterpolantOracle
from si.training import TrainConfig

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


def mixture(weights, means, covs) -> GaussianMixture:
    """A float64 GaussianMixture from nested lists."""
    return GaussianMixture(torch.tensor(weights, dtype=F64), torch.tensor(means, dtype=F64),
                           torch.tensor(covs, dtype=F64))


def gmm_source():
    """2-D, 3 components, full covariances."""
    return mixture([0.3, 0.3, 0.4], [[-2., 0.], [1., 1.5], [1., -1.5]],
                   [[[0.3, 0.1], [0.1, 0.3]], [[0.4, 0.], [0., 0.2]], [[0.25, -0.05], [-0.05, 0.3]]])


def gmm_target():
    """2-D, 4 well-separated components, full covariances."""
    return mixture([0.2, 0.3, 0.25, 0.25], [[3., 3.], [-3., 3.], [3., -3.], [-3., -3.]],
                   [[[0.5, 0.2], [0.2, 0.5]], [[0.4, 0.], [0., 0.6]], [[0.3, 0.], [0., 0.3]],
                    [[0.6, -0.1], [-0.1, 0.4]]])


def gmm_target_overlapping():
    """4 overlapping components: W2 between samples at n = 2000 is then dominated by local matching
    noise, not by the (much noisier) mass moved between well-separated modes."""
    return mixture([0.2, 0.3, 0.25, 0.25], [[1., 1.], [-1., 1.], [1., -1.], [-1., -1.]],
                   [[[0.5, 0.2], [0.2, 0.5]], [[0.4, 0.], [0., 0.6]], [[0.3, 0.], [0., 0.3]],
                    [[0.6, -0.1], [-0.1, 0.4]]])


def gmm_pair_3x4():
    """(oracle, rho0, rho1): gmm_source -> gmm_target on the linear path with brownian gamma."""
    rho0, rho1 = gmm_source(), gmm_target()
    return InterpolantOracle(Interpolant("linear", "brownian"), rho0, rho1), rho0, rho1


def gmm_pair_2x3():
    """2-D: 2 source components, 3 target components (a cheaper pair for the many-path SDE tests)."""
    rho0 = mixture([0.4, 0.6], [[-1.5, 0.], [1.5, 0.5]], [[[0.3, 0.1], [0.1, 0.3]], [[0.4, 0.], [0., 0.25]]])
    rho1 = mixture([0.3, 0.3, 0.4], [[3., 2.], [-3., 2.], [0., -3.]],
                   [[[0.5, 0.2], [0.2, 0.5]], [[0.4, 0.], [0., 0.6]], [[0.3, 0.], [0., 0.35]]])
    return InterpolantOracle(Interpolant("linear", "brownian"), rho0, rho1), rho0, rho1


def gmm_oracle(interpolant=None, target=gmm_target):
    """3 -> 4 component 2-D pair (full covariances), linear path with brownian gamma by default."""
    return InterpolantOracle(interpolant or Interpolant("linear", "brownian"), gmm_source(), target())


# N(0, I) -> N(AFFINE_MEAN, diag(AFFINE_STD^2)) on the one-sided linear path: the ODE map is affine
AFFINE_MEAN, AFFINE_STD = [1.0, -2.0], [3.0, 0.4]


def gaussian_target(mean, std):
    """(oracle, rho0, rho1): N(0, I) -> N(mean, diag(std^2)) on the one-sided linear path; the ODE map
    is x0 -> mean + std x0."""
    d = len(mean)
    rho0 = standard_normal(d, dtype=F64)
    rho1 = GaussianMixture(torch.ones(1, dtype=F64), torch.tensor([mean], dtype=F64),
                           torch.diag(torch.tensor(std, dtype=F64) ** 2)[None])
    return InterpolantOracle(Interpolant("one-sided-linear"), rho0, rho1), rho0, rho1


def gaussian_oracle(mean, std):
    """The oracle of gaussian_target(mean, std)."""
    return gaussian_target(mean, std)[0]


class CountingField:
    """The test's own call counter (independent of si.fields.Counted)."""

    def __init__(self, f):
        self.f, self.n = f, 0

    def __call__(self, t, x):
        assert t.shape == (x.shape[0],)
        self.n += 1
        return self.f(t, x)


def w2(x, y) -> float:
    """W2 between samples (si.metrics.w2, POT's exact solver)."""
    from si.metrics import w2 as metric
    return metric(x, y)


def spd(d, seed, lo=0.3, hi=2.0):
    """A fixed d x d SPD matrix with eigenvalues evenly spaced in [lo, hi] (random rotation, seeded)."""
    g = torch.Generator().manual_seed(seed)
    Q, _ = torch.linalg.qr(torch.randn(d, d, generator=g, dtype=F64))
    return Q @ torch.diag(torch.linspace(lo, hi, d, dtype=F64)) @ Q.T


def iso_gmm(means, var, weights) -> GaussianMixture:
    """A float64 mixture with isotropic components of variance var."""
    m = torch.tensor(means, dtype=F64)
    return GaussianMixture(torch.tensor(weights, dtype=F64), m,
                           var * torch.eye(m.shape[1], dtype=F64).repeat(len(means), 1, 1))


# the training tests' pair and a tiny configuration (30 steps)
TRAIN_RHO0 = iso_gmm([[-2.0, 0.0], [1.0, 1.7], [1.0, -1.7]], 0.3, [0.3, 0.3, 0.4])
TRAIN_RHO1 = iso_gmm([[3.0, 0.0], [0.0, 3.0], [-3.0, -1.0]], 0.3, [0.4, 0.3, 0.3])
TINY = TrainConfig(steps=30, batch=64, hidden=16, depth=2, log_every=10, seed=3)


def randn(n, d, seed):
    """n standard normal points in R^d, float64, from a generator seeded with seed."""
    return torch.randn(n, d, dtype=F64, generator=torch.Generator().manual_seed(seed))


def random_bridge(d=3, sigma=0.7, coupling="schrodinger"):
    """A fixed GaussianBridge N(a, A) -> N(b, B) in dimension d."""
    g = torch.Generator().manual_seed(d)
    a, b = torch.randn(d, generator=g, dtype=F64), torch.randn(d, generator=g, dtype=F64)
    return GaussianBridge(a, spd(d, 1), b, spd(d, 2, 0.5, 3.0), sigma, coupling=coupling)


def sample_cov(x, y=None):
    """Unbiased sample (cross-)covariance of the rows of x (and y)."""
    y = x if y is None else y
    xc, yc = x - x.mean(0), y - y.mean(0)
    return xc.T @ yc / (len(x) - 1)


def max_z(est, exact, se):
    """The largest |estimate - exact| / standard error."""
    return float(((est - exact) / se).abs().max())


# (dimension, sigma^2) of the fixed Gaussian bridge pairs
BRIDGE_GRID = [(d, s2) for d in (2, 16, 64) for s2 in (0.1, 1.0)]


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
