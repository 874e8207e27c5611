"""Generative models: probability-flow ODE and forward / backward SDEs (docs/theory.md §4).

    ODE           dX = b dt                                  0 -> 1
    forward SDE   dX = b_F dt + sqrt(2 eps) dW,  b_F = b + eps s          0 -> 1
    backward SDE  dX = b_B dt + sqrt(2 eps) dW,  b_B = b - eps s          1 -> 0
    denoiser form b_F = v + (gamma' - eps / gamma) eta

Every field is a callable (t, x) -> (n, d) with t of shape (n,) (``si.fields``).

Integration window. The score is singular where gamma -> 0, so the SDE samplers integrate on
[t_min, t_max] (default [1e-4, 1 - 1e-4], docs/theory.md §9) and never evaluate a field outside it:
  * the first piece is not integrated: the input (x0 ~ rho0, or x1 ~ rho1 going backward) is taken
    as the state at the window's start (an O(t_min) error, 1e-4 by default);
  * the last piece ([t_max, 1] forward, [0, t_min] backward) is handled by ``last_step``:
    "ode" (default) takes one explicit Euler step of the probability-flow ODE dX = b dt over it,
    evaluating b at the window's end (b carries no 1/gamma, so the step is regular; 1 NFE);
    "none" stops at the window's end and returns the state there (``result.t`` says which time).
The ODE sampler has the same window (default [0, 1]: nothing outside it).

NFE. ``result.nfe`` is the number of (t, x) points at which the model was evaluated (one drift
evaluation = one evaluation of each field it needs); ``result.calls`` counts the calls of each
field separately, exactly. E.g. Euler-Maruyama with {b, s}, 100 steps, last_step "ode":
nfe = 101, calls = {"b": 101, "s": 100}.
Following Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from .checks import LAST_STEPS, SCORE_WINDOW, check_state, check_steps, check_window, time_grid
from .ode import sample_ode
from .result import SampleResult, finish_window, sample_result
from .runge_kutta import (BUTCHER, ODE_ADAPTIVE, ODE_FIXED, ODE_METHODS, integrate_adaptive, integrate_fixed,
                          rk_step)
from .sde import SDE_METHODS, sample_sde, sample_sde_backward, sample_sde_denoiser, sde_step

__all__ = ["SampleResult", "sample_ode", "sample_sde", "sample_sde_backward", "sample_sde_denoiser", "sde_step",
           "rk_step", "integrate_fixed", "integrate_adaptive", "time_grid", "check_steps", "check_window",
           "check_state", "finish_window", "sample_result", "ODE_METHODS", "ODE_FIXED", "ODE_ADAPTIVE",
           "SDE_METHODS", "SCORE_WINDOW", "LAST_STEPS", "BUTCHER"]
