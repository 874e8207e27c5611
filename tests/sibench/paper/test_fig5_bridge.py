"""Figure 5 (sibench.paper.fig5_bridge): the entropic coupling tracks the exact bridge, the independent one does
not; the trained models' rows."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sibench.paper import fig5_bridge as P


# ----------------------------------------------------------------------------------------
# figure 5
# ----------------------------------------------------------------------------------------
def test_bridge_marginals_entropic_coupling_tracks_the_bridge_and_independent_does_not():
    r = P.bridge_marginals(n_times=11, n=2000, batch=500, show_times=(0.5,), show=100)
    c = r["curves"]
    exact_ind = c[(c.coupling == "independent") & (c.kind == "exact")].set_index("t")["bures_w2"]
    assert exact_ind[0.0] < 1e-6 and exact_ind[1.0] < 1e-6 and exact_ind[0.5] > 0.15
    samp = c[c.kind.str.startswith("samples")].pivot(index="t", columns="coupling", values="bures_w2")
    floor = samp["exact bridge"]
    assert (samp["entropic"] < floor + 0.05).all(), samp
    assert samp.loc[0.5, "independent"] > samp.loc[0.5, "entropic"] + 0.1
    assert set(r["samples"]["coupling"]) == {"independent", "entropic", "exact bridge"}
    assert len(r["ellipses"]) == 4  # exact + three fits at the one shown time
    with pytest.raises(ValueError, match="show_times"):
        P.bridge_marginals(n_times=3, n=100, batch=100, show_times=(0.25,))


def test_learned_bridge_rows_pick_the_sde_at_sigma2_over_2(tmp_path):
    rows = []
    for method, coupling in (("sb-bs", "entropic"), ("bridge-bs", "independent")):
        for eps in (0.0, 0.5, 1.0):
            for steps in (25, 100):
                for t in (0.25, 0.5):
                    rows.append({"method": method, "label": method, "coupling": coupling, "metric": "bures_w2",
                                 "sampler": "ode-heun" if eps == 0 else "sde-em", "eps": eps, "steps": steps,
                                 "t": t, "value": eps + steps / 1000})
    f = tmp_path / "e.csv"
    pd.DataFrame(rows).to_csv(f, index=False)
    out = P.learned_bridge_rows([str(f)], sigma2=1.0)
    assert set(out["eps"]) == {0.5} and np.allclose(out["bures_w2"], 0.6) and len(out) == 4
    assert P.learned_bridge_rows([], 1.0).empty
