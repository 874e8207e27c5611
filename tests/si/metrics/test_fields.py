"""si.metrics.fields: the relative field error of docs/theory.md §7.5, against exact answers."""
import math

import pytest
import torch

from si.metrics import field_rel_mse

from ...conftest import randn


def test_a_scaled_field_has_relative_error_c_squared():
    f = randn(500, 3, 0)
    est = field_rel_mse(1.1 * f, f)          # |0.1 f|^2 / |f|^2 = 0.01 at every point
    assert est.value == pytest.approx(0.01, rel=1e-12) and est.n == 500
    assert field_rel_mse(f, f).value == 0.0 and field_rel_mse(f, f).stderr == 0.0


def test_standard_error_is_that_of_the_numerator_mean():
    f, e = randn(400, 2, 1), 0.3 * randn(400, 2, 2)
    sq = (e ** 2).sum(1)
    norm = float((f ** 2).sum(1).mean())
    est = field_rel_mse(f + e, f)
    assert est.value == pytest.approx(float(sq.mean()) / norm, rel=1e-12)
    assert est.stderr == pytest.approx(float(sq.std()) / math.sqrt(400) / norm, rel=1e-12)


def test_rejects_bad_input():
    f = randn(10, 2, 0)
    with pytest.raises(ValueError, match="same shape"):
        field_rel_mse(f, f[:5])
    with pytest.raises(ValueError, match="NaN or inf"):
        field_rel_mse(torch.full_like(f, math.nan), f)
    with pytest.raises(ValueError, match="zero at every point"):
        field_rel_mse(f, torch.zeros_like(f))
