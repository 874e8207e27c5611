"""Named benchmark densities with exact log densities and entropies (DESIGN 1.8).

Every density has `.name`, `.dim`, `.sample(n, generator=None) -> (n, d)`, an exact `.log_prob(x)`,
`.entropy` (nats) with `.entropy_se` (0 when analytic, the Monte Carlo standard error otherwise), and
`.gmm`, the `si.GaussianMixture` when the density is one (so the exact oracle of DESIGN 1.6 applies),
else None. Every parameter is fixed here, nothing is drawn at random; docs/densities.md tabulates them.

Monte Carlo entropies H = -E log rho(X) were computed once by `benchmarks/entropies.py`, which calls
`estimate_entropy(density, n=2_000_000, seed=ENTROPY_SEED)` in float64, and are stored in
`_MC_ENTROPY` below as (value, standard error) with SE = std(log rho(X)) / sqrt(n).

Named benchmark pairs (rho0, rho1) with their ground truth live in `si.benchmark_pairs` and are re-exported
here: `BENCHMARKS`, `get_benchmark`, `BenchmarkPair`.
"""
from __future__ import annotations

import abc
import math
import re
from typing import Callable, Dict, Optional, Tuple

import torch

from .mixtures import LOG_2PI, GaussianMixture

Tensor = torch.Tensor

ENTROPY_SEED = 20230317          # seed of the stored Monte Carlo entropies
ENTROPY_N = 2_000_000            # sample size of the stored Monte Carlo entropies
LAZY_ENTROPY_N = 200_000         # sample size when an entropy is not stored (computed on first access)

# name -> (entropy, standard error), from `python benchmarks/entropies.py` (n = ENTROPY_N,
# seed = ENTROPY_SEED, float64). Regenerate with that script if a parameter below changes; the
# tests compare each constant with a fresh, independent Monte Carlo estimate.
_MC_ENTROPY: Dict[str, Tuple[float, float]] = {}


# ----------------------------------------------------------------------------------------
# The interface
# ----------------------------------------------------------------------------------------
class Density(abc.ABC):
    """A probability density on R^d with a sampler, an exact log density and its entropy."""

    name: str

    @property
    @abc.abstractmethod
    def dim(self) -> int: ...

    @property
    @abc.abstractmethod
    def dtype(self) -> torch.dtype: ...

    @property
    @abc.abstractmethod
    def device(self) -> torch.device: ...

    @abc.abstractmethod
    def sample(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        """n independent samples, shape (n, d), in this density's dtype and on its device."""

    @abc.abstractmethod
    def log_prob(self, x: Tensor) -> Tensor:
        """Exact log density at x (n, d) -> (n,), in the dtype and on the device of x."""

    @abc.abstractmethod
    def to(self, device=None, dtype=None) -> "Density": ...

    @property
    @abc.abstractmethod
    def entropy(self) -> float:
        """Differential entropy -E log rho(X) in nats."""

    @property
    @abc.abstractmethod
    def entropy_se(self) -> float:
        """Standard error of `entropy` (0 when it is analytic)."""

    @property
    def gmm(self) -> Optional[GaussianMixture]:
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, dim={self.dim})"

    def _check(self, x: Tensor) -> None:
        if x.dim() != 2 or x.shape[1] != self.dim:
            raise ValueError(f"x must have shape (n, {self.dim}), got {tuple(x.shape)}")


def estimate_entropy(density: Density, n: int = 1_000_000, seed: int = 0,
                     chunk: int = 100_000) -> Tuple[float, float]:
    """Monte Carlo entropy: (mean, standard error) of -log rho(X) over n samples, in float64 on CPU.

    Samples are drawn in chunks from one `torch.Generator` seeded with `seed`, so the result is
    reproducible; the standard error is std(log rho(X)) / sqrt(n).
    """
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    dens = density.to(device="cpu", dtype=torch.float64)
    g = torch.Generator().manual_seed(seed)
    vals = []
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        vals.append(-dens.log_prob(dens.sample(m, generator=g)))
    v = torch.cat(vals)
    if not bool(torch.isfinite(v).all()):
        raise ValueError(f"{density.name}: log density is not finite at some of its own samples")
    return float(v.mean()), float(v.std() / math.sqrt(n))


# ----------------------------------------------------------------------------------------
# Gaussian mixtures (exact log density; entropy analytic for one component, else Monte Carlo)
# ----------------------------------------------------------------------------------------
class MixtureDensity(Density):
    """A Gaussian mixture as a named density; `.gmm` is the underlying `si.GaussianMixture`.

    log_prob / score loop over the components (K small) with triangular solves on (d, n) blocks,
    and use elementwise arithmetic when every covariance is diagonal, so they stay cheap in high
    dimension. If `entropy` is not given it is analytic for a single Gaussian and otherwise estimated
    by Monte Carlo (`LAZY_ENTROPY_N` samples, seed `ENTROPY_SEED`) on first access.
    """

    def __init__(self, name: str, gmm: GaussianMixture, entropy: Optional[float] = None,
                 entropy_se: Optional[float] = None, params: Optional[dict] = None):
        self.name, self._gmm, self.params = name, gmm, dict(params or {})
        S = gmm.covs
        off = S - torch.diag_embed(torch.diagonal(S, dim1=-2, dim2=-1))
        self._diagonal = bool((off == 0).all())
        self._logdet = 2 * torch.log(torch.diagonal(gmm.chol, dim1=-2, dim2=-1)).sum(-1)  # (K,)
        if entropy is None and gmm.n_components == 1:
            entropy, entropy_se = 0.5 * float(self._logdet[0]) + 0.5 * gmm.dim * (LOG_2PI + 1), 0.0
        if (entropy is None) != (entropy_se is None):
            raise ValueError("give both entropy and entropy_se, or neither")
        self._entropy = None if entropy is None else (float(entropy), float(entropy_se))

    # -- properties ------------------------------------------------------------------------
    @property
    def gmm(self) -> GaussianMixture:
        return self._gmm

    @property
    def dim(self) -> int:
        return self._gmm.dim

    @property
    def dtype(self) -> torch.dtype:
        return self._gmm.dtype

    @property
    def device(self) -> torch.device:
        return self._gmm.means.device

    @property
    def entropy(self) -> float:
        return self._entropy_pair()[0]

    @property
    def entropy_se(self) -> float:
        return self._entropy_pair()[1]

    def _entropy_pair(self) -> Tuple[float, float]:
        if self._entropy is None:
            self._entropy = estimate_entropy(self, LAZY_ENTROPY_N, ENTROPY_SEED)
        return self._entropy

    def to(self, device=None, dtype=None) -> "MixtureDensity":
        new = MixtureDensity(self.name, self._gmm.to(device=device, dtype=dtype), params=self.params,
                             entropy=0.0, entropy_se=0.0)
        new._entropy = self._entropy  # shares the (possibly not yet computed) entropy
        return new

    def mean(self) -> Tensor:
        return self._gmm.mean()

    def cov(self) -> Tensor:
        return self._gmm.cov()

    # -- sampling and density ------------------------------------------------------------
    def sample(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        """Same draws as `GaussianMixture.sample` (component indices, then standard normals)."""
        if n < 0:
            raise ValueError(f"n must be non-negative, got {n}")
        g, dev = self._gmm, self.device
        if n == 0:
            return torch.zeros(0, self.dim, dtype=self.dtype, device=dev)
        k = torch.multinomial(g.weights, n, replacement=True, generator=generator)
        z = torch.randn(n, self.dim, generator=generator, dtype=self.dtype, device=dev)
        if self._diagonal:
            return g.means[k] + z * torch.diagonal(g.chol, dim1=-2, dim2=-1)[k]
        x = g.means[k].clone()
        for c in range(g.n_components):
            idx = (k == c).nonzero().squeeze(1)
            if idx.numel():
                x[idx] += z[idx] @ g.chol[c].T
        return x

    def _params_like(self, x: Tensor):
        f = lambda a: a.to(dtype=x.dtype, device=x.device)  # noqa: E731
        g = self._gmm
        return f(g.weights), f(g.means), f(g.chol), f(self._logdet)

    def _solve(self, chol: Tensor, diff: Tensor, c: int) -> Tensor:
        """L_c^-1 diff for diff (n, d)."""
        if self._diagonal:
            return diff / torch.diagonal(chol[c])
        return torch.linalg.solve_triangular(chol[c], diff.T, upper=False).T

    def component_log_prob(self, x: Tensor) -> Tensor:
        """log w_k + log N(x; m_k, S_k), shape (n, K)."""
        self._check(x)
        w, m, L, logdet = self._params_like(x)
        cols = []
        for c in range(m.shape[0]):
            sol = self._solve(L, x - m[c], c)
            cols.append(torch.log(w[c]) - 0.5 * (sol ** 2).sum(-1) - 0.5 * logdet[c] - 0.5 * self.dim * LOG_2PI)
        return torch.stack(cols, dim=-1)

    def log_prob(self, x: Tensor) -> Tensor:
        return torch.logsumexp(self.component_log_prob(x), dim=-1)

    def score(self, x: Tensor) -> Tensor:
        """grad log rho(x) = sum_k w_k(x) [-S_k^-1 (x - m_k)], exact."""
        post = torch.softmax(self.component_log_prob(x), dim=-1)  # (n, K)
        _, m, L, _ = self._params_like(x)
        out = torch.zeros_like(x)
        for c in range(m.shape[0]):
            diff = x - m[c]
            if self._diagonal:
                sol = diff / torch.diagonal(L[c]) ** 2
            else:
                sol = torch.cholesky_solve(diff.T, L[c]).T
            out -= post[:, c:c + 1] * sol
        return out


# ----------------------------------------------------------------------------------------
# The checkerboard: uniform on 8 squares of side 2 in [-4, 4]^2
# ----------------------------------------------------------------------------------------
class Checkerboard(Density):
    """Uniform on the 8 squares [-4 + 2i, -2 + 2i] x [-4 + 2j, -2 + 2j], i, j in {0..3}, i + j even.

    Area 32, so log rho = -log 32 on the support and -inf off it; entropy log 32 (analytic).
    The square with lower-left corner (-4, -4) is in the support (the usual FFJORD layout).
    """

    name = "checkerboard"
    AREA = 32.0
    SIDE = 2.0

    def __init__(self, dtype=None, device=None):
        self._dtype = dtype or torch.get_default_dtype()
        self._device = torch.device(device) if device is not None else torch.device("cpu")
        self.params = {"squares": 8, "side": 2.0, "box": [-4.0, 4.0], "rule": "i + j even"}

    @property
    def dim(self) -> int:
        return 2

    @property
    def dtype(self) -> torch.dtype:
        return self._dtype

    @property
    def device(self) -> torch.device:
        return self._device

    @property
    def entropy(self) -> float:
        return math.log(self.AREA)

    @property
    def entropy_se(self) -> float:
        return 0.0

    def to(self, device=None, dtype=None) -> "Checkerboard":
        return Checkerboard(dtype=dtype or self._dtype, device=device or self._device)

    def corners(self) -> Tensor:
        """Lower-left corners of the 8 squares, shape (8, 2)."""
        ij = [(i, j) for i in range(4) for j in range(4) if (i + j) % 2 == 0]
        return -4.0 + 2.0 * torch.tensor(ij, dtype=self._dtype, device=self._device)

    def sample(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        if n < 0:
            raise ValueError(f"n must be non-negative, got {n}")
        k = torch.randint(0, 8, (n,), generator=generator, device=self._device)
        u = torch.rand(n, 2, generator=generator, dtype=self._dtype, device=self._device)
        return self.corners()[k] + self.SIDE * u

    def inside(self, x: Tensor) -> Tensor:
        """Boolean (n,): x lies in the support."""
        self._check(x)
        cell = torch.floor((x + 4.0) / self.SIDE)
        in_box = ((cell >= 0) & (cell <= 3)).all(-1)
        return in_box & (cell.sum(-1).remainder(2) == 0)

    def support_fraction(self, x: Tensor) -> float:
        """Fraction of the rows of x inside the support (DESIGN 1.7: a discriminating metric)."""
        return float(self.inside(x).to(torch.float64).mean()) if x.shape[0] else float("nan")

    def log_prob(self, x: Tensor) -> Tensor:
        inside = self.inside(x)
        return torch.where(inside, torch.full_like(x[:, 0], -math.log(self.AREA)),
                           torch.full_like(x[:, 0], -math.inf))


# ----------------------------------------------------------------------------------------
# Named densities (all parameters fixed here; see docs/densities.md)
# ----------------------------------------------------------------------------------------
def _mixture(name: str, weights, means, covs, dtype=None, device=None, params=None,
             entropy: Optional[float] = None, entropy_se: Optional[float] = None) -> MixtureDensity:
    """Build in float64 (exact parameters), then cast; entropy from the stored table unless given."""
    dtype = dtype or torch.get_default_dtype()
    f = lambda a: torch.as_tensor(a, dtype=torch.float64).to(dtype=dtype, device=device)  # noqa: E731
    if entropy is None:
        entropy, entropy_se = _MC_ENTROPY.get(name, (None, None))
    return MixtureDensity(name, GaussianMixture(f(weights), f(means), f(covs)), entropy, entropy_se, params)


def _fmt(v: float) -> str:
    return f"{v:g}"


def gaussian(d: int = 2, var: float = 1.0, dtype=None, device=None) -> MixtureDensity:
    """N(0, var I_d), named 'gaussian-d{d}' (var = 1) or 'gaussian-d{d}-v{var}'. Entropy analytic."""
    if d < 1:
        raise ValueError(f"d must be positive, got {d}")
    if not var > 0:
        raise ValueError(f"var must be positive, got {var}")
    name = f"gaussian-d{d}" + ("" if var == 1 else f"-v{_fmt(var)}")
    return _mixture(name, [1.0], torch.zeros(1, d, dtype=torch.float64),
                    var * torch.eye(d, dtype=torch.float64)[None], dtype, device, {"mean": 0.0, "var": var})


def gaussian_density(name: str, mean, cov, dtype=None, device=None) -> MixtureDensity:
    """A general Gaussian N(mean, cov) (entropy 1/2 log det(2 pi e cov), analytic)."""
    mean = torch.as_tensor(mean, dtype=torch.float64)
    cov = torch.as_tensor(cov, dtype=torch.float64)
    return _mixture(name, [1.0], mean[None], cov[None], dtype, device)


def mixture_density(name: str, weights, means, covs, dtype=None, device=None,
                    entropy: Optional[float] = None, entropy_se: Optional[float] = None) -> MixtureDensity:
    """A general Gaussian mixture; its entropy is Monte Carlo, computed on first access unless given
    (analytic for a single component)."""
    dtype = dtype or torch.get_default_dtype()
    f = lambda a: torch.as_tensor(a, dtype=torch.float64).to(dtype=dtype, device=device)  # noqa: E731
    return MixtureDensity(name, GaussianMixture(f(weights), f(means), f(covs)), entropy, entropy_se)


RING_K, RING_RADIUS, RING_VAR = 8, 4.0, 0.25


def eight_gaussians(dtype=None, device=None) -> MixtureDensity:
    """Ring of 8 Gaussians: equal weights, means 4 (cos 2 pi k/8, sin 2 pi k/8), covariance 0.25 I."""
    ang = 2 * math.pi * torch.arange(RING_K, dtype=torch.float64) / RING_K
    means = RING_RADIUS * torch.stack([torch.cos(ang), torch.sin(ang)], -1)
    covs = RING_VAR * torch.eye(2, dtype=torch.float64).expand(RING_K, 2, 2)
    return _mixture("8gaussians", torch.full((RING_K,), 1.0 / RING_K), means, covs, dtype, device,
                    {"K": RING_K, "radius": RING_RADIUS, "var": RING_VAR})


MOONS_PER_ARC, MOONS_SCALE, MOONS_VAR = 16, 2.0, 0.04


def moons_centers() -> Tensor:
    """The 2 x 16 arc points of the two-moons mixture, float64 (32, 2).

    sklearn's two moons without noise: upper arc (cos th, sin th), lower arc (1 - cos th,
    1/2 - sin th), th = pi k / 15, k = 0..15; then centred at (1/2, 1/4) (the mean of the
    points) and scaled by 2.
    """
    th = math.pi * torch.arange(MOONS_PER_ARC, dtype=torch.float64) / (MOONS_PER_ARC - 1)
    upper = torch.stack([torch.cos(th), torch.sin(th)], -1)
    lower = torch.stack([1 - torch.cos(th), 0.5 - torch.sin(th)], -1)
    pts = torch.cat([upper, lower], 0) - torch.tensor([0.5, 0.25], dtype=torch.float64)
    return MOONS_SCALE * pts


def moons(dtype=None, device=None) -> MixtureDensity:
    """Two moons as a Gaussian mixture: 32 equal-weight components on `moons_centers()`, cov 0.04 I
    (std 0.2 = sklearn noise 0.1 after the scaling by 2; neighbours 2.1 std apart, so the arcs are
    smooth: the density ripples by about 2% along them)."""
    c = moons_centers()
    K = c.shape[0]
    covs = MOONS_VAR * torch.eye(2, dtype=torch.float64).expand(K, 2, 2)
    return _mixture("moons", torch.full((K,), 1.0 / K), c, covs, dtype, device,
                    {"K": K, "per_arc": MOONS_PER_ARC, "scale": MOONS_SCALE, "var": MOONS_VAR})


def gmm3_source(dtype=None, device=None) -> MixtureDensity:
    """3 equal-weight components at radius 2, angles 90, 210, 330 degrees, covariance 0.3 I."""
    ang = torch.tensor([90.0, 210.0, 330.0], dtype=torch.float64) * math.pi / 180
    means = 2.0 * torch.stack([torch.cos(ang), torch.sin(ang)], -1)
    covs = 0.3 * torch.eye(2, dtype=torch.float64).expand(3, 2, 2)
    return _mixture("gmm3-source", torch.full((3,), 1.0 / 3), means, covs, dtype, device)


def gmm3_target(dtype=None, device=None) -> MixtureDensity:
    """3 components, unequal weights and anisotropic, correlated covariances (see docs/densities.md)."""
    weights = [0.5, 0.25, 0.25]
    means = [[-3.0, 0.0], [3.0, 2.0], [3.0, -2.0]]
    covs = [[[0.5, 0.3], [0.3, 0.5]], [[0.2, 0.0], [0.0, 0.6]], [[0.6, -0.2], [-0.2, 0.3]]]
    return _mixture("gmm3-target", weights, means, covs, dtype, device)


def gmm1d_source(dtype=None, device=None) -> MixtureDensity:
    """1-D: 1/2 N(-3, 0.25) + 1/2 N(3, 0.25) (DESIGN 1.9, the paper's one-dimensional figures)."""
    return _mixture("gmm1d-source", [0.5, 0.5], [[-3.0], [3.0]], [[[0.25]], [[0.25]]], dtype, device)


def gmm1d_target(dtype=None, device=None) -> MixtureDensity:
    """1-D: equal-weight modes at -6, 0, 6, variance 0.25 each."""
    return _mixture("gmm1d-target", [1 / 3, 1 / 3, 1 / 3], [[-6.0], [0.0], [6.0]],
                    [[[0.25]], [[0.25]], [[0.25]]], dtype, device)


HD_WEIGHTS, HD_RADIUS, HD_VARS = (0.5, 0.3, 0.2), 4.0, (0.25, 0.5, 1.0)


def highdim_mixture_params(d: int) -> Tuple[Tensor, Tensor, Tensor]:
    """(weights, means, diagonal variances) of 'mixture3-d{d}', float64.

    means m_k[j] = 4 sqrt(2/d) cos(2 pi k/3 + pi j/d): |m_k| = 4, pairwise distances 4 sqrt(3),
    spread over every coordinate; variances S_k[j] = 0.25 * 2^((j + k) mod 3), j = 0..d-1.
    """
    if d < 2:
        raise ValueError(f"the high-dimensional mixture needs d >= 2, got {d}")
    k = torch.arange(3, dtype=torch.float64)[:, None]
    j = torch.arange(d, dtype=torch.float64)[None, :]
    means = HD_RADIUS * math.sqrt(2.0 / d) * torch.cos(2 * math.pi * k / 3 + math.pi * j / d)
    vars_ = torch.tensor(HD_VARS, dtype=torch.float64)[(torch.arange(d)[None, :] + torch.arange(3)[:, None]) % 3]
    return torch.tensor(HD_WEIGHTS, dtype=torch.float64), means, vars_


def highdim_mixture(d: int, dtype=None, device=None) -> MixtureDensity:
    """'mixture3-d{d}': a 3-component, diagonal-covariance mixture in d dimensions (DESIGN 1.9)."""
    w, m, v = highdim_mixture_params(d)
    return _mixture(f"mixture3-d{d}", w, m, torch.diag_embed(v), dtype, device,
                    {"K": 3, "weights": list(HD_WEIGHTS), "radius": HD_RADIUS, "vars": list(HD_VARS)})


def highdim_separated_entropy(d: int) -> float:
    """Entropy of mixture3-d{d} if its components did not overlap: H(w) + sum_k w_k H(N_k).

    An upper bound on the true entropy, and tight here (components are >= 6.9 std apart)."""
    w, _, v = highdim_mixture_params(d)
    Hk = 0.5 * torch.log(2 * math.pi * math.e * v).sum(-1)
    return float(-(w * torch.log(w)).sum() + (w * Hk).sum())


# -- the Gaussian pairs of the Schroedinger-bridge benchmarks -----------------------------
def dct_matrix(d: int) -> Tensor:
    """Orthonormal DCT-II matrix Q (d, d), float64: a fixed rotation with no preferred axis."""
    k = torch.arange(d, dtype=torch.float64)[:, None]
    j = torch.arange(d, dtype=torch.float64)[None, :]
    Q = torch.cos(math.pi * (j + 0.5) * k / d) * math.sqrt(2.0 / d)
    Q[0] /= math.sqrt(2.0)
    return Q


def sb_gaussian_params(d: int) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    """(a, A, b, B) of the Gaussian bridge pairs, float64.

    a = 0, A = diag(a_j) with a_j = 0.5 * 4^(j/(d-1)) (0.5 .. 2);
    b_j = (-1)^j, B = Q diag(b_j') Q^T with b_j' = 2 * 8^(-j/(d-1)) (2 .. 0.25), Q = dct_matrix(d),
    so A and B do not commute and the bridge's cross-covariance is not a scaled identity.
    """
    if d < 2:
        raise ValueError(f"d must be at least 2, got {d}")
    s = torch.arange(d, dtype=torch.float64) / (d - 1)
    A = torch.diag(0.5 * 4.0 ** s)
    Q = dct_matrix(d)
    B = Q @ torch.diag(2.0 * 8.0 ** (-s)) @ Q.T
    B = 0.5 * (B + B.T)
    a = torch.zeros(d, dtype=torch.float64)
    b = (-1.0) ** torch.arange(d, dtype=torch.float64)
    return a, A, b, B


def sb_gaussian_densities(d: int, dtype=None, device=None) -> Tuple[MixtureDensity, MixtureDensity]:
    a, A, b, B = sb_gaussian_params(d)
    return (gaussian_density(f"sbgauss0-d{d}", a, A, dtype, device),
            gaussian_density(f"sbgauss1-d{d}", b, B, dtype, device))


# ----------------------------------------------------------------------------------------
# Registry of named densities
# ----------------------------------------------------------------------------------------
DENSITIES: Dict[str, Callable[..., Density]] = {
    "gaussian-d2": lambda **kw: gaussian(2, **kw),
    "8gaussians": eight_gaussians,
    "checkerboard": lambda **kw: Checkerboard(**kw),
    "moons": moons,
    "gmm3-source": gmm3_source,
    "gmm3-target": gmm3_target,
    "gmm1d-source": gmm1d_source,
    "gmm1d-target": gmm1d_target,
    "mixture3-d16": lambda **kw: highdim_mixture(16, **kw),
    "mixture3-d32": lambda **kw: highdim_mixture(32, **kw),
}
_PATTERNS = [
    (re.compile(r"gaussian-d(\d+)"), lambda m, **kw: gaussian(int(m[1]), **kw)),
    (re.compile(r"gaussian-d(\d+)-v([0-9.]+)"), lambda m, **kw: gaussian(int(m[1]), float(m[2]), **kw)),
    (re.compile(r"mixture3-d(\d+)"), lambda m, **kw: highdim_mixture(int(m[1]), **kw)),
]


def get_density(name: str, dtype=None, device=None) -> Density:
    """A named density: a key of DENSITIES, or gaussian-d{d}, gaussian-d{d}-v{var}, mixture3-d{d}."""
    kw = {"dtype": dtype, "device": device}
    if name in DENSITIES:
        return DENSITIES[name](**kw)
    for pat, make in _PATTERNS:
        m = pat.fullmatch(name)
        if m:
            return make(m, **kw)
    raise ValueError(f"unknown density {name!r}; valid names: {sorted(DENSITIES)} "
                     f"or gaussian-d<d>, gaussian-d<d>-v<var>, mixture3-d<d>")


_PAIR_API = ("BENCHMARKS", "BenchmarkPair", "benchmark_names", "get_benchmark")


def __getattr__(name: str):
    """Re-export the benchmark-pair registry (si.benchmark_pairs) lazily, avoiding an import cycle."""
    if name in _PAIR_API:
        from . import benchmark_pairs
        return getattr(benchmark_pairs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
