"""Two-sample statistics and their permutation test (docs/theory.md §7.7).

For samples X_1..X_n (model) and Y_1..Y_m (truth), both U-statistics (unbiased, so either can be
slightly negative when the laws agree; i != j in the within-sample means):

- energy distance  E = 2 E|X - Y| - E|X - X'| - E|Y - Y'|  (>= 0 in population, 0 iff the laws agree);
- MMD^2 with the Gaussian kernel k(x, y) = exp(-|x - y|^2 / (2 h^2)),
  MMD^2 = E k(X, X') + E k(Y, Y') - 2 E k(X, Y), h = the median pairwise distance of the pooled
  sample (median heuristic; the pooled sample, hence h, is the same under every permutation).

Permutation test: pool the n + m points, reassign the labels at random B times, recompute the
statistic; p = (1 + #{b : T_b >= T_obs}) / (1 + B), which is valid (P(p <= a) <= a) under the null.
All statistics of all permutations come from one pooled (n + m)^2 distance matrix: with a the 0/1
indicator of the X labels, the within-X sum is a^T D a, the cross sum a^T D 1 - a^T D a, the
within-Y sum 1^T D 1 - 2 a^T D 1 + a^T D a, so each permutation costs one matrix-vector product
(batched). Used to score generative models of stochastic interpolants (Albergo, Boffi &
Vanden-Eijnden, arXiv:2303.08797) against samples of the truth.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch

from .samples import ArrayLike, as_sample_pair

Tensor = torch.Tensor
STATISTICS = ("energy", "mmd")
PERMUTATION_BLOCK = 64  # permutations evaluated per batched matrix product

__all__ = ["energy_distance", "mmd2", "two_sample_test", "permutation_test", "PermutationTest",
           "median_bandwidth", "STATISTICS"]


@dataclass(frozen=True)
class PermutationTest:
    statistic: float      # T_obs, the U-statistic of the observed labels
    pvalue: float         # (1 + #{T_perm >= T_obs}) / (1 + permutations)
    permutations: int
    bandwidth: Optional[float] = None  # MMD only: the median-heuristic h
    null_mean: float = float("nan")    # mean and sd of the statistic over the permutations (the null)
    null_sd: float = float("nan")

    @property
    def z(self) -> float:
        """(T_obs - null mean) / null sd: the statistic's distance from the null in its own sd (an effect size)."""
        return (self.statistic - self.null_mean) / self.null_sd if self.null_sd > 0 else float("nan")


def _pooled(x: ArrayLike, y: ArrayLike):
    a, b = as_sample_pair(x, y)
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"two-sample statistics need at least 2 points in each sample, got {len(a)} and {len(b)}")
    z = torch.cat([torch.from_numpy(a), torch.from_numpy(b)])
    return z, len(a), len(b)


def median_bandwidth(z: Tensor) -> float:
    """Median of the pairwise distances |z_i - z_j|, i < j (the median heuristic on a pooled sample)."""
    D = torch.cdist(z, z)
    iu = torch.triu_indices(len(z), len(z), 1)
    h = float(D[iu[0], iu[1]].median())
    if not h > 0:
        raise ValueError("the median pairwise distance is 0 (more than half the pairs coincide); "
                         "the median-heuristic bandwidth is undefined")
    return h


def _matrix(z: Tensor, statistic: str):
    """The pooled pairwise matrix of the statistic's kernel: |z_i - z_j| (energy) or k(z_i, z_j) (mmd)."""
    D = torch.cdist(z, z)
    if statistic == "energy":
        return D, None
    if statistic != "mmd":
        raise ValueError(f"unknown two-sample statistic {statistic!r}; valid: {list(STATISTICS)}")
    h = median_bandwidth(z)
    return torch.exp(-(D * D) / (2 * h * h)), h


def _statistics(M: Tensor, A: Tensor, n: int, m: int, statistic: str) -> Tensor:
    """The U-statistic for every label column of A ((n + m, B), 0/1 with n ones), from the matrix M."""
    row = M.sum(1)
    total = row.sum()
    diag = M.diagonal().sum()                                      # 0 (energy) or n + m (mmd)
    xx = (A * (M @ A)).sum(0)                                       # a^T M a (diagonal included)
    xr = A.T @ row                                                  # a^T M 1
    xy, yy = xr - xx, total - 2 * xr + xx
    dx = (A * M.diagonal()[:, None]).sum(0)                         # the diagonal's share in xx
    XX = (xx - dx) / (n * (n - 1))
    YY = (yy - (diag - dx)) / (m * (m - 1))
    XY = xy / (n * m)
    return 2 * XY - XX - YY if statistic == "energy" else XX + YY - 2 * XY


def _observed_labels(n: int, m: int) -> Tensor:
    return torch.cat([torch.ones(n, dtype=torch.float64), torch.zeros(m, dtype=torch.float64)])[:, None]


def energy_distance(x: ArrayLike, y: ArrayLike) -> float:
    """Energy distance between the laws of x (n, d) and y (m, d), U-statistic (module doc)."""
    z, n, m = _pooled(x, y)
    M, _ = _matrix(z, "energy")
    return float(_statistics(M, _observed_labels(n, m), n, m, "energy")[0])


def mmd2(x: ArrayLike, y: ArrayLike, bandwidth: Optional[float] = None) -> float:
    """Squared MMD, Gaussian kernel, U-statistic; bandwidth h from the median heuristic unless given."""
    z, n, m = _pooled(x, y)
    if bandwidth is None:
        M, _ = _matrix(z, "mmd")
    else:
        if not bandwidth > 0:
            raise ValueError(f"bandwidth must be positive, got {bandwidth}")
        M = torch.exp(-torch.cdist(z, z) ** 2 / (2 * float(bandwidth) ** 2))
    return float(_statistics(M, _observed_labels(n, m), n, m, "mmd")[0])


def permutation_test(x: ArrayLike, y: ArrayLike, statistic: str = "energy", permutations: int = 200,
                     generator: Optional[torch.Generator] = None) -> PermutationTest:
    """Permutation test of "x and y have the same law" with the energy distance or MMD^2 (module doc)."""
    if statistic not in STATISTICS:
        raise ValueError(f"unknown two-sample statistic {statistic!r}; valid: {list(STATISTICS)}")
    if isinstance(permutations, bool) or not isinstance(permutations, int) or permutations < 1:
        raise ValueError(f"permutations must be an integer >= 1, got {permutations!r}")
    z, n, m = _pooled(x, y)
    M, h = _matrix(z, statistic)
    t_obs = _statistics(M, _observed_labels(n, m), n, m, statistic)[0]
    null = []
    for start in range(0, permutations, PERMUTATION_BLOCK):
        k = min(PERMUTATION_BLOCK, permutations - start)
        idx = torch.stack([torch.randperm(n + m, generator=generator)[:n] for _ in range(k)], 1)   # (n, k)
        A = torch.zeros(n + m, k, dtype=torch.float64).scatter_(0, idx, 1.0)
        null.append(_statistics(M, A, n, m, statistic))
    T = torch.cat(null)
    count = int((T >= t_obs).sum())
    return PermutationTest(statistic=float(t_obs), pvalue=(1 + count) / (1 + permutations),
                           permutations=permutations, bandwidth=h, null_mean=float(T.mean()),
                           null_sd=float(T.std()) if permutations > 1 else float("nan"))


def two_sample_test(x: ArrayLike, y: ArrayLike, statistic: str = "energy", permutations: int = 200,
                    generator: Optional[torch.Generator] = None) -> float:
    """The permutation p-value (1 + #{T_perm >= T}) / (1 + permutations) of ``permutation_test``."""
    return permutation_test(x, y, statistic, permutations, generator).pvalue
