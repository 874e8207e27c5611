"""One look for every figure of the report and of the paper: seaborn's paper context, the colorblind
palette, figures at most PAPER_WIDTH inches wide, PNGs written atomically."""
from __future__ import annotations

from typing import Dict, Sequence

from ..io import atomic_write

__all__ = ["PAPER_WIDTH", "apply_style", "save_figure", "empty_figure", "palette"]

PAPER_WIDTH = 7.0  # inches


def apply_style():
    """Select the Agg backend and the shared seaborn theme; returns seaborn."""
    import matplotlib
    matplotlib.use("Agg")
    import seaborn as sns
    sns.set_theme(context="paper", style="whitegrid", palette="colorblind", font_scale=0.9,
                  rc={"savefig.dpi": 200, "figure.dpi": 100, "axes.titlesize": 8, "axes.labelsize": 8,
                      "legend.fontsize": 7, "xtick.labelsize": 7, "ytick.labelsize": 7})
    return sns


def save_figure(fig, out) -> None:
    """Write the figure as a PNG (tight bounding box, nothing clipped) and close it."""
    atomic_write(out, lambda p: fig.savefig(p, format="png", bbox_inches="tight"), suffix=".png")
    import matplotlib.pyplot as plt
    plt.close(fig)


def empty_figure(out, message: str) -> None:
    """A small figure saying why there is nothing to plot."""
    import matplotlib.pyplot as plt
    apply_style()
    fig, ax = plt.subplots(figsize=(PAPER_WIDTH / 2, 1.5))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center")
    save_figure(fig, out)


def palette(levels: Sequence[str]) -> Dict[str, tuple]:
    """A colour per level (colorblind palette up to 10 levels, husl beyond)."""
    import seaborn as sns
    colors = sns.color_palette("colorblind" if len(levels) <= 10 else "husl", len(levels))
    return dict(zip(levels, colors))
