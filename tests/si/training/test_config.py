"""si.training.config: bad configurations are named in the error."""
import pytest
import torch

from si import Interpolant
from si.training import TrainConfig, train

from ...conftest import TINY, TRAIN_RHO0, TRAIN_RHO1

F64 = torch.float64


def test_bad_configuration_is_named():
    with pytest.raises(ValueError, match="steps"):
        TrainConfig(steps=0)
    with pytest.raises(ValueError, match="unknown training option"):
        TrainConfig.from_dict({"stpes": 10})
    with pytest.raises(ValueError, match="valid objectives"):
        train(Interpolant("linear"), "b,z", TRAIN_RHO0, TRAIN_RHO1, TINY)
    with pytest.raises(ValueError, match="needs rho0 = N"):
        train(Interpolant("one-sided-linear"), "b,s", TRAIN_RHO0, TRAIN_RHO1, TINY)
