"""si: stochastic interpolants (Albergo, Boffi, Vanden-Eijnden 2023), the library of si-bench."""
from . import interpolants, mixtures, oracle  # noqa: F401
from . import divergence, fields, likelihood, sampling  # noqa: F401
from . import objectives, nets, training  # noqa: F401
from .interpolants import Interpolant  # noqa: F401
from .mixtures import GaussianMixture  # noqa: F401
from . import bridges, couplings, metrics  # noqa: F401

__version__ = "0.1.0"
