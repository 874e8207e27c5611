"""Sample-based Wasserstein distances (docs/theory.md §7), on POT.

Every distance is returned as W2 (a distance), never its square, as a Python float computed in
float64. Inputs are tensors or arrays of shape (n, d).

- w2: exact W2 between empirical measures, ot.emd2 on the squared Euclidean cost with numItermax
  >= 1e7; POT stops early with only a warning, which is raised here as an error.
- w2_floor: W2 between two independent sample sets of the truth at the same n (report beside w2); from
  a density, a sampler, or a tensor of held-out samples (two disjoint subsets: `disjoint_subsets`).
- sliced_w2: sliced W2 (random directions), for large n.
Used to score samplers of stochastic interpolants (Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797).
"""
from __future__ import annotations

import math
from typing import Optional, Tuple, Union

import numpy as np
import torch

from ..couplings import NUM_ITERMAX, exact_ot

Tensor = torch.Tensor
ArrayLike = Union[Tensor, np.ndarray]

__all__ = ["w2", "w2_floor", "sliced_w2", "draw_samples", "disjoint_subsets", "as_array", "as_sample_pair", "ArrayLike",
           "NUM_ITERMAX"]


def as_array(x: ArrayLike, name: str = "x", ndim: int = 2) -> np.ndarray:
    """x (tensor or array) as a finite float64 numpy array with `ndim` dimensions."""
    if isinstance(x, Tensor):
        x = x.detach().to("cpu", torch.float64).numpy()
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} has non-finite entries")
    return a


def as_sample_pair(x: ArrayLike, y: ArrayLike) -> Tuple[np.ndarray, np.ndarray]:
    """Two non-empty sample sets (n, d) and (m, d) of the same dimension, as float64 arrays."""
    a, b = as_array(x, "x"), as_array(y, "y")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"x and y must share a dimension, got {a.shape[1]} and {b.shape[1]}")
    if len(a) == 0 or len(b) == 0:
        raise ValueError("x and y must be non-empty")
    return a, b


# ----------------------------------------------------------------------------------------
# sample-based W2
# ----------------------------------------------------------------------------------------
def w2(x: ArrayLike, y: ArrayLike, num_itermax: int = NUM_ITERMAX) -> float:
    """Exact W2 between the empirical measures of x (n, d) and y (m, d), uniform weights.

    ot.emd2 on ot.dist (squared Euclidean). If the network simplex stops before optimality (POT
    only warns), RuntimeError is raised: the returned value would be an upper bound, not W2.
    """
    a, b = as_sample_pair(x, y)
    if num_itermax < 1:
        raise ValueError(f"num_itermax must be positive, got {num_itermax}")
    import ot  # POT imports scikit-learn (and with it pandas) where installed: only when used
    M = ot.dist(a, b)  # squared Euclidean by default
    wa, wb = np.full(len(a), 1.0 / len(a)), np.full(len(b), 1.0 / len(b))
    cost = exact_ot(ot.emd2, wa, wb, M, num_itermax)
    return math.sqrt(max(float(cost), 0.0))


def draw_samples(sample, n: int, generator: Optional[torch.Generator]):
    """n samples from an object with .sample(n, generator=) or a callable (n, generator) -> samples."""
    if hasattr(sample, "sample"):
        return sample.sample(n, generator=generator)
    if callable(sample):
        return sample(n, generator)
    raise ValueError(f"sample must be a callable (n, generator) -> samples or have a .sample(n, generator=) method, "
                     f"got {type(sample).__name__} (for a tensor of samples use disjoint_subsets)")


def disjoint_subsets(data: ArrayLike, n: int, generator: Optional[torch.Generator] = None) -> Tuple[Tensor, Tensor]:
    """Two disjoint random subsets of n rows each of a tensor (or array) of samples (N, d), N >= 2n:
    two independent sample sets of the data's distribution (one random permutation, drawn with
    `generator`; its first n rows and its next n rows). The floor of a two-sample distance for your
    own data is that distance between the two subsets (the value a perfect model gets at size n)."""
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n}")
    x = torch.as_tensor(data) if isinstance(data, np.ndarray) else data
    if not isinstance(x, Tensor) or x.dim() != 2:
        desc = tuple(x.shape) if isinstance(x, Tensor) else type(data).__name__
        raise ValueError(f"data must be a tensor or array of samples of shape (N, d), got {desc}")
    if x.shape[0] < 2 * n:
        raise ValueError(f"two disjoint subsets of {n} rows need at least {2 * n} samples, got {x.shape[0]}; "
                         f"lower n or hold out more data")
    idx = torch.randperm(x.shape[0], generator=generator)
    return x[idx[:n]], x[idx[n:2 * n]]


def w2_floor(sample, n: int, generator: Optional[torch.Generator] = None, num_itermax: int = NUM_ITERMAX) -> float:
    """W2 between two independent sample sets of size n of the truth (the value a perfect model gets).

    sample: an object with .sample(n, generator=None), a callable (n, generator) -> (n, d), or a
    tensor (or array) of samples (N, d) with N >= 2n, whose two disjoint random subsets of n rows
    (`disjoint_subsets`) are the two sample sets.
    """
    if isinstance(sample, (Tensor, np.ndarray)):
        a, b = disjoint_subsets(sample, n, generator)
        return w2(a, b, num_itermax=num_itermax)
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n}")
    return w2(draw_samples(sample, n, generator), draw_samples(sample, n, generator), num_itermax=num_itermax)


def sliced_w2(x: ArrayLike, y: ArrayLike, n_projections: int = 256, seed: int = 0) -> float:
    """Sliced W2, (mean over random unit directions theta of W2^2(theta.x, theta.y))^1/2
    (ot.sliced_wasserstein_distance, p = 2, its directions ot.sliced.get_random_projections(d, P, seed),
    so a fixed seed gives fixed directions). In d = 1 it is W2 itself; in general SW2 <= W2 / sqrt(d)
    (E (theta.v)^2 = |v|^2 / d), so compare sliced values with each other, not with W2.

    Equal sample sizes take a shortcut with the same value (to rounding): between two uniform
    empirical measures of n points on a line, W2^2 is the mean squared difference of the sorted
    points, so each direction costs two sorts (about 10x faster than POT's general quantile
    matching at n = 20000; measured 2.4 s against 22 s on a loaded core, 256 directions, d = 2).
    """
    a, b = as_sample_pair(x, y)
    if n_projections < 1:
        raise ValueError(f"n_projections must be positive, got {n_projections}")
    import ot
    if len(a) != len(b):
        return float(ot.sliced_wasserstein_distance(a, b, n_projections=int(n_projections), p=2, seed=seed))
    theta = ot.sliced.get_random_projections(a.shape[1], int(n_projections), seed=seed)   # (d, P), unit columns
    pa, pb = np.sort(a @ theta, axis=0), np.sort(b @ theta, axis=0)
    return float(np.sqrt(np.mean((pa - pb) ** 2)))
