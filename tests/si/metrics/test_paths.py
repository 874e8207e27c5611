"""si.metrics.paths: coupling W2 and path energies against exact answers."""
import math

import pytest
import torch

from si.bridges import GaussianBridge
from si.metrics import bures_w2, coupling_w2, path_energy
from sibench.pairs.bridges import gaussian_sb_pair

from ...conftest import randn

F64 = torch.float64


def test_coupling_w2_on_joint_samples():
    x0, x1 = randn(200, 2, 21), randn(200, 2, 22)
    assert coupling_w2(x0, x1, x0, x1) < 1e-7
    c = torch.tensor([0.0, 2.0], dtype=F64)
    assert abs(coupling_w2(x0, x1 + c, x0, x1) - 2.0) < 1e-9
    # the same marginals but a different pairing is detected
    assert coupling_w2(x0, x1[torch.randperm(200, generator=torch.Generator().manual_seed(0))], x0, x1) > 0.5


def test_path_energy_of_straight_lines_and_the_ot_displacement():
    # straight lines at constant speed: energy = |x1 - x0|^2 exactly, on any time grid
    x0, x1 = randn(100, 2, 23), randn(100, 2, 24)
    times = torch.tensor([0.0, 0.1, 0.35, 0.5, 0.9, 1.0], dtype=F64)
    traj = (1 - times)[:, None, None] * x0 + times[:, None, None] * x1
    assert abs(path_energy(traj, times) - float(((x1 - x0) ** 2).sum(1).mean())) < 1e-12
    # the OT displacement interpolation (sigma = 0, "ot" plan) has energy W2^2 = Bures^2; n = 20000,
    # tolerance 5 SE of the mean of |x1 - x0|^2
    g = gaussian_sb_pair(2, 1.0)
    o = GaussianBridge(g.mean0, g.cov0, g.mean1, g.cov1, 0.0, coupling="ot")
    paths = o.sample_paths(20_000, times.tolist(), torch.Generator().manual_seed(0))
    sq = ((paths[-1] - paths[0]) ** 2).sum(1)
    exact = bures_w2(g.mean0, g.cov0, g.mean1, g.cov1) ** 2
    assert abs(path_energy(paths, times) - exact) < 5 * float(sq.std()) / math.sqrt(20_000)
    with pytest.raises(ValueError, match="increasing"):
        path_energy(traj, times.flip(0))
