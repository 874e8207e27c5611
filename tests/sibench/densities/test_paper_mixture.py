"""sibench.densities.paper_mixture: the section 7.2 mixture is the stated fixed draw, and its interpolant's oracle
is exact in d = 128 (score against autograd of the oracle's log density, endpoint against the mixture)."""
import torch

from sibench.densities import paper_mixture, paper_mixture_params
from sibench.densities.paper_mixture import PAPER_MIXTURE_SEED, marginal
from si import Interpolant
from si.mixtures import standard_normal
from si.oracle import InterpolantOracle

F64 = torch.float64


def test_the_draw_follows_its_recipe_and_is_reproducible():
    w, m, S = paper_mixture_params()
    g = torch.Generator().manual_seed(PAPER_MIXTURE_SEED)
    means = 7.5 * torch.randn(5, 128, generator=g, dtype=F64)
    W = torch.randn(5, 128, 128, generator=g, dtype=F64)
    assert torch.equal(m, means)
    assert torch.allclose(S, W.transpose(-1, -2) @ W / 128 + torch.eye(128, dtype=F64), rtol=0, atol=1e-12)
    assert torch.equal(w, torch.full((5,), 0.2, dtype=F64))
    w2, m2, S2 = paper_mixture_params()
    assert torch.equal(m, m2) and torch.equal(S, S2)
    assert float(torch.linalg.eigvalsh(S).min()) >= 1 - 1e-12        # W^T W / d + I >= I
    # 640 draws of N(0, 7.5^2): the sample sd has sd 7.5 / sqrt(2 * 640) = 0.21; tolerance 1 (~5 sd)
    assert abs(float(m.std()) - 7.5) < 1.0
    rho = paper_mixture()
    assert rho.name == "paper-gmm5-d128" and rho.dim == 128
    assert torch.equal(rho.gmm.means, m)


def test_oracle_score_is_the_gradient_of_its_log_density_in_d128():
    rho1 = paper_mixture().gmm
    oracle = InterpolantOracle(Interpolant("linear", "brownian"), standard_normal(128, dtype=F64), rho1)
    g = torch.Generator().manual_seed(1)
    for t in (0.3, 0.7):
        x = (t * rho1.sample(4, generator=g) + torch.randn(4, 128, generator=g, dtype=F64)).requires_grad_(True)
        tt = torch.full((4,), t, dtype=F64)
        grad, = torch.autograd.grad(oracle.log_prob(tt, x).sum(), x)
        assert torch.allclose(oracle.s(tt, x.detach()), grad, rtol=1e-8, atol=1e-10)
    x1 = rho1.sample(6, generator=g)
    one = torch.ones(6, dtype=F64)
    assert torch.allclose(oracle.log_prob(one, x1), rho1.log_prob(x1), rtol=1e-10, atol=1e-8)
    assert torch.allclose(oracle.s(one, x1), rho1.score(x1), rtol=1e-8, atol=1e-8)


def test_marginal_is_the_components_marginal():
    gmm = paper_mixture(d=6).gmm
    mg = marginal(gmm, (0, 1))
    assert torch.equal(mg.means, gmm.means[:, :2]) and torch.equal(mg.covs, gmm.covs[:, :2, :2])
    x = gmm.sample(20000, generator=torch.Generator().manual_seed(2))[:, :2]
    # the marginal's mean against the samples': sd of the mean <= sqrt(max var / n) ~ 0.1 here; tolerance 0.5
    assert torch.allclose(x.mean(0), mg.mean(), atol=0.5)
