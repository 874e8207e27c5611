"""The figures of Albergo, Boffi and Vanden-Eijnden (2023), regenerated as tidy tables (pandas DataFrames,
one row per plotted number, written as CSV beside each figure) and their plots; one module per figure:

  fig1_density        exact rho_t (oracle, docs/theory.md §6) of the 1-D pair gmm-1d for the linear, trig and
                      encoding-decoding paths, with gamma = 0 and gamma > 0
  fig2_trajectories   ODE and forward-SDE paths at every eps under the exact fields of that pair, and the
                      terminal histograms against rho_1 (Kolmogorov-Smirnov, total variation)
  fig3_checkerboard   ODE and SDE samples of trained models on the checkerboard pairs, support fraction
  fig4_likelihood     KL(rho_1 || model) against eps on hd-mixture-d{d}: the ODE likelihood, the two SDE
  fig4_plot           estimators of docs/theory.md §5 and the Girsanov bound computed with the oracle, for a
                      well-trained, an imperfect-b and an under-trained model
  fig5_bridge         marginals of the Brownian interpolant with the independent and the entropic coupling
  fig5_plot           against the exact Gaussian Schroedinger bridge (Bures-W2 over t)

Section 7 of the paper (docs/paper.md), one module per step: sec7_models (plan and train the models),
sec7_1_checkerboard / sec7_1_plot (7.1, figures 9-10), sec7_2_gmm128 / sec7_2_plot (7.2, figures 12-14),
sec7_3_classifier / sec7_3_digits / sec7_3_plot (7.3 on the digits, figures 15-17), sec7_stats (uncertainties,
the optimal eps), sec5_3_rectify (the section 5.3 rectification claim, the suite's own figure).

models plans the trained models of figures 3 and 4 (reusing the sweep's checkpoints where it trains the
same model). Every figure looks like the report's (sibench.figures.style). Each figure module (for figures
4 and 5, its plot module) has a write_* function that a rule's script calls: compute, write the CSVs, plot.

`code_version(rule)` is the code version of one figure rule of workflow/rules/paper.smk: the import
closure of the modules it runs (sibench.versioning), so editing one figure redoes that figure only.
"""
from __future__ import annotations

from ..versioning import modules_version

__all__ = ["FIGURE_MODULES", "code_version"]

FIGURE_MODULES = {
    "paper_fig1_density": ("sibench.paper.fig1_density",),
    "paper_fig2_trajectories": ("sibench.paper.fig2_trajectories",),
    "paper_fig3_checkerboard": ("sibench.paper.fig3_checkerboard",),
    "paper_fig4_kl": ("sibench.paper.fig4_likelihood",),
    "paper_fig4_likelihood": ("sibench.paper.fig4_plot",),     # (imports fig4_likelihood)
    "paper_fig5_bridge": ("sibench.paper.fig5_plot",),         # (imports fig5_bridge)
    # section 7 and the section 5.3 claim (workflow/rules/paper_sec7.smk, docs/paper.md)
    "sec7_train": ("sibench.paper.sec7_models",),
    "sec7_1_evaluate": ("sibench.paper.sec7_1_checkerboard",),
    "sec7_1_figure": ("sibench.paper.sec7_1_plot",),
    "sec7_2_evaluate": ("sibench.paper.sec7_2_gmm128",),
    "sec7_2_figure": ("sibench.paper.sec7_2_plot",),
    "sec7_3_classifier": ("sibench.paper.sec7_3_classifier",),
    "sec7_3_evaluate": ("sibench.paper.sec7_3_digits",),
    "sec7_3_figure": ("sibench.paper.sec7_3_plot",),
    "sec5_3_rectify": ("sibench.paper.sec5_3_rectify",),
}


def code_version(rule: str) -> str:
    """sha256 (16 hex digits) of the modules a paper figure rule runs and everything they import."""
    if rule not in FIGURE_MODULES:
        raise ValueError(f"unknown paper figure rule {rule!r}; valid: {sorted(FIGURE_MODULES)}")
    return modules_version(*FIGURE_MODULES[rule])
