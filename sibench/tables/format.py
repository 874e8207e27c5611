"""A Table (sibench.tables.cells) as Markdown, LaTeX and HTML. Every label, title and cell passes through
sibench.tables.escape; the marks are bold (best) and italics with "(tie)" (tied top group)."""
from __future__ import annotations

import re
from typing import List

from .cells import Table
from .escape import html_text, latex_text, markdown_cell, markdown_text
from .stats import ALPHA, BEST, CONFIDENCE, TIE

__all__ = ["HTML_STYLE", "LEGEND", "eps_header", "to_markdown", "to_latex", "to_html"]

HTML_STYLE = ("<style>body{font-family:sans-serif;font-size:13px;margin:1em}"
              "table.si-table{border-collapse:collapse;margin-bottom:1.5em}"
              "table.si-table td,table.si-table th{padding:2px 8px;text-align:right;border-bottom:1px solid #ddd}"
              "table.si-table th:first-child,table.si-table td:first-child{text-align:left}</style>")

LEGEND = (f"Each cell: the mean over seeds, then in brackets its {CONFIDENCE:.0%} Student-t interval. Bold: the best, "
          f"separated from every other method of its column by a paired t-test over seeds (two-sided, Holm "
          f"correction over the column's comparisons, {ALPHA:.0%}); '(tie)': the top group, not separated from "
          f"the best mean; no mark: no method stands out, or the table is not ranked. 'n/a': not applicable; "
          f"'failed': the training diverged; 'non-finite': infinite or NaN values; 'withheld': not a number to "
          f"rank (the reason is given). An interval is symmetric about the mean and may reach below 0 for a "
          f"quantity that cannot.")


def eps_header(eps: float) -> str:
    """The column title of an eps: "ε=0 (ODE)" or "ε=0.5"."""
    return "ε=0 (ODE)" if eps == 0 else f"ε={eps:g}"


def _marked(text: str, mark: str, bold, italic) -> str:
    if mark == BEST:
        return bold(text)
    if mark == TIE:
        return italic(text) + " (tie)"
    return text


def to_markdown(table: Table) -> str:
    """A GitHub-flavoured Markdown table (labels escaped; numbers left-aligned as text)."""
    head = ["method"] + list(table.columns)
    body: List[List[str]] = []
    for label, row in zip(table.rows, table.cells):
        body.append([markdown_text(label)] + [
            _marked(markdown_cell(c.text), c.mark, lambda s: f"**{s}**", lambda s: f"*{s}*") for c in row])
    head = [markdown_text(h) for h in head]
    width = [max(len(r[j]) for r in [head] + body) for j in range(len(head))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, width)) + " |"  # noqa: E731
    return "\n".join([line(head), "|" + "|".join(":" + "-" * (w + 1) for w in width) + "|"] + [line(r) for r in body])


def to_latex(table: Table, caption: str, label: str) -> str:
    """A booktabs table environment (every text escaped for LaTeX text mode)."""
    cols = [latex_text(h) for h in table.columns]
    lines = [r"\begin{table}[t]", r"\centering", r"\small",
             r"\caption{" + latex_text(caption) + "}", r"\label{" + re.sub(r"[^A-Za-z0-9:.+-]", "-", label) + "}",
             r"\begin{tabular}{l" + "r" * len(cols) + "}", r"\toprule",
             " & ".join(["method"] + cols) + r" \\", r"\midrule"]
    for lab, row in zip(table.rows, table.cells):
        cells = [_marked(latex_text(c.text), c.mark, lambda s: r"\textbf{" + s + "}", lambda s: r"\textit{" + s + "}")
                 for c in row]
        first = latex_text(lab)
        first = "{}" + first if first.startswith("[") else first   # not an argument of the \\ above
        lines.append(" & ".join([first] + cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return "\n".join(lines)


def to_html(table: Table) -> str:
    """An HTML table of class si-table (every text escaped)."""
    out = ['<table class="si-table">', "<thead><tr>" + "".join(
        f"<th>{html_text(h)}</th>" for h in ["method"] + list(table.columns)) + "</tr></thead>", "<tbody>"]
    for lab, row in zip(table.rows, table.cells):
        tds = "".join(f"<td>{_marked(html_text(c.text), c.mark, lambda s: f'<b>{s}</b>', lambda s: f'<i>{s}</i>')}</td>"
                      for c in row)
        out.append(f"<tr><td>{html_text(lab)}</td>{tds}</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)
