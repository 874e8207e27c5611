"""Tables (Markdown, LaTeX, HTML) from the tidy results (results/<name>/metrics.csv).

Conventions, shared by every table and figure:
  * "the generative model at eps" (select): the ODE sampler at eps = 0 and the SDE sampler at eps > 0,
    each at its largest step count (the NFE sweeps appear only in the figures);
  * a cell is the mean over seeds with its 95% Student-t interval (stats, cells); a best is marked only
    where a paired t-test over seeds (Holm-corrected over the column) separates it from every other
    method, a tied top group is marked as such, and "n/a", "failed", "non-finite" and "withheld" are
    distinct (cells);
  * each benchmark's tables lead with the metric that discriminates there, named (sections); W2 is
    shown only against its floor, never ranked.

stats: intervals and tests; cells: a Table from rows; escape: text into HTML, Markdown and LaTeX;
format: the three output forms; select: which rows; sections: the tables of one benchmark; write: the
per-benchmark files and the summary page.
"""
from .write import write_summary, write_tables

__all__ = ["write_tables", "write_summary"]
