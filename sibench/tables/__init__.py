"""Tables (Markdown, LaTeX, HTML) from the tidy results (results/metrics.csv).

Conventions, shared by every table and figure (select):
  * "the generative model at eps": the ODE sampler at eps = 0 and the SDE sampler at eps > 0, each
    at its largest step count (the NFE sweeps appear only in the W2-versus-NFE figure);
  * for likelihoods: the ODE estimate at eps = 0, and at eps > 0 one table per SDE estimator;
  * mean +- standard deviation over seeds; the best mean of each column is marked (bold).

select: which rows make a table; format: cells and the three output formats; sections: the tables of
one benchmark; write: the per-benchmark files and the summary page.
"""
from .write import write_summary, write_tables

__all__ = ["write_tables", "write_summary"]
