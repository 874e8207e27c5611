"""si.training.train's fast path against the trainer it replaced, kept here as a reference (not in si):
Interpolant.points + objectives.field_loss for every field, PyTorch's default Adam, StepLR, an EMA
tensor by tensor. Fed the same batches in the same order, both give the same recorded losses, the
same weights and the same ODE samples to float32 tolerance (the fused Adam kernel may round
differently in the last bit; torch.testing's float32 defaults rtol 1.3e-6, atol 1e-5).
"""
import io

import pytest
import torch

from si import Interpolant
from si.data import is_standard_normal
from si.mixtures import standard_normal
from si.objectives import antithetic_fields, field_loss, fields_of, noise_free
from si.sampling import sample_ode
from si.training import TrainConfig, build_nets, train

from ...conftest import TINY, TRAIN_RHO0, TRAIN_RHO1

F64 = torch.float64


def reference_train(interp, objective, rho0, rho1, cfg):
    """The former loop, with the batch order of the fast path: x1, x0, t, then z where x_t has noise."""
    kinds = fields_of(objective)
    anti = antithetic_fields(cfg.antithetic, kinds, interp)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        nets = build_nets(kinds, 2, cfg)
    params = list(nets.parameters())
    opt = torch.optim.Adam(params, lr=cfg.lr)
    sched = (torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.steps) if cfg.lr_schedule == "cosine"
             else torch.optim.lr_scheduler.StepLR(opt, step_size=cfg.lr_every, gamma=cfg.lr_decay))
    ema = [p.detach().clone() for p in params]
    gen = torch.Generator().manual_seed(cfg.seed)
    needs_z = not interp.one_sided and (not noise_free(interp) or "eta" in kinds)
    losses = []
    for step in range(1, cfg.steps + 1):
        x1 = rho1.sample(cfg.batch, generator=gen).float()
        if interp.mirror:
            x0 = x1
        elif is_standard_normal(rho0):
            x0 = torch.randn(cfg.batch, 2, generator=gen)
        else:
            x0 = rho0.sample(cfg.batch, generator=gen).float()
        t = cfg.t_min + (cfg.t_max - cfg.t_min) * torch.rand(cfg.batch, generator=gen)
        z = torch.randn(cfg.batch, 2, generator=gen) if needs_z else torch.zeros_like(x0)
        pts = interp.points(t, x0, x1, z)
        per = {k: field_loss(k, lambda tt, xx, net=nets[k]: net(tt, xx), t, pts, interp, k in anti) for k in kinds}
        loss = sum(per.values())
        losses.append([loss.item()] + [v.item() for v in per.values()])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        with torch.no_grad():
            for q, p in zip(ema, params):
                q.lerp_(p, 1 - min(cfg.ema, (1 + step) / (10 + step)))
    with torch.no_grad():
        for p, q in zip(params, ema):
            p.copy_(q)
    return nets, losses


CASES = [("linear", "brownian", "b,s", True), ("linear", "brownian", "b,s", "auto"),
         ("one-sided-linear", None, "b,s", "auto"), ("linear", "zero", "b", True),
         ("trig", "bsquared", "v,eta", False), ("mirror", "brownian", "b,s", "b")]
# ("linear", "zero", "v,eta") is refused by si.objectives.check_objective (eta needs gamma > 0)


@pytest.mark.parametrize("path,gamma,objective,antithetic,schedule",
                         [c + ("step",) for c in CASES] + [("linear", "brownian", "b,s", "auto", "cosine"),
                                                           ("one-sided-linear", None, "b", "auto", "cosine")])
def test_fast_path_gives_the_losses_weights_and_samples_of_the_reference_loop(path, gamma, objective, antithetic,
                                                                              schedule):
    """The reference steps its learning rate by torch's own schedulers (StepLR, CosineAnnealingLR)."""
    interp = Interpolant(path, gamma)
    rho0 = standard_normal(2, dtype=F64) if interp.one_sided else TRAIN_RHO0
    rho1 = TRAIN_RHO1
    cfg = TrainConfig(**{**TINY.__dict__, "antithetic": antithetic, "lr_every": 10, "log_every": 1,
                         "check_every": 7, "lr_schedule": schedule})
    model = train(interp, objective, rho0, rho1, cfg, log=io.StringIO())
    ref_nets, ref_losses = reference_train(interp, objective, rho0, rho1, cfg)
    assert [r["step"] for r in model.losses] == list(range(1, cfg.steps + 1))
    got = torch.tensor([[r["loss"]] + [r[f"loss_{k}"] for k in fields_of(objective)] for r in model.losses])
    torch.testing.assert_close(got, torch.tensor(ref_losses))
    for (name, p), q in zip(model.nets.named_parameters(), ref_nets.parameters()):
        torch.testing.assert_close(p, q, msg=name)
    x0 = TRAIN_RHO0.sample(200, generator=torch.Generator().manual_seed(5)).float()
    ref_b = lambda t, x: ref_nets["b"](t, x) if "b" in ref_nets else None  # noqa: E731
    if "b" in ref_nets:
        with torch.no_grad():
            torch.testing.assert_close(sample_ode(model.b, x0, steps=10).x, sample_ode(ref_b, x0, steps=10).x)


@pytest.mark.parametrize("path,gamma", [("one-sided-linear", None), ("linear", "brownian")])
def test_b_is_the_same_network_with_or_without_s_beside_it(path, gamma):
    """b learns from its own loss on its own parameters, from the same batches: training s beside it (the
    {b,s} objective) leaves b's weights bit for bit those of the objective b alone (docs/performance.md's
    time to quality trains b only for the ODE on this ground). Where x_t has noise (gamma > 0) the b-only
    objective is refused, so the two-sided case compares {b,s} against {b,eta}, which draws the same z."""
    interp = Interpolant(path, gamma)
    rho0 = standard_normal(2, dtype=F64) if interp.one_sided else TRAIN_RHO0
    cfg = TrainConfig(**{**TINY.__dict__, "antithetic": "s" if interp.one_sided else "s,eta"})
    other = "b" if interp.one_sided else "b,eta"
    with_s = train(interp, "b,s", rho0, TRAIN_RHO1, cfg, log=io.StringIO())
    without = train(interp, other, rho0, TRAIN_RHO1, cfg, log=io.StringIO())
    for (name, p), q in zip(with_s.nets["b"].named_parameters(), without.nets["b"].parameters()):
        assert torch.equal(p, q), name
