"""si: stochastic interpolants (Albergo, Boffi & Vanden-Eijnden, "Stochastic Interpolants: A Unifying
Framework for Flows and Diffusions", arXiv 2303.08797), the library of si-bench; docs/theory.md states
its mathematics. Importing si makes every subpackage reachable (si.training, si.sampling, ...).
"""
from . import interpolants, mixtures, oracle, times, linalg  # noqa: F401
from . import divergence, fields, likelihood, sampling  # noqa: F401
from . import objectives, nets, training  # noqa: F401
from . import bridges, couplings, metrics, fileio  # noqa: F401
from . import rectify  # noqa: F401
from .interpolants import Interpolant
from .mixtures import GaussianMixture

__version__ = "0.1.0"

__all__ = ["Interpolant", "GaussianMixture", "interpolants", "mixtures", "oracle", "times", "linalg", "divergence",
           "fields", "likelihood", "sampling", "objectives", "nets", "training", "bridges", "couplings", "metrics",
           "fileio", "rectify", "__version__"]
