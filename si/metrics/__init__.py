"""Distances between sample sets and to exact ground truth (docs/theory.md §7): sample W2 and its
floor (`samples`), Gaussian / Bures distances and BW-UVP (`gaussian`), couplings and paths (`paths`),
the bridge benchmark's evaluations (`bridge`), the paired KL with the paper's control variate (`kl`),
energy distance / MMD and their permutation test (`two_sample`), relative field errors (`fields`). Everything public is re-exported here. Scores for
the models of Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797."""
from ..couplings import NUM_ITERMAX
from .bridge import bridge_metrics
from .fields import field_rel_mse
from .gaussian import bures_w2, bures_w2_samples, bw_uvp, conditional_bw_uvp, gaussian_fit
from .kl import kl_terms, paired_kl
from .kde import GaussianKDE, bandwidth_factor, kde_kl  # Gaussian KDEs and their KL (section 7.2's metric)
from .modes import assign_modes, mode_bures, mode_weight_tv, mode_weights  # per-mode errors against a mixture
from .paths import coupling_w2, path_energy
from .samples import as_array, as_sample_pair, disjoint_subsets, draw_samples, sliced_w2, w2, w2_floor
from .two_sample import (STATISTICS, PermutationTest, energy_distance, median_bandwidth, mmd2, permutation_test,
                         two_sample_test)

__all__ = ["w2", "w2_floor", "sliced_w2", "gaussian_fit", "bures_w2", "bures_w2_samples", "bw_uvp",
           "conditional_bw_uvp", "coupling_w2", "path_energy", "bridge_metrics", "NUM_ITERMAX", "draw_samples",
           "as_array", "as_sample_pair", "paired_kl", "kl_terms", "energy_distance", "mmd2", "two_sample_test",
           "permutation_test", "PermutationTest", "median_bandwidth", "STATISTICS", "field_rel_mse"]
__all__ += ["disjoint_subsets"]
__all__ += ["GaussianKDE", "bandwidth_factor", "kde_kl", "assign_modes", "mode_weights", "mode_weight_tv", "mode_bures"]
