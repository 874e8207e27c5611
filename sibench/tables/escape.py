"""Text into the three table formats: every label, title and cell goes through one of these, so a method
label from a config ("<b>", "a|b", "x_{1}^2 ~ $5") is shown as written and never read as markup."""
from __future__ import annotations

import html

__all__ = ["html_text", "markdown_text", "markdown_cell", "latex_text"]

# CommonMark lets a backslash escape any ASCII punctuation; these are the characters that start markup
# in a GitHub-flavoured Markdown table cell or heading (| ends a cell; * _ ` ~ emphasis, code and
# strike-through; [ ] < > & links, HTML and entities; # a heading; $ math on GitHub, ^ superscript in
# some renderers; \ the escape itself).
_MARKDOWN = set("\\|*_`~[]<>&#$^")

# LaTeX text mode: the ten special characters, then the symbols the tables' own text uses (typeset in
# math mode, so the file needs no Unicode support from the engine).
_LATEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "^": r"\textasciicircum{}",
          "~": r"\textasciitilde{}", "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#",
          "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
          "±": r"$\pm$", "ε": r"$\varepsilon$", "ρ": r"$\rho$", "‖": r"$\|$", "≥": r"$\geq$", "≤": r"$\leq$",
          "−": "-", "–": "--", "—": "---", "·": r"$\cdot$", "≈": r"$\approx$", "√": r"$\surd$",
          "σ": r"$\sigma$", "γ": r"$\gamma$", "η": r"$\eta$", "θ": r"$\theta$", "×": r"$\times$",
          "∞": r"$\infty$", "Δ": r"$\Delta$", "₀": r"$_0$", "₁": r"$_1$", "²": r"$^2$"}


def html_text(s) -> str:
    """s with & < > " ' as HTML entities."""
    return html.escape(str(s), quote=True)


def markdown_text(s) -> str:
    """s with every Markdown-active character backslash-escaped (see _MARKDOWN), line breaks as spaces,
    and no leading or trailing blanks (which Markdown would drop or read as code)."""
    s = " ".join(str(s).split())
    return "".join("\\" + c if c in _MARKDOWN else c for c in s)


def markdown_cell(s) -> str:
    """markdown_text without escaping [ and ]: a cell's own "mean [lower, upper]" stays readable in the
    file (a bracket pair followed by a space or the end of the cell is no link)."""
    return markdown_text(s).replace("\\[", "[").replace("\\]", "]")


def latex_text(s) -> str:
    """s for LaTeX text mode: special characters escaped in one pass (a backslash never escapes an
    escape), the tables' symbols in math mode."""
    return "".join(_LATEX.get(c, c) for c in str(s))
