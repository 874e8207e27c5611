"""The Schroedinger bridge as a max-min over stochastic interpolants (docs/theory.md §10).

Albergo, Boffi, Vanden-Eijnden (arXiv 2303.08797), section 3.4, Theorem 3.13 and Lemma 3.12:

    fit_maxmin(rho0, rho1, eps, *, steps, seed=0, **options) -> MaxMinResult

learns an interpolant I^(t, x0, x1) (endpoint conditions by construction) and the forward drift u^
by alternating max-min training; at the saddle x^_t = I^ + gamma z has the Schroedinger bridge's
marginals for the reference process sqrt(2 eps) W (eps = sigma^2 / 2 for a reference sigma W), and
dX = u^ dt + sqrt(2 eps) dW from rho0 is the bridge. `fit_imf` is the DSBM-IMF baseline (Shi et
al. 2023): bridge matching alternated with re-coupling by the learned SDE.
"""
from .config import MaxMinConfig
from .gaussian import (affine_moments, bridge_energy, drift_energy, gaussian_kl, gaussian_moments,
                       linear_sde_moments)
from .imf import IMFConfig, IMFResult, fit_imf
from .maxmin import KL_TIMES, fit_maxmin, fit_maxmin_config
from .parametrisation import AffineDrift, AffineInterpolant, MLPInterpolant
from .result import MaxMinResult, load_result
from .saddle import bridge_gamma, saddle_integrand

__all__ = ["fit_maxmin", "fit_maxmin_config", "MaxMinConfig", "MaxMinResult", "load_result", "fit_imf",
           "IMFConfig", "IMFResult", "AffineInterpolant", "MLPInterpolant", "AffineDrift", "bridge_gamma",
           "saddle_integrand", "affine_moments", "drift_energy", "bridge_energy", "linear_sde_moments",
           "gaussian_kl", "gaussian_moments", "KL_TIMES"]
