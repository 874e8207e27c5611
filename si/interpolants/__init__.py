"""Stochastic interpolants (docs/theory.md §1): gamma records (`gammas`), path records (`paths`),
and the Interpolant made of one of each (`interpolant`). Everything public is re-exported here.
Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797."""
from ..times import check_time
from .gammas import GAMMAS, SIGMOID_SCALE, Gamma
from .interpolant import Interpolant, InterpolantPoints
from .paths import PATHS, InterpolantPath, PathInfo

__all__ = ["Interpolant", "InterpolantPoints", "Gamma", "GAMMAS", "SIGMOID_SCALE", "InterpolantPath", "PathInfo",
           "PATHS", "check_time"]
