"""The section 7.3 metrics: the classifier trained on held-out digits, the Frechet distance, nearest neighbours."""
import numpy as np
import pytest
import torch

from sibench.data import load_digits_set, split_images
from sibench.paper.sec7_3_classifier import frechet_distance, load_classifier, save_classifier, train_classifier
from sibench.paper.sec7_3_digits import nearest_l1


def test_classifier_learns_the_digits_and_round_trips(tmp_path):
    # 431 training and 288 test digits, 600 Adam steps: an MLP reaches ~0.95 test accuracy on these images; the
    # bound 0.85 leaves room for the small budget (chance is 0.1), so the test fails only if training is broken.
    split = split_images(load_digits_set(), 0.6, 0.4, seed=0)
    net, info = train_classifier(split, hidden=64, steps=600, batch=64, seed=0)
    assert info["n_test"] == 288 and info["shape"] == [1, 8, 8]
    assert info["test_accuracy"] > 0.85, info
    save_classifier(net, info, tmp_path / "c.pt")
    net2, info2 = load_classifier(tmp_path / "c.pt")
    x = torch.randn(5, 64)
    assert torch.equal(net(x), net2(x)) and info2 == info
    assert net.features(x).shape == (5, 64)


def test_frechet_distance_of_a_shift_is_its_squared_length():
    # FD = |m1 - m2|^2 + tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2): for f and f + c the covariances are equal, so FD = |c|^2
    f = torch.from_numpy(np.random.default_rng(0).normal(size=(500, 6)) @ np.diag([1, 2, 3, 1, 1, 0.5]))
    c = torch.tensor([1.0, -2.0, 0.5, 0, 0, 3.0], dtype=torch.float64)
    assert frechet_distance(f, f + c) == pytest.approx(float(c @ c), rel=1e-9)
    assert frechet_distance(f, f) == pytest.approx(0.0, abs=1e-9)


def test_nearest_l1_against_brute_force():
    g = torch.Generator().manual_seed(0)
    x, ref = torch.randn(37, 5, generator=g), torch.randn(50, 5, generator=g)
    brute = torch.tensor([min(float((a - r).abs().sum()) for r in ref) for a in x])
    assert torch.allclose(nearest_l1(x, ref, chunk=8).float(), brute, atol=1e-5)
    loo = nearest_l1(ref, ref, exclude_self=True, chunk=7)
    brute_loo = torch.tensor([min(float((a - r).abs().sum()) for j, r in enumerate(ref) if j != i)
                              for i, a in enumerate(ref)])
    assert torch.allclose(loo.float(), brute_loo, atol=1e-5)
