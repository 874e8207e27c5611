"""The evaluate stage's metric rows: the paired KL at fresh per-seed target points (never cross-entropy minus
entropy), Feynman-Kac values withheld below the ESS threshold, two-sample tests of the samples the tables
show, and W2 read against its floor."""
from types import SimpleNamespace

import numpy as np
import torch

from sibench.config import stage_spec
from sibench.pairs import get_benchmark
from sibench.samples import META, X0, SampleKey, encode, nfe_name
from sibench.stages.likelihood_metrics import likelihood_rows, target_points
from sibench.stages.sample_metrics import sample_rows, two_sample_points
from sibench.stages.truth import make_truth
from si.interpolants import Interpolant

from ...workflow.tiny import variant

BENCH = "gmm-pair"


def exact_model():
    """The exact oracle fields of the linear interpolant with gamma = sqrt(t(1-t)) (float64)."""
    oracle = get_benchmark(BENCH).oracle(Interpolant("linear", "brownian"))
    return SimpleNamespace(b=oracle.b, s=oracle.s, nets=torch.nn.Linear(1, 1).double())


def spec_of(seed=0, **likelihood):
    cfg = variant(lambda c: c["likelihood"].update(n=400, ode_steps=20, sde_steps=20, **likelihood))
    return stage_spec(cfg, "evaluate", BENCH, "linear-bs", seed)


def by(rows, **kw):
    return [r for r in rows if all(r[k] == v for k, v in kw.items())]


def test_target_points_are_fresh_per_seed_and_shared_by_its_methods():
    a, b = target_points(BENCH, 0, 50), target_points(BENCH, 0, 50)
    assert torch.equal(a, b) and not torch.equal(a, target_points(BENCH, 1, 50))


def test_kl_is_the_paired_estimate_where_the_density_is_exact():
    """With the exact fields the model's density is rho1 up to the ODE's discretisation: the paired KL is
    near 0 and its standard error far below the cross-entropy's (whose spread sd(log rho1)/sqrt(n) does
    not shrink as the model improves, docs/theory.md §5.5); the row's value is mean(r - 1 - log r) at the
    seed's own points, not cross-entropy minus entropy."""
    spec = spec_of(sde_estimators=["score"])
    truth = {"entropy": get_benchmark(BENCH).rho1.entropy, "entropy_se": 0.0}
    rows = likelihood_rows(spec, exact_model(), truth)
    kl, ce = by(rows, metric="kl", sampler="ode-rk4")[0], by(rows, metric="cross_entropy", sampler="ode-rk4")[0]
    assert kl["n"] == 400 and kl["stderr"] > 0
    # the paired form by hand, at the seed's points
    from si.likelihood import ode_likelihood
    pair = get_benchmark(BENCH)
    x = target_points(BENCH, spec.seed, 400)
    lo, hi = spec.sampling.window
    lq = ode_likelihood(exact_model().b, pair.rho0.to(dtype=torch.float64).log_prob, x, steps=20, method="rk4",
                        t_min=lo, t_max=hi).log_prob.numpy()
    u = lq - pair.rho1.log_prob(x).numpy()
    assert np.isclose(kl["value"], np.mean(np.expm1(u) - u), rtol=1e-9, atol=1e-12)
    assert abs(kl["value"] - (ce["value"] - truth["entropy"])) > 10 * kl["stderr"]   # not CE - H
    # KL of the exact fields: discretisation only (20 RK4 steps); 20x less noise than the cross-entropy
    assert 0 <= kl["value"] < 1e-3 and kl["stderr"] < ce["stderr"] / 20
    assert all(r["value"] >= 0 for r in by(rows, metric="kl"))   # r - 1 - log r >= 0 term by term


def test_feynman_kac_is_withheld_below_its_ess_threshold():
    """fk_min_ess = fk_paths asks for equal weights on every path, which noisy paths never have: withheld
    (value NaN, status, the ESS kept); above fk_max_eps it is withheld without running; with the threshold
    at 1 (no requirement) the same run reports its value and ESS."""
    truth = {"entropy": get_benchmark(BENCH).rho1.entropy, "entropy_se": 0.0}
    strict = likelihood_rows(spec_of(sde_estimators=["feynman-kac"], sde_n=50, fk_paths=4, fk_min_ess=4,
                                     fk_max_eps=0.3), exact_model(), truth)
    held = by(strict, metric="kl", sampler="sde-feynman-kac")
    assert [r["eps"] for r in held] == [0.5] and "not run above" in held[0]["status"]
    cfg = variant(lambda c: (c.update(eps=[0, 0.1, 0.5]), c["likelihood"].update(
        n=400, ode_steps=20, sde_steps=20, sde_estimators=["feynman-kac"], sde_n=50, fk_paths=4, fk_min_ess=4)))
    rows = likelihood_rows(stage_spec(cfg, "evaluate", BENCH, "linear-bs", 0), exact_model(), truth)
    for r in by(rows, metric="kl", sampler="sde-feynman-kac"):
        assert r["status"].startswith("withheld: ESS below 4") and np.isnan(r["value"]) and 1 <= r["ess"] < 4
    cfg["likelihood"]["fk_min_ess"] = 1
    rows = likelihood_rows(stage_spec(cfg, "evaluate", BENCH, "linear-bs", 0), exact_model(), truth)
    for r in by(rows, metric="kl", sampler="sde-feynman-kac"):
        assert r["status"] is None and r["value"] >= 0 and 1 <= r["ess"] <= 4


def test_two_sample_tests_of_the_shown_samples(tmp_path):
    """The tests run on the samples the tables show (largest step count; the ODE at eps = 0, the SDE at eps
    > 0) against the seed's fresh target samples. n = 1000: truth samples are not rejected, samples with
    0.6 times the covariance are (energy and MMD). W2 is also recorded against its floor."""
    cfg = variant(lambda c: (c["evaluation"].update(floor_repeats=3, two_sample=["energy", "mmd"], permutations=200),
                             c["sampling"].update(n=1000)))
    spec = stage_spec(cfg, "evaluate", BENCH, "linear-bs", 0)
    make_truth(stage_spec(cfg, "truth", BENCH), tmp_path / "t.npz", tmp_path / "t.json")
    import json
    truth = json.loads((tmp_path / "t.json").read_text())
    pair = get_benchmark(BENCH)
    good = pair.rho1.sample(1000, generator=torch.Generator().manual_seed(7)).double().numpy()
    mean = good.mean(0)
    shrunk = mean + np.sqrt(0.6) * (good - mean)
    arrays = {X0: good, META: np.array("{}")}
    for key, x in ((SampleKey("ode-heun", 0.0, 5), shrunk), (SampleKey("ode-heun", 0.0, 10), good),
                   (SampleKey("sde-em", 0.0, 10), good), (SampleKey("sde-em", 0.5, 10), shrunk)):
        arrays[encode(key)], arrays[nfe_name(key)] = x, np.array(10)
    rows = sample_rows(spec, arrays, np.load(tmp_path / "t.npz")["x1_ref"], truth)
    tests = [r for r in rows if r["metric"] in ("energy", "mmd")]
    assert {(r["sampler"], r["eps"], r["steps"]) for r in tests} == {("ode-heun", 0.0, 10), ("sde-em", 0.5, 10)}
    for r in tests:
        assert r["n"] == 1000 and 0 < r["p_value"] <= 1
        assert (r["p_value"] < 0.05) == (r["eps"] == 0.5), r          # the shrunk set is rejected, the truth not
    assert two_sample_points(BENCH, 0, 10).shape == (10, 2)
    for w, z in zip(by(rows, metric="w2"), by(rows, metric="w2_z")):
        assert np.isclose(z["value"], (w["value"] - truth["w2_floor"]) / truth["w2_floor_sd"])
