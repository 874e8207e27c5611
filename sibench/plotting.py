"""Tables (Markdown, LaTeX) and seaborn figures from the tidy results (results/metrics.csv).

Conventions, shared by every table and figure:
  * "the generative model at eps": the ODE sampler at eps = 0 and the SDE sampler at eps > 0, each
    at its largest step count (the NFE sweeps appear only in the W2-versus-NFE figure);
  * for likelihoods: the ODE estimate at eps = 0, and at eps > 0 one table per SDE estimator;
  * mean +- standard deviation over seeds; the best mean of each column is marked (bold);
  * one seaborn style (paper context, colorblind palette), figures at most 7 inches wide.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
import pandas as pd

from .experiment import atomic_write, sample_keys, write_text

PAPER_WIDTH = 7.0  # inches


# ----------------------------------------------------------------------------------------
# selection helpers
# ----------------------------------------------------------------------------------------
def _is_ode(s: pd.Series) -> pd.Series:
    return s.astype(str).str.startswith("ode-")


def model_rows(df: pd.DataFrame, metric: str, sde_sampler: Optional[str] = None,
               t: Optional[float] = None) -> pd.DataFrame:
    """Rows of `metric` for the generative model at each eps (module doc), largest steps only."""
    d = df[df["metric"] == metric]
    if t is not None:
        d = d[np.isclose(d["t"].astype(float), t)]
    if d.empty:
        return d
    ode = _is_ode(d["sampler"])
    sde = d["sampler"].astype(str).str.startswith("sde-") if sde_sampler is None else d["sampler"] == sde_sampler
    keep = (ode & (d["eps"] == 0)) | (sde & (d["eps"] > 0))
    d = d[keep]
    if "steps" in d and d["steps"].notna().any():
        top = d.groupby(["method", "sampler"])["steps"].transform("max")
        d = d[(d["steps"] == top) | d["steps"].isna()]
    return d


def _method_order(df: pd.DataFrame) -> List[str]:
    return list(dict.fromkeys(df["label"].astype(str)))


def _fmt(mean: float, std: float, digits: int) -> str:
    if not np.isfinite(mean):
        return "inf" if mean == np.inf else "n/a"
    if not np.isfinite(std) or std == 0:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def _eps_header(eps: float) -> str:
    return "ε=0 (ODE)" if eps == 0 else f"ε={eps:g}"


def summary_table(d: pd.DataFrame, columns: str = "eps", better: str = "min", digits: int = 3):
    """(cells, means, best mask): rows = method labels, columns = eps (or another column);
    cells 'mean ± std' over seeds."""
    if d.empty:
        return None
    g = d.groupby(["label", columns], sort=False)["value"]
    stats = pd.DataFrame({"mean": g.mean(), "std": g.std(ddof=1), "n": g.count()}).reset_index()
    means = stats.pivot(index="label", columns=columns, values="mean")
    stds = stats.pivot(index="label", columns=columns, values="std")
    order = [m for m in _method_order(d) if m in means.index]
    cols = sorted(means.columns) if columns == "eps" else list(dict.fromkeys(d[columns]))
    means, stds = means.loc[order, cols], stds.loc[order, cols]
    finite = means.replace([np.inf, -np.inf], np.nan)
    best_val = finite.min() if better == "min" else finite.max()
    best = finite.eq(best_val, axis=1) & finite.notna()
    cells = pd.DataFrame(
        [[_fmt(means.iat[i, j], stds.iat[i, j], digits) for j in range(means.shape[1])] for i in range(means.shape[0])],
        index=means.index, columns=means.columns)
    return cells, means, best


def _markdown(cells: pd.DataFrame, best: pd.DataFrame, header) -> str:
    out = cells.copy()
    out[best] = "**" + out[best] + "**"
    out.columns = [header(c) for c in out.columns]
    out.index.name = "method"
    return out.to_markdown()


def _latex_escape(s: str) -> str:
    for a, b in (("_", r"\_"), ("%", r"\%"), ("&", r"\&"), ("#", r"\#")):
        s = s.replace(a, b)
    return s.replace("±", r"$\pm$").replace("ε", r"$\varepsilon$")


def _latex(cells: pd.DataFrame, best: pd.DataFrame, header, caption: str, label: str) -> str:
    cols = [_latex_escape(header(c)) for c in cells.columns]
    lines = [r"\begin{table}[t]", r"\centering", r"\small",
             r"\caption{" + _latex_escape(caption) + "}", r"\label{" + label + "}",
             r"\begin{tabular}{l" + "r" * len(cols) + "}", r"\toprule",
             " & ".join(["method"] + cols) + r" \\", r"\midrule"]
    for i, idx in enumerate(cells.index):
        row = [_latex_escape(str(idx))]
        for j in range(cells.shape[1]):
            c = _latex_escape(cells.iat[i, j])
            row.append(r"\textbf{" + c + "}" if bool(best.iat[i, j]) else c)
        lines.append(" & ".join(row) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return "\n".join(lines)


def benchmark_sections(df: pd.DataFrame, truth: dict) -> List[dict]:
    """The tables of one benchmark: dicts with title, cells, best, header (column formatter)."""
    sections = []

    def add(title, d, better="min", columns="eps", header=_eps_header, digits=3):
        res = summary_table(d, columns=columns, better=better, digits=digits)
        if res is not None:
            cells, _, best = res
            sections.append({"title": title, "cells": cells, "best": best, "header": header})

    floor = truth.get("w2_floor")
    add(f"W2 to the target (n = {truth.get('n')}; floor, truth vs truth: {floor:.3f})", model_rows(df, "w2"))
    add("Fraction of samples inside the checkerboard's support (higher is better)",
        model_rows(df, "support_fraction"), better="max")
    H = truth.get("entropy")
    for est in ("score", "feynman-kac"):
        d = model_rows(df, "kl", sde_sampler=f"sde-{est}")
        if not d.empty:
            add(f"KL(rho1 || model) in nats, ODE at ε=0, SDE estimator '{est}' at ε>0 "
                f"(target entropy {H:.3f} ± {truth.get('entropy_se', 0):.3f})", d)
    if truth.get("is_bridge"):
        cf = df.loc[df["metric"] == "w2_coupling", "floor"]
        add(f"Coupling W2 of (x0, x1) against the exact bridge plan (floor {cf.mean():.3f})",
            model_rows(df, "w2_coupling"))
        times = sorted(df.loc[df["metric"] == "bures_w2", "t"].dropna().unique())
        for t in times:
            add(f"Bures-W2 of the marginal at t = {t:g} against the exact bridge", model_rows(df, "bures_w2", t=t))
    fields = df[df["metric"].astype(str).str.startswith("field_rel_mse_")].copy()
    if not fields.empty:
        fields["field"] = fields["metric"].str.replace("field_rel_mse_", "", regex=False)
        add("Relative mean-square error of the learned fields against the exact oracle, "
            "E|f^ - f|^2 / E|f|^2 along the interpolant", fields, columns="field", header=lambda c: str(c), digits=4)
    failed = df[df["metric"] == "train_failed"]
    if not failed.empty:
        sections.append({"note": "Training diverged (non-finite loss), no evaluations: " +
                         ", ".join(f"{r.label} seed {r.seed}" for r in failed.itertuples())})
    bad = df[(df["metric"] == "finite_fraction") & (df["value"] < 1)]
    if not bad.empty:
        listing = bad.groupby(["label", "sampler", "eps"])["value"].mean().reset_index()
        sections.append({"note": "Runs with non-finite samples or log densities (fraction finite): " +
                         "; ".join(f"{r.label} {r.sampler} ε={r.eps:g}: {r.value:.3f}" for r in listing.itertuples())})
    return sections


def _html(cells: pd.DataFrame, best: pd.DataFrame, header) -> str:
    out = cells.copy()
    out[best] = "<b>" + out[best] + "</b>"
    out.columns = [header(c) for c in out.columns]
    out.index.name = "method"
    return out.to_html(escape=False, border=0, classes="si-table")


_HTML_STYLE = ("<style>body{font-family:sans-serif;font-size:13px;margin:1em}"
               "table.si-table{border-collapse:collapse;margin-bottom:1.5em}"
               "table.si-table td,table.si-table th{padding:2px 8px;text-align:right;border-bottom:1px solid #ddd}"
               "table.si-table th:first-child,table.si-table td:first-child{text-align:left}</style>")


def write_tables(metrics_csv, truth_json, benchmark: str, out_md, out_tex, out_html=None) -> None:
    df = pd.read_csv(metrics_csv)
    df = df[df["benchmark"] == benchmark]
    truth = json.loads(Path(truth_json).read_text())
    sections = benchmark_sections(df, truth)
    md = [f"## {benchmark}", "", truth.get("description", ""), "",
          "Mean ± standard deviation over seeds; the best of each column in bold.", ""]
    html = [f"<html><head><meta charset='utf-8'>{_HTML_STYLE}</head><body><h2>{benchmark}</h2>",
            f"<p>{truth.get('description', '')}</p><p>Mean ± standard deviation over seeds; the best of each "
            f"column in bold.</p>"]
    tex = [f"% {benchmark}: generated by sibench.plotting.write_tables from results/metrics.csv",
           r"% needs \usepackage{booktabs}", ""]
    for k, s in enumerate(sections):
        if "note" in s:
            md += [s["note"], ""]
            tex += ["% " + s["note"], ""]
            html.append(f"<p><i>{s['note']}</i></p>")
            continue
        md += [f"### {s['title']}", "", _markdown(s["cells"], s["best"], s["header"]), ""]
        html += [f"<h3>{s['title']}</h3>", _html(s["cells"], s["best"], s["header"])]
        tex.append(_latex(s["cells"], s["best"], s["header"], f"{benchmark}: {s['title']}",
                          f"tab:{benchmark}:{k}"))
    if not sections:
        md.append("(no evaluations)")
    write_text(out_md, "\n".join(md) + "\n")
    write_text(out_tex, "\n".join(tex) + "\n")
    if out_html is not None:
        write_text(out_html, "\n".join(html) + "</body></html>\n")


def write_summary(metrics_csv, truth_jsons: Sequence, out_md, title: str = "") -> None:
    """The W2 table (with floor) of every benchmark, on one Markdown page."""
    df = pd.read_csv(metrics_csv)
    md = [f"# si-bench results{': ' + title if title else ''}", "",
          "W2 between model samples and reference samples of the target (mean ± std over seeds; best per "
          "column in bold). ε = 0 is the probability-flow ODE, ε > 0 the SDE (docs/theory.md §4). The floor is W2 "
          "between two independent sample sets of the truth at the same n: a perfect model sits there.", ""]
    for path in truth_jsons:
        truth = json.loads(Path(path).read_text())
        b = truth["benchmark"]
        d = model_rows(df[df["benchmark"] == b], "w2")
        res = summary_table(d)
        md += [f"## {b} (floor {truth['w2_floor']:.3f})", ""]
        md += [_markdown(res[0], res[2], _eps_header) if res else "(no evaluations)", ""]
    write_text(out_md, "\n".join(md) + "\n")


# ----------------------------------------------------------------------------------------
# figures
# ----------------------------------------------------------------------------------------
def _style():
    import matplotlib
    matplotlib.use("Agg")
    import seaborn as sns
    sns.set_theme(context="paper", style="whitegrid", palette="colorblind", font_scale=0.9,
                  rc={"savefig.dpi": 200, "figure.dpi": 100, "axes.titlesize": 8, "axes.labelsize": 8,
                      "legend.fontsize": 7, "xtick.labelsize": 7, "ytick.labelsize": 7})
    return sns


def _save(fig, out) -> None:
    atomic_write(out, lambda p: fig.savefig(p, format="png", bbox_inches="tight"), suffix=".png")
    import matplotlib.pyplot as plt
    plt.close(fig)


def _empty(out, message: str) -> None:
    import matplotlib.pyplot as plt
    _style()
    fig, ax = plt.subplots(figsize=(PAPER_WIDTH / 2, 1.5))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center")
    _save(fig, out)


def _load_samples(paths) -> List[dict]:
    out = []
    for p in paths:
        data = np.load(p)
        meta = json.loads(str(data["meta"])) if "meta" in data.files else {"label": Path(p).parent.name}
        out.append({"meta": meta, "data": data})
    return out


def _main_keys(files: Sequence[str]) -> Dict[float, str]:
    """eps -> sample key of the generative model at eps (ODE at 0, SDE at eps > 0, largest steps)."""
    best: Dict[float, tuple] = {}
    for k, sampler, eps, steps in sample_keys(files):
        is_ode = sampler.startswith("ode-")
        if (eps == 0) != is_ode:
            continue
        if eps not in best or steps > best[eps][0]:
            best[eps] = (steps, k)
    return {e: best[e][1] for e in sorted(best)}


def _scatter(ax, x, color, size=1.0, alpha=0.5, lim=None):
    x = np.asarray(x)
    x = x[np.isfinite(x).all(1)]
    if x.shape[1] == 1:
        ax.hist(x[:, 0], bins=60, density=True, color=color, alpha=0.8)
        if lim is not None:
            ax.set_xlim(*lim[0])
    else:
        ax.scatter(x[:, 0], x[:, 1], s=size, alpha=alpha, color=color, linewidths=0, rasterized=True)
        if lim is not None:
            ax.set_xlim(*lim[0])
            ax.set_ylim(*lim[1])


def _limits(x) -> list:
    x = np.asarray(x)
    lo, hi = np.percentile(x, 0.5, axis=0), np.percentile(x, 99.5, axis=0)
    pad = 0.15 * (hi - lo)
    return [(lo[i] - pad[i], hi[i] + pad[i]) for i in range(min(2, x.shape[1]))]


def fig_samples(inputs, out, benchmark: str, **_) -> None:
    """Grid: rows = methods, columns = the target's reference samples, then the model at each eps."""
    import matplotlib.pyplot as plt
    sns = _style()
    runs = _load_samples(inputs.samples)
    ref = np.load(inputs.truth)["x1_ref"]
    eps_all = sorted({e for r in runs for e in _main_keys(r["data"].files)})
    ncol, nrow = 1 + len(eps_all), max(1, len(runs))
    w = min(PAPER_WIDTH, 1.15 * ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(w, w / ncol * nrow), squeeze=False)
    lim = _limits(ref)
    pal = sns.color_palette("colorblind")
    for i, r in enumerate(runs):
        keys = _main_keys(r["data"].files)
        _scatter(axes[i, 0], ref, "0.35", lim=lim)
        for j, e in enumerate(eps_all):
            ax = axes[i, j + 1]
            if e in keys:
                _scatter(ax, r["data"][keys[e]], pal[0], lim=lim)
            else:
                why = "training\ndiverged" if r["meta"].get("failed") else "no score"
                ax.text(0.5, 0.5, why, ha="center", va="center", transform=ax.transAxes, fontsize=6)
        axes[i, 0].set_ylabel(r["meta"].get("label", ""), fontsize=7, rotation=0, ha="right", va="center")
    for j, title in enumerate(["target"] + [_eps_header(e) for e in eps_all]):
        axes[0, j].set_title(title)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout(pad=0.3, rect=(0, 0, 1, 1 - 0.35 / fig.get_size_inches()[1]))
    fig.suptitle(f"{benchmark}: samples (seed {runs[0]['meta'].get('seed', '') if runs else ''})", fontsize=9,
                 y=1 - 0.05 / fig.get_size_inches()[1], va="top")
    _save(fig, out)


def fig_bridge(inputs, out, benchmark: str, times=(), **_) -> None:
    """Marginals at bridge_times and t = 1 of each model (blue) over the exact bridge's (grey);
    the model is the SDE at the eps closest to sigma^2 / 2 (the bridge's own noise)."""
    import matplotlib.pyplot as plt
    import torch
    from .pairs import get_benchmark
    sns = _style()
    pair = get_benchmark(benchmark)
    bridge = pair.bridge
    runs = _load_samples(inputs.samples)
    ts = [float(t) for t in times] + [1.0]
    g = torch.Generator().manual_seed(0)
    n = max((r["data"]["x0"].shape[0] for r in runs if "x0" in r["data"].files), default=1000)
    exact = {t: bridge.marginal_sample(t, n, generator=g).numpy() for t in ts}
    pal = sns.color_palette("colorblind")
    w = min(PAPER_WIDTH, 1.3 * len(ts))
    fig, axes = plt.subplots(max(1, len(runs)), len(ts), figsize=(w, w / len(ts) * max(1, len(runs))), squeeze=False)
    target_eps = pair.sigma2 / 2
    for i, r in enumerate(runs):
        keys = _main_keys(r["data"].files)
        axes[i, 0].set_ylabel(r["meta"].get("label", ""), fontsize=7, rotation=0, ha="right", va="center")
        if not keys:
            for ax in axes[i]:
                ax.axis("off")
            continue
        eps = min(keys, key=lambda e: abs(e - target_eps))
        key = keys[eps]
        for j, t in enumerate(ts):
            ax = axes[i, j]
            lim = _limits(exact[t])
            _scatter(ax, exact[t], "0.6", lim=lim)
            mk = key if t == 1.0 else f"{key}__t{t:g}"
            if mk in r["data"].files:
                _scatter(ax, r["data"][mk], pal[0], lim=lim, alpha=0.35)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(f"t = {t:g}")
        axes[i, 0].set_ylabel(f"{r['meta'].get('label', '')}\n{_eps_header(eps)}", fontsize=7, rotation=0,
                              ha="right", va="center")
    fig.tight_layout(pad=0.3, rect=(0, 0, 1, 1 - 0.35 / fig.get_size_inches()[1]))
    fig.suptitle(f"{benchmark}: model marginals (blue) vs the exact bridge (grey), first two coordinates",
                 fontsize=9, y=1 - 0.05 / fig.get_size_inches()[1], va="top")
    _save(fig, out)


OBJECTIVE_ORDER = ["b,s", "v,s", "b,eta", "v,eta", "b"]
_DASHES = {"b,s": "", "v,s": (4, 1.5), "b,eta": (1, 1), "v,eta": (3, 1.25, 1.5, 1.25), "b": (5, 1, 1, 1)}
_MARKERS = {"b,s": "o", "v,s": "s", "b,eta": "^", "v,eta": "D", "b": "X"}


def _interpolant_label(d: pd.DataFrame) -> pd.Series:
    """path, with gamma = 0 marked on two-sided paths and a non-independent coupling appended."""
    lab = d["path"].astype(str)
    zero = (d["gamma"].astype(str) == "zero") & d["path"].isin(["linear", "trig"])
    lab = lab.where(~zero, lab + " γ=0")
    coup = d["coupling"].astype(str)
    return lab.where(coup == "independent", lab + " + " + coup)


def _palette(levels: Sequence[str]) -> Dict[str, tuple]:
    import seaborn as sns
    colors = sns.color_palette("colorblind" if len(levels) <= 10 else "husl", len(levels))
    return dict(zip(levels, colors))


def _legend(fig, palette: Dict[str, tuple], styles: Sequence[str], title_hue: str) -> None:
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color="none", label=title_hue)]
    handles += [Line2D([], [], color=c, marker="o", markersize=3, lw=1.2, label=h) for h, c in palette.items()]
    handles += [Line2D([], [], color="none", label="objective")] if styles else []
    for o in styles:
        ln = Line2D([], [], color="0.3", marker=_MARKERS.get(o, "o"), markersize=3, lw=1.2, label="{" + o + "}")
        if _DASHES.get(o):
            ln.set_dashes(_DASHES[o])
        handles.append(ln)
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.98), frameon=False, fontsize=7)


def fig_metric_vs_eps(inputs, out, **_) -> None:
    """W2 / W2 floor (and KL where computed) against eps for every benchmark: one colour per
    interpolant (path, gamma = 0, coupling), one dash and marker per objective, mean +- sd over seeds."""
    import matplotlib.pyplot as plt
    sns = _style()
    df = pd.read_csv(inputs[0])
    parts = []
    w = model_rows(df, "w2")
    if not w.empty:
        parts.append(w.assign(value=w["value"] / w["floor"], panel="W2 / floor"))
    k = model_rows(df, "kl", sde_sampler="sde-score")
    if not k.empty:
        parts.append(k.assign(panel="KL (nats)"))
    if not parts:
        return _empty(out, "no W2 or KL rows")
    d = pd.concat(parts, ignore_index=True)
    d["eps"] = d["eps"].astype(float)
    d["interpolant"] = _interpolant_label(d)
    hues = sorted(d["interpolant"].unique())
    styles = [o for o in OBJECTIVE_ORDER if o in set(d["objective"])]
    palette = _palette(hues)
    benches = list(dict.fromkeys(d["benchmark"]))
    panels = list(dict.fromkeys(d["panel"]))
    ncol = min(4, len(benches))
    nrow_b = math.ceil(len(benches) / ncol)
    fig, axes = plt.subplots(nrow_b * len(panels), ncol, figsize=(PAPER_WIDTH, 1.75 * nrow_b * len(panels)),
                             squeeze=False)
    for i, p in enumerate(panels):
        for j, b in enumerate(benches):
            ax = axes[i * nrow_b + j // ncol, j % ncol]
            sub = d[(d["panel"] == p) & (d["benchmark"] == b)]
            if sub.empty:
                ax.text(0.5, 0.5, "n/a", ha="center", va="center", transform=ax.transAxes)
            else:
                sns.lineplot(data=sub, x="eps", y="value", hue="interpolant", style="objective", hue_order=hues,
                             style_order=styles, palette=palette, dashes=_DASHES, markers=_MARKERS,
                             markersize=3, errorbar="sd", err_style="bars", ax=ax, legend=False)
                ax.set_xscale("symlog", linthresh=0.1)
                if p.startswith("W2"):
                    ax.axhline(1.0, color="0.5", lw=0.6, ls=":")
                v = sub["value"].replace([np.inf, -np.inf], np.nan).dropna().abs()
                if len(v) and v.max() > 50 * max(v.median(), 1e-3):  # a blow-up would flatten the rest
                    ax.set_yscale("symlog", linthresh=max(v.median(), 1e-3))
            ax.set_title(b, fontsize=7)
            ax.set_xlabel("ε")
            ax.set_ylabel(p if j % ncol == 0 else "")
        for j in range(len(benches), nrow_b * ncol):
            axes[i * nrow_b + j // ncol, j % ncol].axis("off")
    fig.tight_layout(pad=0.3, h_pad=0.4, w_pad=0.3)
    _legend(fig, palette, styles, "interpolant")
    _save(fig, out)


def _benchmark_grid(n: int):
    """A figure with one panel per benchmark, 4 to a row; returns (fig, the first n axes, ncol) with
    the unused axes switched off."""
    import matplotlib.pyplot as plt
    ncol = min(4, n)
    nrow = math.ceil(n / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(PAPER_WIDTH, 1.75 * nrow), squeeze=False)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.axis("off")
    return fig, flat[:n], ncol


def fig_w2_vs_nfe(inputs, out, **_) -> None:
    """W2 / floor against NFE for each sampler (ODE; SDE at each eps): median over methods and
    seeds, interquartile band."""
    from matplotlib.ticker import LogLocator, NullFormatter
    sns = _style()
    df = pd.read_csv(inputs[0])
    d = df[(df["metric"] == "w2") & df["value"].notna()].copy()
    if d.empty:
        return _empty(out, "no W2 rows")
    d["W2 / floor"] = d["value"] / d["floor"]
    d["sampler"] = np.where(_is_ode(d["sampler"]), d["sampler"] + " (ε=0)",
                            d["sampler"] + " ε=" + d["eps"].map("{:g}".format))
    hues = sorted(d["sampler"].unique(), key=lambda h: (not h.startswith("ode"), float(h.split("=")[-1].rstrip(")"))))
    palette = _palette(hues)
    benches = list(dict.fromkeys(d["benchmark"]))
    fig, axes, ncol = _benchmark_grid(len(benches))
    for j, (b, ax) in enumerate(zip(benches, axes)):
        sns.lineplot(data=d[d["benchmark"] == b], x="nfe", y="W2 / floor", hue="sampler", hue_order=hues,
                     palette=palette, estimator="median", errorbar=("pi", 50), marker="o", markersize=3,
                     ax=ax, legend=False)
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.axhline(1.0, color="0.5", lw=0.6, ls=":")
        ax.set_title(b, fontsize=7)
        ax.set_ylabel("W2 / floor" if j % ncol == 0 else "")
    fig.tight_layout(pad=0.3, h_pad=0.4, w_pad=0.3)
    _legend(fig, palette, [], "sampler")
    _save(fig, out)


def fig_training_curves(inputs, out, **_) -> None:
    """Training loss against step per method (mean over seeds), one panel per benchmark."""
    sns = _style()
    try:
        d = pd.read_csv(inputs[0])
    except pd.errors.EmptyDataError:
        d = pd.DataFrame()
    if d.empty:
        return _empty(out, "no training curves")
    benches = list(dict.fromkeys(d["benchmark"]))
    fig, axes, ncol = _benchmark_grid(len(benches))
    for j, (b, ax) in enumerate(zip(benches, axes)):
        sub = d[d["benchmark"] == b]
        labels = list(dict.fromkeys(sub["label"]))
        sns.lineplot(data=sub, x="step", y="loss", hue="label", hue_order=labels, palette=_palette(labels),
                     errorbar=None, ax=ax, lw=0.8, legend="full")
        ax.legend(fontsize=4.5, frameon=False, loc="upper right", handlelength=1.2, labelspacing=0.2)
        ax.set_title(b, fontsize=7)
        ax.set_ylabel("loss" if j % ncol == 0 else "")
        lo, hi = np.nanpercentile(sub["loss"], [1, 99])
        ax.set_ylim(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo))
    fig.tight_layout(pad=0.3, h_pad=0.4, w_pad=0.3)
    _save(fig, out)


def fig_compute(inputs, out, **_) -> None:
    """Wall time and peak memory of every job (Snakemake benchmark files), per rule."""
    import matplotlib.pyplot as plt
    sns = _style()
    d = pd.read_csv(inputs[0])
    if d.empty or "s" not in d:
        return _empty(out, "no job benchmarks")
    fig, axes = plt.subplots(1, 2, figsize=(PAPER_WIDTH, 2.2))
    sns.stripplot(data=d, x="rule", y="s", ax=axes[0], size=2.5, jitter=0.25)
    axes[0].set_ylabel("wall time per job (s)")
    axes[0].set_yscale("log")
    if "max_rss" in d and pd.to_numeric(d["max_rss"], errors="coerce").notna().any():
        d = d.assign(max_rss=pd.to_numeric(d["max_rss"], errors="coerce"))
        sns.stripplot(data=d, x="rule", y="max_rss", ax=axes[1], size=2.5, jitter=0.25)
    axes[1].set_ylabel("peak memory (MB)")
    total = d.groupby("rule")["s"].sum()
    axes[0].set_title("total: " + ", ".join(f"{r} {v / 60:.1f} min" for r, v in total.items()), fontsize=6)
    fig.tight_layout(pad=0.4)
    _save(fig, out)


FIGURES = {
    "samples": fig_samples,
    "bridge": fig_bridge,
    "metric_vs_eps": fig_metric_vs_eps,
    "w2_vs_nfe": fig_w2_vs_nfe,
    "training_curves": fig_training_curves,
    "compute": fig_compute,
}
