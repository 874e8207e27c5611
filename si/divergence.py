"""Divergence of a field, exact (torch.func) or by Hutchinson's estimator (docs/theory.md §5), for the
likelihoods of Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.

    exact:       div f(x) = sum_i d f_i / d x_i            (d vector-Jacobian products, vmapped)
    Hutchinson:  div f(x) ~ (1/k) sum_j e_j^T (df/dx) e_j,  E[e e^T] = I  (k probes)

Both use one forward pass of the field (torch.func.vjp) and vmap only over the backward pass, so
the field may contain data-dependent control flow. The batch is treated as independent samples:
the Jacobian of sum_m f(x_m) with respect to x_m is the per-sample Jacobian (true for any field
that does not mix samples, e.g. no batch normalisation).
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Tuple

import torch

Tensor = torch.Tensor
PROBES = ("rademacher", "gaussian")

__all__ = ["divergence", "make_probes", "value_and_divergences", "PROBES"]
_CHUNK_ELEMENTS = 2 ** 24  # bound on (cotangents in flight) * n * d for the vmapped backward pass


def make_probes(k: int, x: Tensor, kind: str = "rademacher",
                generator: Optional[torch.Generator] = None) -> Tensor:
    """k probe vectors per sample, shape (k, n, d), with E[e e^T] = I (Rademacher +-1 or standard normal)."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"the number of Hutchinson probes must be an integer >= 1, got {k!r}")
    if kind not in PROBES:
        raise ValueError(f"unknown probe distribution {kind!r}; valid: {list(PROBES)}")
    shape = (k,) + tuple(x.shape)
    e = torch.randn(shape, generator=generator, dtype=x.dtype, device=x.device)
    return torch.sign(e) if kind == "rademacher" else e


def value_and_divergences(fn: Callable[[Tensor], Any], x: Tensor, probes: Optional[Tensor] = None
                          ) -> Tuple[Tensor, Tensor, Any]:
    """Evaluate fn once and return (f(x), divergence estimates of shape (n, k), aux).

    fn maps x (n, d) to f (n, d), or to a pair (f, aux) (anything returned alongside, e.g. the
    fields f was built from). probes=None gives the exact divergence (k = 1); otherwise probes has
    shape (k, n, d) and column j is the single-probe estimate e_j^T J e_j.
    """
    def with_aux(y):
        out = fn(y)
        return out if isinstance(out, tuple) else (out, ())

    out, vjp_fn, aux = torch.func.vjp(with_aux, x, has_aux=True)
    if out.shape != x.shape:
        raise ValueError(f"the field must return shape {tuple(x.shape)}, got {tuple(out.shape)}")
    n, d = x.shape
    if probes is None:
        # row i of the Jacobian for every sample at once: cotangent e_i broadcast over the batch
        basis = torch.eye(d, dtype=x.dtype, device=x.device)[:, None, :].expand(d, n, d)
        rows = torch.func.vmap(vjp_fn, chunk_size=_chunk(n, d))(basis)[0]  # (d, n, d)
        div = torch.diagonal(rows, dim1=0, dim2=2).sum(-1, keepdim=True)    # (n, 1)
    else:
        if probes.dim() != 3 or probes.shape[1:] != x.shape:
            raise ValueError(f"probes must have shape (k, {n}, {d}), got {tuple(probes.shape)}")
        eJ = torch.func.vmap(vjp_fn, chunk_size=_chunk(n, d))(probes)[0]    # (k, n, d): e^T J
        div = (eJ * probes).sum(-1).T                                       # (n, k)
    return out, div, aux


def divergence(f: Callable[[Tensor, Tensor], Tensor], t: Tensor, x: Tensor, probes: Optional[Tensor] = None) -> Tensor:
    """div_x f(t, x), shape (n,): exact if probes is None, else the mean of the Hutchinson estimates."""
    return value_and_divergences(lambda y: f(t, y), x, probes)[1].mean(-1)


def _chunk(n: int, d: int) -> int:
    return max(1, _CHUNK_ELEMENTS // max(1, n * d))
