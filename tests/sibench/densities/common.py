"""Shared by the density and pair tests: every density of the registry and of the registered pairs."""
from __future__ import annotations

import torch

from sibench import densities as D
from sibench.pairs import BENCHMARKS

F64 = torch.float64


def all_densities():
    """Every density of the registry and every rho0 / rho1 of a registered benchmark pair, by name."""
    out = {name: D.get_density(name, dtype=F64) for name in D.DENSITIES}
    for pair in BENCHMARKS.values():
        for rho in (pair.rho0, pair.rho1):
            out.setdefault(rho.name, rho.to(dtype=F64))
    return out


ALL = all_densities()
LOW_DIM = sorted(n for n, d in ALL.items() if d.dim <= 2)
HIGH_DIM = sorted(n for n, d in ALL.items() if d.dim > 2)
GMMS = sorted(n for n, d in ALL.items() if d.gmm is not None)


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)
