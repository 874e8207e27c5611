"""Figure 1 (sibench.paper.fig1_density): every plotted rho_t integrates to 1 on the plotted grid (trapezoid
rule, within 1e-6) and has the exact endpoints."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from sibench.pairs import get_benchmark
from sibench.paper import fig1_density as P


# ----------------------------------------------------------------------------------------
# figure 1
# ----------------------------------------------------------------------------------------
def test_density_evolution_integrates_to_one_and_has_the_right_endpoints():
    df = P.density_evolution(n=801)
    masses = P.density_masses(df)
    assert len(masses) == 5 * 5
    assert (masses["mass"] - 1).abs().max() < 1e-6, masses
    variants = list(dict.fromkeys(df["variant"]))
    # gamma = 0 and gamma > 0 for linear and trig; encoding-decoding only with its own sin^2 gamma
    assert [v.split(",")[0] for v in variants] == ["linear", "linear", "trig", "trig", "encoding-decoding"]
    assert set(df[df.path == "encoding-decoding"]["gamma"]) == {"sinesquared"}
    pair = get_benchmark("gmm-1d")
    for t, rho in ((0.0, pair.rho0), (1.0, pair.rho1)):
        for _, g in df[df.t == t].groupby("variant"):
            exact = rho.log_prob(torch.tensor(g["x"].to_numpy())[:, None].double()).exp().numpy()
            np.testing.assert_allclose(g["density"], exact, atol=1e-12)
    # gamma > 0 widens the middle: the peak of rho_1/2 is lower than without gamma
    mid = df[df.t == 0.5].groupby("variant")["density"].max()
    assert mid["linear, gamma = sqrt(t(1-t))"] < mid["linear, gamma = 0"]


def test_density_variants_reject_paths_without_a_two_sided_density():
    with pytest.raises(ValueError, match="one-sided"):
        P.density_variants(["one-sided-linear"])
    with pytest.raises(ValueError, match="unknown path"):
        P.density_variants(["quadratic"])
