"""A table from the rows of one metric: methods (rows) against a column key (eps, or a field), each cell
the mean over seeds with its 95% t-interval (sibench.tables.stats), and the marks of each column.

What a cell can say, each distinct from the others:
  a value      "mean [lower, upper]" (just the mean for a single seed), "se x" added when the rows carry a
               Monte Carlo standard error (the standard error of the mean over seeds from it), "rejects
               k/S" when they carry a permutation p-value (k of S seeds' tests reject at 5%), "(S of T
               seeds)" when trainings failed;
  n/a          the method has no such evaluation (not applicable, e.g. no SDE without a score);
  failed       every seed's training diverged (sibench.stages.train);
  non-finite   some seed's value is infinite or NaN (non-finite samples or log densities);
  withheld     some seed's value was withheld by the evaluation (a Feynman-Kac likelihood whose
               effective sample size is below the threshold), never ranked; a column holding one
               marks no best, since nothing separates a method from an unknown value.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

from .select import method_order
from .stats import ALPHA, mc_stderr, rank_column, t_interval

__all__ = ["VALUE", "NA", "FAILED", "NON_FINITE", "WITHHELD", "WITHHELD_STATUS", "NON_FINITE_STATUS", "Cell",
           "Table", "format_number", "build_table"]

VALUE, NA, FAILED, NON_FINITE, WITHHELD = "value", "n/a", "failed", "non-finite", "withheld"
# the status column of results/metrics.csv: empty, "non-finite", or "withheld: <reason>"
WITHHELD_STATUS, NON_FINITE_STATUS = "withheld", "non-finite"


@dataclass(frozen=True)
class Cell:
    """One cell: its text, kind (VALUE, NA, FAILED, NON_FINITE, WITHHELD) and mark (BEST, TIE or "")."""

    text: str
    kind: str = VALUE
    mark: str = ""


@dataclass
class Table:
    """Rows (method labels) against columns (header texts), a Cell each; ranked: whether marks apply."""

    title: str
    rows: List[str]
    columns: List[str]
    cells: List[List[Cell]]
    ranked: bool = True

    def marks(self) -> List[Tuple[str, str, str]]:
        """(row, column, mark) of every marked cell."""
        return [(r, c, cell.mark) for r, row in zip(self.rows, self.cells) for c, cell in zip(self.columns, row)
                if cell.mark]


def format_number(v: float, digits: int) -> str:
    """v with `digits` decimals ("inf", "-inf", "nan" when not finite)."""
    if not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return f"{v:.{digits}f}"


def _status(d: pd.DataFrame) -> pd.Series:
    return d["status"].fillna("").astype(str) if "status" in d else pd.Series("", index=d.index)


def _value_cell(d: pd.DataFrame, digits: int, n_seeds: int) -> Tuple[Cell, Optional[pd.Series]]:
    """The cell of one (method, column) from its rows, and its per-seed values when they can be ranked."""
    status = _status(d)
    held = status.str.startswith(WITHHELD_STATUS)
    if held.any():
        reasons = sorted(set(status[held].str.partition(":")[2].str.strip()) - {""})
        why = "; ".join(reasons)
        ess = pd.to_numeric(d.loc[held, "ess"], errors="coerce").dropna() if "ess" in d else pd.Series(dtype=float)
        if len(ess):
            why += f"{', ' if why else ''}at most {ess.max():.1f}"
        seeds = f"{d.loc[held, 'seed'].nunique()}/{d['seed'].nunique()} seeds"
        return Cell(f"withheld ({why}; {seeds})" if why else f"withheld ({seeds})", WITHHELD), None
    v = pd.to_numeric(d["value"], errors="coerce").astype(float)
    bad = ~np.isfinite(v.to_numpy()) | (status == NON_FINITE_STATUS).to_numpy()
    if bad.any():
        k, s = d.loc[bad, "seed"].nunique(), d["seed"].nunique()
        return Cell(f"non-finite ({k}/{s} seeds)", NON_FINITE), None
    per_seed = v.groupby(d["seed"].to_numpy()).mean()
    m, lo, hi = t_interval(per_seed.to_numpy())
    text = format_number(m, digits)
    if not math.isnan(lo):
        text += f" [{format_number(lo, digits)}, {format_number(hi, digits)}]"
    se = mc_stderr(d["stderr"]) if "stderr" in d else None
    if se is not None:
        text += f" se {se:.2g}"
    if "p_value" in d and d["p_value"].notna().any():
        p = pd.to_numeric(d["p_value"], errors="coerce").dropna()
        text += f", rejects {int((p < ALPHA).sum())}/{len(p)}"
    if len(per_seed) < n_seeds:
        text += f" ({len(per_seed)} of {n_seeds} seeds)"
    return Cell(text), per_seed


def _sizes(d: pd.DataFrame) -> str:
    """The n of a column's rows ("" when not given, "a-b" when it varies)."""
    n = pd.to_numeric(d["n"], errors="coerce").dropna().astype(int) if "n" in d else pd.Series(dtype=int)
    return "" if n.empty else str(n.iloc[0]) if n.nunique() == 1 else f"{n.min()}-{n.max()}"


def build_table(d: pd.DataFrame, column: str, title: str, header: Callable[[object], str] = str,
                better: Optional[str] = "min", digits: int = 3, failed: Optional[pd.DataFrame] = None,
                n_seeds: Optional[int] = None, order: Optional[List[str]] = None,
                columns: Optional[List] = None) -> Optional[Table]:
    """The table of the rows d (one metric, at most one row per method, column key and seed): rows the
    method labels (in `order`, else first appearance), columns the values of d[column] (sorted when
    numeric, or `columns`). better: "min", "max", or None for a table that is shown but not ranked.
    failed: rows (label, seed, and the column key) of diverged trainings, for the "failed" cells.
    n_seeds: the seeds of the sweep (a cell with fewer says so). None when d is empty."""
    if d.empty:
        return None
    failed = failed if failed is not None else pd.DataFrame(columns=["label", "seed", column])
    keys = columns if columns is not None else list(dict.fromkeys(d[column]))
    if columns is None and all(isinstance(k, (int, float, np.number)) for k in keys):
        keys = sorted(keys)
    failed = failed[failed[column].isin(keys)]
    present = set(d["label"].astype(str)) | set(failed["label"].astype(str))
    first = method_order(d) + [lab for lab in method_order(failed) if lab not in set(d["label"].astype(str))]
    labels = [lab for lab in (order or first) if lab in present]
    n_seeds = n_seeds or int(pd.concat([d["seed"], failed["seed"]]).nunique())
    cells: Dict[Tuple[str, object], Cell] = {}
    for key in keys:
        ranked: Dict[str, pd.Series] = {}
        blocked = False
        for lab in labels:
            rows = d[(d["label"].astype(str) == lab) & (d[column] == key)]
            if rows.empty:
                f = failed[(failed["label"].astype(str) == lab) & (failed[column] == key)]
                cells[lab, key] = Cell(FAILED, FAILED) if len(f) else Cell(NA, NA)
                continue
            cell, per_seed = _value_cell(rows, digits, n_seeds)
            cells[lab, key] = cell
            blocked = blocked or cell.kind == WITHHELD
            if per_seed is not None:
                ranked[lab] = per_seed
        if better is not None and not blocked:
            for lab, mark in rank_column(ranked, better).items():
                c = cells[lab, key]
                cells[lab, key] = Cell(c.text, c.kind, mark)
    sizes = {k: _sizes(d[d[column] == k]) for k in keys}
    per_column = len(set(sizes.values()) - {""}) > 1   # n differs between columns: say it in each header
    return Table(title=title, rows=labels, columns=[header(k) + (f" · n={sizes[k]}" if per_column and sizes[k] else "")
                                                     for k in keys],
                 cells=[[cells[lab, k] for k in keys] for lab in labels], ranked=better is not None)

