"""si.training.loop: seeded and reproducible, thread-bounded, stops on a non-finite loss, trains every
kind of path, and learns the oracle's fields."""
import io
import time

import pytest
import torch

from si import Interpolant
from si.mixtures import standard_normal
from si.oracle import InterpolantOracle
from si.training import TrainConfig, TrainingDiverged, train

from ...conftest import TINY, TRAIN_RHO0, TRAIN_RHO1

F64 = torch.float64


def _weights(model):
    return torch.cat([p.detach().flatten() for p in model.nets.parameters()])


def test_same_seed_same_weights_other_seed_differs():
    it = Interpolant("linear", "brownian")
    a = train(it, "b,s", TRAIN_RHO0, TRAIN_RHO1, TINY, log=io.StringIO())
    b = train(it, "b,s", TRAIN_RHO0, TRAIN_RHO1, TINY, log=io.StringIO())
    c = train(it, "b,s", TRAIN_RHO0, TRAIN_RHO1, TrainConfig(**{**TINY.__dict__, "seed": 4}), log=io.StringIO())
    assert torch.equal(_weights(a), _weights(b))
    assert not torch.equal(_weights(a), _weights(c))


def test_threads_are_honoured_and_restored():
    seen = []

    class Recording:
        dim = 2

        def sample(self, n, generator=None):
            seen.append(torch.get_num_threads())
            return TRAIN_RHO1.sample(n, generator=generator)

    before = torch.get_num_threads()
    want = 2 if before == 1 else 1
    train(Interpolant("linear"), "b", TRAIN_RHO0, Recording(), TrainConfig(**{**TINY.__dict__, "threads": want}),
          log=io.StringIO())
    assert set(seen) == {want}
    assert torch.get_num_threads() == before


def test_non_finite_loss_stops_with_clear_error_and_no_checkpoint(tmp_path):
    class Poisoned:
        dim = 2

        def sample(self, n, generator=None):
            x = TRAIN_RHO1.sample(n, generator=generator)
            x[0, 0] = float("nan")
            return x

    path = tmp_path / "model.pt"
    with pytest.raises(FloatingPointError, match=r"non-finite training loss at step 1 \(.*checked steps 1-10\)") as e:
        train(Interpolant("linear"), "b,s", TRAIN_RHO0, Poisoned(), TINY, checkpoint=path, log=io.StringIO())
    assert isinstance(e.value, TrainingDiverged) and e.value.criterion == "non-finite" and e.value.steps == (1, 10)
    assert not path.exists()


def test_runaway_training_fails_naming_the_criterion(tmp_path):
    """lr = 10 sends the loss to about 1e9 while it stays finite: that used to count as a trained model
    (the tables then showed W2 ~ 1e6 as a result). The loss climbs far above its initial value within
    the first window of checks; a sane learning rate on the same run does not (si.training.guard)."""
    path = tmp_path / "model.pt"
    with pytest.raises(FloatingPointError, match=r"training ran away in steps 1-10 \(criterion: runaway loss\)") as e:
        train(Interpolant("linear", "brownian"), "b,s", TRAIN_RHO0, TRAIN_RHO1,
              TrainConfig(**{**TINY.__dict__, "lr": 10.0}), checkpoint=path, log=io.StringIO())
    assert isinstance(e.value, TrainingDiverged) and e.value.criterion == "runaway"
    assert not path.exists()
    train(Interpolant("linear", "brownian"), "b,s", TRAIN_RHO0, TRAIN_RHO1,
          TrainConfig(**{**TINY.__dict__, "lr": 0.1}), checkpoint=path, log=io.StringIO())
    assert path.exists()


def test_one_sided_and_mirror_train():
    train(Interpolant("one-sided-trig"), "b,eta", standard_normal(2, dtype=F64), TRAIN_RHO1, TINY, log=io.StringIO())
    m = train(Interpolant("mirror", "brownian"), "b,s", TRAIN_RHO1, TRAIN_RHO1, TINY, log=io.StringIO())
    assert torch.isfinite(m.b(torch.full((3,), 0.5), torch.randn(3, 2))).all()


@pytest.mark.slow
def test_learned_fields_match_the_oracle():
    """Issue 2's learning test: b within 5% relative L2 over t in [0.05, 0.95] under rho_t, s within
    10% over t in [0.1, 0.9]; 3-component mixtures on each side, linear path, brownian gamma.

    Error estimate: 20000 fresh points (seed 1) from rho_t, t uniform on the window; its own Monte
    Carlo error is below 0.1 percentage points, well inside the margins. The training time is printed
    (run with -s); it is not asserted, since shared machines are noisy.
    """
    it = Interpolant("linear", "brownian")
    cfg = TrainConfig(steps=3000, batch=1000, lr=2e-3, lr_every=1000, lr_decay=0.5, hidden=256, depth=3,
                      seed=0, threads=2, log_every=1000)
    t0 = time.perf_counter()
    model = train(it, "b,s", TRAIN_RHO0, TRAIN_RHO1, cfg, log=io.StringIO())
    seconds = time.perf_counter() - t0
    oracle = InterpolantOracle(it, TRAIN_RHO0, TRAIN_RHO1)
    g = torch.Generator().manual_seed(1)

    def rel_err(learned, exact, lo, hi, n=20000):
        t = lo + (hi - lo) * torch.rand(n, generator=g, dtype=F64)
        pts = it.points(t, TRAIN_RHO0.sample(n, generator=g), TRAIN_RHO1.sample(n, generator=g),
                        torch.randn(n, 2, generator=g, dtype=F64))
        with torch.no_grad():
            f = learned(t.float(), pts.xt.float()).double()
        f_star = exact(t, pts.xt)
        return float(((f - f_star) ** 2).sum().sqrt() / (f_star ** 2).sum().sqrt())

    err_b = rel_err(model.b, oracle.b, 0.05, 0.95)
    err_s = rel_err(model.s, oracle.s, 0.1, 0.9)
    print(f"\nlearning test: trained in {seconds:.1f}s; relative L2 error b {err_b:.4f}, s {err_s:.4f}")
    assert err_b <= 0.05
    assert err_s <= 0.10


def test_monitor_sees_the_averaged_model_at_every_check():
    seen = []
    cfg = TrainConfig(**{**TINY.__dict__, "check_every": 10})
    final = train(Interpolant("linear", "brownian"), "b,s", TRAIN_RHO0, TRAIN_RHO1, cfg, log=io.StringIO(),
                  monitor=lambda step, model: seen.append((step, model)))
    assert [s for s, _ in seen] == [10, 20, 30]
    t, x = torch.full((4,), 0.5), torch.randn(4, 2)
    with torch.no_grad():
        torch.testing.assert_close(seen[-1][1].b(t, x), final.b(t, x))  # the last snapshot is the trained model
        assert not torch.equal(seen[0][1].b(t, x), final.b(t, x))
