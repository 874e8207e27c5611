"""The layout of a samples file (results/samples/{benchmark}/{method}/seed{seed}.npz), in one place.

A samples file holds numpy arrays under these names:

    x0                      the common starting points x0 ~ rho0 of every sampler
    meta                    JSON text: the run's factors (benchmark, method, label, seed, ...)
    {key}                   the final samples of one sampler run, key = SampleKey(sampler, eps, steps)
    nfe__{key}              that run's number of field evaluations
    {key}__t{t}             its states at an intermediate time t (bridge pairs: marginals at bridge_times)

with {key} = "{sampler}__eps{eps}__steps{steps}", e.g. "sde-em__eps0.5__steps100". Numbers are written
as `format(v, "g")` when that reads back as the same float (0.1, 0.5, 2), else as repr(v), so decoding
always gives back the encoded value. The text of a key also seeds the random numbers of the bridge
metrics (sibench.stages.sample_metrics), so a number's text must not change.

`encode` and `decode` are the only functions that know the text form; everything else handles
`SampleKey` values.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Dict, Iterable, List, Optional

__all__ = ["X0", "META", "SampleKey", "encode", "decode", "nfe_name", "final_keys", "marginal_names",
           "ode_sampler_name", "sde_sampler_name"]

X0 = "x0"
META = "meta"
_SEP = "__"
_NFE = "nfe" + _SEP
_KEY = re.compile(r"(?P<sampler>.+?)__eps(?P<eps>[^_]+)__steps(?P<steps>[0-9]+)(?:__t(?P<t>[^_]+))?")


@dataclass(frozen=True)
class SampleKey:
    """One sampler run of a model: sampler name, diffusion coefficient eps (0 for the ODE), step count,
    and optionally t, the time of an intermediate marginal of that run (None: the final samples)."""

    sampler: str
    eps: float
    steps: int
    t: Optional[float] = None

    def __post_init__(self):
        if not self.sampler or _SEP in self.sampler or self.sampler.startswith(_NFE) or \
                self.sampler in (X0, META):
            raise ValueError(f"sampler name {self.sampler!r} is empty, contains {_SEP!r} or is a reserved name")
        if int(self.steps) != self.steps or self.steps < 1:
            raise ValueError(f"steps must be a positive integer, got {self.steps!r}")
        object.__setattr__(self, "eps", float(self.eps))
        object.__setattr__(self, "steps", int(self.steps))
        if self.t is not None:
            object.__setattr__(self, "t", float(self.t))

    def at(self, t: float) -> "SampleKey":
        """The same run's marginal at time t."""
        return replace(self, t=float(t))

    @property
    def final(self) -> "SampleKey":
        """The run's final samples (this key without its time)."""
        return replace(self, t=None)


def _number(v: float) -> str:
    short = format(v, "g")
    return short if float(short) == v else repr(v)


def encode(key: SampleKey) -> str:
    """The array name of a key: "{sampler}__eps{eps}__steps{steps}" (+ "__t{t}" for a marginal)."""
    name = f"{key.sampler}{_SEP}eps{_number(key.eps)}{_SEP}steps{key.steps}"
    return name if key.t is None else f"{name}{_SEP}t{_number(key.t)}"


def decode(name: str) -> Optional[SampleKey]:
    """The key of a sample array's name; None for the other entries (x0, meta, nfe__...)."""
    if name in (X0, META) or name.startswith(_NFE):
        return None
    m = _KEY.fullmatch(name)
    if m is None:
        raise ValueError(f"not an entry of a samples file: {name!r}")
    t = m["t"]
    return SampleKey(m["sampler"], float(m["eps"]), int(m["steps"]), None if t is None else float(t))


def nfe_name(key: SampleKey) -> str:
    """The name of the entry holding the NFE of a run (always its final key)."""
    return _NFE + encode(key.final)


def final_keys(names: Iterable[str]) -> List[SampleKey]:
    """The keys of the final sample sets among a samples file's names, in file order."""
    keys = (decode(n) for n in names)
    return [k for k in keys if k is not None and k.t is None]


def marginal_names(names: Iterable[str], key: SampleKey) -> Dict[float, str]:
    """t -> array name of every intermediate marginal of the run `key` in the file."""
    out = {}
    for n in names:
        k = decode(n)
        if k is not None and k.t is not None and k.final == key.final:
            out[k.t] = n
    return out


def ode_sampler_name(method: str) -> str:
    """The sampler column of an ODE run: "ode-{method}"."""
    return f"ode-{method}"


def sde_sampler_name(method: str) -> str:
    """The sampler column of an SDE run: "sde-em" for Euler-Maruyama, else "sde-{method}"."""
    return "sde-em" if method == "euler-maruyama" else f"sde-{method}"
