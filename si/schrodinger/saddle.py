"""The saddle functional of the Schroedinger bridge as a max-min over interpolants (docs/theory.md §10).

Paper, section 3.4, Theorem 3.13: with x0 ~ rho0, x1 ~ rho1, z ~ N(0, I) independent and
x^_t = I^(t, x0, x1) + gamma(t) z,

    max_I^ min_u^  int_0^1 E[ 1/2 |u^(t, x^_t)|^2 - (d_t I^ + (gamma' - eps / gamma) z) . u^(t, x^_t) ] dt.

For fixed I^ the integrand is 1/2 E|u^ - T|^2 - 1/2 E|T|^2 with T = d_t I^ + (gamma' - eps/gamma) z,
so the inner minimiser is u* = E[T | x^_t] = b + eps s = b_F, the forward drift of that interpolant
(b = E[d_t I^ + gamma' z | x^_t], s = -E[z | x^_t] / gamma), and the inner value is
-1/2 int E|b_F|^2 dt: the outer problem minimises the forward drift's kinetic energy.

gamma (`bridge_gamma`): gamma(t) = sqrt(2 eps t (1 - t)), the standard deviation of the reference
Brownian bridge sqrt(2 eps) W pinned at both ends. The Schroedinger bridge is a mixture of these
bridges over its plan, rho_t = law((1-t) X0 + t X1) * N(0, 2 eps t(1-t) I), so with this gamma the
optimal I^ only has to reproduce law((1-t) X0 + t X1), which an I^ of independent (x0, x1) can; a
larger gamma cannot be right in general (it would have to deconvolve that law). It also makes
gamma' - eps / gamma = -2 eps t / gamma = -sqrt(2 eps t / (1 - t)), finite at t = 0, and
T = d_t I^ - gamma z / (1 - t): for I^ linear this is the bridge-matching target (x1 - x_t) / (1 - t).

The eps / gamma term has infinite variance at t = 1. Antithetic sampling evaluates the integrand
at x^+ = I^ + gamma z with T^+ = d_t I^ + c z and at x^- = I^ - gamma z with T^- = d_t I^ - c z
(c = gamma' - eps/gamma) and averages: the z-terms combine into
-c z . (u^(x^+) - u^(x^-)) / 2 = -c gamma z . grad u^ z + O(gamma^3), and c gamma = -2 eps t is finite.
"""
from __future__ import annotations

import math

import torch

from ..interpolants import Interpolant

Tensor = torch.Tensor

__all__ = ["bridge_gamma", "check_eps", "noise_coefficient", "saddle_integrand", "stratified_times"]


def check_eps(eps) -> float:
    """eps > 0 and finite (the reference process is sqrt(2 eps) W: eps = sigma^2 / 2)."""
    if isinstance(eps, bool):
        raise ValueError(f"eps must be a positive finite number, got {eps!r}")
    try:
        e = float(eps)
    except (TypeError, ValueError):
        raise ValueError(f"eps must be a positive finite number, got {eps!r}") from None
    if not math.isfinite(e) or e <= 0:
        raise ValueError(f"eps must be a positive finite number (the reference process is sqrt(2 eps) W), got {eps!r}")
    return e


def bridge_gamma(eps: float) -> Interpolant:
    """The linear interpolant with gamma(t) = sqrt(2 eps t(1-t)) (its gamma, gamma' and gamma gamma' are used)."""
    return Interpolant("linear", "brownian", a=2.0 * check_eps(eps))


def noise_coefficient(g: Interpolant, eps: float, t: Tensor) -> Tensor:
    """c(t) = gamma' - eps / gamma = (gamma gamma' - eps) / gamma, shape of t."""
    return (g.gamma_dgamma(t) - eps) / g.gamma(t)


def saddle_integrand(u, t: Tensor, I: Tensor, dI: Tensor, z: Tensor, g: Interpolant, eps: float) -> Tensor:
    """Per-sample antithetic estimate (n,) of 1/2 |u^(t, x^)|^2 - T . u^(t, x^) (module doc).

    u: a field (t, x) -> (n, d); t (n,); I, dI, z (n, d); g from `bridge_gamma(eps)`.
    """
    tc = t[:, None]
    gam = g.gamma(tc)
    c = noise_coefficient(g, eps, tc)
    out = 0.0
    for sign in (1.0, -1.0):
        uu = u(t, I + sign * gam * z)
        out = out + 0.5 * (uu * uu).sum(1) - ((dI + sign * c * z) * uu).sum(1)
    return 0.5 * out


def stratified_times(n: int, t_min: float, generator: torch.Generator, dtype=torch.float32) -> Tensor:
    """n times in [t_min, 1 - t_min], one uniform draw in each of n equal strata (less variance
    in the time integral than i.i.d. uniform times)."""
    u = (torch.arange(n, dtype=torch.float64) + torch.rand(n, generator=generator, dtype=torch.float64)) / n
    return (t_min + (1 - 2 * t_min) * u).to(dtype)
