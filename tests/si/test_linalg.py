"""si.linalg: the PSD square roots used by the bridges and the Bures metrics (float64; tolerances
1e-10 cover round-off of O(1) matrices)."""
import numpy as np
import torch

from si.linalg import inv_sqrtm_pd, sqrtm_psd, sqrtm_psd_array

from ..conftest import spd

F64 = torch.float64


def test_square_root_squares_back_and_is_symmetric():
    M = spd(5, 0, 0.1, 4.0)
    R = sqrtm_psd(M)
    torch.testing.assert_close(R, R.T, rtol=0, atol=1e-14)
    torch.testing.assert_close(R @ R, M, rtol=1e-10, atol=1e-10)
    assert float(torch.linalg.eigvalsh(R).min()) > 0
    W = inv_sqrtm_pd(M)
    torch.testing.assert_close(W @ M @ W, torch.eye(5, dtype=F64), rtol=1e-10, atol=1e-10)


def test_singular_and_slightly_negative_matrices():
    """A rank-2 PSD matrix in R^4 (round-off may make its zero eigenvalues slightly negative): the root
    squares back and has no negative or NaN entries in its spectrum; atol drops eigenvalues below it."""
    g = torch.Generator().manual_seed(1)
    A = torch.randn(4, 2, generator=g, dtype=F64)
    M = A @ A.T
    R = sqrtm_psd(M)
    assert bool(torch.isfinite(R).all())
    torch.testing.assert_close(R @ R, M, rtol=1e-10, atol=1e-10)
    small = torch.diag(torch.tensor([1.0, 1e-14, -1e-15, 2.0], dtype=F64))
    torch.testing.assert_close(sqrtm_psd(small, atol=1e-12), torch.diag(torch.tensor([1.0, 0.0, 0.0, 2.0 ** 0.5],
                                                                                     dtype=F64)))


def test_numpy_wrapper_is_the_same_computation():
    M = spd(3, 2)
    out = sqrtm_psd_array(M.numpy())
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    assert np.array_equal(out, sqrtm_psd(M).numpy())
