"""si.training.config: bad configurations are named in the error."""
import pytest
import torch

from si import Interpolant
from si.training import TrainConfig, learning_rate, train

from ...conftest import TINY, TRAIN_RHO0, TRAIN_RHO1

F64 = torch.float64


def test_bad_configuration_is_named():
    with pytest.raises(ValueError, match="steps"):
        TrainConfig(steps=0)
    with pytest.raises(ValueError, match="lr_schedule must be one of"):
        TrainConfig(lr_schedule="linear")
    with pytest.raises(ValueError, match="unknown training option"):
        TrainConfig.from_dict({"stpes": 10})
    with pytest.raises(ValueError, match="valid objectives"):
        train(Interpolant("linear"), "b,z", TRAIN_RHO0, TRAIN_RHO1, TINY)
    with pytest.raises(ValueError, match="needs rho0 = N"):
        train(Interpolant("one-sided-linear"), "b,s", TRAIN_RHO0, TRAIN_RHO1, TINY)


def test_learning_rate_schedules_in_closed_form():
    step = TrainConfig(steps=100, lr=1e-2, lr_decay=0.5, lr_every=30)
    assert [learning_rate(step, k) for k in (0, 29, 30, 60, 99)] == [1e-2, 1e-2, 5e-3, 2.5e-3, 1.25e-3]
    cos = TrainConfig(steps=100, lr=1e-2, lr_schedule="cosine")
    assert learning_rate(cos, 0) == 1e-2
    assert learning_rate(cos, 50) == pytest.approx(5e-3, rel=1e-12)      # (1 + cos(pi / 2)) / 2 = 1/2
    assert learning_rate(cos, 25) == pytest.approx(1e-2 * (2 + 2 ** 0.5) / 4, rel=1e-12)
    assert learning_rate(cos, 100) == pytest.approx(0.0, abs=1e-18)
