"""Square roots of symmetric positive (semi)definite matrices, the one implementation used by the
closed-form bridges (docs/theory.md §6) and the Bures-W2 metrics (docs/theory.md §7).

Computed by a symmetric eigendecomposition (torch.linalg.eigh) of the symmetrised matrix; callers
holding numpy arrays convert to float64 tensors (`sqrtm_psd_array`). Ground truth for the
interpolants of Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from __future__ import annotations

import numpy as np
import torch

Tensor = torch.Tensor

__all__ = ["sqrtm_psd", "inv_sqrtm_pd", "sqrtm_psd_array"]


def sqrtm_psd(M: Tensor, atol: float = 0.0) -> Tensor:
    """Symmetric square root of a symmetric PSD matrix (eigh). Eigenvalues <= atol (round-off of a
    singular matrix, negative ones included) are set to zero."""
    M = 0.5 * (M + M.transpose(-1, -2))
    lam, V = torch.linalg.eigh(M)
    lam = torch.where(lam > atol, lam, torch.zeros_like(lam))
    return (V * lam.sqrt().unsqueeze(-2)) @ V.transpose(-1, -2)


def inv_sqrtm_pd(M: Tensor) -> Tensor:
    """M^-1/2 of a symmetric positive definite matrix (eigh)."""
    M = 0.5 * (M + M.transpose(-1, -2))
    lam, V = torch.linalg.eigh(M)
    return (V * lam.rsqrt().unsqueeze(-2)) @ V.transpose(-1, -2)


def sqrtm_psd_array(M: np.ndarray) -> np.ndarray:
    """`sqrtm_psd` of a numpy matrix, computed in float64 torch and returned as a float64 array."""
    return sqrtm_psd(torch.as_tensor(np.asarray(M, dtype=np.float64))).numpy()
