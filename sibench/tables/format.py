"""Cells of a table (mean ± std over seeds, best of each column marked) and their Markdown, LaTeX and
HTML forms."""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from .select import method_order

__all__ = ["format_cell", "eps_header", "summary_table", "to_markdown", "latex_escape", "to_latex", "to_html",
           "HTML_STYLE"]

HTML_STYLE = ("<style>body{font-family:sans-serif;font-size:13px;margin:1em}"
              "table.si-table{border-collapse:collapse;margin-bottom:1.5em}"
              "table.si-table td,table.si-table th{padding:2px 8px;text-align:right;border-bottom:1px solid #ddd}"
              "table.si-table th:first-child,table.si-table td:first-child{text-align:left}</style>")


def format_cell(mean: float, std: float, digits: int) -> str:
    """'mean ± std' (just the mean when std is 0 or undefined; 'inf' or 'n/a' when it is not finite)."""
    if not np.isfinite(mean):
        return "inf" if mean == np.inf else "n/a"
    if not np.isfinite(std) or std == 0:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def eps_header(eps: float) -> str:
    """The column title of an eps: "ε=0 (ODE)" or "ε=0.5"."""
    return "ε=0 (ODE)" if eps == 0 else f"ε={eps:g}"


def summary_table(d: pd.DataFrame, columns: str = "eps", better: str = "min", digits: int = 3):
    """(cells, means, best mask): rows = method labels, columns = eps (or another column);
    cells 'mean ± std' over seeds. None when d is empty."""
    if d.empty:
        return None
    g = d.groupby(["label", columns], sort=False)["value"]
    stats = pd.DataFrame({"mean": g.mean(), "std": g.std(ddof=1), "n": g.count()}).reset_index()
    means = stats.pivot(index="label", columns=columns, values="mean")
    stds = stats.pivot(index="label", columns=columns, values="std")
    order = [m for m in method_order(d) if m in means.index]
    cols = sorted(means.columns) if columns == "eps" else list(dict.fromkeys(d[columns]))
    means, stds = means.loc[order, cols], stds.loc[order, cols]
    finite = means.replace([np.inf, -np.inf], np.nan)
    best_val = finite.min() if better == "min" else finite.max()
    best = finite.eq(best_val, axis=1) & finite.notna()
    cells = pd.DataFrame(
        [[format_cell(means.iat[i, j], stds.iat[i, j], digits) for j in range(means.shape[1])]
         for i in range(means.shape[0])],
        index=means.index, columns=means.columns)
    return cells, means, best


def to_markdown(cells: pd.DataFrame, best: pd.DataFrame, header: Callable) -> str:
    out = cells.copy()
    out[best] = "**" + out[best] + "**"
    out.columns = [header(c) for c in out.columns]
    out.index.name = "method"
    return out.to_markdown()


def latex_escape(s: str) -> str:
    for a, b in (("_", r"\_"), ("%", r"\%"), ("&", r"\&"), ("#", r"\#")):
        s = s.replace(a, b)
    return s.replace("±", r"$\pm$").replace("ε", r"$\varepsilon$")


def to_latex(cells: pd.DataFrame, best: pd.DataFrame, header: Callable, caption: str, label: str) -> str:
    cols = [latex_escape(header(c)) for c in cells.columns]
    lines = [r"\begin{table}[t]", r"\centering", r"\small",
             r"\caption{" + latex_escape(caption) + "}", r"\label{" + label + "}",
             r"\begin{tabular}{l" + "r" * len(cols) + "}", r"\toprule",
             " & ".join(["method"] + cols) + r" \\", r"\midrule"]
    for i, idx in enumerate(cells.index):
        row = [latex_escape(str(idx))]
        for j in range(cells.shape[1]):
            c = latex_escape(cells.iat[i, j])
            row.append(r"\textbf{" + c + "}" if bool(best.iat[i, j]) else c)
        lines.append(" & ".join(row) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return "\n".join(lines)


def to_html(cells: pd.DataFrame, best: pd.DataFrame, header: Callable) -> str:
    out = cells.copy()
    out[best] = "<b>" + out[best] + "</b>"
    out.columns = [header(c) for c in out.columns]
    out.index.name = "method"
    return out.to_html(escape=False, border=0, classes="si-table")
