"""Divergence of a field, exact or by Hutchinson's estimator (docs/theory.md §5), for the likelihoods
of Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.

    exact:       div f(x) = tr(df/dx) = sum_i e_i^T (df/dx) e_i          (d vector-Jacobian products)
    Hutchinson:  div f(x) ~ (1/k) sum_j e_j^T (df/dx) e_j,  E[e e^T] = I  (k probes)

Both evaluate the field once (one forward pass with autograd recording) and then take the
vector-Jacobian products e^T (df/dx) by reverse mode: one plain torch.autograd.grad for a single
probe; for several probes, or the d basis vectors of the exact divergence, a loop of backward passes
through the same graph while d (or k) is at most LOOP_MAX, else the Jacobian rows batched with
vmap (is_grads_batched) in chunks of bounded memory. The loop is the cheaper of the two for small
d on the CPU (docs/performance.md); neither needs the field to be vmappable. The batch is treated as
independent samples: the gradient of sum_m e_m . f(x_m) with respect to x_m is e_m^T J(x_m) (true for
any field that does not mix samples, e.g. no batch normalisation).
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Tuple

import torch

Tensor = torch.Tensor
PROBES = ("rademacher", "gaussian")
LOOP_MAX = 16            # up to this many vector-Jacobian products: a loop of backward passes; more: vmap
CHUNK_ELEMENTS = 2 ** 24  # bound on (cotangents in flight) * n * d for the batched backward passes

__all__ = ["divergence", "make_probes", "value_and_divergences", "PROBES", "LOOP_MAX", "CHUNK_ELEMENTS"]


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
    """Evaluate fn once and return (f(x), divergence estimates of shape (n, k), aux), all detached.

    fn maps x (n, d) to f (n, d), or to a pair (f, aux) (anything returned alongside, e.g. the
    fields f was built from). probes=None gives the exact divergence (k = 1); otherwise probes has
    shape (k, n, d) and column j is the single-probe estimate e_j^T J e_j.
    """
    n, d = x.shape
    if probes is not None and (probes.dim() != 3 or probes.shape[1:] != x.shape):
        raise ValueError(f"probes must have shape (k, {n}, {d}), got {tuple(probes.shape)}")
    with torch.enable_grad():
        y = x.detach().requires_grad_(True)
        res = fn(y)
        out, aux = res if isinstance(res, tuple) else (res, ())
        if out.shape != x.shape:
            raise ValueError(f"the field must return shape {tuple(x.shape)}, got {tuple(out.shape)}")
        if probes is None:  # row i of the Jacobian for every sample at once: cotangent e_i broadcast
            eye = torch.eye(d, dtype=x.dtype, device=x.device)
            rows = _vjps(out, y, eye[:, None, :].expand(d, n, d), diagonal=True)  # (d, n): J_ii
            div = rows.sum(0)[:, None]
        else:
            div = (_vjps(out, y, probes) * probes).sum(-1).T                     # (n, k)
    return out.detach(), div.detach(), _detached(aux)


def _vjps(out: Tensor, y: Tensor, cotangents: Tensor, diagonal: bool = False) -> Tensor:
    """e^T (d out / d y) for each cotangent e of shape (n, d) in `cotangents` (m, n, d): shape (m, n, d),
    or only the entries [i, :, i] (shape (m, n)) when `diagonal` (the basis vectors of the exact trace)."""
    m = cotangents.shape[0]
    if m <= LOOP_MAX:
        parts = []
        for i in range(m):
            g = torch.autograd.grad(out, y, cotangents[i], retain_graph=i < m - 1)[0]
            parts.append(g[:, i] if diagonal else g)
        return torch.stack(parts)
    chunk = max(1, CHUNK_ELEMENTS // max(1, y.numel()))
    parts = []
    for s in range(0, m, chunk):
        g = torch.autograd.grad(out, y, cotangents[s:s + chunk], retain_graph=s + chunk < m, is_grads_batched=True)[0]
        parts.append(torch.diagonal(g, offset=s, dim1=0, dim2=2).T if diagonal else g)
    return torch.cat(parts)


def _detached(aux):
    if isinstance(aux, Tensor):
        return aux.detach()
    if isinstance(aux, (tuple, list)):
        return type(aux)(_detached(a) for a in aux)
    return aux


def divergence(f: Callable[[Tensor, Tensor], Tensor], t: Tensor, x: Tensor, probes: Optional[Tensor] = None) -> Tensor:
    """div_x f(t, x), shape (n,): exact if probes is None, else the mean of the Hutchinson estimates."""
    return value_and_divergences(lambda y: f(t, y), x, probes)[1].mean(-1)
