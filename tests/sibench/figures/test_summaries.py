"""The report's summary figures read as figures for a paper: at most MAX_HUES colours in a panel, every eps of the
data a tick on every eps axis with no point on the frame, the floor drawn, mathtext labels."""
from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from sibench.figures import style, summaries
from sibench.stages.rows import COLUMNS

matplotlib.use("Agg")

EPS = [0.0, 0.1, 0.5, 1.0, 2.0]
# 11 interpolants (8 two-sided, 3 one-sided), as in the default sweep
METHODS = [("linear", "brownian", "b,s", "independent"), ("trig", "brownian", "b,s", "independent"),
           ("encoding-decoding", "sinesquared", "b,s", "independent"), ("mirror", "brownian", "b,s", "independent"),
           ("linear", "zero", "b", "independent"), ("linear", "zero", "b", "ot"), ("trig", "zero", "b", "independent"),
           ("linear", "brownian", "b,s", "entropic"), ("one-sided-linear", "zero", "b,s", "independent"),
           ("one-sided-trig", "zero", "b,s", "independent"), ("vp", "zero", "v,s", "independent")]


def _metrics(tmp_path):
    rng = np.random.default_rng(0)
    rows = []
    for path, gamma, obj, coupling in METHODS:
        for seed in range(3):
            for eps in EPS if obj != "b" else [0.0]:
                base = dict(benchmark="bench", method=f"{path}-{gamma}-{coupling}", label=path, path=path, gamma=gamma,
                            objective=obj, coupling=coupling, seed=seed, eps=eps, steps=50, nfe=100)
                rows.append({**base, "sampler": "ode-heun" if eps == 0 else "sde-em", "metric": "w2_z",
                             "value": rng.normal()})
    f = tmp_path / "metrics.csv"
    pd.DataFrame(rows).reindex(columns=COLUMNS).to_csv(f, index=False)
    return f


@pytest.fixture
def drawn(monkeypatch):
    """The figures handed to save_figure, kept open for inspection."""
    figs = []
    monkeypatch.setattr(summaries, "save_figure", lambda fig, out: figs.append(fig))
    yield figs
    import matplotlib.pyplot as plt
    for f in figs:
        plt.close(f)


def _colours(ax):
    return {matplotlib.colors.to_hex(ln.get_color()) for ln in ax.get_lines() if ln.get_linestyle() != ":"
            and len(ln.get_xdata()) > 0 and ln.get_color() != "none"}


def test_metric_vs_eps_splits_hues_ticks_every_eps_and_draws_the_floor(tmp_path, drawn):
    summaries.fig_metric_vs_eps([str(_metrics(tmp_path))], tmp_path / "f.png")
    (fig,) = drawn
    axes = [ax for ax in fig.axes if ax.axison]
    assert len(axes) == 2  # 11 interpolants: the 8 two-sided and the 3 one-sided in panels of their own
    assert sorted(len(_colours(ax)) for ax in axes) == [3, 8]
    for ax in axes:
        assert list(ax.get_xticks()) == EPS
        lo, hi = ax.get_xlim()
        assert lo < 0 and hi > 2  # margins: no point on the frame
        assert any(ln.get_linestyle() == ":" and set(ln.get_ydata()) == {0.0} for ln in ax.get_lines())  # floor
        assert "$" in ax.xaxis.get_label().get_text()
    assert "$" in axes[0].yaxis.get_label().get_text()


def test_palette_refuses_more_than_max_hues_and_hue_groups_split_evenly():
    with pytest.raises(ValueError, match="hue_groups"):
        style.palette([str(i) for i in range(style.MAX_HUES + 1)])
    assert [len(g) for g in style.hue_groups(list(range(11)))] == [6, 5]
    assert [len(g) for g in style.hue_groups(list(range(8)))] == [8]
    assert style.hue_groups([]) == []


def test_tex_label_writes_the_mathematics_as_mathtext():
    assert style.tex_label("N(0, I) -> checkerboard {b,eta}") == r"N(0, I) $\to$ checkerboard $\{b,\eta\}$"
    assert style.tex_label("gamma = 0, eps = 1, rho_1") == r"$\gamma$ = 0, $\varepsilon$ = 1, $\rho_1$"
    assert style.eps_tex(0) == r"$\varepsilon=0$ (ODE)" and style.eps_tex(0.5) == r"$\varepsilon=0.5$"
