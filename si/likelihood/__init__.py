"""Log-likelihood, cross-entropy and KL of a generative model (docs/theory.md §5): the probability-flow
ODE (`ode`), the SDE estimators (`sde`), their result type and divergence choice (`result`), and the
cross-entropy / KL estimates (`entropy`). Everything public is re-exported here.
Following Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from .entropy import Estimate, cross_entropy, kl_divergence
from .ode import ode_likelihood, ode_log_prob
from .result import (DIVERGENCES, LogDensity, LogProbResult, as_log_density, divergence_probes, effective_sample_size,
                     log_prob0_at, mean_stderr)
from .sde import SDE_ESTIMATORS, sde_likelihood, sde_log_prob

__all__ = ["LogProbResult", "Estimate", "ode_likelihood", "ode_log_prob", "sde_likelihood", "sde_log_prob",
           "cross_entropy", "kl_divergence", "DIVERGENCES", "SDE_ESTIMATORS", "LogDensity", "divergence_probes",
           "mean_stderr", "log_prob0_at", "effective_sample_size", "as_log_density"]
