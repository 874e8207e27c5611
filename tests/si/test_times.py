"""si.times: the one place where times are normalised and checked, and the grouping of rows by time."""
import pytest
import torch

from si import times
from si.times import as_time, check_time, evaluate_by_time, scalar_time, time_rows

F64 = torch.float64


def test_check_time_accepts_the_closed_interval_only():
    check_time(torch.tensor([0.0, 0.5, 1.0]))
    for bad in ([-1e-9], [1 + 1e-9], [float("nan")]):
        with pytest.raises(ValueError, match=r"\[0, 1\]"):
            check_time(torch.tensor(bad, dtype=F64))


def test_as_time_and_time_rows_shapes_and_dtypes():
    x = torch.zeros(4, 3)
    assert as_time(0.3, x).shape == (4,) and as_time(0.3, x).dtype == torch.float32
    assert torch.equal(as_time(torch.tensor(0.3, dtype=F64), x), torch.full((4,), 0.3))
    rows = torch.linspace(0, 1, 4, dtype=F64)
    assert time_rows(rows, x).dtype == torch.float32
    assert time_rows(rows, x, F64).dtype == F64 and torch.equal(time_rows(rows, x, F64), rows)
    assert torch.equal(time_rows(rows[:, None], x, F64), rows)  # (n, 1) is accepted
    assert torch.equal(time_rows(0.25, x), torch.full((4,), 0.25))
    with pytest.raises(ValueError, match="shape"):
        time_rows(torch.zeros(3), x)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        time_rows(1.5, x)


def test_scalar_time():
    assert scalar_time(torch.tensor([0.5])) == 0.5 and scalar_time(1) == 1.0
    with pytest.raises(ValueError, match="scalar"):
        scalar_time(torch.zeros(2))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        scalar_time(-0.5)


@pytest.mark.parametrize("n_times", [1, 3, times.MAX_TIME_GROUPS + 1])
@pytest.mark.parametrize("chunk_elements", [times.CHUNK_ELEMENTS, 7])
def test_evaluate_by_time_keeps_rows_in_order(monkeypatch, n_times, chunk_elements):
    """Rows carry their own time (n_times distinct values, shuffled); the result must be row i's
    x_i * 2 t_i whatever the path taken: one shared time, per-time groups, or row-by-row gathering,
    with chunks of all rows or of 7 rows (row_cost 1)."""
    monkeypatch.setattr(times, "CHUNK_ELEMENTS", chunk_elements)
    g = torch.Generator().manual_seed(0)
    n = 50
    t = torch.linspace(0.1, 0.9, n_times, dtype=F64)[torch.randint(n_times, (n,), generator=g)]
    x = torch.randn(n, 2, generator=g, dtype=F64)
    seen = []

    def params(ts):
        seen.append(len(ts))
        return (2 * ts[:, None],)

    def apply(p, xr):
        assert p[0].shape[0] in (1, xr.shape[0])
        return xr * p[0]

    out = evaluate_by_time(t, x, params, apply, row_cost=1)
    torch.testing.assert_close(out, x * 2 * t[:, None], rtol=0, atol=0)
    if n_times <= times.MAX_TIME_GROUPS:
        assert seen == [len(torch.unique(t))]  # parameters once per distinct time


def test_evaluate_by_time_without_rows():
    x = torch.zeros(0, 2, dtype=F64)
    out = evaluate_by_time(torch.zeros(0, dtype=F64), x, lambda ts: (ts[:, None],), lambda p, xr: xr * p[0], 1)
    assert out.shape == (0, 2)
