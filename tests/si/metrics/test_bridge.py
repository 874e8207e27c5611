"""si.metrics.bridge: bridge_metrics ranks a wrong coupling below the exact bridge."""
import torch

from si.metrics import bridge_metrics
from sibench.pairs.bridges import gaussian_sb_pair

F64 = torch.float64


def test_bridge_metrics_rank_a_wrong_coupling():
    # exact samples of the bridge sit at the floor; the independent coupling has the right
    # marginals (terminal W2 at the floor) but a visibly worse coupling W2
    g = gaussian_sb_pair(2, 0.1)
    gen = torch.Generator().manual_seed(0)
    n = 400
    x0, x1 = g.sample_plan(n, gen)
    marg = {t: g.marginal_sample(t, n, gen) for t in (0.25, 0.5, 0.75)}
    good = bridge_metrics(g, x0, x1, marg, generator=torch.Generator().manual_seed(1))
    assert set(good) >= {"w2_terminal", "w2_terminal_floor", "w2_coupling", "w2_coupling_floor",
                         "bures_w2_terminal", "bures_w2_t0.25", "bures_w2_t0.5", "bures_w2_t0.75"}
    assert good["w2_coupling"] < 1.3 * good["w2_coupling_floor"]
    assert all(good[f"bures_w2_t{t:g}"] < 0.25 for t in (0.25, 0.5, 0.75))
    bad_x1 = x1[torch.randperm(n, generator=gen)]  # same x1 marginal, pairing destroyed
    bad = bridge_metrics(g, x0, bad_x1, marg, generator=torch.Generator().manual_seed(1))  # same truth draws
    assert abs(bad["w2_terminal"] - good["w2_terminal"]) < 1e-9
    assert bad["w2_coupling"] > 1.5 * bad["w2_coupling_floor"]
