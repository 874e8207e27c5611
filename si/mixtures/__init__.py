"""Gaussian mixtures (docs/theory.md §6, §8): the log-density kernel (`gaussian`) and the
GaussianMixture built on it (`mixture`). Everything public is re-exported here. Exact ground
truth for the interpolants of Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797."""
from .gaussian import (LOG_2PI, cholesky_logdet, component_log_probs, gaussian_log_density, gaussian_log_prob,
                       is_diagonal, mixture_score, precision_solve, whiten)
from .mixture import GaussianMixture, standard_normal

__all__ = ["GaussianMixture", "standard_normal", "LOG_2PI", "cholesky_logdet", "is_diagonal", "whiten",
           "precision_solve", "gaussian_log_density", "gaussian_log_prob", "component_log_probs", "mixture_score"]
