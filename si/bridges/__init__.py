"""Exact Schroedinger bridges for ground truth (docs/theory.md §6): Brownian bridges over a static
plan (`plan`), the Gaussian bridge in closed form (`gaussian`) and the mixture-potential bridge
(`mixture_potential`). Everything public is re-exported here. Interpolants over a coupling:
Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797."""
from ..linalg import sqrtm_psd
from .gaussian import GaussianBridge, bures_map, sb_cross_cov
from .mixture_potential import MixturePotentialBridge
from .plan import BrownianBridgeOverPlan

__all__ = ["GaussianBridge", "MixturePotentialBridge", "BrownianBridgeOverPlan", "bures_map", "sb_cross_cov",
           "sqrtm_psd"]
