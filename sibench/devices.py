"""Where the networks run: a config's device name as a torch.device."""
from __future__ import annotations

__all__ = ["DEVICE_NAMES", "device_of"]

DEVICE_NAMES = ("auto", "cpu", "cuda")


def device_of(name: str = "auto"):
    """`auto`: CUDA where present, else the CPU; any other name as torch.device reads it."""
    import torch
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)
