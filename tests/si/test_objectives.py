"""The quadratic objectives are minimised by the exact fields, with the predicted gap.

For a perturbation delta, L(f* + delta) - L(f*) = 1/2 E|delta|^2 + E[(f* - target) . delta], and the
last term has mean zero exactly when f* is the conditional expectation of the target (docs/theory.md §3).
We estimate it on n = 20000 points (seed 0) and require it to be within 4 of its own standard
errors (a false alarm rate of ~6e-5 per check), while 1/2 E|delta|^2 is of order 0.1-1; a wrong
sign or factor in a target moves that term by many standard errors.
"""
import pytest
import torch

from si import Interpolant
from si.objectives import FIELD_KINDS, OBJECTIVES, assemble, check_objective, field_loss, fields_of
from si.oracle import InterpolantOracle

from ..conftest import pair_for

F64 = torch.float64
N = 20000


def _delta(t, x):
    return torch.stack([0.3 * torch.sin(x[:, 1]) + 0.2 * t, 0.25 * torch.cos(x[:, 0]) - 0.1], 1)


@pytest.mark.parametrize("path,gamma", [("linear", "brownian"), ("trig", "bsquared"),
                                        ("encoding-decoding", None), ("one-sided-linear", None),
                                        ("vp", None), ("mirror", "brownian")])
@pytest.mark.parametrize("kind", ["b", "v", "s", "eta"])
@pytest.mark.parametrize("antithetic", [False, True])
def test_exact_field_minimises_loss_with_predicted_gap(path, gamma, kind, antithetic):
    interp = Interpolant(path, gamma)
    rho0, rho1 = pair_for(interp)
    oracle = InterpolantOracle(interp, rho0, rho1)
    g = torch.Generator().manual_seed(0)
    t = 0.05 + 0.9 * torch.rand(N, generator=g, dtype=F64)
    x1 = rho1.sample(N, generator=g)
    x0 = x1 if interp.mirror else rho0.sample(N, generator=g)
    pts = interp.points(t, x0, x1, torch.randn(N, 2, generator=g, dtype=F64))
    exact = getattr(oracle, kind)
    perturbed = lambda tt, xx: exact(tt, xx) + _delta(tt, xx)  # noqa: E731
    l_exact = field_loss(kind, exact, t, pts, interp, antithetic, reduce=False)
    l_pert = field_loss(kind, perturbed, t, pts, interp, antithetic, reduce=False)
    gap = l_pert - l_exact
    half_sq = 0.5 * (_delta(t, pts.xt) ** 2).sum(1)
    if antithetic:
        half_sq = 0.5 * (half_sq + 0.5 * (_delta(t, pts.xt_anti) ** 2).sum(1))
    cross = gap - half_sq  # per-sample (f* - target) . delta
    se = cross.std() / N ** 0.5
    assert gap.mean() > 0
    assert abs(float(cross.mean())) <= 4 * float(se), (float(cross.mean()), float(se), float(half_sq.mean()))


def test_assembled_fields_match_oracle():
    """b and s assembled from (v, s), (b, eta) and (v, eta) reproduce the exact b and s."""
    interp = Interpolant("linear", "brownian")
    rho0, rho1 = pair_for(interp)
    o = InterpolantOracle(interp, rho0, rho1)
    t = torch.linspace(0.05, 0.95, 50, dtype=F64)
    x = rho1.sample(50)
    exact = {"b": o.b, "v": o.v, "s": o.s, "eta": o.eta}
    for objective in ["b,s", "v,s", "b,eta", "v,eta", "b"]:
        b, s = assemble(objective, {k: exact[k] for k in objective.split(",")}, interp)
        torch.testing.assert_close(b(t, x), o.b(t, x))
        if objective == "b":
            assert s is None
        else:
            torch.testing.assert_close(s(t, x), o.s(t, x))


def test_unknown_objective_and_field():
    interp = Interpolant("linear")
    with pytest.raises(ValueError, match="valid objectives"):
        assemble("b,q", {}, interp)
    with pytest.raises(ValueError, match="needs learned fields"):
        assemble("v,s", {"v": None}, interp)


# ----------------------------------------------------------------------------------------
# check_objective: objectives that cannot work with the interpolant are refused up front
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("objective", ["b,s", "v,s", "b,eta", "v,eta"])
def test_score_and_denoiser_objectives_need_a_nonzero_gamma(objective):
    """With gamma = 0 on a two-sided path, {b,s} used to be reported as a diverged training and {v,eta}
    to give infinite SDE results; s and eta need gamma > 0 on (0, 1)."""
    with pytest.raises(ValueError, match=rf"objective '{objective}' learns .*gamma\(t\) > 0 on \(0, 1\).*'zero'"):
        check_objective(objective, Interpolant("linear", "zero"))
    assert check_objective("b", Interpolant("linear", "zero")) == ("b",)


@pytest.mark.parametrize("path,gamma", [("linear", "brownian"), ("trig", "bsquared"), ("encoding-decoding", None),
                                        ("one-sided-linear", None), ("vp", None), ("mirror", "brownian")])
def test_every_objective_works_on_paths_with_noise(path, gamma):
    for objective in OBJECTIVES:
        assert check_objective(objective, Interpolant(path, gamma), window=(1e-3, 0.99)) == fields_of(objective)


@pytest.mark.parametrize("path,window,end", [("linear", (0.0, 0.99), 0), ("linear", (0.01, 1.0), 1),
                                             ("one-sided-linear", (0.0, 1.0), 1), ("vp", (0.1, 1.0), 1)])
@pytest.mark.parametrize("objective", ["b,eta", "v,eta"])
def test_denoiser_window_must_keep_the_noise_scale_positive(objective, path, window, end):
    """{b,eta} on the window [0, 1] used to give infinite SDE results (s = -eta / gamma at gamma = 0);
    one-sided paths may start at t = 0 (alpha(0) = 1) but not end at 1."""
    with pytest.raises(ValueError, match=rf"'{objective}'.*= 0 at t = {end}\b"):
        check_objective(objective, Interpolant(path), window=window)
    # a score objective does not divide by gamma: its window may touch the ends
    assert check_objective("b,s", Interpolant(path), window=window) == ("b", "s")
    if path != "linear":
        assert check_objective(objective, Interpolant(path), window=(0.0, 0.99)) == fields_of(objective)


# ---------------------------------------------------------------------------------------------
# BatchLoss (the trainer's form) against field_loss on Interpolant.points: the same numbers, bit
# for bit, for every interpolant, field and antithetic choice (same operations in the same order).
# ---------------------------------------------------------------------------------------------
def _mlp_field(seed):
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.SiLU(), torch.nn.Linear(16, 2)).double()
    return lambda t, x: net(torch.cat([t[:, None], x], 1))


@pytest.mark.parametrize("antithetic", [True, False, "s", "b,eta"])
def test_batch_loss_equals_field_loss_on_points_for_every_interpolant(antithetic):
    from si.objectives import OBJECTIVES, BatchLoss, antithetic_fields

    from ..conftest import all_interpolants
    g = torch.Generator().manual_seed(0)
    n = 64
    checked = 0
    for interp in all_interpolants():
        rho0, rho1 = pair_for(interp)
        t = 0.01 + 0.98 * torch.rand(n, generator=g, dtype=F64)
        x1 = rho1.sample(n, generator=g)
        x0 = x1 if interp.mirror else rho0.sample(n, generator=g)
        z = torch.randn(n, 2, generator=g, dtype=F64)
        for objective, kinds in OBJECTIVES.items():
            if interp.gamma_name == "zero" and not interp.one_sided and ("s" in kinds or "eta" in kinds):
                with pytest.raises(ValueError, match=r"gamma\(t\) > 0 on \(0, 1\)"):
                    BatchLoss(objective, interp, antithetic)
                continue
            loss = BatchLoss(objective, interp, antithetic)
            fields = {k: _mlp_field(i) for i, k in enumerate(kinds)}
            got = loss(fields, t, x0, x1, z if loss.needs_z else None)
            pts = interp.points(t, x0, x1, z)
            anti = antithetic_fields(antithetic, kinds, interp)
            for k in kinds:
                want = field_loss(k, fields[k], t, pts, interp, k in anti)
                assert torch.equal(got[k], want), (interp, objective, k, float(got[k] - want))
                checked += 1
    assert checked > 100


def test_antithetic_choice_per_field():
    from si.objectives import ANTITHETIC_AUTO, BatchLoss, antithetic_fields
    lin, fm, osl = Interpolant("linear", "brownian"), Interpolant("linear", "zero"), Interpolant("one-sided-linear")
    assert antithetic_fields(True, ("b", "s"), lin) == ("b", "s")
    assert antithetic_fields(False, ("b", "s"), lin) == ()
    mirror = Interpolant("mirror", "brownian")
    assert antithetic_fields("auto", ("b", "s"), osl) == ("s",)    # one-sided {b,s}: 3 passes, the paper code's
    assert antithetic_fields("auto", ("b", "s"), lin) == ("b", "s")
    assert antithetic_fields("auto", ("v", "s"), lin) == ("s",)    # v gains nothing on two-sided paths
    assert antithetic_fields("auto", ("v", "eta"), osl) == ("eta",)
    assert antithetic_fields("auto", ("b", "s"), mirror) == ("b", "s")   # the mirror path: every field
    assert antithetic_fields("auto", ("v", "eta"), mirror) == ("v", "eta")
    assert set(ANTITHETIC_AUTO["mirror"]) == set(FIELD_KINDS)
    assert BatchLoss("b,s", osl, "auto").passes() == 3 and BatchLoss("b,s", mirror, "auto").passes() == 4
    assert antithetic_fields("s", ("b",), lin) == ()              # a kind the objective does not learn
    assert antithetic_fields(True, ("b",), fm) == ()               # gamma = 0: x_t- = x_t, never antithetic
    assert BatchLoss("b", fm, True).passes() == 1 and not BatchLoss("b", fm, True).needs_z
    assert BatchLoss("b,s", osl, "s").passes() == 3 and not BatchLoss("b,s", osl, "s").needs_z
    assert BatchLoss("b,s", lin, True).passes() == 4 and BatchLoss("b,s", lin, True).needs_z
    with pytest.raises(ValueError, match="field kinds"):
        antithetic_fields("q", ("b",), lin)
    with pytest.raises(ValueError, match="field kinds"):
        antithetic_fields(1, ("b",), lin)
