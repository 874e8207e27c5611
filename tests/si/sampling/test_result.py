"""si.sampling.result: saved trajectories and the last piece of the window."""
import torch

from si.sampling import sample_ode, sample_sde_backward

from ...conftest import AFFINE_MEAN, AFFINE_STD, gaussian_oracle

F64 = torch.float64


def test_trajectories_are_saved_on_request():
    oracle = gaussian_oracle(AFFINE_MEAN, AFFINE_STD)
    x0 = torch.randn(10, 2, generator=torch.Generator().manual_seed(5), dtype=F64)
    ode = sample_ode(oracle.b, x0, steps=8, method="heun", save_trajectory=True)
    assert ode.trajectory.shape == (9, 10, 2) and ode.times.shape == (9,)
    assert torch.equal(ode.trajectory[0], x0) and torch.equal(ode.trajectory[-1], ode.x)
    assert float(ode.times[0]) == 0.0 and float(ode.times[-1]) == 1.0 and bool((ode.times.diff() > 0).all())
    sde = sample_sde_backward(oracle.b, oracle.s, x0, eps=1.0, steps=8, save_trajectory=True,
                              generator=torch.Generator().manual_seed(5))
    assert sde.trajectory.shape == (10, 10, 2)  # start, 8 steps, the last piece [0, t_min]
    assert float(sde.times[0]) == 1 - 1e-4 and float(sde.times[-1]) == 0.0 and bool((sde.times.diff() < 0).all())
    assert torch.equal(sde.trajectory[-1], sde.x)
    assert sample_ode(oracle.b, x0, steps=8).trajectory is None
