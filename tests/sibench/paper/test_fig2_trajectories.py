"""Figure 2 (sibench.paper.fig2_trajectories): for every eps, the final points of the ODE / SDE paths pass the
one-sample Kolmogorov-Smirnov test against the exact CDF of rho_1 at level 0.001, and the total-variation
distance of their histogram to rho_1 is within 1.5 times its sampling floor."""
from __future__ import annotations

import numpy as np
import torch

from sibench.pairs import get_benchmark
from sibench.paper import fig2_trajectories as P

F64 = torch.float64


# ----------------------------------------------------------------------------------------
# figure 2
# ----------------------------------------------------------------------------------------
def test_trajectories_reach_rho1_for_every_eps():
    r = P.trajectories(eps=(0.0, 0.5, 5.0), steps=200, n=3000, show=5)
    s = r["summary"].set_index("eps")
    assert list(s.index) == [0.0, 0.5, 5.0]
    assert (s["finite_fraction"] == 1).all()
    assert (s["ks"] < s["ks_critical"]).all(), s[["ks", "ks_critical"]]
    assert (s["tv"] < 1.5 * s["tv_floor"]).all(), s[["tv", "tv_floor"]]
    assert s.loc[0.0, "nfe"] == 400 and s.loc[5.0, "nfe"] == 201  # heun: 2 per step; EM: 1 per step + ODE step
    # the plotted paths start at the same x0 for every eps, and the SDE paths differ from the ODE's
    p = r["paths"]
    first = p[p.t == p.groupby("eps")["t"].transform("min")]  # t = 0 for the ODE, the window's start for the SDE
    x_start = first.pivot(index="path", columns="eps", values="x")
    assert np.allclose(x_start[0.0], x_start[5.0])
    x_end = p[p.t == 1].pivot(index="path", columns="eps", values="x")
    assert not np.allclose(x_end[0.0], x_end[5.0])
    # the background is the exact density: each time slice integrates to 1
    d = r["density"]
    for t in (0.0, 0.5, 1.0):
        g = d[np.isclose(d.t, t)].sort_values("x")
        assert abs(np.trapezoid(g["density"], g["x"]) - 1) < 1e-6


def test_the_terminal_test_has_power():
    """The KS test of figure 2 rejects samples of the wrong density (rho_0, or rho_1 shifted by 0.2)."""
    pair = get_benchmark("gmm-1d")
    g = torch.Generator().manual_seed(0)
    cdf = lambda x: P.mixture_cdf(pair.rho1.gmm, x)  # noqa: E731
    n = 3000
    x1 = pair.rho1.sample(n, generator=g).double()
    assert P.ks_distance(x1, cdf) < P.ks_critical(n)
    assert P.ks_distance(pair.rho0.sample(n, generator=g).double(), cdf) > 5 * P.ks_critical(n)
    assert P.ks_distance(x1 + 0.2, cdf) > P.ks_critical(n)


def test_mixture_cdf_matches_the_density():
    gmm = get_benchmark("gmm-1d").rho1.gmm
    x = torch.linspace(-10, 10, 20001, dtype=F64)
    F = P.mixture_cdf(gmm, x)
    dens = gmm.log_prob(x[:, None]).exp()
    num = torch.cumulative_trapezoid(dens, x) + F[0]
    assert float((num - F[1:]).abs().max()) < 1e-6
    assert abs(float(F[-1]) - 1) < 1e-9
