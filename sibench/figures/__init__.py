"""The report's seaborn figures (report/figures/), one function per figure rule of workflow/rules/report.smk:
samples (sample grids, bridge marginals) from the samples files, summaries from the tidy tables, the
max-min Schroedinger bridge's marginals and training curves (sb_maxmin); one shared look (style)."""
from __future__ import annotations

from .samples import fig_bridge, fig_samples
from .sb_maxmin import fig_sb_maxmin_marginals, fig_sb_maxmin_training
from .summaries import fig_compute, fig_metric_vs_eps, fig_training_curves, fig_w2_vs_nfe

__all__ = ["FIGURES", "write_figure"]

FIGURES = {
    "samples": fig_samples,
    "bridge": fig_bridge,
    "metric_vs_eps": fig_metric_vs_eps,
    "w2_vs_nfe": fig_w2_vs_nfe,
    "training_curves": fig_training_curves,
    "compute": fig_compute,
    "sb_maxmin_marginals": fig_sb_maxmin_marginals,
    "sb_maxmin_training": fig_sb_maxmin_training,
}


def write_figure(name: str, inputs, out, wildcards=None, params=None) -> None:
    """Figure `name` of FIGURES from the rule's inputs to out; the rule's wildcards and params (but its
    code version) are the figure's keyword arguments."""
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; valid: {sorted(FIGURES)}")
    FIGURES[name](inputs, out, **(wildcards or {}), **{k: v for k, v in (params or {}).items() if k != "code"})
