"""Summary figures over every benchmark: a metric against eps, W2 against NFE, training curves, and the
compute of every job. Lines are means over seeds with their 95% t-interval as a band (sibench.tables.stats);
the exact-samples floor is drawn where the metric has one; no panel holds more than MAX_HUES colours."""
from __future__ import annotations

import math
from typing import Dict, List, Sequence, Tuple

import numpy as np
import pandas as pd

from si.interpolants import PATHS
from ..tables.select import is_ode, model_rows
from ..tables.stats import t_interval
from .style import (PAPER_WIDTH, apply_style, empty_figure, eps_axis, eps_tex, hue_groups,
                    objective_tex, palette, save_figure)

__all__ = ["OBJECTIVE_ORDER", "W2_Z", "KL_LABEL", "fig_metric_vs_eps", "fig_w2_vs_nfe", "fig_training_curves",
           "fig_compute"]

OBJECTIVE_ORDER = ["b,s", "v,s", "b,eta", "v,eta", "b"]
_DASHES = {"b,s": "", "v,s": (4, 1.5), "b,eta": (1, 1), "v,eta": (3, 1.25, 1.5, 1.25), "b": (5, 1, 1, 1)}
_MARKERS = {"b,s": "o", "v,s": "s", "b,eta": "^", "v,eta": "D", "b": "X"}
# W2 read against its floor (docs/theory.md §7.1): in standard deviations of W2 between exact samples
W2_Z = r"$(W_2 - W_2^{\mathrm{floor}})\,/\,\mathrm{sd}_{\mathrm{floor}}$"
KL_LABEL = r"paired KL$(\rho_1\,\|\,\hat\rho_1)$ (nats)"
_FLOOR = "floor: exact samples ($W_2$), exact model (KL)"


def _interpolant_label(d: pd.DataFrame) -> pd.Series:
    """path, with gamma = 0 marked on two-sided paths and a non-independent coupling appended."""
    lab = d["path"].astype(str)
    zero = (d["gamma"].astype(str) == "zero") & d["path"].isin(["linear", "trig"])
    lab = lab.where(~zero, lab + r" $\gamma=0$")
    coup = d["coupling"].astype(str)
    return lab.where(coup == "independent", lab + " + " + coup)


def _interpolant_groups(d: pd.DataFrame) -> List[Tuple[str, List[str]]]:
    """(name, interpolants) per panel group: two-sided and one-sided paths apart, each split into groups of at
    most MAX_HUES (hue_groups)."""
    out = []
    for name, one_sided in (("two-sided", False), ("one-sided", True)):
        fam = d[d["path"].map(lambda p: PATHS[p].one_sided if p in PATHS else False) == one_sided]
        groups = hue_groups(sorted(fam["interpolant"].unique()))
        out += [(name if len(groups) == 1 else f"{name} {k + 1}", g) for k, g in enumerate(groups)]
    return out


def _mean_band(d: pd.DataFrame, x: str, by: Sequence[str]) -> pd.DataFrame:
    """Per (by, x): the mean of 'value' over seeds and its 95% t-interval over seeds (lo, hi; NaN for one seed);
    the methods that share a level of `by` are averaged within each seed first."""
    d = d.groupby(list(by) + [x, "seed"], sort=True, as_index=False)["value"].mean()
    rows = []
    for key, g in d.groupby(list(by) + [x], sort=True):
        m, lo, hi = t_interval(g["value"].to_numpy(float))
        rows.append(dict(zip(list(by) + [x], key), mean=m, lo=lo, hi=hi, n=len(g)))
    return pd.DataFrame(rows)


def _line(ax, s: pd.DataFrame, x: str, color, objective: str = "b,s", band: bool = True) -> None:
    """The mean line of one level (markers, dashes per objective) and its 95% band."""
    s = s.sort_values(x)
    (ln,) = ax.plot(s[x], s["mean"], color=color, marker=_MARKERS.get(objective, "o"), markersize=2.8, lw=1.0)
    if _DASHES.get(objective):
        ln.set_dashes(_DASHES[objective])
    if band and s["lo"].notna().any():
        ax.fill_between(s[x], s["lo"], s["hi"], color=color, alpha=0.13, lw=0)


def _legend_handles(colours: Dict[str, tuple], title: str, styles: Sequence[str] = ()) -> list:
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color="none", label=title)]
    handles += [Line2D([], [], color=c, marker="o", markersize=3, lw=1.2, label=h) for h, c in colours.items()]
    for o in styles:
        ln = Line2D([], [], color="0.3", marker=_MARKERS.get(o, "o"), markersize=3, lw=1.2, label=objective_tex(o))
        if _DASHES.get(o):
            ln.set_dashes(_DASHES[o])
        handles.append(ln)
    return handles


def _notes(band: str, floor: str = _FLOOR) -> list:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    return [Line2D([], [], color="none", label=" "), Patch(color="0.3", alpha=0.2, lw=0, label=band),
            Line2D([], [], color="0.4", lw=0.8, ls=":", label=floor)]


def _symlog_if_blown_up(ax, values: pd.Series) -> None:
    v = values.replace([np.inf, -np.inf], np.nan).dropna().abs()
    if len(v) and v.max() > 50 * max(v.median(), 1e-3):  # a blow-up would flatten the rest
        ax.set_yscale("symlog", linthresh=max(v.median(), 1e-3))


def _panel_grid(n_rows_of: Sequence[int], ncol: int, row_height: float = 1.85):
    """A figure of len(n_rows_of) blocks, block i holding n_rows_of[i] panels, ncol to a row, each block starting a
    new row; returns (fig, one list of axes per block) with the unused axes switched off."""
    import matplotlib.pyplot as plt
    rows = [math.ceil(n / ncol) for n in n_rows_of]
    fig, axes = plt.subplots(sum(rows), ncol, figsize=(PAPER_WIDTH, row_height * sum(rows)), squeeze=False)
    blocks, r0 = [], 0
    for n, r in zip(n_rows_of, rows):
        flat = list(axes[r0:r0 + r].flat)
        for ax in flat[n:]:
            ax.axis("off")
        blocks.append(flat[:n])
        r0 += r
    return fig, blocks


def fig_metric_vs_eps(inputs, out, **_) -> None:
    """W2 against its floor in floor standard deviations (and the paired KL where computed: ODE at eps = 0,
    Feynman-Kac at eps > 0, withheld values left out) against eps for every benchmark: one colour per
    interpolant (path, gamma = 0, coupling; two-sided and one-sided paths in separate panels, at most MAX_HUES
    to a panel), one dash and marker per objective; mean over seeds with its 95% t-interval as a band; the
    floor (0: as good as exact samples, or the exact model) dotted; every eps of the data as a tick."""
    apply_style()
    df = pd.read_csv(inputs[0])
    parts = []
    w = model_rows(df, "w2_z")
    if not w.empty:
        parts.append(w.assign(panel=W2_Z))
    k = model_rows(df, "kl", sde_sampler="sde-feynman-kac")
    k = k[np.isfinite(pd.to_numeric(k["value"], errors="coerce"))] if not k.empty else k
    if not k.empty:
        parts.append(k.assign(panel=KL_LABEL))
    if not parts:
        return empty_figure(out, "no W2 or KL rows")
    d = pd.concat(parts, ignore_index=True)
    d["eps"] = d["eps"].astype(float)
    d["value"] = pd.to_numeric(d["value"], errors="coerce")
    d["interpolant"] = _interpolant_label(d)
    eps_all = sorted(d["eps"].unique())
    groups = _interpolant_groups(d)
    starts = np.cumsum([0] + [len(levels) for _, levels in groups])
    colours = {name: palette(levels, int(s)) for (name, levels), s in zip(groups, starts)}
    styles = [o for o in OBJECTIVE_ORDER if o in set(d["objective"])]
    panels = {p: [(b, name, levels) for b in dict.fromkeys(d["benchmark"]) for name, levels in groups
                  if ((d["panel"] == p) & (d["benchmark"] == b) & d["interpolant"].isin(levels)).any()]
              for p in dict.fromkeys(d["panel"])}
    ncol = min(4, max(len(v) for v in panels.values()))
    fig, blocks = _panel_grid([len(v) for v in panels.values()], ncol)
    for (p, specs), axes in zip(panels.items(), blocks):
        for j, ((b, name, levels), ax) in enumerate(zip(specs, axes)):
            sub = d[(d["panel"] == p) & (d["benchmark"] == b) & d["interpolant"].isin(levels)]
            agg = _mean_band(sub, "eps", ["interpolant", "objective"])
            for (interp, obj), s in agg.groupby(["interpolant", "objective"], sort=False):
                _line(ax, s, "eps", colours[name][interp], obj)
            ax.axhline(0.0, color="0.4", lw=0.8, ls=":", zorder=0)
            _symlog_if_blown_up(ax, pd.concat([agg["lo"], agg["hi"], agg["mean"]]))
            eps_axis(ax, eps_all, label=r"$\varepsilon$")
            ax.set_title(b if len(groups) == 1 else f"{b}\n({name})", fontsize=6.5)
            ax.set_ylabel(p if j % ncol == 0 else "")
    fig.tight_layout(pad=0.3, h_pad=0.6, w_pad=1.0)
    handles = []
    for name, levels in groups:
        handles += _legend_handles(colours[name], "interpolant" + (f" ({name} panels)" if len(groups) > 1 else ""))
    handles += _legend_handles({}, "objective", styles)
    handles += _notes("band: 95% t-interval over seeds")
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.99), frameon=False, fontsize=6.5)
    save_figure(fig, out)


def _sampler_label(sampler: str, eps: float) -> str:
    return sampler if str(sampler).startswith("ode") else f"{sampler} {eps_tex(eps, ode=False)}"


def fig_w2_vs_nfe(inputs, out, **_) -> None:
    """W2 against its floor, (W2 - floor) / sd, against NFE for each sampler (ODE; SDE at each eps): median over
    methods and seeds, interquartile band (the spread over methods, not an uncertainty); the floor dotted; at
    most MAX_HUES samplers to a panel."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator
    sns = apply_style()
    df = pd.read_csv(inputs[0])
    d = df[(df["metric"] == "w2_z") & np.isfinite(pd.to_numeric(df["value"], errors="coerce"))].copy()
    if d.empty:
        return empty_figure(out, "no W2 rows")
    d[W2_Z] = pd.to_numeric(d["value"])
    d["eps"] = d["eps"].astype(float)
    order = d.drop_duplicates(["sampler", "eps"]).sort_values("eps", kind="stable")
    order = order.assign(ode=~is_ode(order["sampler"])).sort_values(["ode", "eps"], kind="stable")
    hues = list(dict.fromkeys(_sampler_label(s, e) for s, e in zip(order["sampler"], order["eps"])))
    d["hue"] = [_sampler_label(s, e) for s, e in zip(d["sampler"], d["eps"])]
    groups = hue_groups(hues)
    colours = [palette(g, int(s)) for g, s in zip(groups, np.cumsum([0] + [len(g) for g in groups]))]
    specs = [(b, k) for b in dict.fromkeys(d["benchmark"]) for k, g in enumerate(groups)
             if ((d["benchmark"] == b) & d["hue"].isin(g)).any()]
    ncol = min(4, len(specs))
    fig, (axes,) = _panel_grid([len(specs)], ncol)
    for j, ((b, k), ax) in enumerate(zip(specs, axes)):
        sub = d[(d["benchmark"] == b) & d["hue"].isin(groups[k])]
        sns.lineplot(data=sub, x="nfe", y=W2_Z, hue="hue", hue_order=groups[k], palette=colours[k],
                     estimator="median", errorbar=("pi", 50), marker="o", markersize=3, ax=ax, legend=False)
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.margins(x=0.06)
        ax.axhline(0.0, color="0.4", lw=0.8, ls=":", zorder=0)
        ax.set_title(b if len(groups) == 1 else f"{b} ({k + 1})", fontsize=6.5)
        ax.set_xlabel("NFE (network evaluations)")
        ax.set_ylabel(W2_Z if j % ncol == 0 else "")
    fig.tight_layout(pad=0.3, h_pad=0.6, w_pad=1.0)
    handles = []
    for k, c in enumerate(colours):
        handles += _legend_handles(c, "sampler" + (f" (panels {k + 1})" if len(groups) > 1 else ""))
    handles += _notes("band: interquartile range\nover methods and seeds", "floor: exact samples")
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.99), frameon=False, fontsize=6.5)
    save_figure(fig, out)


def fig_training_curves(inputs, out, **_) -> None:
    """Training loss (the objective) against step per method, mean over seeds; one panel per benchmark and group
    of at most MAX_HUES methods, each with its legend beside it."""
    sns = apply_style()
    try:
        d = pd.read_csv(inputs[0])
    except pd.errors.EmptyDataError:
        d = pd.DataFrame()
    if d.empty:
        return empty_figure(out, "no training curves")
    specs = [(b, g) for b in dict.fromkeys(d["benchmark"])
             for g in hue_groups(list(dict.fromkeys(d.loc[d["benchmark"] == b, "label"])))]
    ncol = min(2, len(specs))
    fig, (axes,) = _panel_grid([len(specs)], ncol, row_height=1.6)
    for j, ((b, labels), ax) in enumerate(zip(specs, axes)):
        sub = d[(d["benchmark"] == b) & d["label"].isin(labels)]
        sns.lineplot(data=sub, x="step", y="loss", hue="label", hue_order=labels, palette=palette(labels),
                     errorbar=None, ax=ax, lw=0.8, legend="full")
        ax.legend(fontsize=5.5, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), handlelength=1.2,
                  labelspacing=0.25, borderaxespad=0)
        n = sum(1 for b2, _ in specs if b2 == b)
        ax.set_title(b if n == 1 else f"{b} (methods {sum(1 for s in specs[:j] if s[0] == b) + 1} of {n})",
                     fontsize=6.5)
        ax.set_xlabel("training step")
        ax.set_ylabel("training loss" if j % ncol == 0 else "")
        lo, hi = np.nanpercentile(sub["loss"], [1, 99])
        ax.set_ylim(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo))
    fig.tight_layout(pad=0.3, h_pad=0.6, w_pad=0.6)
    save_figure(fig, out)


def fig_compute(inputs, out, **_) -> None:
    """Wall time and peak memory of every job (Snakemake benchmark files), per rule."""
    import matplotlib.pyplot as plt
    sns = apply_style()
    d = pd.read_csv(inputs[0])
    if d.empty or "s" not in d:
        return empty_figure(out, "no job benchmarks")
    fig, axes = plt.subplots(1, 2, figsize=(PAPER_WIDTH, 2.2))
    sns.stripplot(data=d, x="rule", y="s", ax=axes[0], size=2.5, jitter=0.25)
    axes[0].set_ylabel("wall time per job (s)")
    axes[0].set_yscale("log")
    from matplotlib.ticker import FuncFormatter
    axes[0].yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axes[0].yaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}" if str(f"{v:g}")[0] in "25" else ""))
    if "max_rss" in d and pd.to_numeric(d["max_rss"], errors="coerce").notna().any():
        d = d.assign(max_rss=pd.to_numeric(d["max_rss"], errors="coerce"))
        sns.stripplot(data=d, x="rule", y="max_rss", ax=axes[1], size=2.5, jitter=0.25)
    axes[1].set_ylabel("peak memory per job (MB)")
    for ax in axes:
        ax.set_xlabel("rule")
        ax.tick_params(axis="x", labelrotation=30 if d["rule"].nunique() > 4 else 0)
    total = d.groupby("rule")["s"].sum()
    axes[0].set_title("total: " + ", ".join(f"{r} {v / 60:.1f} min" for r, v in total.items()), fontsize=6)
    fig.tight_layout(pad=0.4)
    save_figure(fig, out)
