"""Named densities by name: the registry DENSITIES and the name patterns of get_density."""
from __future__ import annotations

import re
from typing import Callable, Dict

from .base import Density
from .checkerboard import Checkerboard
from .named import (eight_gaussians, gaussian, gmm1d_source, gmm1d_target, gmm3_source, gmm3_target, highdim_mixture,
                    moons)

__all__ = ["DENSITIES", "get_density"]

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
