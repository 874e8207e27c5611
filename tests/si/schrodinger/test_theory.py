"""The max-min functional of docs/theory.md §10 against closed forms, without training.

Theorem 3.13 (paper, section 3.4) says min_u L = -1/2 int E|b_F|^2 for every I^, and that the
maximum over I^ is attained at the Schroedinger bridge; Lemma 3.12 that affine I^ reach it for
Gaussian pairs. Checked here against si.bridges.GaussianBridge (an independent closed form):
  * every affine I^ has int E|b_F|^2 >= the bridge's kinetic energy (the inequality);
  * maximising -1/2 int E|b_F|^2 over affine I^ (deterministically, L-BFGS on the closed form)
    reaches the bridge's energy and its marginals (the equality and Lemma 3.12);
  * the Monte Carlo saddle functional with u = the exact b_F has mean -1/2 int E|b_F|^2, and its
    theta-gradient (u held fixed) is the gradient of -1/2 int E|b_F|^2 (the envelope theorem that
    the outer ascent step relies on). Statistical checks: 5 standard errors, seeds fixed.
"""
import math

import pytest
import torch

from si.schrodinger import AffineInterpolant, affine_moments, bridge_energy, bridge_gamma, drift_energy, \
    gaussian_kl, saddle_integrand
from si.schrodinger.saddle import stratified_times

from .pairs import gaussian_pair

F64 = torch.float64


def _moments(rho):
    return rho.means[0], rho.covs[0]


def _random_affine(d, basis, seed, scale=0.3):
    g = torch.Generator().manual_seed(seed)
    it = AffineInterpolant(d, basis).to(F64)
    with torch.no_grad():
        for p in it.parameters():
            p.copy_(scale * torch.randn(p.shape, generator=g, dtype=F64))
    return it


@pytest.mark.parametrize("d,s2", [(2, 0.1), (3, 1.0), (8, 0.5)])
def test_every_affine_interpolant_has_at_least_the_bridge_energy(d, s2):
    rho0, rho1, br = gaussian_pair(d, s2)
    g, eps = bridge_gamma(s2 / 2), s2 / 2
    e_sb = bridge_energy(br)
    for seed in range(5):
        it = _random_affine(d, 3, seed)
        with torch.no_grad():
            e = float(drift_energy(it, *_moments(rho0), *_moments(rho1), g, eps))
        assert e >= e_sb * (1 - 1e-9), (seed, e, e_sb)
    # the linear interpolant (theta = 0) is the independent bridge: strictly above
    with torch.no_grad():
        e_lin = float(drift_energy(AffineInterpolant(d, 3).to(F64), *_moments(rho0), *_moments(rho1), g, eps))
    assert e_lin > e_sb * 1.01


@pytest.mark.parametrize("s2", [0.1, 1.0])
def test_maximising_over_affine_interpolants_gives_the_bridge(s2):
    d = 3
    rho0, rho1, br = gaussian_pair(d, s2)
    g, eps = bridge_gamma(s2 / 2), s2 / 2
    it = AffineInterpolant(d, 3).to(F64)
    opt = torch.optim.LBFGS(it.parameters(), lr=1, max_iter=200, tolerance_grad=1e-11, tolerance_change=1e-14,
                            history_size=50, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        e = drift_energy(it, *_moments(rho0), *_moments(rho1), g, eps, nodes=32)
        e.backward()
        return e

    opt.step(closure)
    with torch.no_grad():
        e = float(drift_energy(it, *_moments(rho0), *_moments(rho1), g, eps))
    e_sb = bridge_energy(br)
    assert abs(e - e_sb) < 1e-5 * e_sb, (e, e_sb)  # measured relative gap <= 9e-7 after 200 iterations
    ts = torch.linspace(0.1, 0.9, 9, dtype=F64)
    with torch.no_grad():
        mu, Sig, _, _ = affine_moments(it, *_moments(rho0), *_moments(rho1), g, eps, ts)
    mt, St = zip(*(br.marginal_moments(t) for t in ts.tolist()))
    kl = gaussian_kl(mu, Sig, torch.stack(mt), torch.stack(St))
    assert float(kl.max()) < 1e-6, kl  # measured <= 1e-7


def _exact_forward_drift(it, rho0, rho1, g, eps):
    """b_F(t, x) = E T + K Sigma^-1 (x - mu) of the affine interpolant, from the closed-form moments."""
    def field(t, x):
        with torch.no_grad():
            mu, Sig, ET, K = affine_moments(it, *_moments(rho0), *_moments(rho1), g, eps, t)
            KS = torch.linalg.solve(Sig, K.transpose(1, 2)).transpose(1, 2)
        return ET + (KS @ (x - mu).unsqueeze(-1)).squeeze(-1)
    return field


def _saddle_batches(it, u, rho0, rho1, g, eps, n, reps, seed):
    gen = torch.Generator().manual_seed(seed)
    values, grads = [], []
    for _ in range(reps):
        t = stratified_times(n, 1e-6, gen, F64)
        x0, x1 = rho0.sample(n, generator=gen), rho1.sample(n, generator=gen)
        z = torch.randn(x0.shape, generator=gen, dtype=F64)
        I, dI = it(t, x0, x1)
        val = saddle_integrand(u, t, I, dI, z, g, eps).mean()
        grads.append(torch.cat([q.flatten() for q in torch.autograd.grad(val, list(it.parameters()))]))
        values.append(val.item())
    return torch.tensor(values, dtype=F64), torch.stack(grads)


def test_saddle_value_and_envelope_gradient_match_the_closed_form():
    # n = 4000 per batch, 40 batches; the standard errors are those of the 40 batch means
    d, s2 = 2, 0.5
    rho0, rho1, _ = gaussian_pair(d, s2)
    g, eps = bridge_gamma(s2 / 2), s2 / 2
    it = _random_affine(d, 2, seed=7)
    u = _exact_forward_drift(it, rho0, rho1, g, eps)
    vals, grads = _saddle_batches(it, u, rho0, rho1, g, eps, n=4000, reps=40, seed=3)
    energy = drift_energy(it, *_moments(rho0), *_moments(rho1), g, eps, nodes=128)
    exact_val = -0.5 * energy.item()
    exact_grad = torch.cat([q.flatten() for q in torch.autograd.grad(-0.5 * energy, list(it.parameters()))])
    se = vals.std() / math.sqrt(len(vals))
    assert abs(float(vals.mean()) - exact_val) < 5 * float(se), (float(vals.mean()), exact_val, float(se))
    g_se = grads.std(0) / math.sqrt(len(grads))
    z = (grads.mean(0) - exact_grad) / g_se
    assert float(z.abs().max()) < 5, z
    assert float(exact_grad.abs().max()) > 10 * float(g_se.max())  # the test has power: the gradient is resolved
