"""si.interpolants.gammas: each Gamma record's derivative, product and maximum (docs/theory.md §1).

gamma' is checked against central finite differences of gamma (h = 1e-6, float64; truncation
h^2/6 |gamma'''| <= 4e-9 on the interior grid, rounding 1e-10), tolerance 1e-7; gamma gamma' against
the product of the two; max_value against the maximum over a grid of 200001 points (spacing 5e-6, so
the grid maximum is below the supremum by at most |gamma''| (5e-6)^2 / 8 < 1e-9 for these smooth bumps).
"""
import pytest
import torch

from si.interpolants import GAMMAS

F64 = torch.float64
T = torch.linspace(0.0123, 0.9871, 64, dtype=F64)
H = 1e-6
CASES = [(name, a) for name in GAMMAS for a in ((0.5, 1.0, 2.0) if name == "brownian" else (1.0,))]


@pytest.mark.parametrize("name,a", CASES)
def test_derivative_and_product(name, a):
    g = GAMMAS[name](a)
    assert g.name == name
    fd = (g.value(T + H) - g.value(T - H)) / (2 * H)
    torch.testing.assert_close(g.deriv(T), fd, rtol=1e-7, atol=1e-7)
    torch.testing.assert_close(g.product(T), g.value(T) * g.deriv(T), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name,a", CASES)
def test_endpoints_and_maximum(name, a):
    g = GAMMAS[name](a)
    ends = torch.tensor([0.0, 1.0], dtype=F64)
    torch.testing.assert_close(g.value(ends), torch.zeros(2, dtype=F64), atol=1e-12, rtol=0)
    assert bool(torch.isfinite(g.product(ends)).all())  # gamma gamma' never forms 0 * inf
    grid_max = float(g.value(torch.linspace(0, 1, 200_001, dtype=F64)).max())
    assert grid_max <= g.max_value + 1e-12 and g.max_value - grid_max < 1e-9
