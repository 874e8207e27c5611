"""One look for every figure of the report and of the paper: seaborn's paper context, the colorblind
palette, at most MAX_HUES colours in a panel (more levels are split over panels, hue_groups), figures at
most PAPER_WIDTH inches wide, mathematics as mathtext (eps_tex, objective_tex, tex_label), an eps axis with
every eps of the config as a tick (eps_axis), PNGs written atomically with a tight bounding box."""
from __future__ import annotations

import re
from typing import Dict, List, Sequence

from ..io import atomic_write

__all__ = ["PAPER_WIDTH", "MAX_HUES", "apply_style", "save_figure", "empty_figure", "palette", "hue_groups",
           "eps_tex", "objective_tex", "tex_label", "eps_axis", "EPS_LABEL"]

PAPER_WIDTH = 7.0  # inches
MAX_HUES = 8       # colours a reader tells apart in one panel (the colorblind palette's first eight)
EPS_LABEL = r"$\varepsilon$ (diffusion coefficient; 0: ODE)"


def apply_style():
    """Select the Agg backend and the shared seaborn theme; returns seaborn."""
    import matplotlib
    matplotlib.use("Agg")
    import seaborn as sns
    sns.set_theme(context="paper", style="whitegrid", palette="colorblind", font_scale=0.9,
                  rc={"savefig.dpi": 200, "figure.dpi": 100, "axes.titlesize": 8, "axes.labelsize": 8,
                      "legend.fontsize": 7, "xtick.labelsize": 7, "ytick.labelsize": 7,
                      "mathtext.fontset": "dejavusans"})
    return sns


def save_figure(fig, out) -> None:
    """Write the figure as a PNG (tight bounding box, nothing clipped) and close it."""
    atomic_write(out, lambda p: fig.savefig(p, format="png", bbox_inches="tight", pad_inches=0.05),
                 suffix=".png")
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


def palette(levels: Sequence[str], start: int = 0) -> Dict[str, tuple]:
    """A colour per level from the colorblind palette, from its colour `start` on (cyclically: groups of levels
    drawn in separate panels take different colours where the palette's ten allow); more than MAX_HUES levels is
    an error (split them over panels with hue_groups)."""
    import seaborn as sns
    if len(levels) > MAX_HUES:
        raise ValueError(f"{len(levels)} hues in one panel (at most {MAX_HUES}): split them with hue_groups")
    colours = sns.color_palette("colorblind")
    return {lv: colours[(start + i) % len(colours)] for i, lv in enumerate(levels)}


def hue_groups(levels: Sequence[str], size: int = MAX_HUES) -> List[List[str]]:
    """The levels in consecutive groups of at most `size`, as even as possible (11 -> 6 + 5, not 8 + 3)."""
    levels = list(levels)
    if not levels:
        return []
    k = -(-len(levels) // size)
    step = -(-len(levels) // k)
    return [levels[i:i + step] for i in range(0, len(levels), step)]


def eps_tex(eps: float, ode: bool = True) -> str:
    """An eps as mathtext: '$\\varepsilon=0.5$', and '$\\varepsilon=0$ (ODE)' at 0 (unless ode=False)."""
    return r"$\varepsilon=0$ (ODE)" if eps == 0 and ode else rf"$\varepsilon={eps:g}$"


def objective_tex(objective: str) -> str:
    """An objective as mathtext: 'b,eta' -> '$\\{b,\\eta\\}$'."""
    return "$\\{" + ",".join("\\eta" if f == "eta" else f for f in objective.split(",")) + "\\}$"


_TOKENS = [(re.compile(r"\{([bv](?:,(?:s|eta))?)\}"), lambda m: objective_tex(m.group(1))),
           (re.compile(r"\s*->\s*"), lambda m: r" $\to$ "),
           (re.compile(r"\bgamma\b"), lambda m: r"$\gamma$"),
           (re.compile(r"\beps\b"), lambda m: r"$\varepsilon$"),
           (re.compile(r"\brho_(\w)\b"), lambda m: rf"$\rho_{m.group(1)}$")]


def tex_label(text: str) -> str:
    """A plain-text label with its mathematics as mathtext: '{b,eta}', '->', 'gamma', 'eps', 'rho_1'."""
    for pattern, repl in _TOKENS:
        text = pattern.sub(repl, text)
    return text.replace("$ $", " ")


def eps_axis(ax, eps: Sequence[float], label: str = EPS_LABEL) -> None:
    """A symmetric-log eps axis (linear below the smallest positive eps) with every eps as a labelled tick and
    a margin beyond both ends, so no point sits on the frame."""
    from matplotlib.ticker import FixedLocator, NullLocator
    eps = sorted({float(e) for e in eps})
    pos = [e for e in eps if e > 0]
    if pos:
        lin = min(pos)
        ax.set_xscale("symlog", linthresh=lin, linscale=0.6)
        t = ax.xaxis.get_transform()
        lo, hi = t.transform([eps[0], eps[-1]])
        pad = 0.08 * (hi - lo) if hi > lo else 0.5
        ax.set_xlim(*t.inverted().transform([lo - pad, hi + pad]))
    ax.xaxis.set_major_locator(FixedLocator(eps))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([f"{e:g}" for e in eps])
    if label:
        ax.set_xlabel(label)
