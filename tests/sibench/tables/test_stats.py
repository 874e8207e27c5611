"""sibench.tables.stats: the 95% t-interval, the paired test over seeds, Holm, and which cells are marked.

The constructed columns are exact (no random draws), so each mark is decided by arithmetic that the
comments spell out."""
import math

import pandas as pd
import pytest

from sibench.tables.stats import BEST, TIE, holm_rejects, paired_p, rank_column, t_interval


def seeds(*values):
    return pd.Series(values, index=range(len(values)), dtype=float)


def test_t_interval_is_the_student_interval():
    # mean 2, sd 1, S = 3: half-width t_{0.975, 2} / sqrt(3) = 4.302653 / 1.732051 = 2.484138
    m, lo, hi = t_interval([1.0, 2.0, 3.0])
    assert m == 2.0 and hi - m == pytest.approx(2.484138, abs=1e-6) and m - lo == pytest.approx(2.484138, abs=1e-6)
    m1, lo1, hi1 = t_interval([5.0])
    assert m1 == 5.0 and math.isnan(lo1) and math.isnan(hi1)


def test_paired_p_uses_the_common_seeds_and_their_differences():
    a, b = seeds(1.0, 2.0, 3.0, 4.0, 5.0), seeds(1.1, 2.3, 3.2, 4.4, 5.1)
    # differences -0.1 -0.3 -0.2 -0.4 -0.1: mean -0.22, sd 0.130384, t = -3.7730 on 4 df:
    # p = 0.019554 (scipy.stats.ttest_rel)
    assert paired_p(a, b) == pytest.approx(0.019554, abs=1e-6)
    assert math.isnan(paired_p(seeds(1.0), seeds(2.0)))            # one common seed: no test
    assert paired_p(seeds(1.0, 2.0), seeds(1.0, 2.0)) == 1.0         # identical
    assert paired_p(seeds(1.0, 2.0), seeds(2.0, 3.0)) == 0.0         # constant difference


def test_holm_steps_down():
    assert holm_rejects({"a": 0.01, "b": 0.04}) == {"a": True, "b": True}      # 0.01 <= 0.025, 0.04 <= 0.05
    assert holm_rejects({"a": 0.03, "b": 0.04}) == {"a": False, "b": False}    # 0.03 > 0.025 stops at once
    assert holm_rejects({"a": 0.001, "b": 0.2, "c": float("nan")}) == {"a": True, "b": False, "c": False}


def test_indistinguishable_methods_get_no_mark():
    """Two methods whose per-seed values alternate around the same mean: no best, and since the top group
    is the whole column, no tie marks either."""
    col = {"A": seeds(1.0, 1.2, 0.9, 1.1, 1.0), "B": seeds(1.1, 1.0, 1.0, 1.05, 1.02)}
    assert rank_column(col) == {}


def test_separated_method_is_marked_best():
    """A is below B and C on every seed by a clear margin: both paired tests reject after Holm."""
    col = {"A": seeds(1.0, 1.1, 0.9, 1.05, 0.95), "B": seeds(1.5, 1.6, 1.45, 1.55, 1.5),
           "C": seeds(2.0, 2.2, 1.9, 2.1, 2.0)}
    assert rank_column(col) == {"A": BEST}
    assert rank_column(col, better="max") == {"C": BEST}


def test_ties_mark_the_top_group():
    """A and B are indistinguishable, both clearly below C: A and B are each marked as tied."""
    col = {"A": seeds(1.0, 1.2, 0.9, 1.1, 1.0), "B": seeds(1.1, 1.0, 1.0, 1.05, 1.02),
           "C": seeds(3.0, 3.1, 2.9, 3.2, 3.0)}
    assert rank_column(col) == {"A": TIE, "B": TIE}


def test_pairing_over_seeds_separates_what_seed_noise_hides():
    """A seed effect shared by both methods (the same seed's data) cancels in the paired differences: A is
    0.05 below B on every seed although the seeds' spread (1 to 5) dwarfs 0.05."""
    a = seeds(1.0, 2.0, 3.0, 4.0, 5.0)
    b = seeds(1.05, 2.06, 3.04, 4.05, 5.05)
    assert rank_column({"A": a, "B": b}) == {"A": BEST}


def test_a_single_method_or_seed_marks_nothing():
    assert rank_column({"A": seeds(1.0, 2.0)}) == {}
    assert rank_column({"A": seeds(1.0), "B": seeds(5.0)}) == {}    # one seed each: no test
