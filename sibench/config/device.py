"""The config's `device`, checked against the machine that builds the DAG (sibench.devices turns the
name into a torch.device in the jobs).

    auto          CUDA where present, else the CPU (always valid: each job decides where it runs)
    cpu           the CPU
    cuda, cuda:k  a CUDA device: refused unless torch sees one (and k < the number of devices)
    mps           Apple's Metal device: refused unless torch sees it

A device the machine lacks used to pass every check and crash the first train job. On a cluster whose
submitting host has no GPU, use `auto` (each job picks CUDA where its node has it) and ask for GPUs
under `resources:` (docs/slurm.md).
"""
from __future__ import annotations

import re

from .errors import ConfigError

__all__ = ["DEVICE_PATTERN", "check_device"]

DEVICE_PATTERN = re.compile(r"auto|cpu|mps|cuda(?::(?P<index>[0-9]+))?")


def check_device(name) -> None:
    """ConfigError (key `device`) unless name is a device this machine has (module doc)."""
    m = DEVICE_PATTERN.fullmatch(name) if isinstance(name, str) else None
    if m is None:
        raise ConfigError(f"device: unknown device {name!r}; valid: auto, cpu, cuda, cuda:<k>, mps")
    if name in ("auto", "cpu"):
        return
    import torch  # only for a device that needs the machine checked
    if name == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ConfigError("device: 'mps', but torch sees no MPS device on this machine; use auto or cpu")
        return
    if not torch.cuda.is_available():
        raise ConfigError(f"device: {name!r}, but torch sees no CUDA device on this machine (torch "
                          f"{torch.__version__}, torch.cuda.is_available() is False); use auto (CUDA where present, "
                          f"else the CPU) or cpu")
    index, count = int(m["index"] or 0), torch.cuda.device_count()
    if index >= count:
        raise ConfigError(f"device: {name!r}, but this machine has {count} CUDA device(s): cuda:0 to cuda:{count - 1}")
