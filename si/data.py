"""Where the training samples of rho0 and rho1 come from (docs/theory.md §3): a density object, a
tensor of samples, or an iterable of batches, turned by `as_source` into one sampler interface that
draws batches on the training device in the training dtype. The interpolant of Albergo, Boffi &
Vanden-Eijnden, arXiv:2303.08797, only needs samples of rho0 and rho1 (x0, x1 enter x_t linearly).

Accepted (`as_source(obj, name, device=..., dtype=...)`):

- a density: anything with `.sample(n, generator=None)` and `.dim` (si.mixtures.GaussianMixture,
  sibench's densities, your own). It is moved to the device once (`.to(device=...)` when it has
  one) and samples in its own dtype, cast to the training dtype. N(0, I) (`is_standard_normal`) is
  drawn as torch.randn, not as a one-component mixture.
- a tensor (or numpy array) of samples, shape (N, d): the empirical measure. Batches are drawn with
  the trainer's torch generator, by default *without replacement*: the rows are visited in a random
  order, reshuffled each time all N have been used (epochs; a batch may span two epochs).
  `replacement=True` draws every batch i.i.d. with replacement (uniform indices).
- an iterable of batch tensors, each of shape (m, d) (a list of tensors, a DataLoader; an item that
  is a 1-tuple or 1-list holding a tensor, as a DataLoader over a TensorDataset yields, is
  unwrapped): consumed in order and re-chunked to the requested batch size; when it is exhausted it
  is iterated again from the start (cycled), which needs a re-iterable (a list, a DataLoader; a
  one-shot generator raises once it runs out). Its own order and shuffling are kept as they are.

Anything else raises a ValueError naming what was passed and what is accepted.
"""
from __future__ import annotations

from typing import Iterable, Iterator, List, Optional

import numpy as np
import torch

Tensor = torch.Tensor

__all__ = ["Source", "DensitySource", "NormalSource", "TensorSource", "BatchSource", "as_source",
           "is_standard_normal", "describe_sampler", "ACCEPTED"]

ACCEPTED = ("a density with .sample(n, generator) and .dim, a tensor or array of samples of shape (N, d), "
            "or an iterable of batch tensors of shape (m, d)")


def describe_sampler(sampler) -> str:
    """A sampler's name for the checkpoint spec: its .name, else its type."""
    return getattr(sampler, "name", type(sampler).__name__)


def is_standard_normal(rho) -> bool:
    """True when rho (a GaussianMixture, anything with .gmm, or a source made from one) is N(0, I)."""
    if isinstance(rho, Source):
        return isinstance(rho, NormalSource)
    gmm = getattr(rho, "gmm", rho)
    check = getattr(gmm, "is_standard_normal", None)
    return bool(check()) if check is not None else False


class Source:
    """Batches of samples on `device` in `dtype`: `draw(n, generator)` -> (n, dim)."""

    dim: int
    name: str

    def __init__(self, dim: int, name: str, device, dtype):
        self.dim, self.name = int(dim), name
        self.device, self.dtype = torch.device(device), dtype

    def draw(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        raise NotImplementedError

    def sample(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        """The density interface (so a source can be passed where a density is expected)."""
        return self.draw(n, generator)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, dim={self.dim})"


class NormalSource(Source):
    """N(0, I) in dimension dim: torch.randn on the device."""

    def draw(self, n, generator=None):
        return torch.randn(n, self.dim, generator=generator, dtype=self.dtype, device=self.device)


class DensitySource(Source):
    """A density object moved to the device once; its samples cast to the training dtype."""

    def __init__(self, density, name: str, device, dtype):
        super().__init__(int(density.dim), describe_sampler(density), device, dtype)
        self.density = density
        where = torch.device(getattr(density, "device", None) or "cpu")  # no .device: taken to be on the CPU
        if where != self.device and callable(getattr(density, "to", None)):
            self.density = density.to(device=self.device)

    def draw(self, n, generator=None):
        x = self.density.sample(n, generator=generator)
        return x.to(device=self.device, dtype=self.dtype)


class TensorSource(Source):
    """The empirical measure of a tensor of samples (N, d), held on the device."""

    def __init__(self, data: Tensor, name: str, device, dtype, replacement: bool = False):
        super().__init__(data.shape[1], name, device, dtype)
        self.data = data.detach().to(device=self.device, dtype=dtype)
        self.replacement = bool(replacement)
        self.order: Optional[Tensor] = None  # the current epoch's permutation (without replacement)
        self.pos = 0

    def draw(self, n, generator=None):
        N = self.data.shape[0]
        if self.replacement:
            return self.data[torch.randint(N, (n,), generator=generator, device=self.device)]
        parts: List[Tensor] = []
        need = n
        while need > 0:
            if self.order is None or self.pos == N:
                self.order, self.pos = torch.randperm(N, generator=generator, device=self.device), 0
            take = min(need, N - self.pos)
            parts.append(self.order[self.pos:self.pos + take])
            self.pos += take
            need -= take
        idx = parts[0] if len(parts) == 1 else torch.cat(parts)
        return self.data[idx]


class BatchSource(Source):
    """An iterable of batch tensors (m, d), re-chunked to the requested size and cycled."""

    def __init__(self, batches: Iterable, name: str, device, dtype):
        self.batches, self.label = batches, name
        self.it: Optional[Iterator] = None
        self.buffer: List[Tensor] = []
        self.buffered = 0
        first = self._next()
        super().__init__(first.shape[1], name, device, dtype)
        self.buffer, self.buffered = [first], first.shape[0]

    def _next(self) -> Tensor:
        if self.it is None:
            self.it = iter(self.batches)
        try:
            item = next(self.it)
        except StopIteration:
            self.it = iter(self.batches)  # cycle: a re-iterable starts again; an exhausted iterator is empty
            try:
                item = next(self.it)
            except StopIteration:
                raise ValueError(f"{self.label}: the iterable of batches is empty or exhausted and cannot be "
                                 f"restarted (a generator or iterator?); pass a re-iterable such as a list "
                                 f"or a DataLoader") from None
        if isinstance(item, (tuple, list)) and len(item) == 1:
            item = item[0]
        x = _as_samples(item, self.label, "each item of the iterable")
        if getattr(self, "dim", x.shape[1]) != x.shape[1]:
            raise ValueError(f"{self.label}: batches must all have {self.dim} columns, got {tuple(x.shape)}")
        return x

    def draw(self, n, generator=None):
        while self.buffered < n:
            x = self._next()
            self.buffer.append(x)
            self.buffered += x.shape[0]
        out = torch.cat(self.buffer) if len(self.buffer) > 1 else self.buffer[0]
        head, rest = out[:n], out[n:]
        self.buffer, self.buffered = ([rest] if rest.shape[0] else []), rest.shape[0]
        return head.to(device=self.device, dtype=self.dtype)


def _as_samples(obj, name: str, what: str = "the samples") -> Tensor:
    x = torch.as_tensor(obj) if isinstance(obj, np.ndarray) else obj
    if not isinstance(x, Tensor):
        raise ValueError(f"{name}: {what} must be a tensor of shape (m, d) (or a 1-tuple holding one), got "
                         f"{type(obj).__name__}; accepted: {ACCEPTED}")
    if x.dim() != 2 or x.shape[0] == 0 or x.shape[1] == 0 or not x.dtype.is_floating_point:
        raise ValueError(f"{name}: {what} must be a non-empty floating-point tensor of shape (m, d), "
                         f"got shape {tuple(x.shape)} and dtype {x.dtype}")
    return x


def as_source(obj, name: str = "rho", *, device=None, dtype=torch.float32, replacement: bool = False) -> Source:
    """One sampler interface for a density, a tensor of samples or an iterable of batches (module doc).

    device: where batches are drawn (default CPU); dtype: the training dtype. replacement applies to a
    tensor of samples only (default False: epochs of random permutations)."""
    device = torch.device(device) if device is not None else torch.device("cpu")
    if isinstance(obj, Source):
        return obj
    if callable(getattr(obj, "sample", None)) and hasattr(obj, "dim"):
        if is_standard_normal(obj):
            return NormalSource(int(obj.dim), describe_sampler(obj), device, dtype)
        return DensitySource(obj, name, device, dtype)
    if isinstance(obj, (Tensor, np.ndarray)):
        return TensorSource(_as_samples(obj, name), f"{name}: {tuple(obj.shape)} samples", device, dtype,
                            replacement)
    if isinstance(obj, (str, bytes, dict)) or not isinstance(obj, Iterable):
        raise ValueError(f"{name}: cannot draw samples from {type(obj).__name__} ({_short(obj)}); accepted: "
                         f"{ACCEPTED}")
    return BatchSource(obj, name, device, dtype)


def _short(obj) -> str:
    text = repr(obj)
    return text if len(text) <= 60 else text[:57] + "..."
