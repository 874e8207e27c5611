"""si.metrics.modes: mode weights and per-mode Bures errors against an exact mixture, for exact samples (the
floor) and for samples with a known defect."""
import pytest
import torch

from si import GaussianMixture
from si.metrics import assign_modes, mode_bures, mode_weight_tv, mode_weights

F64 = torch.float64


def mixture(d=4):
    means = torch.zeros(3, d, dtype=F64)
    means[:, 0] = torch.tensor([-20.0, 0.0, 20.0])       # separated: the posterior argmax recovers the component
    covs = torch.stack([torch.eye(d, dtype=F64) * v for v in (1.0, 0.5, 2.0)])
    return GaussianMixture(torch.tensor([0.2, 0.3, 0.5], dtype=F64), means, covs)


def test_exact_samples_sit_at_the_floor():
    # n = 30000: each fraction has sd <= sqrt(0.25 / n) = 0.003, the TV (3 terms) < 0.015 with a wide margin;
    # the Bures floor of a covariance fit from n_k >= 6000 points in d = 4 is ~ d tr S / (4 n_k) < 1e-3: bound 0.01
    gmm = mixture()
    x = gmm.sample(30000, generator=torch.Generator().manual_seed(0))
    lab = assign_modes(x, gmm)
    assert mode_weights(lab, 3).sum() == pytest.approx(1.0)
    assert mode_weight_tv(lab, gmm) < 0.015
    assert float(mode_bures(x, lab, gmm).max()) < 0.01


def test_defects_are_measured():
    gmm = mixture()
    g = torch.Generator().manual_seed(1)
    x = gmm.sample(30000, generator=g)
    lab = assign_modes(x, gmm)
    shifted = x.clone()
    shifted[lab == 1, 1] += 0.5                            # mode 1's mean off by 0.5: W2^2 = 0.25 + floor
    b = mode_bures(shifted, lab, gmm)
    assert float(b[1]) == pytest.approx(0.25, abs=0.01) and float(b[0]) < 0.01
    keep = torch.cat([torch.nonzero(lab == 0)[:, 0], torch.nonzero(lab != 0)[:, 0][:5000]])
    # drop all but 5000 of modes 1 and 2: fractions ~ (6000, 5000 * 0.375, 5000 * 0.625) / 11000
    tv = mode_weight_tv(lab[keep], gmm)
    frac0 = float((lab[keep] == 0).double().mean())
    assert tv == pytest.approx(frac0 - 0.2, abs=1e-12)      # mode 0's excess is the whole TV (the others lose it)
    assert torch.isnan(mode_bures(x[:3], lab[:3], gmm)).all()   # too few samples for a full-rank fit
