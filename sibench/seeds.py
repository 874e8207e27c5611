"""Stable seeds: the same parts give the same random numbers in every process and on every run.

A job's random numbers are drawn from torch generators seeded by `stable_seed(*parts)`, the crc32 of
the parts' text (Python's hash() of a string changes between processes), so each purpose (the truth
samples, a run's x0, the SDE noise of one eps and step count, ...) has its own stream.
"""
from __future__ import annotations

import zlib

__all__ = ["stable_seed", "generator", "figure_generator"]


def stable_seed(*parts) -> int:
    """A 31-bit seed from any parts (crc32 of their text joined by '|')."""
    return zlib.crc32("|".join(map(str, parts)).encode()) & 0x7FFFFFFF


def generator(*parts):
    """A CPU torch.Generator seeded with stable_seed(*parts)."""
    import torch
    return torch.Generator().manual_seed(stable_seed(*parts))


def figure_generator(seed: int, *parts):
    """The generator of one purpose of a paper figure (sibench.paper) with the figure's seed."""
    return generator("paper", seed, *parts)
