"""si.data: densities, tensors of samples and iterables of batches as one sampler for the trainer."""
import io

import numpy as np
import pytest
import torch

from si import Interpolant
from si.data import BatchSource, DensitySource, NormalSource, TensorSource, as_source, is_standard_normal
from si.mixtures import standard_normal
from si.training import TrainConfig, train

from ..conftest import TINY, TRAIN_RHO0, TRAIN_RHO1

F64 = torch.float64


def test_density_and_standard_normal_sources_draw_with_the_generator():
    src = as_source(TRAIN_RHO1, "rho1", dtype=torch.float32)
    assert isinstance(src, DensitySource) and src.dim == 2
    x = src.draw(50, torch.Generator().manual_seed(1))
    want = TRAIN_RHO1.sample(50, generator=torch.Generator().manual_seed(1)).float()
    assert torch.equal(x, want)
    normal = as_source(standard_normal(3, dtype=F64), "rho0", dtype=F64)
    assert isinstance(normal, NormalSource) and is_standard_normal(normal) and normal.dim == 3
    assert torch.equal(normal.draw(7, torch.Generator().manual_seed(2)),
                       torch.randn(7, 3, generator=torch.Generator().manual_seed(2), dtype=F64))


def test_tensor_source_without_replacement_visits_every_row_once_per_epoch():
    data = torch.arange(20, dtype=F64)[:, None].repeat(1, 2)  # row i is (i, i)
    src = as_source(data, "rho1", dtype=F64)
    assert isinstance(src, TensorSource) and not src.replacement
    g = torch.Generator().manual_seed(0)
    rows = torch.cat([src.draw(8, g) for _ in range(5)])[:, 0].long()  # 40 rows: two epochs of 20
    assert sorted(rows[:20].tolist()) == list(range(20)) and sorted(rows[20:].tolist()) == list(range(20))
    assert rows[:20].tolist() != list(range(20))  # shuffled
    again = as_source(data, "rho1", dtype=F64)
    g = torch.Generator().manual_seed(0)
    assert torch.equal(torch.cat([again.draw(8, g) for _ in range(5)])[:, 0].long(), rows)  # reproducible


def test_tensor_source_with_replacement_draws_iid_rows():
    """n = 400 draws from 20 rows: with replacement some row repeats (the probability that all of 21 draws
    are distinct is already 0), and every draw is a row of the data."""
    data = torch.randn(20, 2, generator=torch.Generator().manual_seed(3))
    src = as_source(data.numpy(), "rho1", dtype=torch.float32, replacement=True)
    x = src.draw(400, torch.Generator().manual_seed(4))
    assert x.dtype == torch.float32 and x.shape == (400, 2)
    assert bool((x[:, None, :] == data.float()[None]).all(-1).any(1).all())
    assert len({tuple(r) for r in x.tolist()}) <= 20


def test_iterable_of_batches_is_rechunked_in_order_and_cycled():
    batches = [torch.full((30, 2), float(k)) for k in range(3)]  # 90 rows: 30 of 0, 30 of 1, 30 of 2
    src = as_source(batches, "rho1", dtype=F64)
    assert isinstance(src, BatchSource) and src.dim == 2
    got = torch.cat([src.draw(64) for _ in range(3)])[:, 0]  # 192 rows: the 90 twice, then 12 more
    want = torch.cat([b[:, 0] for b in batches] * 3)[:192].double()
    assert torch.equal(got, want)
    wrapped = as_source([(b,) for b in batches], "rho1", dtype=F64)  # a DataLoader over a TensorDataset
    assert torch.equal(wrapped.draw(40)[:, 0], want[:40])


def test_one_shot_iterator_says_it_cannot_restart():
    src = as_source((torch.randn(10, 2) for _ in range(2)), "rho1")
    src.draw(20)
    with pytest.raises(ValueError, match="cannot be restarted"):
        src.draw(5)


@pytest.mark.parametrize("bad,what", [("samples.csv", "str"), ({"x": 1}, "dict"), (3, "int"),
                                       (torch.zeros(4, 2, 2), r"shape \(4, 2, 2\)"),
                                       (torch.zeros(4, 2, dtype=torch.long), "floating-point"),
                                       ([np.zeros(3)], r"shape \(3,\)"), ([["a"]], "item of the iterable .* got str")])
def test_anything_else_is_refused_with_what_was_passed(bad, what):
    with pytest.raises(ValueError, match=what) as e:
        as_source(bad, "rho1")
    assert "rho1" in str(e.value)


def test_train_accepts_samples_and_batches_and_names_the_latent_requirement():
    it = Interpolant("linear", "brownian")
    x1 = TRAIN_RHO1.sample(500, generator=torch.Generator().manual_seed(0))
    m = train(it, "b,s", TRAIN_RHO0, x1, TINY, log=io.StringIO())
    assert torch.isfinite(m.b(torch.full((3,), 0.5), torch.randn(3, 2))).all()
    m = train(it, "b", list(TRAIN_RHO0.sample(300).split(50)), x1.numpy(), TINY, log=io.StringIO())
    assert m.spec["rho1"].startswith("rho1: (500, 2) samples")
    with pytest.raises(ValueError, match=r"needs rho0 = N\(0, I\).*si.mixtures.standard_normal\(2\)"):
        train(Interpolant("one-sided-linear"), "b,s", x1, TRAIN_RHO1, TINY, log=io.StringIO())
    with pytest.raises(ValueError, match="rho0: cannot draw samples from str"):
        train(it, "b", "gaussian", TRAIN_RHO1, TINY, log=io.StringIO())
    with pytest.raises(ValueError, match="share a dimension"):
        train(it, "b", torch.randn(10, 3), TRAIN_RHO1, TINY, log=io.StringIO())
    same = [train(it, "b", TRAIN_RHO0, x1, TrainConfig(**{**TINY.__dict__, "steps": 5}), log=io.StringIO())
            for _ in range(2)]
    assert all(torch.equal(p, q) for p, q in zip(same[0].nets.parameters(), same[1].nets.parameters()))
