"""Every sampler of si.sampling with the exact oracle fields reaches the W2 floor (truth against truth)
on a Gaussian-mixture pair."""
import pytest
import torch

from si.sampling import sample_ode, sample_sde, sample_sde_denoiser

from ...conftest import gmm_oracle, gmm_source, gmm_target_overlapping, w2

F64 = torch.float64


W2_REPEATS = 3


@pytest.fixture(scope="module")
def w2_setup():
    """n = 2000 source samples, 3 fresh target sets of 2000 and the truth-vs-truth floor, the mean of
    W2 over 3 independent pairs of target sets (seed 7).

    Why averages: a single W2 between two samples of the truth at n = 2000 fluctuates by ~8%, so a
    single exact sampler exceeds 1.2 x a single floor in ~1 draw out of 12 (measured); averaging
    over 3 target sets brings the spread to ~5%, making 1.2 > 3.5 standard deviations."""
    g = torch.Generator().manual_seed(7)
    n = 2000
    rho0, rho1 = gmm_source(), gmm_target_overlapping()
    ys = [rho1.sample(n, generator=g) for _ in range(W2_REPEATS)]
    floor = sum(w2(y, rho1.sample(n, generator=g)) for y in ys) / W2_REPEATS
    return {"x0": rho0.sample(n, generator=g), "ys": ys, "floor": floor, "g": g}


def _w2_to_target(x, setup):
    return sum(w2(x, y) for y in setup["ys"]) / W2_REPEATS


SAMPLERS = {
    "ode-heun": lambda o, x0, g: sample_ode(o.b, x0, steps=100, method="heun"),
    "sde-eps0.1": lambda o, x0, g: sample_sde(o.b, o.s, x0, eps=0.1, steps=100, generator=g),
    "sde-eps1": lambda o, x0, g: sample_sde(o.b, o.s, x0, eps=1.0, steps=100, generator=g),
    "sde-eps5": lambda o, x0, g: sample_sde(o.b, o.s, x0, eps=5.0, steps=100, generator=g),
    "denoiser-eps1": lambda o, x0, g: sample_sde_denoiser(o.v, o.eta, o.interpolant, x0, eps=1.0, steps=100,
                                                          generator=g),
}


@pytest.mark.parametrize("sampler", sorted(SAMPLERS))
def test_samples_reach_the_w2_floor(w2_setup, sampler):
    """Oracle fields on the 3 -> 4 component pair (linear, brownian gamma), n = 2000 (seed 7): ODE
    with Heun, 100 steps; forward SDE with Euler-Maruyama, 100 steps on [1e-4, 1 - 1e-4] then the
    ODE step, eps in {0.1, 1, 5}; the denoiser form at eps = 1. Mean W2 to the fresh target sets
    <= 1.2 x the floor (see w2_setup for the averaging)."""
    oracle = gmm_oracle(target=gmm_target_overlapping)
    res = SAMPLERS[sampler](oracle, w2_setup["x0"], w2_setup["g"])
    assert res.x.shape == w2_setup["x0"].shape
    assert _w2_to_target(res.x, w2_setup) <= 1.2 * w2_setup["floor"]
